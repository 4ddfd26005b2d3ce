"""gan_course.ebgan: energy and losses against a NumPy computation of the same formulas."""
import numpy as np
import pytest
import torch

from gan_course import ebgan
from gan_course.batched import BatchedMLP


def _stacked(seed=0):
    torch.manual_seed(seed)
    ae = ebgan.autoencoder(2, 8, 2, 1).double()
    return ae, BatchedMLP.stack([ae])


def test_autoencoder_shape():
    ae = ebgan.autoencoder(2, 16, 3, 2)
    dims = [m.out_features for m in ae if isinstance(m, torch.nn.Linear)]
    assert dims == [16, 16, 3, 16, 16, 2]


def test_energy_and_losses_against_numpy():
    ae, D = _stacked()
    x = torch.randn(1, 20, 2, dtype=torch.float64)
    f = 3 * torch.randn(1, 20, 2, dtype=torch.float64)
    with torch.no_grad():
        er = ((ae(x[0]) - x[0]) ** 2).sum(1).numpy()
        ef = ((ae(f[0]) - f[0]) ** 2).sum(1).numpy()
        assert np.allclose(ebgan.energy(D, x)[0].numpy(), er)
        m = 0.7
        assert float(ebgan.d_loss(D, x, f, m)[0]) == pytest.approx(er.mean() + np.maximum(m - ef, 0).mean())
        assert float(ebgan.g_loss(D, f)[0]) == pytest.approx(ef.mean())


def test_fakes_above_margin_give_d_no_gradient():
    _, D = _stacked()
    x = torch.zeros(1, 4, 2, dtype=torch.float64)
    far = torch.full((1, 4, 2), 50.0, dtype=torch.float64)  # energies far above the margin
    assert float(ebgan.energy(D, far).min().detach()) > 1.0
    a = ebgan.d_loss(D, x, far, 1.0).sum()
    b = ebgan.energy(D, x).mean(-1).sum()
    ga = torch.autograd.grad(a, D.parameters())
    gb = torch.autograd.grad(b, D.parameters())
    assert all(torch.allclose(u, v) for u, v in zip(ga, gb))


def test_margin_must_be_positive():
    _, D = _stacked()
    x = torch.zeros(1, 4, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="margin"):
        ebgan.d_loss(D, x, x, 0.0)
