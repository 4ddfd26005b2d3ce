"""gan_course.lsgan: D* by brute force, the chi^2 identity by scipy quad, gradients by autograd."""
import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.stats import norm

import gan_course as gc
from gan_course import lsgan


def test_optimal_d_minimises_pointwise_loss():
    rng = np.random.default_rng(0)
    ys = np.linspace(-3, 3, 60001)
    for a, b in [(0.0, 1.0), (-1.0, 1.0), (2.0, -0.5)]:
        pd, pg = rng.uniform(0.01, 2, 2)
        brute = ys[np.argmin(pd * (ys - b) ** 2 + pg * (ys - a) ** 2)]
        d = lsgan.optimal_discriminator(lambda x: np.full_like(x, pd), lambda x: np.full_like(x, pg), np.zeros(1), a, b)
        assert d[0] == pytest.approx(brute, abs=1e-4)


def test_criterion_is_pearson_chi2_independently():
    p, q = gc.toys.gaussian1d(0.0, 1.0), gc.toys.gaussian1d(1.0, 1.5)
    chi2 = quad(lambda x: (2 * norm.pdf(x, 1, 1.5) - (norm.pdf(x) + norm.pdf(x, 1, 1.5))) ** 2
                / (norm.pdf(x) + norm.pdf(x, 1, 1.5)), -30, 30, limit=200)[0]
    assert 2 * lsgan.generator_criterion(p, q, -1, 1, 0, lo=-30, hi=30) == pytest.approx(chi2, rel=1e-6)
    assert lsgan.chi2_of_criterion(p, q, lo=-30, hi=30) == pytest.approx(chi2, rel=1e-6)


def test_criterion_not_chi2_for_01_coding():
    p, q = gc.toys.gaussian1d(0.0, 1.0), gc.toys.gaussian1d(1.0, 1.5)
    assert abs(2 * lsgan.generator_criterion(p, q, 0, 1, 1, lo=-30, hi=30) - lsgan.chi2_of_criterion(p, q, lo=-30, hi=30)) > 1e-2


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating", "least_squares"])
def test_generator_gradient_matches_autograd(loss):
    s = torch.linspace(-5, 5, 101, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(gc.losses.get(loss)[1](s) * len(s), s)
    assert np.allclose(g.abs().numpy(), lsgan.generator_gradient(s.detach().numpy(), loss), atol=1e-12)


def test_abc_losses_match_course_losses_and_errors():
    r, f = torch.randn(50), torch.randn(50)
    assert lsgan.d_loss_abc(r, f, 0, 1, 1) == pytest.approx(float(gc.losses.d_loss_least_squares(r, f)))
    assert lsgan.g_loss_abc(f, 1) == pytest.approx(float(gc.losses.g_loss_least_squares(f)))
    with pytest.raises(ValueError, match="must differ"):
        lsgan.d_loss_abc(r, f, 1, 1, 0)
    with pytest.raises(ValueError, match="loss must be"):
        lsgan.generator_gradient(0.0, "hinge")
