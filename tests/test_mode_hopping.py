import math

import numpy as np
import pytest
from scipy import stats

from gan_course import mode_hopping


def test_balanced_null_matches_brute_force_and_large_n_limit():
    # n = 2, K = 2: the histogram is (2, 0) or (0, 2) with prob 1/2 (KL log 2), (1, 1) with prob 1/2 (KL 0)
    null = mode_hopping.balanced_reverse_kl(2, 2, n_sim=40_000, seed=1)
    assert np.mean(np.isclose(null, math.log(2))) == pytest.approx(0.5, abs=0.01)
    assert np.all(np.isclose(null, 0) | np.isclose(null, math.log(2)))
    # large n: 2 n KL ~ chi-square with K - 1 degrees of freedom, mean (K - 1) / (2 n)
    big = mode_hopping.balanced_reverse_kl(10_000, 8, n_sim=4000, seed=2)
    assert big.mean() == pytest.approx(7 / 20_000, rel=0.05)
    # the example: 20 samples over 8 modes give a mean reverse KL near 0.2
    assert 0.15 < mode_hopping.balanced_reverse_kl(20, 8, seed=3).mean() < 0.25


def test_reverse_kl_p_value():
    assert mode_hopping.reverse_kl_p_value([100, 100, 100, 100]) > 0.5  # perfectly balanced
    assert mode_hopping.reverse_kl_p_value([400, 0, 0, 0], n_sim=999) == pytest.approx(1 / 1000)
    # agrees with the exact multinomial tail for a small case: n = 3, K = 2, counts (3, 0): P = 2/8
    assert mode_hopping.reverse_kl_p_value([3, 0], n_sim=40_000) == pytest.approx(0.25, abs=0.01)
    with pytest.raises(ValueError):
        mode_hopping.reverse_kl_p_value([0, 0, 0])


def test_homogeneity_matches_scipy_and_hops():
    a, b = [50, 30, 0, 20], [20, 30, 0, 50]
    want = stats.chi2_contingency(np.array([[50, 30, 20], [20, 30, 50]]), correction=False).pvalue
    assert mode_hopping.homogeneity_p_value(a, b) == pytest.approx(want)
    assert mode_hopping.homogeneity_p_value([10, 10], [10, 10]) == pytest.approx(1.0)
    h = mode_hopping.hops({0: [50, 50, 0], 250: [0, 50, 50], 500: [0, 49, 51]}, high=0.15, low=0.02)
    assert h == [(0, 0, 250, 0.5, 0.0), (2, 0, 250, 0.0, 0.5)]
    with pytest.raises(ValueError):
        mode_hopping.hops({0: [1, 1]}, high=0.1, low=0.2)
