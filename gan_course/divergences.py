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

GRID_POINTS = 200_001


def _grid(p, q, lo, hi, n):
    if lo is None or hi is None:
        bounds = [d.bounds() for d in (p, q) if hasattr(d, "bounds")]
        if not bounds:
            raise ValueError("give lo and hi: plain density functions carry no support bounds")
        lo = min(b[0] for b in bounds) if lo is None else lo
        hi = max(b[1] for b in bounds) if hi is None else hi
    if not hi > lo:
        raise ValueError(f"need lo < hi, got lo={lo}, hi={hi}")
    return np.linspace(lo, hi, n)


def _pdf(d, x):
    return np.asarray(d.pdf(x) if hasattr(d, "pdf") else d(x), float)


def _log_pdf(d, x):
    if hasattr(d, "log_pdf"):
        return np.asarray(d.log_pdf(x), float)
    with np.errstate(divide="ignore"):
        return np.log(_pdf(d, x))


def integrate(values, x):
    """Composite Simpson rule of ``values`` sampled on the uniform grid ``x``."""
    return float(simpson(values, x=x))


def kl_divergence(p, q, lo=None, hi=None, n=GRID_POINTS):
    """KL(p || q) = int p(x) log(p(x) / q(x)) dx; ``inf`` when p puts mass where q has none."""
    x = _grid(p, q, lo, hi, n)
    px = _pdf(p, x)
    log_p, log_q = _log_pdf(p, x), _log_pdf(q, x)
    if np.any((px > 0) & np.isneginf(log_q)):
        return float("inf")
    integrand = np.where(px > 0, px * (log_p - log_q), 0.0)
    return integrate(integrand, x)


def js_divergence(p, q, lo=None, hi=None, n=GRID_POINTS):
    """JSD(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q) / 2; in [0, log 2]."""
    x = _grid(p, q, lo, hi, n)
    return 0.5 * integrate(js_integrand(_pdf(p, x), _pdf(q, x)), x)


def js_integrand(px, qx):
    """p log(p / m) + q log(q / m) pointwise, m = (p + q) / 2 (0 log 0 = 0): JSD = 1/2 its integral."""
    m = 0.5 * (px + qx)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(px > 0, px * np.log(px / m), 0.0) + np.where(qx > 0, qx * np.log(qx / m), 0.0)


def tv_distance(p, q, lo=None, hi=None, n=GRID_POINTS):
    """TV(p, q) = sup_A |p(A) - q(A)| = 1/2 int |p - q| dx; in [0, 1]."""
    x = _grid(p, q, lo, hi, n)
    return 0.5 * integrate(np.abs(_pdf(p, x) - _pdf(q, x)), x)


def as_numpy(x):
    """A torch tensor (any device) or array-like as a NumPy array."""
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def w1_1d(x, y):
    """Exact W1 between two 1-D samples: the area between their empirical CDFs.

    For equal sizes this equals mean |sort(x) - sort(y)| (sorted samples pair up)."""
    x = np.sort(np.ravel(as_numpy(x)).astype(float))
    y = np.sort(np.ravel(as_numpy(y)).astype(float))
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
