"""What D sees under instance noise: Gaussian-smoothed densities (Arjovsky & Bottou 2017, Sec. 3).

Adding eps ~ N(0, sigma^2 I) to D's inputs replaces p_data and p_g by p_data * N_sigma and
p_g * N_sigma, which are positive everywhere, so the JSD between them is below log 2 and
changes with the distance between the supports again.

* ``smoothed_lines_js(theta, sigma)``: JSD(P_0 * N_sigma || P_theta * N_sigma) for the parallel
  lines. Both smoothed laws factor as (x-part) x (y-part) with the *same* y-part
  U[0,1] * N(0, sigma^2), so the density ratio depends on x alone and the JSD equals the 1-D
  JSD between N(0, sigma^2) and N(theta, sigma^2), computed here by quadrature.
* ``optimal_discriminator_smoothed(real, fake, sigma, x)``: D*_sigma = p_r,sigma / (p_r,sigma + p_g,sigma)
  for the empirical measures of two point sets smoothed by N(0, sigma^2 I) (Goodfellow et al.
  2014, Prop. 1, applied to the noisy inputs); computed in log space so it is exact to float64
  even where the densities underflow.
* ``generator_field(real, fake, sigma, x, loss)``: the direction a generated point at x is
  pushed by the generator loss against D*_sigma, -grad_x of log(1 - D*) (minimax) or of
  -log D* (non-saturating).
* ``draw_noise_field``: D*_sigma on a grid with those arrows at the generated points (the
  chapter's slider redraws it).
"""
import math

import numpy as np
import torch

from . import checks
from .densities import as_numpy
from .divergences import js_divergence
from .toys import gaussian1d


def smoothed_lines_js(theta, sigma, n=20_001):
    """JSD between the parallel lines P_0 and P_theta, each convolved with N(0, sigma^2 I)."""
    checks.positive("sigma", sigma)
    lo, hi = min(0.0, theta) - 12 * sigma, max(0.0, theta) + 12 * sigma
    return js_divergence(gaussian1d(0.0, sigma), gaussian1d(float(theta), sigma), lo, hi, n)


def _log_kde(points, centres, sigma):
    # log (1/n sum_i N(x; c_i, sigma^2 I)) for x in points (M, d), centres (n, d) -> (M,)
    d = centres.shape[1]
    d2 = torch.cdist(points, centres) ** 2
    return (torch.logsumexp(-0.5 * d2 / sigma**2, dim=1) - math.log(len(centres))
            - d * math.log(sigma) - 0.5 * d * math.log(2 * math.pi))


def _as64(name, x, dim=None):
    if isinstance(x, torch.Tensor) and x.dtype == torch.float64:
        return checks.points(name, x, dim)  # keeps autograd history
    x = torch.as_tensor(as_numpy(x), dtype=torch.float64)
    return checks.points(name, x, dim)


def log_optimal_discriminator_smoothed(real, fake, sigma, x):
    """log D*_sigma(x) for the smoothed empirical measures of ``real`` (n, d) and ``fake`` (m, d)."""
    checks.positive("sigma", sigma)
    real = _as64("real", real)
    fake, x = _as64("fake", fake, real.shape[1]), _as64("x", x, real.shape[1])
    lr, lg = _log_kde(x, real, sigma), _log_kde(x, fake, sigma)
    return lr - torch.logaddexp(lr, lg)


def optimal_discriminator_smoothed(real, fake, sigma, x):
    """D*_sigma(x) = p_r,sigma(x) / (p_r,sigma(x) + p_g,sigma(x)) as a NumPy array (M,)."""
    return log_optimal_discriminator_smoothed(real, fake, sigma, x).exp().numpy()


def generator_field(real, fake, sigma, x, loss="minimax"):
    """-grad_x of the generator loss at points x (M, d): minimax log(1 - D*), non-saturating -log D*."""
    if loss not in ("minimax", "nonsaturating"):
        raise ValueError(f"loss must be 'minimax' or 'nonsaturating', got {loss!r}")
    x = _as64("x", x).clone().requires_grad_(True)
    log_d = log_optimal_discriminator_smoothed(real, fake, sigma, x)
    if loss == "minimax":
        # log(1 - D) = log_g - logaddexp(log_r, log_g) = log_d - logit; written stably:
        obj = torch.log(-torch.expm1(log_d))
    else:
        obj = -log_d
    (grad,) = torch.autograd.grad(obj.sum(), x)
    return (-grad).numpy()


def draw_noise_field(ax, real, fake, sigma, lims=(-3, 3), n=50, loss="minimax", arrow_scale=None, max_arrow=None):
    """Draw D*_sigma on an n x n grid, the real and fake points, and the generator's arrows.

    ``arrow_scale``: gradient norm per unit of drawn length (None: matplotlib's autoscale);
    ``max_arrow``: clip drawn arrows to this length in data units (display only).
    Returns the mean arrow length (the mean norm of ``generator_field`` over ``fake``, unclipped)."""
    xs = np.linspace(lims[0], lims[1], n)
    xx, yy = np.meshgrid(xs, xs)
    grid = np.stack([xx.ravel(), yy.ravel()], 1)
    d = optimal_discriminator_smoothed(real, fake, sigma, grid).reshape(n, n)
    v = generator_field(real, fake, sigma, fake, loss)
    im = ax.contourf(xs, xs, d, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    ax.figure.colorbar(im, ax=ax, label=r"$D^*_\sigma(x)$", fraction=0.046)
    r, f = np.asarray(real), np.asarray(fake)
    ax.scatter(r[:, 0], r[:, 1], s=4, c="black", label="real")
    ax.scatter(f[:, 0], f[:, 1], s=4, c="orange", label="generated (fixed G)")
    mean_norm = float(np.linalg.norm(v, axis=1).mean())
    if max_arrow is not None and arrow_scale is not None:
        length = np.linalg.norm(v, axis=1, keepdims=True) / arrow_scale
        v = v * np.minimum(1.0, max_arrow / np.maximum(length, 1e-300))
    ax.quiver(f[:, 0], f[:, 1], v[:, 0], v[:, 1], color="darkgreen", angles="xy", scale_units="xy",
              scale=arrow_scale, width=0.004, label=r"$-\nabla_x$ generator loss")
    ax.set_xlim(*lims)
    ax.set_ylim(*lims)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(rf"$\sigma$ = {sigma:.3g}: mean arrow length {mean_norm:.2e}")
    ax.legend(loc="lower right", fontsize="x-small", markerscale=2)
    return mean_norm
