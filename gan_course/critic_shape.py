"""Does a critic bend around the data? A local-peak test for value surfaces (chapter 05).

Gulrajani et al. (2017, Figure 1a) show that clipped WGAN critics are simple bumps while penalised
critics follow the data's shape. ``local_peak_fraction`` turns that picture into a number: for real
points x and random unit directions u,

    P[f(x) > f(x + r u)],

the chance that stepping a distance r off the data (r: half the gap between neighbouring modes or
arms) lowers the critic. A critic that peaks on every mode or arm scores near 1. A single central
bump f = -||x||^2 scores acos(-r / (2 ||x||)) / pi for points at radius ||x|| (about 0.56 on the ring),
and a constant or a plane scores 1/2.

``gan_toy_scaled(name)``: the toys as Gulrajani et al.'s gan_toy.py feeds them to the critic (ring
and its std divided by 1.414, grid and its std by 2.828, swiss roll divided by 7.5 as ours already is),
with the neighbour gap r used by the test.
"""
import math

import numpy as np
import torch

from . import checks, toys

#: name -> (toy, r = half the distance between neighbouring modes / arms, plotting half-width)
_RING_R = 2.0 / 1.414
_GRID_SPACING = 2.0 / 2.828


def gan_toy_scaled(name):
    """(toy, r, lim) for ``name`` in {"ring8", "grid25", "swissroll"}, scaled as in gan_toy.py."""
    if name == "ring8":
        toy = toys.ring8(radius=_RING_R, std=0.02 / 1.414)
        return toy, _RING_R * math.sin(math.pi / 8), 2.5  # half the chord between neighbours
    if name == "grid25":
        return toys.grid25(spacing=_GRID_SPACING, std=0.05 / 2.828), _GRID_SPACING / 2, 2.5
    if name == "swissroll":
        return toys.swissroll(), math.pi / 7.5, 2.5  # arms (radius t / 7.5) are 2 pi / 7.5 apart; half of it
    raise ValueError(f"unknown toy {name!r}; choose ring8, grid25 or swissroll")


def local_peak_fraction(f, points, r, n_directions=16, seed=0):
    """P[f(x) > f(x + r u)] over ``points`` (N, 2) and ``n_directions`` uniform directions u per point.

    ``f`` maps a (M, 2) float tensor to (M,) values. Returns a float in [0, 1]."""
    checks.positive("r", r)
    n_directions = checks.positive_int("n_directions", n_directions)
    x = torch.as_tensor(np.asarray(points, float), dtype=torch.get_default_dtype())
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {tuple(x.shape)}")
    g = torch.Generator().manual_seed(seed)
    angle = 2 * math.pi * torch.rand(x.shape[0], n_directions, generator=g, dtype=torch.float64)
    u = torch.stack([torch.cos(angle), torch.sin(angle)], -1).to(x.dtype)  # (N, M, 2)
    with torch.no_grad():
        here = f(x)[:, None]  # (N, 1)
        away = f((x[:, None, :] + r * u).reshape(-1, 2)).reshape(x.shape[0], n_directions)
    return float((here > away).double().mean())
