"""An explicit-density model beside the GAN (Goodfellow 2016, NIPS tutorial, Sec. 2, Figure 9).

The tutorial's map of maximum-likelihood generative models: *explicit tractable* densities (fully
visible belief nets, flows / nonlinear ICA), *explicit approximate* ones (variational, Markov chain
Monte Carlo), and *implicit* models that only sample (GSN; the GAN). Here a Gaussian mixture fitted by
expectation-maximisation (Dempster et al. 1977; scikit-learn's ``GaussianMixture``) is the explicit,
tractable model: it gives log p(x) exactly, so it is trained and judged by held-out log-likelihood; a GAN
gives samples only, so its likelihood can at best be estimated, e.g. by a Parzen window on its samples
(Breuleux et al. 2009; Goodfellow et al. 2014, Table 1), an estimate known to be unreliable in high
dimension (Theis et al. 2016).
"""
import math

import numpy as np
from scipy.special import logsumexp

from . import checks
from .divergences import as_numpy


def fit_mixture(samples, n_components, seed=0, n_init=1):
    """A full-covariance Gaussian mixture fitted by EM (k-means start) to ``samples`` (N, d)."""
    from sklearn.mixture import GaussianMixture

    checks.positive_int("n_components", n_components)
    x = np.asarray(as_numpy(samples), float)
    return GaussianMixture(n_components, covariance_type="full", random_state=seed, n_init=n_init).fit(x)


def mixture_loglik(model, x):
    """Mean log p_model(x) over the points x (N, d), in nats."""
    return float(model.score_samples(np.asarray(as_numpy(x), float)).mean())


def mixture_sample(model, n, seed=0):
    """n samples (n, d) of a fitted mixture, seeded (scikit-learn's ``sample`` uses the model's own RNG)."""
    checks.positive_int("n", n)
    rng = np.random.default_rng(seed)
    k = rng.choice(len(model.weights_), size=n, p=model.weights_)
    L = np.linalg.cholesky(model.covariances_)  # (K, d, d)
    eps = rng.standard_normal((n, model.means_.shape[1]))
    return model.means_[k] + np.einsum("nij,nj->ni", L[k], eps)


def true_loglik(toy, x):
    """Mean log p_data(x) of a mixture toy with a density (``toys.ring8()``): the ceiling."""
    return float(np.log(toy.pdf(np.asarray(as_numpy(x), float))).mean())


def parzen_loglik(samples, x, bandwidth):
    """Mean log of a Parzen-window (Gaussian kernel) density built on ``samples`` (M, d), at x (N, d):
    log (1/M) sum_j N(x; s_j, h^2 I)."""
    checks.positive("bandwidth", bandwidth)
    s, x = np.asarray(as_numpy(samples), float), np.asarray(as_numpy(x), float)
    d = s.shape[1]
    d2 = ((x[:, None, :] - s[None, :, :]) ** 2).sum(-1)  # (N, M)
    log_k = -0.5 * d2 / bandwidth**2 - 0.5 * d * math.log(2 * math.pi * bandwidth**2)
    return float((logsumexp(log_k, axis=1) - math.log(len(s))).mean())


def best_parzen(samples, validation, bandwidths=np.logspace(-2.5, 0, 26)):
    """(bandwidth, mean log-likelihood on ``validation``) of the best Parzen window over ``bandwidths``."""
    scores = [parzen_loglik(samples, validation, h) for h in bandwidths]
    i = int(np.argmax(scores))
    return float(bandwidths[i]), float(scores[i])
