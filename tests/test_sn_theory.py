"""gan_course.sn_theory: closed forms against finite differences, autograd and NumPy's SVD."""
import numpy as np
import pytest
import torch

import gan_course as gc
from gan_course import sn_theory


def test_log_density_gradient_finite_differences():
    p = gc.toys.GaussianMixture1D((-1.0, 2.0), (0.3, 1.1), (0.4, 0.6))
    x = np.linspace(-8, 8, 161)
    h = 1e-5
    fd = (p.log_pdf(x + h) - p.log_pdf(x - h)) / (2 * h)
    assert np.allclose(sn_theory.log_density_gradient(p, x), fd, atol=1e-5)


def test_optimal_logit_gradient_of_two_gaussians_is_linear():
    q, p = gc.toys.gaussian1d(0, 1), gc.toys.gaussian1d(1, 2)
    x = np.linspace(-5, 5, 11)
    assert np.allclose(sn_theory.optimal_logit_gradient(q, p, x), -x - (1 - x) / 4)


def test_jacobian_and_gradient_against_autograd():
    g = torch.Generator().manual_seed(1)
    W = torch.randn(4, 3, generator=g, dtype=torch.float64)
    J = torch.autograd.functional.jacobian(lambda W: W / torch.linalg.matrix_norm(W, ord=2), W)
    assert torch.allclose(sn_theory.sn_weight_jacobian(W), J, atol=1e-10)
    up = torch.randn(4, 3, generator=g, dtype=torch.float64)  # any dV/dW_bar
    Wr = W.clone().requires_grad_(True)
    (auto,) = torch.autograd.grad((Wr / torch.linalg.matrix_norm(Wr, ord=2) * up).sum(), Wr)
    assert torch.allclose(sn_theory.sn_weight_gradient(W, up), auto, atol=1e-10)


def test_spectral_regulariser_against_numpy_svd():
    torch.manual_seed(0)
    net = gc.nets.mlp(3, 1, 5, 2)
    ws = [m.weight.detach().numpy() for m in net if isinstance(m, torch.nn.Linear)]
    want = 0.5 * 0.3 * sum(np.linalg.svd(w, compute_uv=False)[0] ** 2 for w in ws)
    assert float(sn_theory.spectral_regulariser(net, 0.3)) == pytest.approx(want, rel=1e-5)


def test_train_discriminator_1d_runs_and_checks_gamma():
    torch.manual_seed(0)
    D = gc.nets.Discriminator(1, 8, 1)
    p, q = gc.toys.gaussian1d(0, 1), gc.toys.gaussian1d(3, 1)
    h = sn_theory.train_discriminator_1d(D, p, q, steps=200, batch_size=64, gamma=0.01)
    assert h[-20:].mean() < h[:5].mean()
    with pytest.raises(ValueError, match="gamma"):
        sn_theory.train_discriminator_1d(D, p, q, steps=2, gamma=-1)
