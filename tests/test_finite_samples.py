import math

import numpy as np
import torch
from scipy.stats import binom

from gan_course import finite_samples as fs


def test_empirical_js():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(30, 2, generator=g), torch.randn(40, 2, generator=g)
    assert abs(fs.empirical_js(a, b) - math.log(2)) < 1e-12
    assert fs.empirical_js(a, a) == 0.0
    # half the points shared: P_a uniform on {1,2}, P_b uniform on {2,3}: JS = 1/2 log 2
    x = np.array([[1.0], [2.0]]), np.array([[2.0], [3.0]])
    assert abs(fs.empirical_js(*x) - 0.5 * math.log(2)) < 1e-12


def test_memorising_discriminator_separates_same_law_samples():
    g = torch.Generator().manual_seed(0)
    r, f = torch.randn(32, 2, generator=g), torch.randn(32, 2, generator=g)
    D, hist = fs.memorising_discriminator(r, f, steps=800, width=128, seed=0)
    assert fs.accuracy(D, r, f) == 1.0 and hist[-1] < hist[0] / 5
    acc = fs.accuracy(D, torch.randn(1000, 2, generator=g), torch.randn(1000, 2, generator=g))
    assert 0.44 < acc < 0.56


def test_binomial_upper_p():
    assert abs(fs.binomial_upper_p(60, 100) - binom.sf(59, 100, 0.5)) < 1e-15
    assert abs(fs.binomial_upper_p(0, 10) - 1.0) < 1e-12
