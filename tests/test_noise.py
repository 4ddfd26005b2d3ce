"""Instance-noise schedules against their formulas and a hand-written loop."""
import math

import pytest

from gan_course import noise


def test_constant():
    s = noise.Constant(0.3)
    assert [s(t, 100) for t in (0, 50, 100)] == [0.3, 0.3, 0.3]
    assert noise.Constant(0)(3, 10) == 0.0


@pytest.mark.parametrize("end", [1.0, 0.5])
def test_linear_to_zero(end):
    s, steps = noise.LinearToZero(0.8, end), 200
    for t in (0, 1, 37, 100, 150, 199, 200):
        assert s(t, steps) == pytest.approx(0.8 * max(0.0, 1 - t / (end * steps)))
    assert s(0, steps) == 0.8 and s(200, steps) == 0.0


def test_adaptive_matches_loop():
    s = noise.AdaptiveToTarget(0.5, target=1.0, gain=0.1, sigma_min=0.01, sigma_max=1.0)
    losses = [0.2, 0.3, 1.5, 1.386, 0.0, 2.0, 2.0, 2.0] + [0.0] * 40 + [5.0] * 100
    sigma = 0.5
    for v in losses:
        sigma = min(1.0, max(0.01, sigma * math.exp(0.1 * (1.0 - v))))
        assert s.observe(v) == pytest.approx(sigma, rel=1e-12)
        assert s(0, 10) == pytest.approx(sigma, rel=1e-12)
    assert len(s.history) == len(losses)
    assert s.sigma == pytest.approx(0.01)  # driven down to the floor by a confused D


def test_adaptive_direction_and_reset():
    s = noise.AdaptiveToTarget(0.5, target=1.0)
    assert s.observe(0.1) > 0.5  # D winning: more noise
    s.reset()
    assert s.observe(1.386) < 0.5  # D at chance: less noise
    assert s.reset().sigma == 0.5 and s.history == []


def test_with_trainer():
    import torch

    import gan_course as gc

    sched = noise.AdaptiveToTarget(0.5, target=1.0, gain=0.05)
    torch.manual_seed(0)
    G, D = gc.nets.Generator(1, 2, 8, 1), gc.nets.Discriminator(2, 8, 1)
    h = gc.training.train_gan(G, D, gc.toys.parallel_lines(0.0), steps=20, batch_size=16, n_critic=2,
                              noise_sigma=sched, progress=False, device="cpu")
    assert len(sched.history) == 40  # one observation per D update
    assert h.sigma[-1] == pytest.approx(sched.history[-3])  # sigma used at the last step: after 38 D updates
    h2 = gc.training.train_gan(G, D, gc.toys.parallel_lines(0.0), steps=10, batch_size=16,
                               noise_sigma=noise.LinearToZero(1.0), progress=False, device="cpu")
    assert h2.sigma == pytest.approx([1 - t / 10 for t in range(10)])


@pytest.mark.parametrize("make", [lambda: noise.Constant(-1), lambda: noise.LinearToZero(0),
                                  lambda: noise.LinearToZero(1, end=2), lambda: noise.AdaptiveToTarget(0.5, gain=0),
                                  lambda: noise.AdaptiveToTarget(3.0, sigma_max=2.0)])
def test_bad_parameters(make):
    with pytest.raises(ValueError):
        make()


def test_bad_step_and_loss():
    with pytest.raises(ValueError):
        noise.LinearToZero(1.0)(11, 10)
    with pytest.raises(ValueError):
        noise.AdaptiveToTarget(0.5).observe(float("nan"))
