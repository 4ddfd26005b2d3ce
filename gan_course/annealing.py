"""Instance-noise schedules compared on the parallel lines (chapter 03), one seed at a time.

The setting: target P_0 (the segment x1 = 0, x2 in [0, 1]); G has a 1-D uniform latent and starts as
a curve near x1 = 1.5; D (2 hidden layers of 64) is first trained 500 steps against it, the state in
which chapter 02 leaves a GAN. Then the minimax game (k_D = 5, batch 128) runs with each schedule of
``gan_course.noise`` from the same start, and the exact W1 between 500 generated points and 500
quantile points of the target (linear assignment) measures the fit, with the spread of the samples'
x1 across the line measuring blur.

``run_schedules(seed, steps)`` returns {schedule name: {"w1": {step: W1}, "spread": {step: std of x1}}};
the "fixed" schedule also runs ``fixed_steps`` (>= steps) generator steps, to show how its blur evolves
(a constant schedule does not depend on the run's length, so its first ``steps`` are the same run).
"""
import copy

from . import checks, divergences, manifolds, nets, noise, saturation, toys, training

SCHEDULES = {"no noise": lambda: None, "fixed σ=0.5": lambda: noise.Constant(0.5),
             "linear 1→0": lambda: noise.LinearToZero(1.0),
             "adaptive": lambda: noise.AdaptiveToTarget(1.0, target=1.0, gain=0.02)}
FIXED = "fixed σ=0.5"


def start(seed, device="cpu"):
    """G near x1 = 1.5 and a D pre-trained against it for 500 steps (the state chapter 02 ends in)."""
    import torch

    target = toys.parallel_lines(0.0)
    torch.manual_seed(seed)
    G = nets.Generator(1, 2, width=64, depth=2, latent="uniform")
    with torch.no_grad():
        G.net[-1].bias += torch.tensor([1.5, 0.5])
    D = nets.Discriminator(2, width=64, depth=2)
    saturation.gradient_under_training_d(G, D, target, d_steps=500, batch_size=128, lr_d=2e-3, seed=seed,
                                         device=device)
    return G, D


def run_schedules(seed, steps=600, fixed_steps=None, every=100, device="cpu", keep_runs=False):
    """Train every schedule of ``SCHEDULES`` from ``start(seed)``; return the fits (and the runs if asked)."""
    steps = checks.positive_int("steps", steps)
    fixed_steps = steps if fixed_steps is None else checks.positive_int("fixed_steps", fixed_steps)
    if fixed_steps < steps:
        raise ValueError(f"fixed_steps ({fixed_steps}) must be >= steps ({steps})")
    target = toys.parallel_lines(0.0)
    target_pts = manifolds.line_samples(0.0, 500)  # (500, 2)
    G0, D0 = start(seed, device)
    out, runs = {}, {}
    for name, make in SCHEDULES.items():
        n = fixed_steps if name == FIXED else steps
        snaps = tuple(range(0, n + 1, every))
        G, D = copy.deepcopy(G0), copy.deepcopy(D0)
        h = training.train_gan(G, D, target, steps=n, n_critic=5, batch_size=128, loss="minimax", noise_sigma=make(),
                               seed=seed, snapshot_steps=snaps, n_snapshot=500, progress=False, device=device)
        out[name] = {"w1": {t: float(divergences.w1_exact(h.snapshots[t]["samples"], target_pts)) for t in snaps},
                     "spread": {t: float(h.snapshots[t]["samples"][:, 0].std()) for t in snaps}}
        runs[name] = h
    return (out, runs) if keep_runs else out
