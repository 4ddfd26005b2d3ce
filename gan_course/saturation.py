"""Why the original GAN's generator stops learning when D gets good (Arjovsky & Bottou 2017).

* ``generator_grad_norm``: ||grad_theta L_G|| for a generator loss on a batch of latents.
* ``gradient_under_training_d``: hold G fixed, train D from scratch with the cross-entropy
  loss, and after every D update record the generator's gradient norm under the minimax loss
  E log(1 - D(G(z))) and the non-saturating loss -E log D(G(z)). When the supports are
  disjoint D approaches a perfect classifier and the minimax gradient vanishes
  (Arjovsky & Bottou 2017, Theorem 2.4 and Figure 2), while the -log D gradient stays large
  with a growing variance (Theorem 2.6, Figure 3).
* ``nonsaturating_decomposition``: with the optimal D* = p_r / (p_r + p_g), by quadrature,
      E_{p_g}[-log D*] = KL(p_g || p_r) - 2 JSD(p_g || p_r) + 2 log 2 + E_{p_r}[log D*]
  whose theta-gradient (D* held fixed) is that of KL(p_g || p_r) - 2 JSD (Theorem 2.5).
"""
import math

import numpy as np
import torch

from . import checks, losses
from .device import seed_everything
from .densities import quadrature_grid
from .divergences import integrate, js_divergence, kl_divergence

G_LOSSES = {"minimax": losses.g_loss_minimax, "nonsaturating": losses.g_loss_nonsaturating}


def generator_grad_norm(G, D, z, loss="minimax"):
    """Euclidean norm of the gradient of a generator loss w.r.t. all of G's parameters."""
    if loss not in G_LOSSES:
        raise ValueError(f"loss must be one of {sorted(G_LOSSES)}, got {loss!r}")
    params = [p for p in G.parameters() if p.requires_grad]
    grads = torch.autograd.grad(G_LOSSES[loss](D(G(z))), params)
    return float(torch.sqrt(sum((g**2).sum() for g in grads)))


def gradient_under_training_d(G, D, real, d_steps=1000, batch_size=256, lr_d=1e-3, seed=0, device="cpu"):
    """Train D (Adam, cross-entropy) against a fixed G; record the generator's gradients.

    Returns a dict of arrays, one entry per D update (after the update): ``minimax`` and
    ``nonsaturating`` gradient norms (on a fresh latent batch), ``d_loss`` and ``d_fake``
    (mean D(G(z)))."""
    d_steps, batch_size = checks.positive_int("d_steps", d_steps), checks.positive_int("batch_size", batch_size)
    checks.positive("lr_d", lr_d)
    seed_everything(seed)
    G, D = G.to(device), D.to(device)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(D.parameters(), lr=lr_d, betas=(0.5, 0.999))
    out = {k: np.zeros(d_steps) for k in ("minimax", "nonsaturating", "d_loss", "d_fake")}
    for t in range(d_steps):
        x = real.sample(batch_size, generator=g).to(device)
        with torch.no_grad():
            fake = G(G.sample_latent(batch_size, g, "cpu").to(device))
        loss_d = losses.d_loss_minimax(D(x), D(fake))
        opt.zero_grad(set_to_none=True)
        loss_d.backward()
        opt.step()
        z = G.sample_latent(batch_size, g, "cpu").to(device)
        out["d_loss"][t] = float(loss_d.detach())
        out["minimax"][t] = generator_grad_norm(G, D, z, "minimax")
        out["nonsaturating"][t] = generator_grad_norm(G, D, z, "nonsaturating")
        with torch.no_grad():
            out["d_fake"][t] = float(torch.sigmoid(D(G(z))).mean())
    return out


def nonsaturating_decomposition(p_data, p_g, lo=None, hi=None, n=200_001):
    """The terms of E_{p_g}[-log D*] for two 1-D densities, by quadrature (Arjovsky & Bottou 2017, Thm 2.5).

    Returns ``expected`` = E_{p_g}[-log D*(x)] computed directly, ``kl`` = KL(p_g || p_data),
    ``jsd`` = JSD(p_g || p_data) and ``e_data_log_d`` = E_{p_data}[log D*], so that
    expected = kl - 2 jsd + 2 log 2 + e_data_log_d."""
    x = quadrature_grid(p_data, p_g, lo, hi, n)
    log_r, log_g = p_data.log_pdf(x), p_g.log_pdf(x)
    log_sum = np.logaddexp(log_r, log_g)
    log_d = log_r - log_sum  # log D*(x)
    expected = integrate(np.exp(log_g) * (-log_d), x)
    e_data = integrate(np.exp(log_r) * log_d, x)
    return {"expected": expected, "kl": kl_divergence(p_g, p_data, lo, hi, n),
            "jsd": js_divergence(p_g, p_data, lo, hi, n), "e_data_log_d": e_data, "log4": 2 * math.log(2)}
