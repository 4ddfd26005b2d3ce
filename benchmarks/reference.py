"""The plain PyTorch loops a tutorial would write: the baseline the course's trainers are measured against.

One model, nn.Sequential MLPs, Adam, the real data drawn from the same ring8 sampler as the course
uses, the non-saturating loss via BCEWithLogits, and WGAN-GP with an inline gradient penalty.
Deliberately written independently of gan_course.training.
"""
import torch
from torch import nn

from gan_course import toys


def sequential_mlp(d_in, d_out, width, depth=3):
    layers, d = [], d_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.ReLU()]
        d = width
    return nn.Sequential(*layers, nn.Linear(d, d_out))


def reference_gan(steps, width, device, batch=256, seed=0, data=None, probe=None, probe_every=100):
    """Non-saturating GAN on ring8 (or ``data``), one D step per G step (Goodfellow et al. 2014, Algorithm 1).

    ``probe(step, G)``, if given, is called before training and every ``probe_every`` generator steps."""
    torch.manual_seed(seed)
    G, D = sequential_mlp(2, 2, width).to(device), sequential_mlp(2, 1, width).to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ring = data or toys.ring8()
    ones, zeros = torch.ones(batch, 1, device=device), torch.zeros(batch, 1, device=device)
    if probe is not None:
        probe(0, G)
    for step in range(steps):
        real = ring.sample(batch).to(device)
        with torch.no_grad():
            fake = G(torch.randn(batch, 2, device=device))
        loss_d = bce(D(real), ones) + bce(D(fake), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        # a fresh noise minibatch for the generator update, as in Algorithm 1 of Goodfellow et al. (2014)
        loss_g = bce(D(G(torch.randn(batch, 2, device=device))), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        if probe is not None and (step + 1) % probe_every == 0:
            probe(step + 1, G)
    return float(loss_d.detach())


def reference_wgan_gp(steps, width, device, batch=256, seed=0, n_critic=5, lam=10.0, data=None, probe=None,
                      probe_every=100):
    """WGAN-GP on ring8 (or ``data``) (Gulrajani et al. 2017, Algorithm 1), n_critic critic steps per G step.

    The authors' toy script uses width 512, lam 0.1, 5 critic steps, Adam lr 1e-4, betas (0.5, 0.9),
    minibatch 256. ``probe(step, G)`` as in ``reference_gan``."""
    torch.manual_seed(seed)
    G, D = sequential_mlp(2, 2, width).to(device), sequential_mlp(2, 1, width).to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.5, 0.9))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.5, 0.9))
    ring = data or toys.ring8()
    if probe is not None:
        probe(0, G)
    for step in range(steps):
        for _ in range(n_critic):
            real = ring.sample(batch).to(device)
            with torch.no_grad():
                fake = G(torch.randn(batch, 2, device=device))
            a = torch.rand(batch, 1, device=device)
            mid = (a * real + (1 - a) * fake).requires_grad_(True)
            grad, = torch.autograd.grad(D(mid).sum(), mid, create_graph=True)
            gp = ((grad.norm(dim=1) - 1) ** 2).mean()
            loss_d = D(fake).mean() - D(real).mean() + lam * gp
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
        loss_g = -D(G(torch.randn(batch, 2, device=device))).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        if probe is not None and (step + 1) % probe_every == 0:
            probe(step + 1, G)
    return float(loss_d.detach())
