"""The optimal discriminator and the generator's virtual training criterion (Goodfellow et al. 2014, Sec. 4.1).

* The value of the game (Eq. 1):  V(D, G) = E_{x~p_data} log D(x) + E_{x~p_g} log(1 - D(x)).
  For the discriminator, -V is the binary cross-entropy of the labels 1 (real) and 0 (fake).
* For fixed G the pointwise maximiser of a log y + b log(1 - y) is y = a / (a + b), so (Prop. 1)

      D*(x) = p_data(x) / (p_data(x) + p_g(x)).

* Plugging D* in gives the virtual training criterion (Eq. 4, Theorem 1)

      C(G) = V(D*, G) = -log 4 + 2 JSD(p_data || p_g),

  minimised (C = -log 4) exactly when p_g = p_data.
* Generator gradients with respect to D's logit a at a fake point, D = sigmoid(a) (Sec. 3):
  d/da log(1 - D) = -D (vanishes when D rejects the fakes, D -> 0: saturation), while
  d/da (-log D) = -(1 - D) (close to -1 there: the non-saturating loss).

Densities are objects with ``pdf`` (and ``log_pdf``), such as ``toys.GaussianMixture1D``.
"""
import math

import numpy as np
import torch
from scipy.special import expit

from . import checks, losses
from .device import default_device, seed_everything
from .densities import log_pdf, pdf, quadrature_grid
from .divergences import GRID_POINTS, integrate, js_divergence


def optimal_discriminator(p_data, p_g, x):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) at the points ``x`` (NumPy), from log densities.

    Where both densities vanish every value of D is optimal; 1/2 is returned there."""
    x = np.asarray(x, float)
    log_pd, log_pg = log_pdf(p_data, x), log_pdf(p_g, x)
    with np.errstate(invalid="ignore"):
        d = expit(log_pd - log_pg)
    return np.where(np.isneginf(log_pd) & np.isneginf(log_pg), 0.5, d)


def value_function(d, p_data, p_g, lo=None, hi=None, n=GRID_POINTS):
    """V(D, G) = int p_data log D + p_g log(1 - D) dx by Simpson quadrature; ``d`` maps x (NumPy) to D(x) in (0, 1)."""
    x = quadrature_grid(p_data, p_g, lo, hi, n)
    dx = np.asarray(d(x), float)
    pd, pg = pdf(p_data, x), pdf(p_g, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        integrand = np.where(pd > 0, pd * np.log(dx), 0.0) + np.where(pg > 0, pg * np.log1p(-dx), 0.0)
    return integrate(integrand, x)


def virtual_criterion(p_data, p_g, lo=None, hi=None, n=GRID_POINTS):
    """C(G) = V(D*, G) by quadrature, with log D* and log(1 - D*) taken in log space (finite in the tails)."""
    x = quadrature_grid(p_data, p_g, lo, hi, n)
    log_pd, log_pg = log_pdf(p_data, x), log_pdf(p_g, x)
    log_sum = np.logaddexp(log_pd, log_pg)
    with np.errstate(invalid="ignore"):
        integrand = np.where(np.isneginf(log_pd), 0.0, np.exp(log_pd) * (log_pd - log_sum)) + \
            np.where(np.isneginf(log_pg), 0.0, np.exp(log_pg) * (log_pg - log_sum))
    return integrate(integrand, x)


def criterion_from_jsd(p_data, p_g, lo=None, hi=None, n=GRID_POINTS):
    """-log 4 + 2 JSD(p_data || p_g): Theorem 1's closed form of C(G)."""
    return -math.log(4) + 2 * js_divergence(p_data, p_g, lo, hi, n)


def high_density_region(p, q, x, mass=0.95):
    """Mask of the grid ``x`` where the mixture m = (p + q) / 2 is highest, holding ``mass`` of m's mass.

    This is the region "where p_data + p_g carries 95% of the mass" used to judge a trained D."""
    if not 0 < mass < 1:
        raise ValueError(f"mass must be in (0, 1), got {mass}")
    x = np.asarray(x, float)
    if x.ndim != 1 or x.size < 3 or not np.all(np.diff(x) > 0):
        raise ValueError("x must be an increasing 1-D grid of at least 3 points")
    m = 0.5 * (pdf(p, x) + pdf(q, x))
    w = m * np.gradient(x)  # mass of each grid cell
    order = np.argsort(-m)
    keep = order[: np.searchsorted(np.cumsum(w[order]), mass * w.sum()) + 1]
    mask = np.zeros(x.size, bool)
    mask[keep] = True
    return mask


def discriminator_probability(D, x):
    """D(x) = sigmoid(logit) of a torch discriminator at 1-D points ``x`` (NumPy, shape (N,)), as NumPy."""
    param = next(D.parameters())
    xt = torch.as_tensor(np.asarray(x, float).reshape(-1, 1), dtype=param.dtype, device=param.device)
    with torch.no_grad():
        return torch.sigmoid(D(xt)).cpu().numpy()


def train_discriminator(D, p_data, p_g, steps=2000, batch_size=512, lr=2e-3, seed=0, device=None, progress=False):
    """Train D alone to maximise V(D, G) for a fixed generator density (Goodfellow et al. 2014, Alg. 1 inner loop).

    Each step draws fresh minibatches from ``p_data`` and ``p_g`` (objects with ``sample(n, generator=)``,
    or a generator network ``nets.Generator``, held fixed and moved to the device), takes an Adam step on
    the binary cross-entropy ``losses.d_loss_minimax`` = -V, and the learning rate decays along a cosine to
    0 so the last iterates average out minibatch noise. Returns the losses (NumPy)."""
    steps, batch_size = checks.positive_int("steps", steps), checks.positive_int("batch_size", batch_size)
    checks.positive("lr", lr)
    device = torch.device(device) if device else default_device()
    seed_everything(seed)
    D.to(device)
    g = torch.Generator().manual_seed(seed)
    if isinstance(p_g, torch.nn.Module):  # a fixed generator network: sample it without building a graph
        p_g.to(device)
        g_latent = torch.Generator(device=device).manual_seed(seed + 1)

        def sample_fake(n):
            with torch.no_grad():
                return p_g(p_g.sample_latent(n, g_latent, device))
    else:
        def sample_fake(n):
            return p_g.sample(n, generator=g).to(device)
    opt = torch.optim.Adam(D.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    hist = np.empty(steps)
    it = range(steps)
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc="D alone", unit="step", leave=False)
    for step in it:
        real = p_data.sample(batch_size, generator=g).to(device)  # (B, 1)
        fake = sample_fake(batch_size)  # (B, 1)
        loss = losses.d_loss_minimax(D(real), D(fake))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        hist[step] = loss.item()
    if not np.all(np.isfinite(hist)):
        raise RuntimeError("the discriminator's loss became NaN/inf; lower lr")
    return hist


def generator_gradient(d_of_gz, loss="minimax"):
    """|d loss / d a| at a fake point with D(G(z)) = sigmoid(a) = ``d_of_gz``.

    ``loss='minimax'`` (minimise log(1 - D)): |-D| = D, which vanishes as D(G(z)) -> 0.
    ``loss='nonsaturating'`` (minimise -log D): |-(1 - D)| = 1 - D, close to 1 as D(G(z)) -> 0."""
    d = np.asarray(d_of_gz, float)
    if np.any((d < 0) | (d > 1)):
        raise ValueError("D(G(z)) must lie in [0, 1]")
    if loss == "minimax":
        return d
    if loss == "nonsaturating":
        return 1 - d
    raise ValueError(f"loss must be 'minimax' or 'nonsaturating', got {loss!r}")
