import math

import numpy as np
import pytest
import torch

from gan_course import critic_shape, toys


def test_central_bump_matches_the_closed_form():
    # f = -||x||^2 on points at radius R: f(x + r u) < f(x) iff cos(angle(x, u)) > -r / (2R)
    R, r = 1.414, 0.5
    a = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    pts = R * np.stack([np.cos(a), np.sin(a)], 1)
    got = critic_shape.local_peak_fraction(lambda x: -(x**2).sum(1), pts, r, n_directions=200, seed=1)
    assert got == pytest.approx(math.acos(-r / (2 * R)) / math.pi, abs=0.01)


def test_density_peaks_score_one_and_a_plane_scores_half():
    toy, r, _ = critic_shape.gan_toy_scaled("ring8")
    pts = toy.sample(500, seed=0)
    c = torch.as_tensor(toy.centres, dtype=torch.get_default_dtype())
    log_density = lambda x: torch.logsumexp(-((x[:, None] - c) ** 2).sum(-1) / (2 * toy.std**2), 1)
    assert critic_shape.local_peak_fraction(log_density, pts, r) == 1.0
    plane = critic_shape.local_peak_fraction(lambda x: x @ torch.tensor([1.0, 2.0]), pts, r, n_directions=64)
    assert plane == pytest.approx(0.5, abs=0.02)


def test_scaling_is_gan_toy_py():
    ring, r_ring, _ = critic_shape.gan_toy_scaled("ring8")
    grid, r_grid, _ = critic_shape.gan_toy_scaled("grid25")
    assert np.linalg.norm(ring.centres, axis=1) == pytest.approx(2 / 1.414)
    assert 2 * r_ring == pytest.approx(np.linalg.norm(ring.centres[0] - ring.centres[1]))
    assert np.abs(grid.centres).max() == pytest.approx(4 / 2.828) and 2 * r_grid == pytest.approx(2 / 2.828)
    assert grid.std == pytest.approx(0.05 / 2.828) and ring.std == pytest.approx(0.02 / 1.414)
    assert critic_shape.gan_toy_scaled("swissroll")[0] == toys.swissroll()
    with pytest.raises(ValueError):
        critic_shape.gan_toy_scaled("moons")
    with pytest.raises(ValueError):
        critic_shape.local_peak_fraction(lambda x: x[:, 0], np.zeros((3, 3)), 0.1)
