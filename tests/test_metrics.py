"""gan_course.metrics against brute-force counts written as plain Python loops."""
import math

import numpy as np
import pytest
import torch

import gan_course as gc
from gan_course import metrics


def brute_force(samples, centres, std, threshold=3.0):
    """Plain loops: nearest centre, high-quality test, per-mode counts, reverse KL to uniform."""
    counts = [0] * len(centres)
    n_hq = 0
    for s in samples:
        best, best_d = None, math.inf
        for k, c in enumerate(centres):
            d = math.sqrt(sum((float(a) - float(b)) ** 2 for a, b in zip(s, c)))
            if d < best_d:
                best, best_d = k, d
        if best_d < threshold * std:
            counts[best] += 1
            n_hq += 1
    covered = sum(1 for c in counts if c > 0)
    if n_hq == 0:
        rkl = math.inf
    else:
        rkl = sum((c / n_hq) * math.log((c / n_hq) * len(centres)) for c in counts if c > 0)
    return covered, n_hq / len(samples), rkl, counts


def check(samples, centres, std, threshold=3.0):
    got = metrics.mode_stats(samples, centres, std, threshold)
    covered, hq, rkl, counts = brute_force(np.asarray(samples), np.asarray(centres), std, threshold)
    assert got.modes_covered == covered
    assert got.n_modes == len(centres)
    assert got.hq_fraction == pytest.approx(hq, abs=1e-12)
    assert list(got.counts) == counts
    if math.isinf(rkl):
        assert math.isinf(got.reverse_kl)
    else:
        assert got.reverse_kl == pytest.approx(rkl, abs=1e-12)
    return got


RING = gc.toys.ring8()


def test_hand_made_set():
    c = RING.centres
    s = 0.02  # ring8 std: high quality means within 0.06 of a centre
    pts = [c[0] + [0.01, 0], c[0] + [0, 0.059], c[1] + [0.03, 0.03], c[1] + [0.05, 0.05],  # last: 0.0707 away
           c[2] + [-0.061, 0], [0.0, 0.0], c[5] + [0.0, 0.0], c[5] + [0.001, -0.002]]
    got = check(np.array(pts), c, s)
    assert got.counts == (2, 1, 0, 0, 0, 2, 0, 0)
    assert got.modes_covered == 3 and got.hq_fraction == pytest.approx(5 / 8)
    p = np.array([2, 1, 2]) / 5
    assert got.reverse_kl == pytest.approx(math.log(8) + np.sum(p * np.log(p)))


def test_no_high_quality_sample():
    pts = np.array([[0.0, 0.0], [10.0, 10.0], [1.0, 1.0]])
    got = check(pts, RING.centres, RING.std)
    assert got.modes_covered == 0 and got.hq_fraction == 0 and math.isinf(got.reverse_kl)


def test_all_in_one_mode():
    pts = RING.centres[3] + 0.01 * np.random.default_rng(0).uniform(-1, 1, size=(100, 2))
    got = check(pts, RING.centres, RING.std)
    assert got.modes_covered == 1 and got.hq_fraction == 1.0
    assert got.reverse_kl == pytest.approx(math.log(8))  # the largest possible


def test_exactly_uniform():
    pts = np.repeat(RING.centres, 7, axis=0) + 0.001
    got = check(pts, RING.centres, RING.std)
    assert got.modes_covered == 8 and got.counts == (7,) * 8
    assert got.reverse_kl == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_sets_grid25(seed):
    g = gc.toys.grid25()
    rng = np.random.default_rng(seed)
    # a mix of near-mode points (some high quality, some just outside) and background points
    k = rng.integers(0, 25, size=300)
    pts = np.concatenate([g.centres[k] + rng.normal(scale=0.12, size=(300, 2)), rng.uniform(-5, 5, size=(100, 2))])
    check(pts, g.centres, g.std)
    check(pts, g.centres, g.std, threshold=1.0)


def test_real_samples_cover_all_modes():
    got = check(RING.sample(400, seed=0).numpy(), RING.centres, RING.std)
    assert got.modes_covered == 8 and got.hq_fraction > 0.96  # P(chi2_2 < 9) = 0.989


def test_tensor_input_and_mode_stats_for():
    x = RING.sample(200, seed=1)
    assert metrics.mode_stats_for(x, RING) == metrics.mode_stats(x.numpy(), RING.centres, RING.std)
    assert metrics.mode_stats_for(torch.zeros(5, 2), RING).modes_covered == 0


def test_bad_input():
    with pytest.raises(ValueError):
        metrics.mode_stats(np.zeros((5, 3)), RING.centres, RING.std)
    with pytest.raises(ValueError):
        metrics.mode_stats(np.zeros((0, 2)), RING.centres, RING.std)
    with pytest.raises(ValueError):
        metrics.mode_stats(np.zeros((5, 2)), RING.centres, 0.0)


def test_toy_table_prints_published_rows_and_our_means():
    runs = [dict(modes_covered=8, hq_fraction=0.90), dict(modes_covered=7, hq_fraction=0.95)]
    text = metrics.toy_table([("ours", runs, [])]).splitlines()
    assert len(text) == 1 + len(metrics.PUBLISHED_TOY_TABLE) + 1
    assert "PacGAN4" in text[-2] and "95.9" in text[-2] and "93.6" in text[-2]
    # (8 + 7) / 2 = 7.5 modes, (90 + 95) / 2 = 92.5 %HQ, no grid runs, 2 seeds
    assert text[-1].split() == ["ours", "7.5", "/", "92.5", "-", "(2", "seeds)"]


def test_kl_to_uniform_and_threshold_bad_input():
    with pytest.raises(ValueError, match=">= 0"):
        metrics.kl_to_uniform([1.5, -0.5])
    with pytest.raises(ValueError, match="sum to 1"):
        metrics.kl_to_uniform([3, 1])  # counts, not probabilities
    with pytest.raises(ValueError, match="threshold"):
        metrics.mode_stats(np.zeros((4, 2)), np.zeros((1, 2)), 0.1, threshold=-1)
