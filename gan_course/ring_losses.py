"""Chapter 08's trained comparison: four losses on the 8-Gaussians ring at equal generator steps.

* the non-saturating GAN and LSGAN (Mao et al. 2017): the lab's tuned setting of each loss
  (``lab.make_setting``: width 64, depth 3, minibatch 256, Adam lr 1e-3, betas (0.5, 0.999), one D
  step per G step), trained as one batch by ``batched.train_batched``;
* EBGAN (Zhao et al. 2017) with margin ``EBGAN_MARGIN`` and the autoencoder ``ebgan.autoencoder(2, 64, 2, 2)``,
  and the Loss-Sensitive GAN (Qi 2017, lambda 1, penalty weight 10) with L_theta an MLP of width 64 and
  depth 3, each trained by ``custom_loop.train`` with the same generator, minibatch, Adam and steps.

Model k of each batch is seeded ``seeds[k]`` as in the lab. ``compare`` writes ``results.json`` (per
variant: seeds, steps, CPU seconds of its batch, the command, and per seed the mode metrics of 2,500
samples) and ``samples.npz`` (``N_SHOW`` final samples per run, float16; for the two batched losses also
D's raw output on a 50 x 50 grid of [-3, 3]^2). The shipped copy in assets/other_losses is made by::

    python -m gan_course.ring_losses --out assets/other_losses
"""
import argparse
import json
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch

from . import batched, checks, custom_loop, ebgan, lab, metrics, nets, store, toys
from . import loss_sensitive as lsg

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "other_losses"
#: name -> lab loss for the two losses the lab's batched trainer knows
LAB_LOSSES = {"non-saturating": "nonsaturating", "least squares": "least-squares"}
VARIANTS = (*LAB_LOSSES, "EBGAN", "LS-GAN")
EBGAN_MARGIN = 0.2  # the best of m = 0.1, 0.2, 1, 4 in a four-seed trial (m = 1 gave 1.75 modes)
N_SHOW = 600  # samples kept per run for the pictures (metrics use 2,500)
LIMS = (-3.0, 3.0)
REMAKE = "python -m gan_course.ring_losses --out assets/other_losses"


def make_autoencoder():
    """EBGAN's discriminator: 2-64-64-2-64-64-2 with ReLU (``ebgan.autoencoder``)."""
    return ebgan.autoencoder(2, 64, 2, 2)


def make_loss_network():
    """The Loss-Sensitive GAN's f_theta (L_theta = |f_theta|): an MLP 2 -> 1 of width 64, depth 3."""
    return nets.mlp(2, 1, 64, 3)


def _runs(x, seeds, toy, diverged=None):
    out = []
    for k, s in enumerate(seeds):
        st = lab.stats_of(x[k], toy)
        out.append(dict(seed=int(s), modes_covered=int(st.modes_covered), hq_fraction=float(st.hq_fraction),
                        reverse_kl=store.finite_or_none(st.reverse_kl),
                        diverged_at=None if diverged is None else diverged[k]))
    return out


def compare(seeds=range(10), steps=2000, out=ASSETS, device="cpu", progress=True, variants=VARIANTS):
    """Train ``variants`` (names in ``VARIANTS``) on ``toys.ring8()`` for ``seeds`` and ``steps`` generator steps
    each (see the module docstring), write ``results.json`` and ``samples.npz`` under ``out`` and return
    ``load_comparison(out)``. Only the variants trained are replaced in files already there."""
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ValueError(f"give distinct seeds >= 0, got {seeds}")
    steps = checks.positive_int("steps", steps)
    for v in variants:
        if v not in VARIANTS:
            raise ValueError(f"unknown variant {v!r}; choose from {list(VARIANTS)}")
    torch.set_num_threads(1)
    ring, out = toys.ring8(), Path(out)
    results, arrays = {}, {}
    if (out / "results.json").exists():
        _, results, arrays = load_comparison(out)
    lab_variants = [v for v in variants if v in LAB_LOSSES]
    record = dict(seeds=seeds, steps=steps, command=f"{REMAKE} --steps {steps} " + " ".join(f"--seed {s}" for s in seeds))
    if lab_variants:  # (1) the batched trainer's losses, one batch
        settings = [lab.make_setting(LAB_LOSSES[v], s) for v in lab_variants for s in seeds]
        c0 = time.process_time()
        res = batched.train_batched(settings, ring, steps, lab.WIDTH, lab.DEPTH, lab.BATCH, device=device,
                                    snapshot_steps=(steps,), n_snapshot=metrics.N_EVAL, field_lims=LIMS,
                                    progress=progress)
        cpu = time.process_time() - c0
        snap = res.snapshots[steps]
        for i, v in enumerate(lab_variants):
            ks = slice(i * len(seeds), (i + 1) * len(seeds))
            results[v] = dict(record, cpu_seconds=round(cpu, 1), batch=lab_variants,
                              runs=_runs(snap["samples"][ks], seeds, ring, res.diverged_at[ks]))
            arrays[v] = snap["samples"][ks, :N_SHOW].astype(np.float16)
            arrays[v + " field"] = snap["field"][ks].astype(np.float16)
    custom = {"EBGAN": (make_autoencoder, partial(ebgan.d_loss, margin=EBGAN_MARGIN), ebgan.g_loss),
              "LS-GAN": (make_loss_network, lsg.d_loss, lsg.g_loss)}
    for v in [v for v in variants if v in custom]:  # (2) the custom losses, one batch each
        make_d, d_loss, g_loss = custom[v]
        c0 = time.process_time()
        r = custom_loop.train(seeds, ring, steps, make_d, d_loss, g_loss, width=lab.WIDTH, depth=lab.DEPTH,
                              batch_size=lab.BATCH, device=device, progress=progress)
        cpu = time.process_time() - c0
        results[v] = dict(record, cpu_seconds=round(cpu, 1), batch=[v], runs=_runs(r.samples, seeds, ring))
        arrays[v] = r.samples[:, :N_SHOW].astype(np.float16)
    meta = dict(dataset="ring8", width=lab.WIDTH, depth=lab.DEPTH, batch_size=lab.BATCH, lr=1e-3, betas=[0.5, 0.999],
                ebgan_margin=EBGAN_MARGIN, ls_gan=dict(lam=1.0, penalty_weight=10.0), device=str(device),
                torch_threads=1, n_eval=metrics.N_EVAL, field_lims=list(LIMS))
    out.mkdir(parents=True, exist_ok=True)
    store.write_json(out / "results.json", dict(meta=meta, results=results))
    store.save_npz(out / "samples.npz", **{k.replace(" ", "_"): v for k, v in arrays.items()})
    if progress:
        for v in variants:
            runs = results[v]["runs"]
            print(f"{v:15s} modes {[u['modes_covered'] for u in runs]}, "
                  f"HQ {100 * np.mean([u['hq_fraction'] for u in runs]):.1f}%, {results[v]['cpu_seconds']:.0f} s CPU")
    return load_comparison(out)


def load_comparison(folder=ASSETS):
    """(meta, results, arrays) of a ``compare`` run: ``arrays[name]`` the samples (seeds, N_SHOW, 2) and, for
    the batched losses, ``arrays[name + " field"]`` D's raw output (seeds, 50, 50), as float32."""
    folder = Path(folder)
    d = store.read_json(folder / "results.json", REMAKE)
    npz = store.load_npz(folder / "samples.npz", REMAKE)
    names = [k for v in d["results"] for k in (v, v + " field")]
    return d["meta"], d["results"], {k: npz[k.replace(" ", "_")].astype(np.float32) for k in names
                                     if k.replace(" ", "_") in npz}


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gan_course.ring_losses", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, required=True, help=f"output folder (the shipped one is {ASSETS})")
    p.add_argument("--steps", type=checks.arg_number(int, lambda i: i >= 1, "an integer >= 1"), default=2000)
    p.add_argument("--seed", type=checks.arg_number(int, lambda i: i >= 0, "an integer >= 0"), action="append",
                   help="repeat for several seeds (default 0-9)")
    p.add_argument("--variant", action="append", choices=list(VARIANTS), help="repeat; default: every variant")
    p.add_argument("--device", type=checks.device_arg, default="cpu", help="torch device (default cpu)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    a = p.parse_args(argv)
    compare(a.seed or range(10), a.steps, a.out, a.device, not a.quiet, tuple(a.variant or VARIANTS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
