"""Divergences between distributions, computed exactly or by quadrature.

* ``kl_divergence``, ``js_divergence``, ``tv_distance``: between 1-D densities, by composite
  Simpson quadrature on a fine grid (Goodfellow et al. 2014, Sec. 4.1 uses KL and JSD;
  TV(p, q) = 1/2 int |p - q|). Natural logarithms throughout, so 0 <= JSD <= log 2.
* ``w1_1d``: the exact Earth-Mover (Wasserstein-1) distance between two 1-D samples,
  W1 = int |F_x(t) - F_y(t)| dt, which for equal sizes is mean |x_(i) - y_(i)| of the sorted samples.
* ``w1_exact`` / ``optimal_coupling``: the exact W1 between two equal-size point sets in any
  dimension, by solving the assignment problem (an optimal plan of the discrete transport LP
  is a permutation, Birkhoff-von Neumann).

A density argument is an object with ``pdf`` (and optionally ``log_pdf`` and ``bounds``), such
as ``toys.GaussianMixture1D``, or a plain function of a NumPy array; pass ``lo``/``hi`` then.
"""
import numpy as np
from scipy.integrate import simpson
from scipy.optimize import linear_sum_assignment

from .densities import as_numpy, log_pdf, pdf, quadrature_grid

GRID_POINTS = 200_001


def integrate(values, x):
    """Composite Simpson rule of ``values`` sampled on the uniform grid ``x``."""
    return float(simpson(values, x=x))


def kl_divergence(p, q, lo=None, hi=None, n=GRID_POINTS):
    """KL(p || q) = int p(x) log(p(x) / q(x)) dx; ``inf`` when p puts mass where q has none."""
    x = quadrature_grid(p, q, lo, hi, n)
    px = pdf(p, x)
    log_p, log_q = log_pdf(p, x), log_pdf(q, x)
    if np.any((px > 0) & np.isneginf(log_q)):
        return float("inf")
    integrand = np.where(px > 0, px * (log_p - log_q), 0.0)
    return integrate(integrand, x)


def js_divergence(p, q, lo=None, hi=None, n=GRID_POINTS):
    """JSD(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q) / 2; in [0, log 2]."""
    x = quadrature_grid(p, q, lo, hi, n)
    return 0.5 * integrate(js_integrand(pdf(p, x), pdf(q, x)), x)


def js_integrand(px, qx):
    """p log(p / m) + q log(q / m) pointwise, m = (p + q) / 2 (0 log 0 = 0): JSD = 1/2 its integral."""
    m = 0.5 * (px + qx)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(px > 0, px * np.log(px / m), 0.0) + np.where(qx > 0, qx * np.log(qx / m), 0.0)


def tv_distance(p, q, lo=None, hi=None, n=GRID_POINTS):
    """TV(p, q) = sup_A |p(A) - q(A)| = 1/2 int |p - q| dx; in [0, 1]."""
    x = quadrature_grid(p, q, lo, hi, n)
    return 0.5 * integrate(np.abs(pdf(p, x) - pdf(q, x)), x)


def _one_dim(name, v):
    """A 1-D sample as a float vector: shape (N,) or (N, 1); (N, 2) points are refused, not flattened."""
    v = np.asarray(v, float)
    if v.ndim > 2 or (v.ndim == 2 and v.shape[1] != 1):
        raise ValueError(f"w1_1d compares 1-D samples: {name} must have shape (N,) or (N, 1), got {v.shape}; "
                         "for points in d dimensions use w1_exact")
    return v.reshape(-1)


def w1_1d(x, y):
    """Exact W1 between two 1-D samples: the area between their empirical CDFs.

    For equal sizes this equals mean |sort(x) - sort(y)| (sorted samples pair up)."""
    x, y = (np.sort(_one_dim(name, as_numpy(v))) for name, v in (("x", x), ("y", y)))
    if x.size == 0 or y.size == 0:
        raise ValueError("w1_1d needs two non-empty samples")
    if x.size == y.size:
        return float(np.mean(np.abs(x - y)))
    t = np.sort(np.concatenate([x, y]))
    fx = np.searchsorted(x, t[:-1], side="right") / x.size
    fy = np.searchsorted(y, t[:-1], side="right") / y.size
    return float(np.sum(np.abs(fx - fy) * np.diff(t)))


def optimal_coupling(x, y):
    """Optimal transport between equal-size point sets with Euclidean cost.

    Returns ``(w1, perm)``: x[i] is sent to y[perm[i]], and w1 = mean_i ||x_i - y_perm[i]||."""
    x = np.asarray(as_numpy(x), float)
    y = np.asarray(as_numpy(y), float)
    if x.ndim == 1:
        x, y = x[:, None], y[:, None]
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"need two point sets of the same shape (N, d), got {x.shape} and {y.shape}")
    cost = np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean()), cols


def w1_exact(x, y):
    """Exact W1 between two equal-size point sets (linear assignment)."""
    return optimal_coupling(x, y)[0]
