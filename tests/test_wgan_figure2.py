"""gan_course.wgan_figure2: input gradients by finite differences, the JS estimate at known D."""
import math

import numpy as np
import pytest
import torch

import gan_course as gc
from gan_course import wgan_figure2


def test_input_gradients_finite_differences():
    torch.manual_seed(0)
    net = gc.nets.Discriminator(1, 8, 2).double()
    x = np.linspace(-2, 2, 9)
    out, g = wgan_figure2.input_gradients(net, x)
    h = 1e-6
    fd = (wgan_figure2.input_gradients(net, x + h)[0] - wgan_figure2.input_gradients(net, x - h)[0]) / (2 * h)
    assert np.allclose(g, fd, atol=1e-6)
    a = out
    assert np.allclose(wgan_figure2.minimax_generator_gradient(net, x), 1 / (1 + np.exp(-a)) * np.abs(g))


def test_js_estimate_of_a_constant_discriminator_is_zero():
    net = gc.nets.Discriminator(1, 4, 1)
    with torch.no_grad():
        for p in net.parameters():
            p.zero_()  # D = 1/2 everywhere: BCE = log 4
    r, f = torch.randn(100, 1), torch.randn(100, 1)
    assert wgan_figure2.js_estimate(net, r, f) == pytest.approx(0.0, abs=1e-7)
    assert math.log(4) / 2 == pytest.approx(math.log(2))


def test_path_shapes():
    out = wgan_figure2.estimates_along_path(gc.toys.gaussian1d(0, 0.5), [2.0, 0.0], 0.5, steps=5, n_eval=100)
    assert set(out) == {"js", "critic", "w1"} and all(len(v) == 2 for v in out.values())
