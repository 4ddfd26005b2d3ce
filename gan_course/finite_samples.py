"""Finite samples have disjoint supports (the "GAN 的后序" notes; Arjovsky & Bottou 2017, Sec. 2).

Even when p_data = p_g, a discriminator only ever sees two finite samples, and two samples of a
continuous law share no point with probability 1. Their empirical laws P_n, Q_n are then supported on
disjoint sets, so JS(P_n, Q_n) = log 2 exactly and the optimal D for them is 1 on every real point and 0
on every generated one: a D that can memorise its minibatch drives its loss to 0 and the minimax
generator's gradient away, whatever the true distance. What it learnt does not generalise: on fresh
samples it is at chance.
"""
import math

import numpy as np
import torch

from . import checks, nets
from .divergences import as_numpy


def empirical_js(a, b, decimals=12):
    """JS(P_a, P_b) between the empirical laws of two point sets (N, d), (M, d), in nats: points equal
    to ``decimals`` places are one atom. JS = 1/2 KL(P_a || m) + 1/2 KL(P_b || m), m = (P_a + P_b) / 2."""
    a = np.round(np.asarray(as_numpy(a), float), decimals)
    b = np.round(np.asarray(as_numpy(b), float), decimals)
    atoms, inv = np.unique(np.concatenate([a, b]), axis=0, return_inverse=True)
    inv = inv.ravel()
    pa = np.bincount(inv[: len(a)], minlength=len(atoms)) / len(a)
    pb = np.bincount(inv[len(a):], minlength=len(atoms)) / len(b)
    m = (pa + pb) / 2

    def kl(p):
        nz = p > 0
        return float((p[nz] * np.log(p[nz] / m[nz])).sum())

    return 0.5 * kl(pa) + 0.5 * kl(pb)


def memorising_discriminator(real, fake, steps=3000, width=256, depth=2, lr=3e-3, seed=0):
    """An MLP D trained full-batch on the two finite samples ``real``, ``fake`` (N, d) with the
    cross-entropy of the minimax GAN. Returns (D on the CPU, BCE after each step (steps,))."""
    checks.positive_int("steps", steps)
    real, fake = torch.as_tensor(as_numpy(real), dtype=torch.float32), torch.as_tensor(as_numpy(fake), dtype=torch.float32)
    torch.manual_seed(seed)
    D = nets.Discriminator(real.shape[1], width, depth)
    opt = torch.optim.Adam(D.parameters(), lr=lr)
    hist = np.zeros(steps)
    for t in range(steps):
        loss = torch.nn.functional.softplus(-D(real)).mean() + torch.nn.functional.softplus(D(fake)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        hist[t] = loss.item()
    return D.eval(), hist


@torch.no_grad()
def accuracy(D, real, fake):
    """Fraction of points classified correctly by D (real if D(x) > 1/2)."""
    r = D(torch.as_tensor(as_numpy(real), dtype=torch.float32)) > 0
    f = D(torch.as_tensor(as_numpy(fake), dtype=torch.float32)) <= 0
    return float(torch.cat([r, f]).float().mean())


def binomial_upper_p(k, n, p=0.5):
    """P(X >= k) for X ~ Binomial(n, p): the one-sided p-value of k correct out of n against chance."""
    from scipy.stats import binom

    return float(binom.sf(k - 1, n, p))
