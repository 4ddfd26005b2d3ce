"""A 1-D GAN drawn as in Goodfellow et al. (2014), Figure 1.

The figure shows, on one axis, the data density p_data (black, dotted), the generator's density p_g
(green), the discriminator D(x) (blue, dashed), and arrows from points z of the latent line up to
x = G(z). ``figure1_frame`` gathers those curves for a generator and a discriminator so that
``gc.plotting.figure1`` / ``animate_figure1`` can draw them; ``generator_density`` computes p_g as a
fine histogram of G at n evenly spaced latent quantiles (p_g has no closed form for an MLP generator;
quantiles instead of random draws remove the sampling noise: each bin's count is exact up to +-1).
"""
import numpy as np
import torch
from scipy.special import ndtri

from . import checks, optimal


def _latent_quantiles(G, u):
    """Latent points at probability levels u in (0, 1): z = 2u - 1 (uniform on [-1, 1]) or Phi^{-1}(u) (normal)."""
    return 2 * u - 1 if G.latent == "uniform" else ndtri(u)


def _generate(G, z):
    param = next(G.parameters())
    with torch.no_grad():
        return G(torch.as_tensor(z[:, None], dtype=param.dtype, device=param.device)).double().cpu().numpy().ravel()


def _check_1d(G):
    if G.latent_dim != 1 or G.data_dim != 1:
        raise ValueError("Figure 1 needs a 1-D generator (latent_dim = data_dim = 1), "
                         f"got {G.latent_dim} -> {G.data_dim}")


def generator_density(G, x_grid, n=200_000):
    """p_g on ``x_grid`` (increasing, evenly spaced, NumPy), one histogram bin per grid point.

    The histogram is of G(z_i) at the latent quantiles z_i = F^{-1}((i + 1/2) / n), i < n, i.e. p_g's
    mass in each bin up to 1/n, divided by the bin width."""
    n = checks.positive_int("n", n)
    _check_1d(G)
    x = np.asarray(x_grid, float)
    if x.ndim != 1 or x.size < 2 or x[1] <= x[0] or not np.allclose(np.diff(x), x[1] - x[0]):
        raise ValueError("x_grid must be an increasing, evenly spaced 1-D grid")
    s = _generate(G, _latent_quantiles(G, (np.arange(n) + 0.5) / n))  # (n,)
    h = x[1] - x[0]
    edges = np.concatenate([x - h / 2, [x[-1] + h / 2]])
    counts, _ = np.histogram(s, bins=edges)
    return counts / (n * h)


def latent_arrows(G, n_arrows=15):
    """Latent points for Figure 1's arrows and their images: returns (u, G(z(u))).

    The arrows start at equally spaced u in (0, 1), as in the paper's uniform z line. For a uniform latent
    on [-1, 1], z = 2u - 1; for a normal latent, z = Phi^{-1}(u), so the arrows again split the latent
    mass into equal parts and their spacing on the x line shows where G concentrates probability."""
    n_arrows = checks.positive_int("n_arrows", n_arrows)
    _check_1d(G)
    u = (np.arange(n_arrows) + 0.5) / n_arrows
    return u, _generate(G, _latent_quantiles(G, u))


def figure1_frame(G, D, x_grid, n_arrows=15, n=200_000, title=None):
    """The curves of one Figure-1 frame: {'p_g', 'd', 'z', 'x_of_z', 'title'} as NumPy on ``x_grid``."""
    x = np.asarray(x_grid, float)
    d = optimal.discriminator_probability(D, x)
    u, x_of_z = latent_arrows(G, n_arrows)
    return {"p_g": generator_density(G, x, n), "d": d, "z": u, "x_of_z": x_of_z, "title": title}
