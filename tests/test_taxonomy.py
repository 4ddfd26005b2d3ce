import math

import numpy as np
from scipy.stats import multivariate_normal

from gan_course import taxonomy as tx
from gan_course import toys


def test_parzen_against_scipy():
    rng = np.random.default_rng(0)
    s, x = rng.normal(size=(20, 2)), rng.normal(size=(5, 2))
    h = 0.3
    ref = np.mean([np.log(np.mean([multivariate_normal(si, h**2 * np.eye(2)).pdf(xi) for si in s])) for xi in x])
    assert abs(tx.parzen_loglik(s, x, h) - ref) < 1e-10


def test_mixture_on_ring_recovers_the_true_likelihood():
    toy = toys.ring8()
    m = tx.fit_mixture(toy.sample(2000, seed=1), 8, seed=0)
    te = toy.sample(2000, seed=2)
    # the true density's log-likelihood: log of ring8's pdf (a sum of 8 Gaussians written by hand)
    x = te.numpy()
    dens = np.mean([np.exp(-((x - c) ** 2).sum(1) / (2 * 0.02**2)) / (2 * math.pi * 0.02**2) for c in toy.centres], 0)
    assert abs(tx.true_loglik(toy, te) - np.log(dens).mean()) < 1e-9
    assert abs(tx.mixture_loglik(m, te) - tx.true_loglik(toy, te)) < 0.05


def test_mixture_sample_moments():
    rng = np.random.default_rng(1)
    m = tx.fit_mixture(rng.normal([1.0, -2.0], [0.5, 2.0], size=(4000, 2)), 1)
    x = tx.mixture_sample(m, 20000, seed=3)
    assert np.allclose(x.mean(0), m.means_[0], atol=0.05)
    assert np.allclose(np.cov(x.T), m.covariances_[0], atol=0.1)
    assert np.array_equal(x, tx.mixture_sample(m, 20000, seed=3))
