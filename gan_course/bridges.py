"""Where do a generator's missed samples lie? Bridges between modes against isotropic blur (chapters 05, 07).

A continuous generator with a connected latent space cannot put all its mass on separate modes: it must
stretch thin "bridges" of samples between them. ``miss_report(samples, toy)`` splits the samples that
are *not* high quality (3 std or more from every centre) into *blur* (under ``far`` std from the
nearest centre) and *far* misses, and for the far ones measures the share within ``width`` of a
segment joining two neighbouring centres (neighbours: centres at the smallest spacing). The null is
isotropic blur: each far miss kept at its distance from its nearest centre but turned to a uniformly
random direction (``n_rot`` turns each); the report gives both shares and the one-sided binomial
p-value of the observed count under the null share.
"""
from dataclasses import dataclass

import numpy as np
from scipy import stats


def neighbour_segments(centres, tol=1.01):
    """(S, 2, 2) segments joining centres whose distance is within ``tol`` of the smallest spacing."""
    c = np.asarray(centres, float)
    d = np.sqrt(((c[:, None] - c[None]) ** 2).sum(-1))
    spacing = d[d > 0].min()
    i, j = np.nonzero(np.triu((d > 0) & (d <= tol * spacing)))
    return np.stack([c[i], c[j]], 1)


def distance_to_segments(x, segments):
    """(N,) distance from each point of ``x`` (N, 2) to the nearest of ``segments`` (S, 2, 2)."""
    x = np.asarray(x, float)
    a, b = segments[:, 0], segments[:, 1]  # (S, 2)
    ab = b - a
    t = np.clip((((x[:, None] - a[None]) * ab[None]).sum(-1)) / (ab**2).sum(-1)[None], 0, 1)  # (N, S)
    nearest = a[None] + t[..., None] * ab[None]  # (N, S, 2)
    return np.sqrt(((x[:, None] - nearest) ** 2).sum(-1)).min(1)


@dataclass(frozen=True)
class MissReport:
    n: int  # samples
    misses: int  # not high quality (>= 3 std from every centre)
    far: int  # misses at least `far` std from every centre
    on_bridge: float  # share of far misses within `width` of a neighbour segment
    null_on_bridge: float  # the same share for far misses turned to random directions
    p_value: float  # P(Binomial(far, null_on_bridge) >= observed count)


def miss_report(samples, toy, far=6.0, width=2.0, n_rot=200, seed=0):
    """Split the misses of ``samples`` on mixture ``toy`` into blur and far; test the far ones for bridges.

    ``far`` and ``width`` are in units of the toy's std."""
    x = np.asarray(samples, float)
    c, s = np.asarray(toy.centres, float), float(toy.std)
    d = np.sqrt(((x[:, None] - c[None]) ** 2).sum(-1))  # (N, K)
    near, dist = d.argmin(1), d.min(1)
    miss = dist >= 3 * s
    is_far = dist >= far * s
    seg = neighbour_segments(c)
    xf, cf, rf = x[is_far], c[near[is_far]], dist[is_far]
    if len(xf) == 0:
        return MissReport(len(x), int(miss.sum()), 0, float("nan"), float("nan"), float("nan"))
    on = distance_to_segments(xf, seg) < width * s
    rng = np.random.default_rng(seed)
    ang = rng.uniform(0, 2 * np.pi, (len(xf), n_rot))
    turned = cf[:, None] + rf[:, None, None] * np.stack([np.cos(ang), np.sin(ang)], -1)  # (F, n_rot, 2)
    null = float((distance_to_segments(turned.reshape(-1, 2), seg) < width * s).mean())
    p = float(stats.binom.sf(on.sum() - 1, len(xf), null))
    return MissReport(len(x), int(miss.sum()), int(is_far.sum()), float(on.mean()), null, p)
