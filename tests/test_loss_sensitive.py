"""gan_course.loss_sensitive: margin, Lipschitz penalty and loss against hand computations."""
import numpy as np
import pytest
import torch

from gan_course import loss_sensitive as lsg
from gan_course.batched import BatchedMLP


def _linear(w, b=0.0):
    lin = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([w], dtype=torch.float64))
        lin.bias.fill_(b)
    return BatchedMLP.stack([torch.nn.Sequential(lin)])


def test_margin_is_euclidean_distance():
    a, b = torch.randn(3, 5, 2), torch.randn(3, 5, 2)
    assert torch.allclose(lsg.margin(a, b), torch.from_numpy(np.linalg.norm((a - b).numpy(), axis=-1)))


def test_lipschitz_penalty_of_linear_functions():
    x = torch.randn(1, 10, 2, dtype=torch.float64) + 5  # f > 0 here, so |f| has the slope of f
    assert float(lsg.lipschitz_penalty(_linear([0.6, 0.0], 20.0), x)[0].detach()) == 0.0
    assert float(lsg.lipschitz_penalty(_linear([3.0, 4.0], 20.0), x)[0]) == pytest.approx((5 - 1) ** 2)


def test_d_loss_by_hand():
    L = _linear([1.0, 0.0], 0.0)
    real = torch.tensor([[[0.5, 0.0], [1.0, 0.0]]], dtype=torch.float64)
    fake = torch.tensor([[[1.0, 0.0], [3.0, 0.0]]], dtype=torch.float64)
    # L = |x1|: L(real) = .5, 1; L(fake) = 1, 3; Delta = .5, 2; hinge = (.5 + .5 - 1)+, (2 + 1 - 3)+ = 0, 0
    assert float(lsg.d_loss(L, real, fake, lam=2.0, penalty_weight=0)[0]) == pytest.approx(0.75)
    fake2 = torch.tensor([[[0.5, 1.0], [1.0, 0.5]]], dtype=torch.float64)  # L = .5, 1; Delta = 1, .5
    assert float(lsg.d_loss(L, real, fake2, lam=2.0, penalty_weight=0)[0]) == pytest.approx(0.75 + 2 * 0.75)
    assert float(lsg.g_loss(L, fake)[0]) == pytest.approx(2.0)
