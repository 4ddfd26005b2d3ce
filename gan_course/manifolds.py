"""Distributions that live on low-dimensional sets: the parallel lines and their divergences.

Arjovsky et al. (2017), Example 1: P_0 = law of (0, Z) and P_theta = law of (theta, Z), Z ~ U[0, 1].
Neither has a density on R^2, but both have one with respect to the measure

    mu = (sum over atoms a of delta_a) x Lebesgue on [0, 1]

(the x coordinate takes finitely many values, the y coordinate is continuous). Writing p(a, y)
and q(a, y) for those densities, every f-divergence is a sum over atoms of a 1-D integral:

    JSD(p || q) = 1/2 sum_a int [p log(p / m) + q log(q / m)] dy,   m = (p + q) / 2
    KL(p || q)  = sum_a int p log(p / q) dy   (inf when p > 0 where q = 0)
    TV(p, q)    = 1/2 sum_a int |p - q| dy

which ``product_divergences`` computes by Simpson quadrature in y, honestly on both atoms.
For theta != 0 the supports are disjoint: JSD = log 2, KL = inf, TV = 1, while W1 = |theta|.

``distance_to_segment`` and ``fraction_within`` measure how much of a generated sample comes
near a 1-D data support (Arjovsky & Bottou 2017, Sec. 2: the supports of p_data and p_g are
low-dimensional manifolds that almost surely do not overlap in a set of positive measure).
"""
import numpy as np

from . import checks
from .divergences import integrate, js_integrand, w1_1d, w1_exact


def segment_density(a):
    """Density of the law of (a, Z), Z ~ U[0, 1], with respect to mu: 1 on {a} x [0, 1]."""
    a = float(a)
    return lambda atom, y: np.where((atom == a) & (y >= 0) & (y <= 1), 1.0, 0.0)


def _kl_on_atom(pa, qa, y):
    # inf when p > 0 where q = 0 on a set of positive length (more than isolated grid points)
    if np.count_nonzero((pa > 0) & (qa == 0)) > 2:
        return np.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        return integrate(np.where((pa > 0) & (qa > 0), pa * np.log(pa / qa), 0.0), y)


def product_divergences(p, q, atoms, y_lo=0.0, y_hi=1.0, n=2001):
    """JSD(p||q), KL(p||q), KL(q||p) and TV(p, q) for densities p(a, y), q(a, y) on atoms x [y_lo, y_hi].

    ``atoms``: the x values where either measure puts mass. Natural logs. Returns a dict."""
    atoms = sorted(set(float(a) for a in np.atleast_1d(atoms)))
    if not atoms:
        raise ValueError("need at least one atom")
    if not y_hi > y_lo:
        raise ValueError(f"need y_lo < y_hi, got {y_lo}, {y_hi}")
    y = np.linspace(y_lo, y_hi, checks.positive_int("n", n))
    js = kl_pq = kl_qp = tv = 0.0
    for a in atoms:
        pa, qa = np.asarray(p(a, y), float), np.asarray(q(a, y), float)
        js += 0.5 * integrate(js_integrand(pa, qa), y)
        tv += 0.5 * integrate(np.abs(pa - qa), y)
        kl_pq = kl_pq + _kl_on_atom(pa, qa, y)
        kl_qp = kl_qp + _kl_on_atom(qa, pa, y)
    return {"js": float(js), "kl_pq": float(kl_pq), "kl_qp": float(kl_qp), "tv": float(tv)}


def line_samples(theta, n):
    """n points of P_theta at the quantiles y_i = (i + 1/2) / n (a deterministic sample)."""
    y = (np.arange(checks.positive_int("n", n)) + 0.5) / n
    return np.stack([np.full(n, float(theta)), y], 1)


def parallel_lines_divergences(theta, n_w1=200):
    """JSD, KL(P_0||P_theta), TV and W1 between P_0 and P_theta (Arjovsky et al. 2017, Example 1).

    The divergences come from ``product_divergences`` on the atoms {0, theta}. W1 is the exact
    optimal transport cost between ``n_w1`` quantile points of each line (linear assignment in 2-D,
    ``w1_exact``) and, independently, the 1-D W1 of the x coordinates (``w1_1d``)."""
    p0, pt = line_samples(0.0, n_w1), line_samples(theta, n_w1)
    d = product_divergences(segment_density(0.0), segment_density(theta), [0.0, theta])
    return {"js": d["js"], "kl": d["kl_pq"], "tv": d["tv"],
            "w1": w1_exact(p0, pt), "w1_x": w1_1d(p0[:, 0], pt[:, 0])}


def distance_to_segment(x, a, b):
    """Euclidean distance from points ``x`` (N, d) to the segment [a, b] in R^d."""
    x = np.asarray(x, float)
    a, b = np.asarray(a, float), np.asarray(b, float)
    if x.ndim != 2 or x.shape[1] != a.shape[-1] or a.shape != b.shape:
        raise ValueError(f"need points (N, {a.shape[-1]}) and end points of the same dimension, got {x.shape}")
    ab = b - a
    t = np.clip(((x - a) @ ab) / max(float(ab @ ab), 1e-300), 0.0, 1.0)
    return np.linalg.norm(x - (a + t[:, None] * ab), axis=1)


def fraction_within(distances, eps):
    """For each eps: the fraction of points whose distance to the support is < eps."""
    d = np.asarray(distances, float).ravel()
    return np.array([(d < e).mean() for e in np.atleast_1d(eps)])
