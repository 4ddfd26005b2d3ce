"""The lab's command line: ``python -m gan_course.lab {train,precompute}``.

Every argument and the output folder are checked before any training. Files are written
atomically (``store``). A folder of one setting does not silently receive runs of another
(``--mix-settings`` allows it and records it). Ctrl-C saves what was computed, flagged
``"partial": true``, says so, and exits with status 130. ``precompute`` overwrites the shipped
``assets/lab`` only with ``--overwrite-assets``.
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from . import batched, checks, lab, store


_nonneg_int = checks.arg_number(int, lambda i: i >= 0, "an integer >= 0")
_pos_int = checks.arg_number(int, lambda i: i >= 1, "an integer >= 1")
_pos_float = checks.arg_number(float, lambda f: f > 0 and np.isfinite(f), "a positive number")
_nonneg_float = checks.arg_number(float, lambda f: f >= 0 and np.isfinite(f), "a number >= 0")
device_arg = checks.device_arg


def parser():
    p = argparse.ArgumentParser(prog="python -m gan_course.lab", description="The mode-collapse lab of the GAN course.")
    sub = p.add_subparsers(dest="command", required=True, metavar="{train,precompute,presets}")
    t = sub.add_parser("train", help="train one setting over one or more seeds (one batch)",
                       description="Train one lab setting for each --seed (all seeds as one batch) and write, per "
                                   "seed, DIR/seed_S/samples.npy (2,500 samples of the final generator, shape "
                                   "(2500, 2); for wgan-gp and hinge-sn the moving average of its weights) and "
                                   "DIR/seed_S/metrics.json (modes covered, % high quality, reverse KL, the setting); "
                                   "DIR/run.json records the setting. Without --steps and knob options the tuned "
                                   "defaults are used. Ctrl-C saves the samples reached so far, marked "
                                   "\"partial\": true in metrics.json.")
    t.add_argument("--dataset", required=True, choices=sorted(lab.DATASETS), help="toy data: ring8 (8 Gaussians, "
                   "radius 2, std 0.02) or grid25 (25 Gaussians at {-4..4}^2, std 0.05)")
    how = t.add_mutually_exclusive_group(required=True)
    how.add_argument("--loss", choices=lab.LOSS_NAMES, help="GAN loss with its tuned defaults (see the module docstring)")
    how.add_argument("--preset", choices=list(lab.PRESETS),
                     help="a whole recipe for the dataset, its loss and knobs included: fast (the non-saturating GAN "
                          "with R1, one D step), tuned-wgan-gp, tuned-hinge-sn (the lab's slower tuned defaults); "
                          "see gan_course.lab.PRESETS and assets/lab/sweeps.md")
    t.add_argument("--seed", required=True, type=_nonneg_int, action="append",
                   help="random seed (integer >= 0); repeat for several seeds, trained together as one batch")
    t.add_argument("--steps", type=_pos_int, default=None,
                   help="generator steps (default: the tuned value for the loss, "
                        + ", ".join(f"{k} {v['steps']}" for k, v in lab.DEFAULTS.items()) + ")")
    t.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder DIR (created if missing)")
    t.add_argument("--lr", type=_pos_float, default=None, help="learning rate of D and G (default: tuned per loss)")
    t.add_argument("--n-critic", type=_pos_int, default=None, help="D/critic steps per G step (default: tuned per loss)")
    t.add_argument("--penalty-weight", type=_pos_float, default=None,
                   help="gradient-penalty weight lambda, wgan-gp only (default "
                        f"{lab.DEFAULTS['wgan-gp']['setting'].penalty_weight:g})")
    t.add_argument("--noise-sigma", type=_nonneg_float, default=None,
                   help="instance-noise std on D's inputs (default 0)")
    t.add_argument("--feature-matching", action="store_true", default=None,
                   help="feature matching (Salimans et al. 2016, Sec. 3.1): G minimises the squared distance between "
                        "the means of D's last hidden features on real and generated data; --loss only "
                        "(default off)")
    t.add_argument("--minibatch-kernels", type=_nonneg_int, default=None, metavar="B",
                   help="minibatch discrimination (Salimans et al. 2016, Sec. 3.2) with B kernels of dimension "
                        f"{batched.MINIBATCH_KERNEL_DIM} on D's last hidden layer; --loss only (default 0: off)")
    t.add_argument("--device", type=device_arg, default=None,
                   help="torch device, e.g. cpu or cuda (default: cuda if present)")
    t.add_argument("--mix-settings", action="store_true",
                   help="allow DIR to hold runs of different settings (each metrics.json records its own)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    pc = sub.add_parser("precompute", help="remake the lab's shipped grid and 10-seed results (assets/lab)",
                        description="Train the lab's grid of settings and the 10-seed results; a GPU helps. "
                                    "The shipped assets/lab is overwritten only with --overwrite-assets.")
    pc.add_argument("--out", type=Path, required=True, help=f"output folder (the shipped one is {lab.ASSETS})")
    pc.add_argument("--overwrite-assets", action="store_true", help="allow --out to be the shipped assets/lab")
    pc.add_argument("--device", type=device_arg, default=None, help="torch device (default: cuda if present)")
    pc.add_argument("--workers", type=_pos_int, default=1, help="batches trained in parallel processes (default 1)")
    pc.add_argument("--quiet", action="store_true", help="no progress bars")
    pp = sub.add_parser("presets", help="the presets' results over seeds, each seed timed alone (presets.json)",
                        description="Train each --preset (default fast) on the datasets for seeds 0..N-1, each seed "
                                    "alone on one thread, and write modes, high quality and CPU seconds per run.")
    pp.add_argument("--preset", action="append", choices=list(lab.PRESETS), default=None, help="repeatable (default fast)")
    pp.add_argument("--dataset", action="append", choices=sorted(lab.DATASETS), default=None,
                    help="repeatable (default both)")
    pp.add_argument("--seeds", type=_pos_int, default=10, help="seeds 0..N-1 (default 10)")
    pp.add_argument("--batched", action="store_true", help="a preset's seeds as one batch (quicker, not timed per seed)")
    pp.add_argument("--out", type=Path, default=lab.ASSETS / "presets.json", help="output JSON file")
    pp.add_argument("--device", type=device_arg, default=None, help="torch device (default: cuda if present)")
    pp.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def seed_record(a, r):
    """The metrics.json of one seed's result ``r`` of ``lab.train``: its final (or last reached) snapshot."""
    s = r["stats"][-1]
    net = lab.recipe(a.preset, a.dataset) if a.preset else lab.Recipe(None, 0)
    return dict(dataset=a.dataset, loss=a.loss or r["setting"].loss, preset=a.preset, seed=r["setting"].seed,
                steps=int(r["steps"][-1]),
                partial=bool(r["partial"]), steps_done=r["steps_done"],
                modes_covered=s.modes_covered, n_modes=s.n_modes, hq_fraction=s.hq_fraction,
                reverse_kl=store.finite_or_none(s.reverse_kl), mode_counts=list(s.counts),
                diverged_at=r["diverged_at"], setting=r["setting"].as_dict(), width=net.width, depth=net.depth,
                batch_size=net.batch_size, latent_dim=net.latent_dim, seconds=r["seconds"],
                cpu_seconds=r.get("cpu_seconds"), threads=torch.get_num_threads(), device=r["device"])


def train_command(p, a):
    if len(set(a.seed)) != len(a.seed):
        p.error(f"argument --seed: each seed once, got {a.seed}")
    if a.penalty_weight is not None and a.loss != "wgan-gp":
        p.error(f"argument --penalty-weight: applies to --loss wgan-gp only, not {a.loss or '--preset ' + a.preset}")
    tricks = dict(feature_matching=a.feature_matching, minibatch_kernels=a.minibatch_kernels)
    if a.preset:
        for name, v in tricks.items():
            if v is not None:
                p.error(f"argument --{name.replace('_', '-')}: applies to --loss, not to --preset {a.preset} "
                        "(a preset is a whole recipe)")
    knobs = dict(lr=a.lr, n_critic=a.n_critic, penalty_weight=a.penalty_weight, noise_sigma=a.noise_sigma)
    if a.preset:
        knobs.pop("penalty_weight")
    else:
        knobs.update(tricks)
    try:
        if a.preset:
            rec = lab.recipe(a.preset, a.dataset)
            setting = lab.preset_setting(a.preset, a.dataset, a.seed[0], **knobs)
            steps = rec.steps if a.steps is None else a.steps
            net = (rec.width, rec.depth, rec.batch_size)
        else:
            setting = lab.make_setting(a.loss, a.seed[0], **knobs)
            steps = lab.default_steps(a.loss) if a.steps is None else a.steps
            net = (lab.WIDTH, lab.DEPTH, lab.BATCH)
        out = store.guard_output(a.out)
        desc = store.run_description(a.dataset, a.loss or f"preset {a.preset}", steps, setting.as_dict(), *net)
        already = store.claim_run_folder(out, desc, a.mix_settings)
    except (ValueError, store.AssetError) as e:
        p.error(f"argument --out: {e}" if "folder" in str(e) else str(e))
    again = sorted(set(already) & set(a.seed))
    if again:
        print(f"note: {out} already holds seeds {again}; they will be replaced", file=sys.stderr)
    try:
        if a.preset:
            runs = lab.train_preset(a.dataset, a.preset, a.seed, a.steps, a.device, progress=not a.quiet, **knobs)
        else:
            runs = lab.train(a.dataset, a.loss, a.seed, a.steps, a.device, progress=not a.quiet, **knobs)
    except KeyboardInterrupt:
        print(f"\ninterrupted before the first result could be kept: nothing written for seeds {a.seed} "
              f"({out / store.RUN_JSON} records the setting)", file=sys.stderr)
        return 130
    partial = any(r["partial"] for r in runs)
    for r in runs:
        d = store.write_seed(out, r["setting"].seed, r["samples"][-1], seed_record(a, r))
        tag = f" PARTIAL: trained {r['steps_done']} of {steps} steps" if r["partial"] else ""
        print(f"seed {r['setting'].seed}: {r['stats'][-1]}{tag} -> {d}")
    if partial:
        print(f"interrupted: saved the samples reached so far, marked \"partial\": true in each metrics.json under "
              f"{out}", file=sys.stderr)
        return 130
    return 0


def precompute_command(p, a):
    try:
        store.guard_output(a.out, a.overwrite_assets)
    except ValueError as e:
        p.error(f"argument --out: {e}")
    try:
        lab.precompute(a.out, a.device, progress=not a.quiet, workers=a.workers, overwrite_assets=a.overwrite_assets)
    except KeyboardInterrupt:
        return 130
    print(f"wrote {a.out}")
    return 0


def main(argv=None):
    p = parser()
    a = p.parse_args(argv)
    checks.restore_ctrl_c()  # Ctrl-C saves the partial result even if started as a background job
    if a.command == "precompute":
        return precompute_command(p, a)
    if a.command == "presets":
        lab.precompute_presets(a.out, tuple(a.preset or ("fast",)), range(a.seeds), not a.batched, a.device,
                               progress=not a.quiet, datasets=tuple(a.dataset or lab.DATASETS))
        print(f"wrote {a.out}")
        return 0
    return train_command(p, a)


if __name__ == "__main__":
    sys.exit(main())
