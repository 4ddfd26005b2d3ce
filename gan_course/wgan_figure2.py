"""WGAN's Figure 2 in one dimension: a saturated GAN discriminator against a Lipschitz critic
(Arjovsky, Chintala & Bottou 2017, Figure 2 and Sec. 3).

Two Gaussians far apart: a discriminator trained with the cross-entropy becomes a near-perfect
classifier, D(x) = sigmoid(a(x)) is ~0 or ~1 wherever there are samples, and the generator's
minimax gradient d/dx log(1 - D(x)) = -D(x) a'(x) vanishes on the fakes. A critic f held
1-Lipschitz (here by the gradient penalty) has |f'(x)| ~ 1 between and on both supports: a useful
gradient everywhere. Along a path of generators moving towards the data (D and f retrained at
each position), the GAN side's estimate JSD ~ (log 4 - BCE) / 2 (Goodfellow et al. 2014,
Theorem 1, with BCE = -V) stays at log 2 while the supports are apart, whereas the critic's
E_r f - E_g f follows W1 = |mu_g - mu_data| down.
"""
import math

import numpy as np
import torch

from . import checks, losses, nets, penalties, toys, wgan
from .divergences import w1_1d
from .optimal import train_discriminator


def input_gradients(net, x):
    """(output, d output / dx) of a 1-D network ``net`` at the points ``x`` (NumPy (N,)), by autograd."""
    p = next(net.parameters())
    xt = torch.as_tensor(np.asarray(x, float).reshape(-1, 1), dtype=p.dtype, device=p.device).requires_grad_(True)
    out = net(xt)
    (g,) = torch.autograd.grad(out.sum(), xt)
    return out.detach().cpu().numpy(), g[:, 0].detach().cpu().numpy()


def minimax_generator_gradient(D, x):
    """|d/dx log(1 - D(x))| = D(x) |a'(x)| at fake points x: the push the minimax generator gets."""
    a, da = input_gradients(D, x)
    return 1 / (1 + np.exp(-a)) * np.abs(da)


def js_estimate(D, real, fake):
    """(log 4 - BCE) / 2 on the sample sets: a lower bound on JSD that is tight for D = D*."""
    p = next(D.parameters())
    with torch.no_grad():
        bce = losses.d_loss_minimax(D(real.to(p.device, p.dtype)), D(fake.to(p.device, p.dtype)))
    return (math.log(4) - float(bce)) / 2


def train_pair(real, fake, steps=600, seed=0, D=None, f=None, width=32, device="cpu"):
    """Train (or keep training) a cross-entropy discriminator D and a gradient-penalty critic f on
    ``real`` against ``fake`` (1-D toys). Returns (D, f)."""
    steps = checks.positive_int("steps", steps)
    if D is None:
        torch.manual_seed(seed)
        D = nets.Discriminator(1, width, 2)
    if f is None:
        torch.manual_seed(seed + 1)
        f = nets.Discriminator(1, width, 2)
    train_discriminator(D, real, fake, steps=steps, batch_size=256, lr=2e-3, seed=seed, device=device)
    wgan.train_critic(f, real, fake, steps=steps, batch_size=256, lr=2e-3, penalty=penalties.gradient_penalty,
                      penalty_weight=10.0, seed=seed, device=device)
    return D, f


def estimates_along_path(real, mus, std, steps=300, seed=0, n_eval=20_000, device="cpu"):
    """For each generator p_g = N(mu, std^2) in ``mus`` (D and f warm-started from the previous one),
    the GAN side's JS estimate, the critic's E_r f - E_g f, and the exact W1 (sorted samples).
    Returns a dict of arrays."""
    D = f = None
    out = {k: [] for k in ("js", "critic", "w1")}
    for i, mu in enumerate(mus):
        fake = toys.gaussian1d(float(mu), std)
        D, f = train_pair(real, fake, steps, seed + i, D, f, device=device)
        r, g = real.sample(n_eval, seed=10_000 + i), fake.sample(n_eval, seed=20_000 + i)
        out["js"].append(js_estimate(D, r, g))
        out["critic"].append(wgan.critic_w1_estimate(f, r, g))
        out["w1"].append(w1_1d(r, g))
    return {k: np.array(v) for k, v in out.items()}
