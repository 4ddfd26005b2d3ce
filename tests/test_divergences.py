import math

import numpy as np
import pytest
from scipy import integrate, stats

from gan_course import divergences as dv, toys


def kl_gauss(m1, s1, m2, s2):
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


@pytest.mark.parametrize("m1,s1,m2,s2", [(0, 1, 1, 1), (0, 0.5, 2, 1.5), (-1, 2, 0.3, 0.7)])
def test_kl_between_gaussians_matches_closed_form(m1, s1, m2, s2):
    p, q = toys.gaussian1d(m1, s1), toys.gaussian1d(m2, s2)
    assert dv.kl_divergence(p, q) == pytest.approx(kl_gauss(m1, s1, m2, s2), abs=1e-8)


def test_tv_between_equal_width_gaussians_matches_closed_form():
    # TV(N(a, s^2), N(b, s^2)) = 2 Phi(|a - b| / (2 s)) - 1
    p, q = toys.gaussian1d(0, 1), toys.gaussian1d(1.3, 1)
    assert dv.tv_distance(p, q) == pytest.approx(2 * stats.norm.cdf(1.3 / 2) - 1, abs=1e-8)


def test_js_against_scipy_quad_and_bounds():
    p = toys.GaussianMixture1D((-1, 2), (0.4, 0.8), (0.3, 0.7))
    q = toys.gaussian1d(0.5, 1.0)

    def integrand(x):
        a, b = p.pdf(x), q.pdf(x)
        m = (a + b) / 2
        return 0.5 * (a * np.log(a / m) + b * np.log(b / m))

    want = integrate.quad(integrand, -12, 12, limit=200)[0]
    assert dv.js_divergence(p, q) == pytest.approx(want, abs=1e-8)
    assert dv.js_divergence(p, p) == pytest.approx(0, abs=1e-12)


def test_disjoint_supports_give_js_log2_tv_1_kl_inf():
    u0 = lambda x: ((x >= 0) & (x <= 1)).astype(float)
    u1 = lambda x: ((x >= 2) & (x <= 3)).astype(float)
    assert dv.js_divergence(u0, u1, -1, 4) == pytest.approx(math.log(2), abs=1e-4)
    assert dv.tv_distance(u0, u1, -1, 4) == pytest.approx(1, abs=1e-4)
    assert dv.kl_divergence(u0, u1, -1, 4) == float("inf")


def test_plain_functions_need_bounds():
    with pytest.raises(ValueError, match="lo and hi"):
        dv.kl_divergence(np.exp, np.exp)


def test_w1_1d_sorting_matches_scipy():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=500), rng.normal(1, 2, size=500)
    assert dv.w1_1d(x, y) == pytest.approx(stats.wasserstein_distance(x, y), abs=1e-10)
    z = rng.exponential(size=313)  # unequal sizes go through the CDF area
    assert dv.w1_1d(x, z) == pytest.approx(stats.wasserstein_distance(x, z), abs=1e-10)


def test_w1_exact_matches_brute_force_over_permutations():
    from itertools import permutations

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    brute = min(np.mean([np.linalg.norm(x[i] - y[j]) for i, j in enumerate(p)]) for p in permutations(range(6)))
    cost, perm = dv.optimal_coupling(x, y)
    assert cost == pytest.approx(brute, abs=1e-12)
    assert sorted(perm) == list(range(6))
    assert dv.w1_exact(x, y + np.array([3.0, 4.0])) <= 5 + np.abs(x - y).sum()


def test_w1_exact_of_a_translate_is_the_shift():
    x = np.random.default_rng(2).normal(size=(50, 2))
    assert dv.w1_exact(x, x + np.array([0.3, -0.4])) == pytest.approx(0.5)


def test_w1_exact_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        dv.w1_exact(np.zeros((3, 2)), np.zeros((4, 2)))


def test_js_integrand_pointwise():
    # disjoint: p log(p / (p/2)) = p log 2; equal: 0; 0 log 0 = 0
    t = dv.js_integrand(np.array([2.0, 0.0, 1.0, 0.0]), np.array([0.0, 3.0, 1.0, 0.0]))
    assert np.allclose(t, [2 * np.log(2), 3 * np.log(2), 0.0, 0.0])


def test_w1_1d_refuses_points_in_two_dimensions():
    x = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match=r"x must have shape \(N,\) or \(N, 1\), got \(50, 2\).*w1_exact"):
        dv.w1_1d(x, x)
    assert dv.w1_1d(x[:, :1], x[:, 1:] + 1) == dv.w1_1d(x[:, 0], x[:, 1] + 1)
