"""gan_course.games: gradient play on V(x, y) = x y against closed forms and matrix powers."""
import math

import numpy as np
import pytest

from gan_course import games


@pytest.mark.parametrize("lr", [0.05, 0.1, 0.3])
def test_simultaneous_radius_grows_by_sqrt_1_plus_lr2(lr):
    path = games.gradient_play(1.0, 0.5, lr=lr, steps=60)
    r = games.radius(path)
    np.testing.assert_allclose(r, games.simultaneous_radius(math.hypot(1.0, 0.5), lr, 60), rtol=1e-12)
    np.testing.assert_allclose(r[1:] / r[:-1], math.sqrt(1 + lr**2), rtol=1e-12)


def test_simultaneous_matches_matrix_power():
    lr, steps = 0.2, 25
    A = np.array([[1.0, -lr], [lr, 1.0]])  # x <- x - lr y, y <- y + lr x
    path = games.gradient_play(0.3, -0.7, lr=lr, steps=steps)
    expect = np.linalg.matrix_power(A, steps) @ np.array([0.3, -0.7])
    np.testing.assert_allclose(path[-1], expect, rtol=1e-12)
    assert np.allclose(np.abs(np.linalg.eigvals(A)), math.sqrt(1 + lr**2))


def test_alternating_conserves_invariant_and_matches_matrix():
    lr, steps = 0.3, 200
    path = games.gradient_play(1.0, 0.0, lr=lr, steps=steps, alternating=True)
    q = games.alternating_invariant(path, lr)
    np.testing.assert_allclose(q, q[0], rtol=1e-10)
    A = np.array([[1.0, -lr], [lr, 1.0 - lr**2]])
    np.testing.assert_allclose(path[-1], np.linalg.matrix_power(A, steps) @ np.array([1.0, 0.0]), atol=1e-10)
    assert np.isclose(np.linalg.det(A), 1.0)
    assert games.radius(path).max() < 1.2  # bounded, unlike simultaneous play


def test_winding_counts_rotations():
    # simultaneous play turns by atan(lr) per step (the argument of 1 + i lr)
    lr, steps = 0.1, 300
    path = games.gradient_play(1.0, 0.0, lr=lr, steps=steps)
    assert games.winding(path) == pytest.approx(steps * math.atan(lr) / (2 * math.pi), rel=1e-10)


def test_general_value_uses_autograd():
    # V = x^2/2 - y^2/2 + x y: descent-ascent converges to (0, 0) for a small step (strongly convex-concave)
    path = games.gradient_play(1.0, 1.0, lr=0.1, steps=300, value=lambda x, y: 0.5 * x**2 - 0.5 * y**2 + x * y)
    A = np.array([[1 - 0.1, -0.1], [0.1, 1 - 0.1]])
    np.testing.assert_allclose(path[-1], np.linalg.matrix_power(A, 300) @ np.ones(2), atol=1e-12)
    assert games.radius(path)[-1] < 1e-6


def test_bad_input():
    with pytest.raises(ValueError, match="lr"):
        games.gradient_play(1, 1, lr=0.0)
    with pytest.raises(ValueError, match="steps"):
        games.gradient_play(1, 1, steps=0)
