"""Proposition 2 of Goodfellow et al. (2014): convex in p_g, not in the generator's parameters.

The generator's criterion C(G) = sup_D V(G, D) = -log 4 + 2 JSD(p_data || p_g) (Theorem 1) is a
supremum of functions that are *linear* in p_g, V = int p_data log D + p_g log(1 - D), hence
convex in p_g: along the mixture path p_t = (1 - t) p_0 + t p_1 it is a convex function of t, and
gradient steps on p_g itself (with D optimal at each step) reach p_data (Proposition 2).
A network does not move p_g along such paths: it moves its parameters theta, and C as a function
of theta need not be convex. For a bimodal p_data and p_g = N(theta, s^2), C(theta) has a minimum
near each mode and a bump between them. ``mixture_path`` and ``location_path`` compute both
curves by quadrature; ``second_differences`` tests convexity on a grid.
"""
import numpy as np

from .optimal import virtual_criterion
from .toys import GaussianMixture1D


def mixture(p0, p1, t):
    """(1 - t) p0 + t p1 for two ``GaussianMixture1D`` (another ``GaussianMixture1D``)."""
    if not 0 <= t <= 1:
        raise ValueError(f"t must lie in [0, 1], got {t}")
    return GaussianMixture1D(p0.means + p1.means, p0.stds + p1.stds,
                             tuple((1 - t) * w for w in p0.weights) + tuple(t * w for w in p1.weights))


def mixture_path(p_data, p0, p1, ts, n=40_001):
    """C(p_t) = V(D*_t, p_t) along p_t = (1 - t) p0 + t p1, by quadrature (NumPy array)."""
    return np.array([virtual_criterion(p_data, mixture(p0, p1, float(t)), n=n) for t in ts])


def location_path(p_data, thetas, std=0.5, n=40_001):
    """C(theta) for p_g = N(theta, std^2): the criterion as a function of one generator parameter."""
    return np.array([virtual_criterion(p_data, GaussianMixture1D((float(th),), (std,)), n=n) for th in thetas])


def second_differences(values):
    """f(t_{i-1}) - 2 f(t_i) + f(t_{i+1}) on a uniform grid: all >= 0 for a convex f."""
    v = np.asarray(values, float)
    return v[:-2] - 2 * v[1:-1] + v[2:]
