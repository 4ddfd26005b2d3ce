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
Yazici et al. 2019). ``DEFAULTS`` holds the tuned settings (see its comments for why); ``train`` runs
one setting over several seeds as one batch (``batched.train_batched``); ``precompute`` makes the
lab's shipped grid and the 10-seed results in ``assets/lab/``. What goes to disk, and how, is
``store``'s; the command line is ``lab_cli``'s::

    python -m gan_course.lab train --dataset ring8 --loss wgan-gp --seed 3 --seed 4 --out DIR
    python -m gan_course.lab precompute --out assets/lab --overwrite-assets
"""
import sys
import time
from dataclasses import replace

import numpy as np

from . import batched, metrics, store, toys

ASSETS = store.LAB_ASSETS
DATASETS = {"ring8": toys.ring8, "grid25": toys.grid25}
#: square plotting / field window for each dataset
LIMS = store.LIMS
LOSS_NAMES = ("minimax", "nonsaturating", "least-squares", "wgan-clip", "wgan-gp", "hinge-sn")

_ADAM_GAN = (0.5, 0.999)  # DCGAN's Adam for the BCE/LS losses
_ADAM_WGAN = (0.5, 0.9)  # Gulrajani et al. 2017's Adam for critics

#: Tuned defaults, one per loss (shared by ring8 and grid25). Width 64, depth 3, batch 256, z ~ N(0, I_2).
# Why (measured on this CPU with scripts/lab_sweep.py: seeds 10-13, width 64, batch 256):
# * wgan-gp: the paper's lambda = 10 with lr 1e-3 left the grid at 11 modes and 1.5% high quality after 6,000
#   steps (ring: 75% HQ). lambda = 1 helps (grid 23.5 modes, 14.5% HQ at 4,000 steps), a larger lr more:
#   lr 2e-3 / 3e-3 / 5e-3 gave the grid 25 / 25 / 24.75 modes with 50 / 59 / 82% HQ at 4,000 steps, and the
#   ring 8 modes on every seed with 96% HQ at lr 5e-3. The lr decays linearly to 0, which lets the samples
#   settle into the modes at the end. Over seeds 0-9, 6,000 steps gave every ring mode and every grid mode
#   on every seed (95% / 90% HQ); 10,000 steps lifted the grid to 94% HQ (95.4% on seeds 10-13) but lost a
#   ring mode on seed 9 (47% HQ there), so 6,000 until the average below. lambda = 0.1 (the toy script's)
#   gave 92.8% on the grid.
#   Width 128 (lr 1e-3) helps too (grid 38% HQ against 14.5%) but costs 3x per model on the CPU.
#   Not adopted (grid HQ, seeds 10-19 unless said): instance noise sigma 0.1 with 10,000 steps kept every mode
#   on every seed, 98.3% HQ on the ring but 92.9% on the grid; the same noise annealed to 0 over the run
#   (Setting.noise_decay) 92.4%, with lambda = 0.1 91.4%; 20,000 steps 94.2% (seeds 10-13), annealed noise
#   91.3%; a latent of 8 dimensions 94.6% (seeds 10-13); width 96 95.5% and width 128 95.7% (seeds 10-13,
#   against 95.4% at width 64) at 2.2x and 3.4x the CPU time.
#   The misses are bridges between neighbouring grid modes (more than 6 std from any centre), not blur.
#   What closed the gap: hinge + SN's schedule (20,000 steps, lr decaying to 0) with samples from a moving
#   average of G's weights (g_ema = 0.999, Yazici et al. 2019; see hinge-sn). Grid HQ over seeds 10-17 at
#   20,000 steps, plain G -> averaged G: lr 2e-3 94.8% -> 95.1% (min 92.8%); lr 3e-3 94.3% (min 88.0%)
#   -> 96.9% (min 96.0%), every mode on every seed; lr 5e-3 86.9% -> 90.2%, one seed unstable (44%).
#   The ring at lr 2e-3: 96.1% -> 97.4% (min 96.0%). At 6,000 steps the average did not help (lr 5e-3:
#   91.9% -> 92.1 / 90.6% with beta 0.99 / 0.999), the lr is still large when it starts to count. A
#   5-layer G (D unchanged) gave 93.7% at 6,000 steps and lost a seed (18%) at 10,000. The shipped seeds
#   0-9 with lr 3e-3: every mode on every seed, 97.2% (ring) and 97.0% (grid) HQ. Early snapshots show
#   the average too, which lags: ring, seed 0, live G -> average: 8 -> 0 modes at 2,500 and 5,000 steps,
#   7 -> 8 at 7,500, and 76.2% -> 97.3% HQ at the end.
# * hinge-sn: SN bounds each layer, so the critic is far below 1-Lipschitz on these scales and learns
#   slowly: with one critic step it found 1-2 ring modes, so n_critic 5. lr 5e-3 over 6,000 steps missed
#   a ring mode on 1 of 10 seeds (grid 73% HQ); lr 2e-3 over 10,000 steps gave every mode on every seed
#   (seeds 10-13: 89% ring / 92% grid HQ; seeds 0-9: 94% / 90%). Its grid HQ still climbed at the end, so
#   20,000 steps: 96.1% on the grid (seeds 10-13, min 95.2%), 95.6% on the ring with every mode; the shipped
#   seeds 0-9 gave every mode on every seed with 95.1% (ring) and 94.8% (grid) HQ. 30,000 steps gave less
#   (grid 93.4%, seeds 10-13). The samples come from a moving average of G's weights (g_ema = 0.999,
#   Yazici et al. 2019), which smooths out G's last oscillations: over seeds 10-17 at 20,000 steps,
#   grid HQ 93.8% (min 88.0%) -> 96.0% (min 95.2%), ring 96.3% (min 92.2%) -> 97.5% (min 96.6%), every
#   mode on every seed; beta 0.99 / 0.995 / 0.9995 gave grid 94.1 / 94.6 / 96.0%, and 0.9999 (an average
#   over ~10,000 steps of a moving G) collapsed to 3% HQ. The shipped seeds 0-9: every mode on every
#   seed, 97.5% (ring) and 95.9% (grid) HQ. What did not help at 10,000 steps (grid HQ):
#   annealed instance noise 90.1% (seeds 10-19), lr 5e-3 80.3%, Adam betas (0, 0.9) 88.8%, lr_d 4e-3
#   with lr_g 1e-3 61.8%, an 8-dimensional latent 87.1% (seeds 10-13); width 128 93.2% (seeds 10-13,
#   3x the time).
# * minimax / nonsaturating / least squares: DCGAN's Adam (0.5, 0.999), lr 1e-3, one D step.
# * wgan-clip: RMSProp as in Arjovsky et al. (2017), c = 0.01, lr 1e-4 (their 5e-5 is too slow for 2,000 steps).
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

#: the values each lab slider offers
LR_VALUES = (1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2)
N_CRITIC_VALUES = (1, 2, 5)
PENALTY_VALUES = (0.1, 1.0, 10.0, 100.0)
SIGMA_VALUES = (0.0, 0.05, 0.1, 0.2)
N_SNAPSHOTS = 9  # saved training steps per run: 0, steps/8, ..., steps
N_SHOW = store.N_SHOW  # samples kept per snapshot for the picture (metrics use 2,500)
FIELD_N = store.FIELD_N


def make_setting(loss, seed=0, lr=None, n_critic=None, penalty_weight=None, noise_sigma=None):
    """The ``batched.Setting`` of lab loss ``loss`` with its tuned defaults, some knobs replaced.

    ``lr`` sets both learning rates; ``penalty_weight`` applies to wgan-gp only."""
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
    return s.validate()


def default_steps(loss):
    if loss not in DEFAULTS:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSS_NAMES)}")
    return DEFAULTS[loss]["steps"]


def dataset(name):
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name]()


def knobs_of(setting, loss):
    """The slider values (lr, n_critic, penalty weight, sigma) of a setting, as a hashable tuple."""
    return (setting.lr_d, setting.n_critic, setting.penalty_weight if loss == "wgan-gp" else None, setting.noise_sigma)


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
    snaps = snapshot_steps(steps, n_snapshots)
    res = batched.train_batched(settings, toy, steps, WIDTH, DEPTH, BATCH, device=device, snapshot_steps=snaps,
                                n_snapshot=metrics.N_EVAL, field_lims=(-LIMS[dataset_name], LIMS[dataset_name]),
                                field_n=FIELD_N, progress=progress, callback=callback)
    return results_of(res, settings, dataset_name, loss, toy, tuned=all(v is None for v in knobs.values()))


def results_of(res, settings, dataset_name, loss, toy, tuned=False):
    """One dict per model of a ``batched.BatchResult`` (see ``train``): the snapshots it holds, in step order.
    A result flagged ``interrupted`` (Ctrl-C) gives ``partial`` records with the snapshots taken so far."""
    partial = bool(getattr(res, "interrupted", False))
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
                        steps_done=int(getattr(res, "steps_done", snaps[-1] if partial else res.steps))))
    return out


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


def load_results(folder=ASSETS):
    """The shipped results (``results.json`` of ``precompute``) as {(loss, dataset): [one dict per seed]}."""
    return store.load_results(folder)


if __name__ == "__main__":  # `python -m gan_course.lab`: the command line lives in lab_cli
    from gan_course.lab_cli import main

    sys.exit(main())
