"""The image-GAN pipeline of chapter 6: training DCGAN, DCGAN + SN and SA-GAN (``image_nets``) on
16x16 digits and Stacked Digits, evaluating them with the course's classifier, the shipped files in
assets/images, and the command that remakes them.

Command line (the shipped results in assets/images are made by the first line):
    python -m gan_course.image_gans train-all --out assets/images --overwrite-assets
    python -m gan_course.image_gans evaluate assets/images

``train-all`` checks its arguments and output folder before any work, trains into a staging folder
next to ``--out`` and moves the files into place only once everything has finished, so the shipped
``assets/images`` changes only with ``--overwrite-assets`` and only by a complete run. On Ctrl-C the
staging folder keeps what was finished (generators stopped mid-run are saved as ``*.partial.pt``)
with a ``PARTIAL.json`` that lists them; ``--out`` is left as it was.
"""
import argparse
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

from . import checks, classifier, digits, store, training
from .device import default_device, seed_everything
from .image_nets import (LATENT_DIM, VARIANTS, WIDTH, ImageDiscriminator, ImageGenerator,  # noqa: F401
                         SelfAttention, Variant, build, init_dcgan, variant)

REMAKE = "python -m gan_course.image_gans train-all --out assets/images --overwrite-assets"

DATASETS = {"digits": 1, "stacked": 3}  # name -> image channels


def real_batches(dataset, batch_size, generator):
    """Endless minibatches of the training split: 'digits' (N, 1, 16, 16) or 'stacked' (N, 3, 16, 16)."""
    x, y = digits.load("train")
    if dataset == "digits":
        return digits.batches(x, batch_size, generator)
    if dataset == "stacked":
        return digits.StackedSampler(x, y, batch_size, generator)
    raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}")


def train(name, dataset="digits", steps=3000, batch_size=128, seed=0, device=None, progress=True, on_step=None):
    """Train the variant ``name`` on ``dataset`` for ``steps`` generator updates (one D update each)
    with the course's one loop, ``training.train_gan``, and its failure policy.

    ``on_step(step, G, D)`` is called after every update (to record weights, say). Returns
    (G, D, history) with history = {'d_loss', 'g_loss' arrays, 'seconds', 'cpu_seconds', 'device',
    'interrupted', 'steps_done'}; G and D are left in eval mode on ``device`` (CUDA when present unless
    given). A loss or weight of D or G that turns NaN/inf stops the run with ``checks.TrainingDiverged``;
    Ctrl-C returns the partly trained G and D with ``history['interrupted'] = True``."""
    v = variant(name)
    checks.positive_int("steps", steps)
    checks.positive_int("batch_size", batch_size)
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}")
    data = real_batches(dataset, batch_size, torch.Generator().manual_seed(seed))
    seed_everything(seed)  # the initial weights
    G, D = build(name, DATASETS[dataset])
    hist = training.train_gan(G, D, lambda n, generator: next(data), on_step=on_step, steps=steps,
                              batch_size=batch_size, lr_d=v.lr_d, lr_g=v.lr_g, betas=v.betas, loss=v.loss, n_critic=1,
                              seed=seed, device=device, progress=progress)
    G.eval(), D.eval()
    return G, D, {"d_loss": hist.d_loss, "g_loss": hist.g_loss, "seconds": hist.seconds,
                  "cpu_seconds": hist.cpu_seconds, "device": hist.device, "interrupted": hist.interrupted,
                  "steps_done": len(hist.d_loss)}


@torch.no_grad()
def generate(G, n, seed=0, batch_size=2500):
    """``n`` images from G (eval mode) with latents drawn on the CPU from ``seed``; float32 CPU tensor."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, G.latent_dim, generator=g)
    dev = next(G.parameters()).device
    G.eval()
    return torch.cat([G(z[i : i + batch_size].to(dev)).float().cpu() for i in range(0, n, batch_size)])


# --- shipped results ------------------------------------------------------------------------------
N_EVAL = 2500  # generated digits per metric evaluation (as the toy metrics)
N_STACKED = 10000  # generated Stacked-Digits images per mode count


def weights_path(out, name, dataset):
    return Path(out) / f"{name}_{dataset}.pt"


def save_generator(G, path):
    """Save G's state dict in float16 (halves the file; the images do not change visibly), atomically."""
    sd = {k: (t.half() if t.is_floating_point() else t) for k, t in G.state_dict().items()}
    store.save_torch(path, sd)


def load_generator(path, name, dataset="digits", device="cpu"):
    """A generator of ``name`` with the weights at ``path`` (``torch.load(weights_only=True)``); a missing
    or damaged file raises ``store.AssetError`` naming it and the command that remakes it."""
    G = build(name, DATASETS[dataset])[0]
    sd = store.load_torch(path, REMAKE)
    try:
        G.load_state_dict({k: (t.float() if t.is_floating_point() else t) for k, t in sd.items()})
    except (RuntimeError, AttributeError) as e:
        raise store.AssetError(f"{path} does not hold {name}'s generator for {dataset} ({e}); remake it with "
                               f"`{REMAKE}`") from None
    return G.to(device).eval()


def load_classifier(out):
    path = Path(out) / "classifier.pt"
    model = classifier.DigitClassifier()
    try:
        model.load_state_dict(store.load_torch(path, REMAKE))
    except (RuntimeError, AttributeError) as e:
        raise store.AssetError(f"{path} does not hold the digit classifier ({e}); remake it with `{REMAKE}`") from None
    return model.eval()


def reference_features(model):
    """Classifier features of the real training split: the Fréchet distance's reference."""
    return classifier.features(model, digits.load("train")[0])


def evaluate_generator(G_digits, G_stacked, model, ref, n_eval=N_EVAL, n_stacked=N_STACKED):
    """The table row of one variant: digits metrics on n_eval samples, stacked modes on n_stacked."""
    row = classifier.image_metrics(model, generate(G_digits, n_eval, seed=1), ref)
    if G_stacked is not None:
        row.update(classifier.stacked_modes(model, generate(G_stacked, n_stacked, seed=2)))
    return row


def evaluate_real(model, ref, n_stacked=N_STACKED):
    """The ceiling: the held-out real test digits (359), and n_stacked stacks of them."""
    x, y = digits.load("test")
    row = classifier.image_metrics(model, x, ref)
    row.update(classifier.stacked_modes(model, digits.stack(x, y, n_stacked, torch.Generator().manual_seed(2))[0]))
    return row


def evaluate(out, n_eval=N_EVAL, n_stacked=N_STACKED):
    """Recompute the metrics table from the weights in ``out``: {row name: metrics}."""
    if not Path(out).is_dir():
        raise store.AssetError(f"{out} is not a folder of image-GAN results; make one with `{REMAKE}`")
    model = load_classifier(out)
    ref = reference_features(model)
    table = {"real data (held-out)": evaluate_real(model, ref, n_stacked)}
    for name in VARIANTS:
        Gd = load_generator(weights_path(out, name, "digits"), name, "digits")
        p = weights_path(out, name, "stacked")
        Gs = load_generator(p, name, "stacked") if p.exists() else None
        table[name] = evaluate_generator(Gd, Gs, model, ref, n_eval, n_stacked)
    return table


def _train_job(args):
    """One (variant, dataset) run of ``train_all``: trains, saves G (``*.partial.pt`` if stopped by Ctrl-C),
    returns its record."""
    name, dataset, out, steps, batch_size, seed, device, progress, threads = args
    torch.set_num_threads(threads)
    G, D, hist = train(name, dataset, steps, batch_size, seed, device, progress)
    path = weights_path(out, name, dataset)
    if hist["interrupted"]:
        save_generator(G, path.with_suffix(".partial.pt"))
    else:
        save_generator(G, path)
    k = max(1, steps // 200)
    print(f"{name} on {dataset}: {hist['steps_done']} of {steps} steps in {hist['seconds']:.1f} s wall, "
          f"{hist['cpu_seconds']:.1f} s CPU ({device})" + (" INTERRUPTED" if hist["interrupted"] else ""), flush=True)
    return (name, dataset, (hist["seconds"], hist["cpu_seconds"]), hist["d_loss"][::k].astype(np.float32),
            hist["g_loss"][::k].astype(np.float32), hist["interrupted"], hist["steps_done"])


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped ``train_all``; ``staging`` holds what was finished (see its PARTIAL.json)."""

    def __init__(self, staging, message):
        super().__init__(message)
        self.staging = staging


def check_train_all_args(out, steps, batch_size, seed, device, jobs, overwrite_assets, n_eval=N_EVAL,
                         n_stacked=N_STACKED):
    """Every argument of ``train_all`` checked before any work; returns (out, torch device)."""
    checks.positive_int("steps", steps)
    checks.positive_int("batch_size", batch_size)
    checks.positive_int("jobs", jobs)
    checks.positive_int("n_eval", n_eval)
    checks.positive_int("n_stacked", n_stacked)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    checks.device(device)
    out = store.guard_output(out, overwrite_assets)
    return out, torch.device(device) if device else default_device()


def train_all(out, steps=3000, batch_size=128, seed=0, device=None, progress=True, jobs=1,
              n_eval=N_EVAL, n_stacked=N_STACKED, overwrite_assets=False):
    """Train the classifier (CPU) and every variant on digits and Stacked Digits; save weights,
    sample grids (samples.npz), metrics.json and this run's time in timings.json under ``out``.
    ``jobs`` > 1 trains that many runs at once in separate processes (on a GPU the tiny networks
    are bound by kernel-launch overhead, so parallel runs share it well).

    Arguments and ``out`` are checked first; the shipped assets/images is written only with
    ``overwrite_assets=True``. Everything is made in a staging folder beside ``out`` and moved into
    ``out`` once complete; Ctrl-C raises ``Interrupted`` with the staging folder (finished files, partly
    trained generators as ``*.partial.pt``, PARTIAL.json) and leaves ``out`` as it was."""
    out, device = check_train_all_args(out, steps, batch_size, seed, device, jobs, overwrite_assets, n_eval,
                                       n_stacked)
    stage = Path(f"{out.resolve()}.incomplete-{os.getpid()}")
    stage.mkdir()
    finished, partial = [], []
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        model, acc = classifier.train_classifier(seed=seed)
        store.save_torch(stage / "classifier.pt", model.state_dict())
        finished.append("classifier.pt")
        threads = max(1, torch.get_num_threads() // jobs)
        work = [(n, d, stage, steps, batch_size, seed, str(device), progress and jobs == 1, threads)
                for n in VARIANTS for d in DATASETS]
        results = []
        if jobs == 1:
            for w in work:
                results.append(_train_job(w))
                if results[-1][5]:
                    raise KeyboardInterrupt
        else:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            pool = ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"))
            try:
                futures = [pool.submit(_train_job, w) for w in work]
                results = [f.result() for f in futures]
            except KeyboardInterrupt:
                pool.shutdown(wait=True, cancel_futures=True)
                results = [f.result() for f in futures if f.done() and not f.cancelled() and f.exception() is None]
                raise
            pool.shutdown()
            if any(r[5] for r in results):
                raise KeyboardInterrupt
        grids, seconds, losses_ = {}, {}, {}
        for name, dataset, secs, dl, gl, _, _ in results:
            seconds[f"{name}_{dataset}"] = {"wall": round(secs[0], 1), "cpu": round(secs[1], 1)}
            losses_[f"{name}_{dataset}_d_loss"], losses_[f"{name}_{dataset}_g_loss"] = dl, gl
            G = load_generator(weights_path(stage, name, dataset), name, dataset)
            grids[f"{name}_{dataset}"] = generate(G, 64, seed=3).numpy().astype(np.float16)
        store.save_npz(stage / "samples.npz", **grids)
        store.save_npz(stage / "losses.npz", **losses_)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0  # cpu: this process only
        table = evaluate(stage, n_eval, n_stacked)
        meta = {"classifier_test_accuracy": acc, "steps": steps, "batch_size": batch_size, "seed": seed,
                "n_eval": n_eval, "n_stacked": n_stacked}
        store.write_json(stage / "metrics.json", {"meta": meta, "table": table})
        kind = "cuda" if device.type == "cuda" else "cpu"
        timings_file = out / "timings.json"
        timings = store.read_json(timings_file, REMAKE) if timings_file.exists() else {}
        timings[kind] = {
            "command": f"python -m gan_course.image_gans train-all --out {out} --steps {steps} --batch-size {batch_size}"
                       + f" --jobs {jobs}" + (" --device cpu" if kind == "cpu" else ""),
            "device": torch.cuda.get_device_name(device) if kind == "cuda" else platform.processor() or platform.machine(),
            "jobs": jobs,
            "torch_threads_per_job": threads,
            "wall_seconds": round(wall, 1),
            "main_process_cpu_seconds": round(cpu, 1),
            "seconds_per_run": seconds,  # wall and process-CPU seconds of each run's training loop
            "what": "measured: the full train-all run (classifier + 6 GANs), evaluation excluded",
        }
        store.write_json(stage / "timings.json", timings)
    except KeyboardInterrupt:
        done = sorted(p.name for p in stage.iterdir() if not p.name.startswith("."))
        store.write_json(stage / "PARTIAL.json", {
            "partial": True, "out": str(out), "finished": [f for f in done if not f.endswith(".partial.pt")],
            "interrupted_runs": [f for f in done if f.endswith(".partial.pt")],
            "note": "Ctrl-C stopped train-all; these files were not moved into out, which is unchanged"})
        raise Interrupted(stage, f"interrupted: {out} is unchanged; what was finished is in {stage} "
                                 f"({', '.join(done) or 'nothing yet'}; see PARTIAL.json)") from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    for f in sorted(stage.iterdir()):  # complete: move each file into place (each rename is atomic)
        os.replace(f, out / f.name)
    stage.rmdir()
    return table


def check_targets(table, min_classes=9, max_kl=0.1):
    """The course's targets for the shipped generators: DCGAN and SA-GAN cover >= 9 of 10 digit
    classes with class-KL < 0.1. Returns a list of failures (empty when all pass)."""
    fails = []
    for name in ("dcgan", "sagan"):
        r = table[name]
        if r["classes_covered"] < min_classes or not r["class_kl"] < max_kl:
            fails.append(f"{name}: {r['classes_covered']} classes, class-KL {r['class_kl']:.3f}")
    return fails


def format_table(table):
    head = f"{'':22s} {'classes':>8s} {'class-KL':>9s} {'Fréchet (clf)':>14s} {'stacked modes':>14s}"
    lines = [head]
    for k, r in table.items():
        label = VARIANTS[k].name if k in VARIANTS else k
        lines.append(f"{label:22s} {r['classes_covered']:>5d}/10 {r['class_kl']:>9.3f} {r['frechet_distance']:>14.2f}"
                     f" {r.get('modes_covered', float('nan')):>9}/1000")
    return "\n".join(lines)


def parser():
    pos_int = checks.arg_number(int, lambda i: i >= 1, "an integer >= 1")
    p = argparse.ArgumentParser(prog="python -m gan_course.image_gans", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train-all", help="train the classifier and every GAN variant; write the results to --out",
                       description="Train the classifier and the six image GANs and write weights, samples, losses, "
                                   "metrics and timings to --out (all at once, when everything has finished). "
                                   "The shipped assets/images is overwritten only with --overwrite-assets.")
    t.add_argument("--out", required=True, help="output folder (the shipped one is assets/images)")
    t.add_argument("--overwrite-assets", action="store_true", help="allow --out to be the shipped assets/images")
    t.add_argument("--steps", type=pos_int, default=3000, help="generator steps per run (default 3000)")
    t.add_argument("--batch-size", type=pos_int, default=128, help="minibatch size (default 128)")
    t.add_argument("--seed", type=checks.arg_number(int, lambda i: i >= 0, "an integer >= 0"), default=0)
    t.add_argument("--device", type=checks.device_arg, default=None, help="cuda or cpu (default: CUDA when present)")
    t.add_argument("--jobs", type=pos_int, default=1, help="runs trained at once (separate processes)")
    t.add_argument("--no-progress", action="store_true")
    e = sub.add_parser("evaluate", help="recompute the metrics table from shipped weights and check the targets")
    e.add_argument("out", nargs="?", default="assets/images")
    return p


def main(argv=None):
    p = parser()
    a = p.parse_args(argv)
    checks.restore_ctrl_c()  # Ctrl-C leaves PARTIAL.json even if started as a background job
    try:
        if a.cmd == "train-all":
            try:
                check_train_all_args(a.out, a.steps, a.batch_size, a.seed, a.device, a.jobs, a.overwrite_assets)
            except ValueError as err:
                p.error(f"argument --out: {err}" if "folder" in str(err) else str(err))
            table = train_all(a.out, a.steps, a.batch_size, a.seed, a.device, not a.no_progress, a.jobs,
                              overwrite_assets=a.overwrite_assets)
        else:
            table = evaluate(a.out)
    except Interrupted as err:
        print(f"\n{err}", file=sys.stderr)
        return 130
    except store.AssetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print("Fréchet distance in the course's digit-classifier features (NOT the Inception FID)")
    print(format_table(table))
    fails = check_targets(table)
    print("targets (DCGAN and SA-GAN: >= 9/10 classes, class-KL < 0.1):", "FAILED " + "; ".join(fails) if fails else "met")
    return 1 if fails else 0


if __name__ == "__main__":
    raise SystemExit(main())
