"""The mode-collapse lab (chapter 7): six GAN losses on the ring8 / grid25 toys, trained in batches.

Losses (name -> what it trains):

============== ===============================================================================
minimax        BCE D, G minimises log(1 - D(G(z)))            (Goodfellow et al. 2014, Eq. 1)
nonsaturating  BCE D, G minimises -log D(G(z))                 (Goodfellow et al. 2014, Sec. 3)
least-squares  LSGAN, a=0, b=c=1                               (Mao et al. 2017, Eq. 2)
wgan-clip      Wasserstein critic, weights clipped to +-0.01, RMSProp (Arjovsky et al. 2017, Alg. 1)
wgan-gp        Wasserstein critic + lambda E(||grad D|| - 1)^2 (Gulrajani et al. 2017, Alg. 1)
hinge-sn       hinge loss, spectral normalisation on every D layer (Miyato et al. 2018)
============== ===============================================================================

WGAN-GP and hinge + SN sample from a moving average of the generator's weights (``Setting.g_ema``,
Yazici et al. 2019). ``DEFAULTS`` holds the tuned settings (why: assets/lab/sweeps.md); ``train`` runs
one setting over several seeds as one batch (``batched.train_batched``); ``precompute`` makes the
lab's shipped grid and the 10-seed results in ``assets/lab/``. What goes to disk, and how, is
``store``'s; the command line is ``lab_cli``'s. ``PRESETS`` are whole recipes per
dataset (loss, knobs, steps, networks): ``fast`` (the non-saturating GAN with R1, one D step, lr 3e-3,
under a minute of one core on ring8) and the slower tuned WGAN-GP and hinge + SN; ``train_preset`` runs
one, ``precompute_presets`` times them::

    python -m gan_course.lab train --dataset ring8 --loss wgan-gp --seed 3 --seed 4 --out DIR
    python -m gan_course.lab precompute --out assets/lab --overwrite-assets
    python -m gan_course.lab train --dataset ring8 --preset fast --seed 3 --out DIR
    python -m gan_course.lab presets --preset fast --seeds 10    # assets/lab/presets.json
"""
import sys
import time
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from . import batched, metrics, store, toys

ASSETS = store.LAB_ASSETS
DATASETS = {"ring8": toys.ring8, "grid25": toys.grid25}
#: square plotting / field window for each dataset
LIMS = store.LIMS
LOSS_NAMES = ("minimax", "nonsaturating", "least-squares", "wgan-clip", "wgan-gp", "hinge-sn")

_ADAM_GAN = (0.5, 0.999)  # DCGAN's Adam for the BCE/LS losses
_ADAM_WGAN = (0.5, 0.9)  # Gulrajani et al. 2017's Adam for critics

#: Tuned defaults, one per loss (shared by ring8 and grid25). Width 64, depth 3, batch 256, z ~ N(0, I_2).
#: Why, with the measurements and what did not work: assets/lab/sweeps.md (scripts/lab_sweep.py).
DEFAULTS = {
    "minimax": dict(setting=batched.Setting("minimax", lr_d=1e-3, lr_g=1e-3, betas=_ADAM_GAN, n_critic=1),
                    steps=2000),
    "nonsaturating": dict(setting=batched.Setting("nonsaturating", lr_d=1e-3, lr_g=1e-3, betas=_ADAM_GAN,
                                                  n_critic=1), steps=2000),
    "least-squares": dict(setting=batched.Setting("least_squares", lr_d=1e-3, lr_g=1e-3, betas=_ADAM_GAN,
                                                  n_critic=1), steps=2000),
    "wgan-clip": dict(setting=batched.Setting("wasserstein", lr_d=1e-4, lr_g=1e-4, optimizer="rmsprop", n_critic=5,
                                              clip=0.01), steps=2000),
    "wgan-gp": dict(setting=batched.Setting("wasserstein", lr_d=3e-3, lr_g=3e-3, betas=_ADAM_WGAN, n_critic=5,
                                            penalty_weight=1.0, lr_decay=True, g_ema=0.999), steps=20000),
    "hinge-sn": dict(setting=batched.Setting("hinge", lr_d=2e-3, lr_g=2e-3, betas=_ADAM_WGAN, n_critic=5,
                                             spectral_norm=True, lr_decay=True, g_ema=0.999), steps=20000),
}
WIDTH, DEPTH, BATCH = 64, 3, 256


@dataclass(frozen=True)
class Recipe:
    """One preset's recipe for one dataset: a ``batched.Setting`` (seed 0), its steps and networks."""

    setting: batched.Setting
    steps: int
    width: int = WIDTH
    depth: int = DEPTH
    batch_size: int = BATCH
    latent_dim: int = 2
    note: str = ""


#: Presets: a recipe per dataset. "fast" takes one D step per G step at a large learning rate (3e-3 instead
#: of 1e-3 took ring8 from 93 to 96-97% high quality in 10,000 steps) and samples a moving average of G
#: (0.999 instead of 0.99 took grid25 from 93.2 to 96.5% over seeds 0-9), warmed up so that it does not lag
#: at the start (ring8, seeds 0-9: every mode on every seed at step 1,250, where the plain 0.999 average
#: covered 2.2 modes on average at step 2,500); "tuned-wgan-gp" and
#: "tuned-hinge-sn" are the lab's slower tuned defaults. Measurements, the sweep and what did not work:
#: assets/lab/sweeps.md. ``python -m gan_course.lab presets`` times each seed alone into assets/lab/presets.json.
_FAST = batched.Setting("nonsaturating", lr_d=3e-3, lr_g=3e-3, betas=_ADAM_GAN, n_critic=1, r1_weight=1.0,
                        lr_decay=True, g_ema=0.999, g_ema_warmup=True)
PRESETS = {
    # the non-saturating GAN with R1 (Mescheder et al. 2018), one D step, lr decaying linearly to 0 and
    # samples from a moving average of G's weights (Yazici et al. 2019)
    "fast": {"ring8": Recipe(_FAST, 10000), "grid25": Recipe(_FAST, 20000)},
    "tuned-wgan-gp": {ds: Recipe(DEFAULTS["wgan-gp"]["setting"], DEFAULTS["wgan-gp"]["steps"]) for ds in DATASETS},
    "tuned-hinge-sn": {ds: Recipe(DEFAULTS["hinge-sn"]["setting"], DEFAULTS["hinge-sn"]["steps"]) for ds in DATASETS},
}

#: the values each lab slider offers
LR_VALUES = (1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2)
N_CRITIC_VALUES = (1, 2, 5)
PENALTY_VALUES = (0.1, 1.0, 10.0, 100.0)
SIGMA_VALUES = (0.0, 0.05, 0.1, 0.2)
N_SNAPSHOTS = 9  # saved training steps per run: 0, steps/8, ..., steps
N_SHOW = store.N_SHOW  # samples kept per snapshot for the picture (metrics use 2,500)
FIELD_N = store.FIELD_N


def make_setting(loss, seed=0, lr=None, n_critic=None, penalty_weight=None, noise_sigma=None,
                 feature_matching=None, minibatch_kernels=None):
    """The ``batched.Setting`` of lab loss ``loss`` with its tuned defaults, some knobs replaced.

    ``lr`` sets both learning rates; ``penalty_weight`` applies to wgan-gp only; ``feature_matching``
    (True or False: G matches the mean of D's last hidden features, Salimans et al. 2016, Sec. 3.1) and
    ``minibatch_kernels`` (an integer B >= 0: minibatch discrimination with B kernels, Sec. 3.2; 0 = off)
    switch on the tricks of chapter 09. A knob left at None keeps the tuned value; a bad value raises
    ``ValueError`` (no silent conversion: ``feature_matching="no"`` is an error, not True)."""
    if loss not in DEFAULTS:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSS_NAMES)}")
    s = replace(DEFAULTS[loss]["setting"], seed=int(seed))
    if lr is not None:
        s = replace(s, lr_d=float(lr), lr_g=float(lr))
    if n_critic is not None:
        s = replace(s, n_critic=int(n_critic))
    if penalty_weight is not None:
        if loss != "wgan-gp":
            raise ValueError(f"penalty_weight applies to wgan-gp only, not {loss!r}")
        s = replace(s, penalty_weight=float(penalty_weight))
    if noise_sigma is not None:
        s = replace(s, noise_sigma=float(noise_sigma))
    if feature_matching is not None:  # numpy's bool counts as a bool; anything else is checked by validate()
        s = replace(s, feature_matching=bool(feature_matching) if isinstance(feature_matching, np.bool_)
                    else feature_matching)
    if minibatch_kernels is not None:
        s = replace(s, minibatch_kernels=minibatch_kernels)
    return s.validate()


def recipe(preset, dataset_name):
    """The ``Recipe`` of preset ``preset`` for ``dataset_name``, with clear errors for unknown names."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    dataset(dataset_name)
    return PRESETS[preset][dataset_name]


def preset_setting(preset, dataset_name, seed=0, lr=None, n_critic=None, noise_sigma=None):
    """The ``batched.Setting`` of a preset for one dataset and seed, some knobs replaced."""
    s = replace(recipe(preset, dataset_name).setting, seed=int(seed))
    if lr is not None:
        s = replace(s, lr_d=float(lr), lr_g=float(lr))
    if n_critic is not None:
        s = replace(s, n_critic=int(n_critic))
    if noise_sigma is not None:
        s = replace(s, noise_sigma=float(noise_sigma))
    return s.validate()


def default_steps(loss):
    if loss not in DEFAULTS:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSS_NAMES)}")
    return DEFAULTS[loss]["steps"]


def dataset(name):
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name]()


def snapshot_steps(steps, n=N_SNAPSHOTS):
    return tuple(int(round(i * steps / (n - 1))) for i in range(n))


def train(dataset_name, loss, seeds, steps=None, device=None, progress=True, callback=None, n_snapshots=2, **knobs):
    """Train lab setting (dataset, loss, knobs) for each seed, as one batch.

    Returns a list with one dict per seed: ``setting``, ``steps`` (snapshot steps), ``samples``
    (n_snapshots, 2500, 2) float32, ``field`` (n_snapshots, 50, 50) raw D output, ``stats``
    (a ``metrics.ModeStats`` per snapshot), ``seconds``, ``device``, ``diverged_at``, ``partial``
    (True when Ctrl-C stopped the batch: then only the snapshots taken so far are there) and
    ``steps_done`` (generator steps trained), ``tuned`` (no knob changed: the loss's tuned setting)."""
    toy = dataset(dataset_name)
    seeds = list(seeds)
    if not seeds:
        raise ValueError("give at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"each seed once, got {seeds}: a repeated seed trains the same model twice")
    steps = default_steps(loss) if steps is None else steps
    settings = [make_setting(loss, s, **knobs) for s in seeds]
    return train_settings(dataset_name, settings, steps, loss, device=device, progress=progress, callback=callback,
                          n_snapshots=n_snapshots, tuned=all(v is None for v in knobs.values()))


def train_preset(dataset_name, preset, seeds, steps=None, device=None, progress=True, callback=None, n_snapshots=2,
                 **knobs):
    """``train`` for a preset's recipe (its loss, knobs, steps and networks): one dict per seed, with
    ``loss`` the preset's name."""
    r = recipe(preset, dataset_name)
    settings = [preset_setting(preset, dataset_name, s, **knobs) for s in seeds]
    return train_settings(dataset_name, settings, r.steps if steps is None else steps, preset, r.width, r.depth,
                          r.batch_size, r.latent_dim, device, progress, callback, n_snapshots)


def train_settings(dataset_name, settings, steps, loss, width=WIDTH, depth=DEPTH, batch_size=BATCH, latent_dim=2,
                   device=None, progress=True, callback=None, n_snapshots=2, tuned=False):
    """Train ``settings`` (one per seed) on a lab dataset as one batch; the dicts of ``train``."""
    toy = dataset(dataset_name)
    snaps = snapshot_steps(steps, n_snapshots)
    cpu0 = time.process_time()
    res = batched.train_batched(settings, toy, steps, width, depth, batch_size, latent_dim, device=device,
                                snapshot_steps=snaps, n_snapshot=metrics.N_EVAL,
                                field_lims=(-LIMS[dataset_name], LIMS[dataset_name]), field_n=FIELD_N,
                                progress=progress, callback=callback)
    cpu = time.process_time() - cpu0
    return [{**r, "cpu_seconds": cpu} for r in results_of(res, settings, dataset_name, loss, toy, tuned=tuned)]


def results_of(res, settings, dataset_name, loss, toy, tuned=False):
    """One dict per model of a ``batched.BatchResult`` (see ``train``): the snapshots it holds, in step order.
    A result flagged ``interrupted`` (Ctrl-C) gives ``partial`` records with the snapshots taken so far."""
    partial = bool(getattr(res, "interrupted", False))
    if partial and res.steps > 0 and res.steps not in res.snapshots:
        res.snapshots[res.steps] = snapshot_of(res, settings, LIMS[dataset_name])  # where Ctrl-C left it
    snaps = sorted(res.snapshots)
    if not snaps:
        raise RuntimeError("training stopped before its first snapshot: nothing to report")
    out = []
    for k, s in enumerate(settings):
        samples = np.stack([res.snapshots[t]["samples"][k] for t in snaps])
        out.append(dict(setting=s, dataset=dataset_name, loss=loss, steps=np.array(snaps), samples=samples,
                        field=np.stack([res.snapshots[t]["field"][k] for t in snaps]),
                        stats=[stats_of(x, toy) for x in samples], seconds=res.seconds, device=res.device,
                        diverged_at=res.diverged_at[k], partial=partial, tuned=tuned,
                        steps_done=int(res.steps)))
    return out


def snapshot_of(res, settings, lim, n=metrics.N_EVAL, latent_dim=2):
    """A snapshot of a ``batched.BatchResult`` as it stands, like ``BatchedGAN.snapshot``: samples of the
    (averaged) generator at model k's fixed latents (a device generator seeded s + 2, ``batched``'s
    stream) and D's raw output on the field grid."""
    device = res.G.weights[0].device
    dtype = res.G.weights[0].dtype
    z = torch.stack([torch.randn((n, latent_dim), generator=torch.Generator(device=device).manual_seed(int(s.seed) + 2),
                                 device=device) for s in settings]).to(dtype)
    xx, yy = np.meshgrid(*batched.field_grid((-lim, lim), FIELD_N))
    grid = torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=dtype, device=device).expand(len(settings), -1, -1)
    with torch.no_grad():
        return {"samples": res.G_ema(z).float().cpu().numpy(),
                "field": res.D(grid, update_sn=False)[..., 0].reshape(len(settings), FIELD_N, FIELD_N).float().cpu()
                .numpy()}


def stats_of(samples, toy):
    """``metrics.mode_stats_for``, with NaN/inf samples (a diverged model) counted as not high quality."""
    x = np.nan_to_num(np.asarray(samples, float), nan=1e6, posinf=1e6, neginf=-1e6)
    return metrics.mode_stats_for(x, toy)


# ----------------------------------------------------------------------------------------------
# the shipped grid of settings and the 10-seed results
# ----------------------------------------------------------------------------------------------
def _neighbours(values, v):
    i = values.index(v)
    return [values[j] for j in (i - 1, i + 1) if 0 <= j < len(values)]


def grid_settings():
    """The lab's precomputed grid: for each dataset and loss, the default and every one-knob
    change to a neighbouring slider value (lr, n_critic, penalty weight for wgan-gp, sigma 0.1)."""
    out = []
    for ds in DATASETS:
        for loss in LOSS_NAMES:
            base = make_setting(loss)
            variants = [{}] + [dict(lr=v) for v in _neighbours(LR_VALUES, base.lr_d)]
            variants += [dict(n_critic=v) for v in (1, 5) if v != base.n_critic]
            if loss == "wgan-gp":
                variants += [dict(penalty_weight=v) for v in _neighbours(PENALTY_VALUES, base.penalty_weight)]
            variants += [dict(noise_sigma=0.1)]
            out += [(ds, loss, v) for v in variants]
    return out


MODE_DROPPING = dict(dataset="grid25", loss="nonsaturating")  # documented in the chapter


def _jobs(seeds):
    """(group key, [(dataset, loss, knobs, seed, kind)]) for the grid and the results, grouped into batches."""
    jobs = [(ds, loss, knobs, 0, "grid") for ds, loss, knobs in grid_settings()]
    for ds in DATASETS:
        for loss in ("wgan-gp", "hinge-sn") + (("nonsaturating",) if ds == MODE_DROPPING["dataset"] else ()):
            jobs += [(ds, loss, {}, s, "results") for s in seeds]
    groups = {}
    for j in jobs:
        ds, loss, knobs, seed, _ = j
        key = (ds, default_steps(loss), make_setting(loss, seed, **knobs).cost_key())
        groups.setdefault(key, []).append(j)
    return list(groups.values())


def _train_group(jobs, device=None, progress=False):
    """One batch: every job of a group (same dataset, steps and cost) as one ``train_batched`` call."""
    ds, loss0 = jobs[0][0], jobs[0][1]
    toy, steps = dataset(ds), default_steps(loss0)
    settings = [make_setting(loss, seed, **knobs) for _, loss, knobs, seed, _ in jobs]
    snaps = snapshot_steps(steps)
    res = batched.train_batched(settings, toy, steps, WIDTH, DEPTH, BATCH, device=device, snapshot_steps=snaps,
                                n_snapshot=metrics.N_EVAL, field_lims=(-LIMS[ds], LIMS[ds]), field_n=FIELD_N,
                                progress=progress)
    out = []
    for k, (ds, loss, knobs, seed, kind) in enumerate(jobs):
        st = [stats_of(res.snapshots[t]["samples"][k], toy) for t in snaps]
        out.append(dict(dataset=ds, loss=loss, knobs=knobs, seed=seed, kind=kind, setting=settings[k].as_dict(),
                        steps=np.array(snaps), diverged_at=res.diverged_at[k], device=res.device,
                        samples=np.stack([res.snapshots[t]["samples"][k, :N_SHOW] for t in snaps]).astype(np.float16),
                        field=np.clip(np.stack([res.snapshots[t]["field"][k] for t in snaps]), -6e4, 6e4)
                        .astype(np.float16),
                        stats=[[s.modes_covered, s.hq_fraction, s.reverse_kl] for s in st],
                        final=dict(modes_covered=st[-1].modes_covered, n_modes=st[-1].n_modes,
                                   hq_fraction=st[-1].hq_fraction, reverse_kl=_finite(st[-1].reverse_kl))))
    return out


def _group_cost(jobs):
    """Rough work of one group: models x generator steps x networks passes per step (a penalty doubles D's)."""
    s = make_setting(jobs[0][1], 0, **jobs[0][2])
    return len(jobs) * default_steps(jobs[0][1]) * (1 + s.n_critic * (2 if s.penalty_weight > 0 else 1))


def precompute(out=ASSETS, device=None, seeds=range(10), progress=True, workers=1, overwrite_assets=False):
    """Make assets/lab/: ``grid.npz`` + ``grid.json`` (the sliders' grid, seed 0), ``results.json``
    (the defaults of wgan-gp and hinge-sn on both datasets over ``seeds``, and the mode-dropping
    setting: the non-saturating GAN on grid25). Groups of equal cost train as one batch each; ``workers``
    groups run in parallel processes.

    The output folder is checked before any work; the shipped ``assets/lab`` is overwritten only with
    ``overwrite_assets=True``. Files are written atomically, once every batch has finished; on Ctrl-C
    the finished batches' final metrics go to ``OUT/partial_results.json`` (flagged partial) and the
    grid and results files are left as they were."""
    out = store.guard_output(out, overwrite_assets)
    seeds = list(seeds)
    if len(set(seeds)) != len(seeds) or not seeds:
        raise ValueError(f"seeds must be distinct and at least one, got {seeds}")
    t0 = time.perf_counter()
    groups = _jobs(seeds)
    done = []
    try:
        if workers > 1:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            # longest groups first (a shorter wall time on few workers); the results keep the groups' order
            order = sorted(range(len(groups)), key=lambda i: -_group_cost(groups[i]))
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as ex:
                by_index = dict(zip(order, ex.map(_train_group, [groups[i] for i in order], [device] * len(groups))))
            done = [by_index[i] for i in range(len(groups))]
        else:
            for g in groups:
                done.append(_train_group(g, device, progress))
    except KeyboardInterrupt:
        runs = [r for g in done for r in g]
        path = out / "partial_results.json"
        store.write_json(path, dict(partial=True, batches_done=len(done), batches=len(groups),
                                    results=[{k: r[k] for k in ("dataset", "loss", "knobs", "seed", "kind", "final",
                                                                "diverged_at", "setting")} for r in runs]))
        print(f"\ninterrupted: {len(done)} of {len(groups)} batches had finished; their final metrics are in {path} "
              "(partial); grid.npz, grid.json and results.json were not touched", file=sys.stderr)
        raise
    runs = [r for g in done for r in g]
    store.write_lab_grid(out, [r for r in runs if r["kind"] == "grid"], LIMS)
    results = [dict(dataset=r["dataset"], loss=r["loss"], seed=r["seed"], steps=int(r["steps"][-1]), **r["final"],
                    device=r["device"], setting=r["setting"]) for r in runs if r["kind"] == "results"]
    store.write_lab_results(out, results, WIDTH, DEPTH, BATCH, time.perf_counter() - t0)
    return out


def precompute_presets(out=ASSETS / "presets.json", presets=("fast",), seeds=range(10), solo=True, device=None,
                       progress=True, datasets=tuple(DATASETS), steps=None):
    """Train each preset on each dataset for every seed and write ``presets.json``: per run the final
    modes covered, high-quality share, wall and CPU seconds (``time.process_time``) and the thread count.

    ``solo``: each seed alone (K = 1), so a run's seconds are what one lecturer's run costs; otherwise the
    seeds of a preset and dataset train as one batch (the same runs; the seconds are the batch's).
    ``steps`` replaces the recipes' steps (for a quick check); the file records the command that remakes it."""
    runs, t0 = [], time.perf_counter()
    for preset in presets:
        for ds in datasets:
            groups = [[s] for s in seeds] if solo else [list(seeds)]
            for g in groups:
                for r in train_preset(ds, preset, g, steps=steps, device=device, progress=progress):
                    st = r["stats"][-1]
                    runs.append(dict(preset=preset, dataset=ds, seed=r["setting"].seed, steps=int(r["steps"][-1]),
                                     modes_covered=st.modes_covered, n_modes=st.n_modes, hq_fraction=st.hq_fraction,
                                     reverse_kl=store.finite_or_none(st.reverse_kl), seconds=r["seconds"],
                                     cpu_seconds=r["cpu_seconds"], models_in_batch=len(g), device=r["device"],
                                     setting=r["setting"].as_dict()))
                    print(f"{preset} {ds} seed {runs[-1]['seed']}: {st}, {r['cpu_seconds']:.1f} CPU s", flush=True)
    summary = {}
    for preset in presets:
        for ds in datasets:
            rs = [r for r in runs if r["preset"] == preset and r["dataset"] == ds]
            cpu = [r["cpu_seconds"] for r in rs]
            summary[f"{preset}/{ds}"] = dict(
                mean_modes=float(np.mean([r["modes_covered"] for r in rs])),
                min_modes=min(r["modes_covered"] for r in rs),
                mean_hq=float(np.mean([r["hq_fraction"] for r in rs])), min_hq=min(r["hq_fraction"] for r in rs),
                median_cpu_s=float(np.median(cpu)), max_cpu_s=max(cpu), seeds=len(rs))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    args = [] if tuple(presets) == ("fast",) else [f"--preset {p}" for p in presets]  # the CLI's defaults left out
    args += [] if tuple(datasets) == tuple(DATASETS) else [f"--dataset {d}" for d in datasets]
    args += [] if list(seeds) == list(range(10)) else [f"--seeds {len(seeds)}"]
    command = " ".join(["python -m gan_course.lab presets", *args] + ([] if solo else ["--batched"]))
    json.dump(dict(command=command,
                   threads=torch.get_num_threads(), solo=solo, summary=summary, runs=runs,
                   seconds=time.perf_counter() - t0), open(out, "w"), indent=1)
    return summary


def load_results(folder=ASSETS):
    """The shipped results (``results.json`` of ``precompute``) as {(loss, dataset): [one dict per seed]}."""
    return store.load_results(folder)


if __name__ == "__main__":  # `python -m gan_course.lab`: the command line lives in lab_cli
    from gan_course.lab_cli import main

    sys.exit(main())
