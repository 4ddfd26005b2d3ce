"""gan_course.smoothing against closed forms, 2-D quadrature and finite differences."""
import math

import numpy as np
import pytest
from scipy.special import ndtr

from gan_course import smoothing


def lines_js_2d(theta, sigma, n=801):
    """Independent: the JSD of the two smoothed lines by 2-D quadrature of their densities."""
    x = np.linspace(min(0, theta) - 10 * sigma, max(0, theta) + 10 * sigma, n)
    y = np.linspace(-10 * sigma, 1 + 10 * sigma, n)
    xx, yy = np.meshgrid(x, y, indexing="ij")
    gy = ndtr((1 - yy) / sigma) - ndtr(-yy / sigma)  # U[0,1] * N(0, sigma^2)
    nx = lambda m: np.exp(-0.5 * ((xx - m) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    p, q = nx(0.0) * gy, nx(theta) * gy
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = 0.5 * (np.where(p > 0, p * np.log(p / m), 0) + np.where(q > 0, q * np.log(q / m), 0))
    return float(np.trapezoid(np.trapezoid(f, y, axis=1), x))


@pytest.mark.parametrize("theta,sigma", [(0.5, 0.3), (1.0, 0.5), (0.2, 1.0), (2.0, 0.4)])
def test_smoothed_lines_js_matches_2d_quadrature(theta, sigma):
    assert smoothing.smoothed_lines_js(theta, sigma) == pytest.approx(lines_js_2d(theta, sigma), abs=2e-4)


def test_smoothed_lines_js_limits():
    assert smoothing.smoothed_lines_js(0.0, 0.5) == pytest.approx(0.0, abs=1e-12)
    assert smoothing.smoothed_lines_js(20.0, 0.5) == pytest.approx(math.log(2), abs=1e-9)
    with pytest.raises(ValueError):
        smoothing.smoothed_lines_js(1.0, 0.0)


def test_optimal_discriminator_one_point_each():
    # D* = N(x; a) / (N(x; a) + N(x; b)) = sigmoid((|x-b|^2 - |x-a|^2) / (2 sigma^2))
    a, b, sigma = np.array([[0.0, 0.0]]), np.array([[1.0, 0.5]]), 0.7
    x = np.random.default_rng(0).normal(size=(20, 2))
    logit = (((x - b) ** 2).sum(1) - ((x - a) ** 2).sum(1)) / (2 * sigma**2)
    assert np.allclose(smoothing.optimal_discriminator_smoothed(a, b, sigma, x), 1 / (1 + np.exp(-logit)), atol=1e-12)


def test_optimal_discriminator_tiny_sigma_is_exact_classifier():
    real, fake = np.array([[0.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0]])
    d = smoothing.optimal_discriminator_smoothed(real, fake, 0.01, np.array([[0.0, 0.1], [1.0, 0.1]]))
    assert d[0] == pytest.approx(1.0) and d[1] == pytest.approx(0.0, abs=1e-300)


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
def test_generator_field_finite_differences(loss):
    rng = np.random.default_rng(1)
    real, fake, sigma = rng.normal(size=(6, 2)), rng.normal(size=(4, 2)) + 1.0, 0.8
    x = fake.copy()

    def obj(p):
        d = smoothing.optimal_discriminator_smoothed(real, fake, sigma, p[None])[0]
        return math.log(1 - d) if loss == "minimax" else -math.log(d)

    fd = np.zeros_like(x)
    h = 1e-6
    for i in range(len(x)):
        for j in range(2):
            e = np.zeros(2)
            e[j] = h
            fd[i, j] = -(obj(x[i] + e) - obj(x[i] - e)) / (2 * h)
    assert np.allclose(smoothing.generator_field(real, fake, sigma, x, loss), fd, atol=1e-6)


def test_minimax_field_vanishes_as_sigma_shrinks():
    real, fake = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]])
    norms = [np.linalg.norm(smoothing.generator_field(real, fake, s, fake)) for s in (1.0, 0.3, 0.1)]
    # closed form for one point each: |grad| = sigmoid(-1/(2 s^2)) / s^2
    for s, n in zip((1.0, 0.3, 0.1), norms):
        assert n == pytest.approx(1 / (1 + math.exp(1 / (2 * s**2))) / s**2, rel=1e-9)


def test_draw_noise_field_returns_mean_arrow():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    real, fake = np.array([[0.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 1.0]])
    fig, ax = plt.subplots()
    m = smoothing.draw_noise_field(ax, real, fake, 0.5, n=20)
    v = smoothing.generator_field(real, fake, 0.5, fake)
    assert m == pytest.approx(np.linalg.norm(v, axis=1).mean())
    assert "0.5" in ax.get_title()
    m2 = smoothing.draw_noise_field(ax, real, fake, 0.5, n=20, arrow_scale=1e-3, max_arrow=0.1)
    assert m2 == pytest.approx(m)  # clipping changes the drawing only
    q = ax.collections[-1]  # the quiver just drawn: arrows clipped to 0.1 units = 1e-4 in gradient norm
    assert np.allclose(np.hypot(q.U, q.V), np.minimum(np.linalg.norm(v, axis=1), 1e-4))
    plt.close(fig)


def test_bad_input():
    with pytest.raises(ValueError):
        smoothing.optimal_discriminator_smoothed(np.zeros((3, 2)), np.zeros((3, 3)), 0.5, np.zeros((1, 2)))
    with pytest.raises(ValueError):
        smoothing.generator_field(np.zeros((3, 2)), np.zeros((3, 2)), 0.5, np.zeros((1, 2)), loss="hinge")
