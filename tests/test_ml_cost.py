import math

import numpy as np
import torch

from gan_course import ml_cost, toys

P = toys.GaussianMixture1D((-1.5, 2.0), (0.6, 0.8), (0.3, 0.7))


def _score_expectation(mu, s):
    """-1/2 E_{p_data} grad log N(x; mu, s^2) by quadrature (independent of ml_gradient's moments)."""
    x = np.linspace(-15, 15, 300_001)
    p = P.pdf(x)
    gm, gs = (x - mu) / s**2, ((x - mu) ** 2 - s**2) / s**3
    return -0.5 * np.array([np.trapezoid(p * gm, x), np.trapezoid(p * gs, x)])


def test_ml_gradient_closed_form():
    for mu, s in [(0.5, 1.5), (-1.0, 0.9), (2.0, 3.0)]:
        assert np.allclose(ml_cost.ml_gradient(P, mu, s), _score_expectation(mu, s), atol=1e-8)


def test_ml_cost_has_the_ml_gradient_at_the_optimal_discriminator():
    for mu, s in [(0.5, 1.5), (0.0, 2.0), (1.0, 1.2)]:
        g = ml_cost.expected_gradients(P, mu, s)
        assert np.allclose(g["maximum likelihood"], _score_expectation(mu, s), atol=1e-7)
        assert not np.allclose(g["non-saturating"], g["maximum likelihood"], atol=1e-2)


def test_monte_carlo_gradient_within_its_standard_error():
    mu, s = 0.5, 1.5
    mc, se = ml_cost.monte_carlo_gradient(P, mu, s, n=50_000, seed=1)
    assert np.all(np.abs(mc - ml_cost.ml_gradient(P, mu, s)) < 4 * se)
    assert np.all(se > 0) and np.all(se < 0.02)


def test_ml_cost_formula():
    logits = torch.tensor([[0.0, math.log(3.0)]])
    assert torch.allclose(ml_cost.ml_cost(logits), torch.tensor([-0.5 * (1 + 3) / 2]))
