"""The course's toy worlds, defined once (docs/DESIGN.md, "Toy worlds").

=============== ============================================================================
name            definition
=============== ============================================================================
ring8           8 isotropic Gaussians, centres at radius 2 and angles 2*pi*k/8, std 0.02
grid25          25 isotropic Gaussians at {-4,-2,0,2,4}^2, std 0.05
swissroll       x and z of the 3-D swiss roll, noise 0.25, scaled by 1/7.5
parallel lines  P_theta = law of (theta, Z), Z ~ U[0, 1]   (Arjovsky et al. 2017, Example 1)
1-D mixtures    Gaussian mixtures with a closed-form density
=============== ============================================================================

Every world has ``sample(n, seed=None, generator=None)`` returning a float tensor of shape
(n, d) on the CPU (move it with ``.to(device)``); the mixtures also have ``pdf``.
"""
import math
from dataclasses import dataclass

import numpy as np
import torch

from . import checks


def _generator(seed, generator):
    if generator is not None:
        return generator
    if seed is not None:
        return torch.Generator().manual_seed(int(seed))
    return None


@dataclass(frozen=True)
class GaussianMixture1D:
    """p(x) = sum_k w_k N(x; mu_k, s_k^2), with a closed-form density and CDF."""

    means: tuple
    stds: tuple
    weights: tuple = None

    def __post_init__(self):
        means = tuple(float(m) for m in np.atleast_1d(self.means))
        stds = tuple(float(s) for s in np.atleast_1d(self.stds))
        if len(stds) == 1 and len(means) > 1:
            stds = stds * len(means)
        if len(stds) != len(means) or not means:
            raise ValueError(f"need one std per mean, got {len(means)} means and {len(stds)} stds")
        for s in stds:
            checks.positive("std", s)
        w = np.full(len(means), 1 / len(means)) if self.weights is None else np.asarray(self.weights, float)
        if w.shape != (len(means),) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
            raise ValueError(f"weights must be {len(means)} non-negative numbers summing to 1, got {self.weights}")
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "stds", stds)
        object.__setattr__(self, "weights", tuple(float(v) for v in w))

    def pdf(self, x):
        """Density at the points ``x`` (any shape, NumPy)."""
        x = np.asarray(x, float)[..., None]
        mu, s, w = (np.asarray(v) for v in (self.means, self.stds, self.weights))
        return np.sum(w * np.exp(-0.5 * ((x - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi)), axis=-1)

    def log_pdf(self, x):
        """log p(x), computed with logsumexp so it stays finite far in the tails."""
        from scipy.special import logsumexp

        x = np.asarray(x, float)[..., None]
        mu, s, w = (np.asarray(v) for v in (self.means, self.stds, self.weights))
        log_terms = np.log(np.maximum(w, 1e-300)) - 0.5 * ((x - mu) / s) ** 2 - np.log(s * math.sqrt(2 * math.pi))
        return logsumexp(log_terms, axis=-1)

    def cdf(self, x):
        """Cumulative distribution function at ``x`` (NumPy)."""
        from scipy.special import ndtr

        x = np.asarray(x, float)[..., None]
        mu, s, w = (np.asarray(v) for v in (self.means, self.stds, self.weights))
        return np.sum(w * ndtr((x - mu) / s), axis=-1)

    def mean(self):
        return float(np.dot(self.weights, self.means))

    def variance(self):
        mu, s, w = (np.asarray(v) for v in (self.means, self.stds, self.weights))
        return float(np.dot(w, s**2 + mu**2) - self.mean() ** 2)

    def bounds(self, n_std=10.0):
        """An interval that holds all but a negligible part of the mass."""
        lo = min(m - n_std * s for m, s in zip(self.means, self.stds))
        hi = max(m + n_std * s for m, s in zip(self.means, self.stds))
        return lo, hi

    def sample(self, n, seed=None, generator=None):
        """``n`` draws as a tensor of shape (n, 1)."""
        n = checks.positive_int("n", n)
        g = _generator(seed, generator)
        k = torch.multinomial(torch.tensor(self.weights), n, replacement=True, generator=g)
        eps = torch.randn(n, generator=g)
        x = torch.tensor(self.means)[k] + torch.tensor(self.stds)[k] * eps
        return x.to(torch.get_default_dtype())[:, None]


def gaussian1d(mean, std):
    """A single Gaussian as a one-component mixture."""
    return GaussianMixture1D((mean,), (std,))


@dataclass(frozen=True)
class IsotropicMixture2D:
    """Equal-weight mixture of isotropic 2-D Gaussians N(c_k, std^2 I)."""

    name: str
    centres: np.ndarray
    std: float

    def __post_init__(self):
        checks.positive("std", self.std)
        c = np.asarray(self.centres, float)
        if c.ndim != 2 or c.shape[1] != 2:
            raise ValueError(f"centres must have shape (K, 2), got {c.shape}")
        object.__setattr__(self, "centres", c)

    @property
    def n_modes(self):
        return len(self.centres)

    def sample(self, n, seed=None, generator=None):
        """``n`` draws as a tensor of shape (n, 2); each component chosen uniformly."""
        n = checks.positive_int("n", n)
        g = _generator(seed, generator)
        k = torch.randint(self.n_modes, (n,), generator=g)
        eps = torch.randn(n, 2, generator=g)
        x = torch.as_tensor(self.centres)[k] + self.std * eps.double()
        return x.to(torch.get_default_dtype())

    def pdf(self, x):
        """Density at points ``x`` of shape (..., 2) (NumPy)."""
        x = np.asarray(x, float)
        d2 = ((x[..., None, :] - self.centres) ** 2).sum(-1)
        return np.exp(-0.5 * d2 / self.std**2).mean(-1) / (2 * math.pi * self.std**2)


def ring8(radius=2.0, std=0.02, n_modes=8):
    """8 Gaussians on a circle: centres radius*(cos 2 pi k/8, sin 2 pi k/8), std 0.02.

    This is gan_toy.py's ring *before* its division by 1.414 (docs/DESIGN.md)."""
    checks.positive("radius", radius)
    n_modes = checks.positive_int("n_modes", n_modes)
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return IsotropicMixture2D("ring8", radius * np.stack([np.cos(angles), np.sin(angles)], 1), std)


def grid25(spacing=2.0, std=0.05):
    """25 Gaussians at {-4,-2,0,2,4}^2 (spacing 2), std 0.05."""
    checks.positive("spacing", spacing)
    ticks = spacing * np.arange(-2, 3)
    xx, yy = np.meshgrid(ticks, ticks, indexing="ij")
    return IsotropicMixture2D("grid25", np.stack([xx.ravel(), yy.ravel()], 1), std)


@dataclass(frozen=True)
class SwissRoll:
    """The 2-D swiss roll: (t cos t, t sin t) + noise, t = 1.5 pi (1 + 2u), u ~ U[0,1], times ``scale``.

    The x and z coordinates of the 3-D roll with Gaussian noise of std ``noise`` on each
    coordinate, divided by 7.5 as in Gulrajani et al. (2017)'s toy code. No closed-form density."""

    noise: float = 0.25
    scale: float = 1 / 7.5
    name: str = "swissroll"

    def sample(self, n, seed=None, generator=None):
        n = checks.positive_int("n", n)
        g = _generator(seed, generator)
        t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=g, dtype=torch.float64))
        xy = torch.stack([t * torch.cos(t), t * torch.sin(t)], 1)
        xy = xy + self.noise * torch.randn(n, 2, generator=g, dtype=torch.float64)
        return (self.scale * xy).to(torch.get_default_dtype())


def swissroll(noise=0.25, scale=1 / 7.5):
    return SwissRoll(noise, scale)


@dataclass(frozen=True)
class ParallelLines:
    """P_theta = law of (theta, Z), Z ~ U[0, 1]: a vertical segment at x = theta."""

    theta: float = 0.0
    name: str = "parallel lines"

    def sample(self, n, seed=None, generator=None):
        n = checks.positive_int("n", n)
        g = _generator(seed, generator)
        z = torch.rand(n, generator=g)
        return torch.stack([torch.full_like(z, float(self.theta)), z], 1).to(torch.get_default_dtype())


def parallel_lines(theta):
    return ParallelLines(float(theta))
