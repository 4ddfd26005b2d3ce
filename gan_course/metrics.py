"""Mode metrics on the mixture toys (COURSE.md, "Shared metrics").

* high-quality sample: within ``threshold`` (3) standard deviations of its nearest mode centre
  (Srivastava et al. 2017, VEEGAN, Sec. 5.1);
* modes covered: number of components that are the nearest centre of at least one
  high-quality sample (VEEGAN);
* reverse KL of the mode histogram of high-quality samples to uniform,
  KL(p_hat || U_K) = log K - H(p_hat) (Lin et al. 2018, PacGAN, Sec. 5).

Evaluate on ``N_EVAL`` = 2,500 samples, as the published tables do.
"""
import numbers
from dataclasses import dataclass

import numpy as np

from .densities import as_numpy

N_EVAL = 2500


@dataclass(frozen=True)
class ModeStats:
    modes_covered: int
    n_modes: int
    hq_fraction: float  # in [0, 1]
    reverse_kl: float  # nats; inf when no sample is high quality
    counts: tuple  # high-quality samples per mode

    def __str__(self):
        return (f"modes {self.modes_covered}/{self.n_modes}, high quality {100 * self.hq_fraction:.1f}%, "
                f"reverse KL {self.reverse_kl:.3f}")


def kl_to_uniform(p):
    """KL(p || uniform over len(p)) = log K - H(p), in nats (0 log 0 = 0) (PacGAN, Sec. 5)."""
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or len(p) == 0:
        raise ValueError(f"kl_to_uniform needs a 1-D histogram with at least one bin, got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"kl_to_uniform needs finite probabilities >= 0, got {p}")
    if not np.isclose(p.sum(), 1.0):
        raise ValueError(f"kl_to_uniform needs probabilities that sum to 1 (divide counts by their total), "
                         f"got a sum of {p.sum():g}")
    nz = p[p > 0]
    return float(np.log(len(p)) + (nz * np.log(nz)).sum())


def mode_stats(samples, centres, std, threshold=3.0):
    """Mode coverage of ``samples`` (N, d) around mixture ``centres`` (K, d) of isotropic ``std``."""
    x = np.asarray(as_numpy(samples), float)
    c = np.asarray(centres, float)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(f"samples must have shape (N, {c.shape[-1]}), got {x.shape}")
    if len(x) == 0:
        raise ValueError("mode_stats needs at least one sample")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std}")
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not threshold > 0:
        raise ValueError(f"threshold (in standard deviations) must be a positive number, got {threshold!r}")
    d2 = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    nearest = d2.argmin(1)
    hq = np.sqrt(d2[np.arange(len(x)), nearest]) < threshold * std
    counts = np.bincount(nearest[hq], minlength=len(c))
    n_hq = int(counts.sum())
    rkl = float("inf") if n_hq == 0 else kl_to_uniform(counts / n_hq)
    return ModeStats(int((counts > 0).sum()), len(c), n_hq / len(x), max(rkl, 0.0), tuple(int(v) for v in counts))


#: COURSE.md's published numbers (2,500 samples, high quality within 3 std):
#: (method, ring8 modes, ring8 %HQ, grid25 modes, grid25 %HQ); VEEGAN Table 1 and PacGAN Table 1.
PUBLISHED_TOY_TABLE = (("GAN (VEEGAN)", 1, 99.3, 3.3, 0.5), ("Unrolled GAN", 7.6, 35.6, 23.6, 16),
                       ("VEEGAN", 8, 52.9, 24.6, 40), ("GAN (PacGAN)", 6.3, 98.2, 17.3, 94.8),
                       ("PacGAN2", 7.9, 95.6, 23.8, 91.3), ("PacGAN4", 7.8, 95.9, 24.8, 93.6))


def toy_table(ours):
    """The published rows, then one row per ``(name, ring_runs, grid_runs)`` of ``ours``: mean modes
    covered / mean % high quality over the runs (dicts with ``modes_covered`` and ``hq_fraction``,
    e.g. rows of the lab's results.json; an empty list where not run). Returns the text."""
    def cell(runs, width):
        if not runs:
            return f"{'-':>{width + 8}s}"
        return (f"{np.mean([r['modes_covered'] for r in runs]):>{width}.1f} / "
                f"{100 * np.mean([r['hq_fraction'] for r in runs]):5.1f}")

    lines = [f"{'method':22s} {'ring: modes / %HQ':>18s} {'grid: modes / %HQ':>18s}"]
    lines += [f"{name:22s} {cell([dict(modes_covered=rm, hq_fraction=rh / 100)], 9)} "
              f"{cell([dict(modes_covered=gm, hq_fraction=gh / 100)], 10)}" for name, rm, rh, gm, gh in PUBLISHED_TOY_TABLE]
    lines += [f"{name:22s} {cell(ring, 9)} {cell(grid, 10)}   ({max(len(ring), len(grid))} seeds)"
              for name, ring, grid in ours]
    return "\n".join(lines)


def mode_stats_for(samples, toy, threshold=3.0):
    """``mode_stats`` against a mixture toy (``toys.ring8()``, ``toys.grid25()``)."""
    return mode_stats(samples, toy.centres, toy.std, threshold)
