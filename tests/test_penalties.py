"""Gradient penalties checked against hand-computed values (Gulrajani et al. 2017, Eq. 3; Mescheder et al. 2018)."""
import numpy as np
import pytest
import torch
from torch import nn

from gan_course import penalties, toys
from gan_course.nets import Discriminator
from gan_course.training import train_gan
from gan_course.nets import Generator


class Linear(nn.Module):
    """D(x) = <w, x> + b over all non-batch dims: grad_x D = w for every x."""

    def __init__(self, w, b=0.3):
        super().__init__()
        self.w, self.b = nn.Parameter(w.clone()), b

    def forward(self, x):
        return (x * self.w).flatten(1).sum(1) + self.b


class HalfSquare(nn.Module):
    """D(x) = 1/2 ||x||^2: grad_x D = x, so the gradient norm at x_hat is ||x_hat||."""

    def forward(self, x):
        return 0.5 * x.flatten(1).pow(2).sum(1)


def test_linear_critic_2d_matches_hand_value():
    w = torch.tensor([3.0, 4.0], dtype=torch.float64)  # ||w|| = 5 -> (5 - 1)^2 = 16
    real, fake = toys.ring8().sample(64, seed=0).double(), torch.randn(64, 2, dtype=torch.float64)
    assert penalties.gradient_penalty(Linear(w), real, fake).item() == pytest.approx(16.0, rel=1e-12)
    assert penalties.one_sided_gradient_penalty(Linear(w), real, fake).item() == pytest.approx(16.0, rel=1e-12)
    assert penalties.r1_penalty(Linear(w), real, fake).item() == pytest.approx(12.5, rel=1e-12)  # 25 / 2
    small = torch.tensor([0.3, 0.4], dtype=torch.float64)  # ||w|| = 0.5: one-sided gives 0, two-sided 0.25
    assert penalties.gradient_penalty(Linear(small), real, fake).item() == pytest.approx(0.25, rel=1e-12)
    assert penalties.one_sided_gradient_penalty(Linear(small), real, fake).item() == 0.0


@pytest.mark.parametrize("channels", [1, 3, 5])
def test_images_any_channel_count(channels):
    g = torch.Generator().manual_seed(channels)
    w = torch.randn(1, channels, 6, 7, generator=g, dtype=torch.float64)  # one weight per pixel and channel
    real = torch.randn(8, channels, 6, 7, generator=g, dtype=torch.float64)
    fake = torch.randn(8, channels, 6, 7, generator=g, dtype=torch.float64)
    expected = (np.linalg.norm(w.numpy()) - 1) ** 2  # Frobenius norm over C, H, W
    assert penalties.gradient_penalty(Linear(w), real, fake).item() == pytest.approx(expected, rel=1e-12)


def _reference(real, fake, a):
    """mean_i (||a_i x_i + (1 - a_i) y_i|| - 1)^2 in NumPy: the gradient penalty of HalfSquare."""
    x_hat = a[:, None] * real.reshape(len(real), -1) + (1 - a[:, None]) * fake.reshape(len(fake), -1)
    return np.mean((np.linalg.norm(x_hat, axis=1) - 1) ** 2)


@pytest.mark.parametrize("shape", [(32, 2), (16, 3, 4, 4)])
def test_nonlinear_critic_per_sample_weights(shape):
    g = torch.Generator().manual_seed(1)
    real, fake = torch.randn(shape, generator=g, dtype=torch.float64), torch.randn(shape, generator=g, dtype=torch.float64)
    got = penalties.gradient_penalty(HalfSquare(), real, fake, generator=torch.Generator().manual_seed(7)).item()
    a = torch.rand(shape[0], generator=torch.Generator().manual_seed(7), dtype=torch.float64).numpy()
    r, f = real.numpy(), fake.numpy()
    right = _reference(r, f, a)
    assert got == pytest.approx(right, rel=1e-12)
    # regression: one a for the whole batch gives another, wrong value
    shared_a = _reference(r, f, np.full_like(a, a[0]))
    assert abs(shared_a - right) > 1e-3 * right
    # regression: one norm over the whole batch instead of one per sample
    x_hat = a.reshape((-1,) + (1,) * (len(shape) - 1)) * r + (1 - a.reshape((-1,) + (1,) * (len(shape) - 1))) * f
    batch_norm = (np.linalg.norm(x_hat) - 1) ** 2
    assert abs(batch_norm - right) > 0.1 * right


def test_interpolates_lie_on_segments():
    real, fake = torch.zeros(1000, 2), torch.ones(1000, 2)
    x_hat = penalties.interpolate(real, fake, torch.Generator().manual_seed(0))
    assert torch.allclose(x_hat[:, 0], x_hat[:, 1])  # same a for both coordinates of a sample
    assert x_hat[:, 0].std() > 0.25  # different a across samples (U[0,1] has std 0.289)
    assert 0 <= x_hat.min() and x_hat.max() <= 1


def test_interpolation_weights_come_from_the_given_generator_on_its_own_device():
    real, fake = torch.zeros(500, 1, 4, 4, dtype=torch.float64), torch.ones(500, 1, 4, 4, dtype=torch.float64)
    x_hat = penalties.interpolate(real, fake, torch.Generator().manual_seed(3))
    a = torch.rand(500, generator=torch.Generator().manual_seed(3), dtype=torch.float64)  # independent draw
    assert torch.equal(x_hat, (1 - a).view(500, 1, 1, 1).expand(500, 1, 4, 4))
    # data on another device than the CPU generator (the meta device stands in for CUDA here)
    on_meta = penalties.interpolate(real.to("meta"), fake.to("meta"), torch.Generator().manual_seed(3))
    assert on_meta.device.type == "meta" and on_meta.shape == real.shape


def test_bad_shapes_raise():
    D = Linear(torch.ones(2))
    with pytest.raises(ValueError, match="same shape"):
        penalties.gradient_penalty(D, torch.zeros(4, 2), torch.zeros(5, 2))
    with pytest.raises(ValueError, match="unknown penalty"):
        penalties.get("gp2")


def test_plugs_into_train_gan():
    torch.manual_seed(0)
    G, D = Generator(2, 2, width=16, depth=2), Discriminator(2, width=16, depth=2)
    hist = train_gan(G, D, toys.ring8(), steps=3, batch_size=32, loss="wasserstein", n_critic=2,
                     penalty=penalties.gradient_penalty, penalty_weight=10.0, progress=False, device="cpu")
    assert np.isfinite(hist.d_loss).all() and len(hist.d_loss) == 3
