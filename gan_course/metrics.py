"""Mode metrics on the mixture toys (COURSE.md, "Shared metrics").

* high-quality sample: within ``threshold`` (3) standard deviations of its nearest mode centre
  (Srivastava et al. 2017, VEEGAN, Sec. 5.1);
* modes covered: number of components that are the nearest centre of at least one
  high-quality sample (VEEGAN);
* reverse KL of the mode histogram of high-quality samples to uniform,
  KL(p_hat || U_K) = log K - H(p_hat) (Lin et al. 2018, PacGAN, Sec. 5).

Evaluate on ``N_EVAL`` = 2,500 samples, as the published tables do.
"""
from dataclasses import dataclass

import numpy as np

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
    nz = p[p > 0]
    return float(np.log(len(p)) + (nz * np.log(nz)).sum())


def mode_stats(samples, centres, std, threshold=3.0):
    """Mode coverage of ``samples`` (N, d) around mixture ``centres`` (K, d) of isotropic ``std``."""
    x = np.asarray(samples.detach().cpu() if hasattr(samples, "detach") else samples, float)
    c = np.asarray(centres, float)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(f"samples must have shape (N, {c.shape[-1]}), got {x.shape}")
    if len(x) == 0:
        raise ValueError("mode_stats needs at least one sample")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std}")
    d2 = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    nearest = d2.argmin(1)
    hq = np.sqrt(d2[np.arange(len(x)), nearest]) < threshold * std
    counts = np.bincount(nearest[hq], minlength=len(c))
    n_hq = int(counts.sum())
    rkl = float("inf") if n_hq == 0 else kl_to_uniform(counts / n_hq)
    return ModeStats(int((counts > 0).sum()), len(c), n_hq / len(x), max(rkl, 0.0), tuple(int(v) for v in counts))


def mode_stats_for(samples, toy, threshold=3.0):
    """``mode_stats`` against a mixture toy (``toys.ring8()``, ``toys.grid25()``)."""
    return mode_stats(samples, toy.centres, toy.std, threshold)
