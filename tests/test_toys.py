import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from gan_course import toys


def test_mixture1d_pdf_matches_scipy_and_integrates_to_one():
    m = toys.GaussianMixture1D((-2.0, 1.0), (0.5, 0.3), (0.25, 0.75))
    x = np.linspace(-5, 5, 101)
    want = 0.25 * stats.norm.pdf(x, -2, 0.5) + 0.75 * stats.norm.pdf(x, 1, 0.3)
    np.testing.assert_allclose(m.pdf(x), want, rtol=1e-12)
    np.testing.assert_allclose(m.log_pdf(x), np.log(want), rtol=1e-10)
    np.testing.assert_allclose(m.cdf(x), 0.25 * stats.norm.cdf(x, -2, 0.5) + 0.75 * stats.norm.cdf(x, 1, 0.3))
    assert integrate.quad(m.pdf, -np.inf, np.inf)[0] == pytest.approx(1.0, abs=1e-9)


def test_mixture1d_log_pdf_finite_far_in_the_tail():
    m = toys.GaussianMixture1D((0.0,), (0.1,))
    assert np.isfinite(m.log_pdf(50.0))
    assert m.log_pdf(50.0) == pytest.approx(stats.norm.logpdf(50.0, 0, 0.1))


def test_mixture1d_sample_moments():
    m = toys.GaussianMixture1D((-2.0, 1.0), (0.5, 0.3), (0.25, 0.75))
    x = m.sample(200_000, seed=0)
    assert x.shape == (200_000, 1)
    assert x.mean().item() == pytest.approx(m.mean(), abs=0.01)
    # law of total variance, computed by hand
    want_var = 0.25 * (0.25 + 4) + 0.75 * (0.09 + 1) - (0.25 * -2 + 0.75) ** 2
    assert x.var().item() == pytest.approx(want_var, rel=0.01)
    assert m.variance() == pytest.approx(want_var)


def test_sampling_is_seeded():
    r = toys.ring8()
    assert torch.equal(r.sample(10, seed=3), r.sample(10, seed=3))
    assert not torch.equal(r.sample(10, seed=3), r.sample(10, seed=4))


def test_ring8_exact_parameters():
    r = toys.ring8()
    assert r.n_modes == 8 and r.std == 0.02
    np.testing.assert_allclose(np.linalg.norm(r.centres, axis=1), 2.0)
    angles = np.sort(np.mod(np.arctan2(r.centres[:, 1], r.centres[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(angles, 2 * np.pi * np.arange(8) / 8, atol=1e-12)
    x = r.sample(8000, seed=0).numpy()
    d = np.linalg.norm(x[:, None] - r.centres[None], axis=-1).min(1)
    assert np.all(d < 6 * 0.02)
    assert np.std(x - r.centres[np.linalg.norm(x[:, None] - r.centres[None], axis=-1).argmin(1)]) == pytest.approx(0.02, rel=0.05)


def test_grid25_exact_parameters():
    g = toys.grid25()
    assert g.n_modes == 25 and g.std == 0.05
    assert {tuple(c) for c in g.centres} == {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}


def test_mixture2d_pdf_integrates_to_one():
    r = toys.ring8(std=0.3)
    val = integrate.dblquad(lambda y, x: r.pdf(np.array([x, y])), -4, 4, -4, 4, epsabs=1e-6)[0]
    assert val == pytest.approx(1.0, abs=1e-4)


def test_swissroll_shape_and_scale():
    s = toys.swissroll().sample(5000, seed=0).numpy()
    assert s.shape == (5000, 2)
    # noiseless radius is t in [1.5 pi, 4.5 pi], scaled by 1/7.5
    r = np.linalg.norm(s, axis=1)
    assert r.max() < (4.5 * math.pi + 1.5) / 7.5 and r.min() > (1.5 * math.pi - 1.5) / 7.5
    s0 = toys.SwissRoll(noise=0.0).sample(1000, seed=1).numpy() * 7.5
    t = np.linalg.norm(s0, axis=1)
    np.testing.assert_allclose(s0, np.stack([t * np.cos(t), t * np.sin(t)], 1), atol=1e-4)  # float32 output


def test_parallel_lines():
    x = toys.parallel_lines(0.7).sample(1000, seed=0).numpy()
    assert np.all(x[:, 0] == pytest.approx(0.7))
    assert 0 <= x[:, 1].min() and x[:, 1].max() <= 1
    assert stats.kstest(x[:, 1], "uniform").pvalue > 1e-3


@pytest.mark.parametrize("bad", [lambda: toys.GaussianMixture1D((0,), (-1,)),
                                 lambda: toys.GaussianMixture1D((0, 1), (1, 1, 1)),
                                 lambda: toys.GaussianMixture1D((0, 1), (1,), (0.5, 0.6)),
                                 lambda: toys.ring8(std=0),
                                 lambda: toys.ring8().sample(0),
                                 lambda: toys.ring8().sample(2.5)])
def test_bad_input_is_a_clear_value_error(bad):
    with pytest.raises(ValueError):
        bad()
