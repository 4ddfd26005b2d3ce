"""gan_course.manifolds against closed forms, scipy quadrature and brute force."""
import math

import numpy as np
import pytest
from scipy.integrate import quad

from gan_course import manifolds


def test_one_atom_matches_scipy_quad():
    pf = lambda y: 0.5 + y  # a density on [0, 1]
    p = lambda a, y: pf(y)
    q = lambda a, y: np.ones_like(y)  # uniform
    d = manifolds.product_divergences(p, q, [0.0])
    assert d["kl_pq"] == pytest.approx(quad(lambda y: pf(y) * math.log(pf(y)), 0, 1)[0], abs=1e-9)
    assert d["kl_qp"] == pytest.approx(quad(lambda y: -math.log(pf(y)), 0, 1)[0], abs=1e-9)
    assert d["tv"] == pytest.approx(0.125, abs=1e-6)  # 1/2 int |y - 1/2| dy
    m = lambda y: (pf(y) + 1) / 2
    js = 0.5 * quad(lambda y: pf(y) * math.log(pf(y) / m(y)) + math.log(1 / m(y)), 0, 1)[0]
    assert d["js"] == pytest.approx(js, abs=1e-9)


def test_two_atoms_partial_overlap_by_hand():
    # p: half its mass on each line; q: all on the line at 0
    p = lambda a, y: np.full_like(y, 0.5)
    q = lambda a, y: np.full_like(y, 1.0 if a == 0 else 0.0)
    d = manifolds.product_divergences(p, q, [0.0, 2.0])
    js = 0.5 * (0.5 * math.log(0.5 / 0.75) + 1.0 * math.log(1 / 0.75)) + 0.5 * (0.5 * math.log(0.5 / 0.25))
    assert d["js"] == pytest.approx(js, abs=1e-9)
    assert d["tv"] == pytest.approx(0.5, abs=1e-9)
    assert d["kl_pq"] == math.inf
    assert d["kl_qp"] == pytest.approx(math.log(2), abs=1e-9)


@pytest.mark.parametrize("theta", [-1.0, -0.3, 1e-3, 0.5, 2.0])
def test_parallel_lines_disjoint(theta):
    d = manifolds.parallel_lines_divergences(theta, n_w1=64)
    assert d["js"] == pytest.approx(math.log(2), abs=1e-9)
    assert d["tv"] == pytest.approx(1.0, abs=1e-9)
    assert d["kl"] == math.inf
    assert d["w1"] == pytest.approx(abs(theta), abs=1e-9)
    assert d["w1_x"] == pytest.approx(abs(theta), abs=1e-12)


def test_parallel_lines_at_zero():
    d = manifolds.parallel_lines_divergences(0.0, n_w1=64)
    assert d["js"] == pytest.approx(0.0, abs=1e-12) and d["kl"] == pytest.approx(0.0, abs=1e-12)
    assert d["tv"] == pytest.approx(0.0, abs=1e-12) and d["w1"] == pytest.approx(0.0, abs=1e-12)


def test_w1_brute_force_small():
    # every permutation of 5 points: the cheapest matching costs |theta|
    from itertools import permutations

    a, b = manifolds.line_samples(0.0, 5), manifolds.line_samples(0.7, 5)
    best = min(np.mean([np.linalg.norm(a[i] - b[j]) for i, j in enumerate(perm)]) for perm in permutations(range(5)))
    assert manifolds.parallel_lines_divergences(0.7, n_w1=5)["w1"] == pytest.approx(best, abs=1e-12)
    assert best == pytest.approx(0.7, abs=1e-12)


def test_distance_to_segment_brute_force():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 2)) * 2
    a, b = np.array([0.0, 0.0]), np.array([0.0, 1.0])
    seg = np.stack([np.zeros(20001), np.linspace(0, 1, 20001)], 1)
    brute = np.array([np.min(np.linalg.norm(seg - p, axis=1)) for p in x])
    assert np.allclose(manifolds.distance_to_segment(x, a, b), brute, atol=1e-4)


def test_fraction_within_brute_force():
    d = np.array([0.5, 0.01, 0.2, 0.001, 3.0])
    eps = [1e-3, 1e-2, 0.3, 1.0]
    brute = [sum(1 for v in d if v < e) / len(d) for e in eps]
    assert np.allclose(manifolds.fraction_within(d, eps), brute)


def test_bad_input():
    with pytest.raises(ValueError):
        manifolds.distance_to_segment(np.zeros(3), [0, 0], [0, 1])
    with pytest.raises(ValueError):
        manifolds.product_divergences(lambda a, y: y, lambda a, y: y, [], 0, 1)
