"""Fitting one Gaussian q = N(mu, sigma^2) to a 1-D mixture p, by forward or by reverse KL.

Maximum likelihood is minimising the forward divergence (Goodfellow 2016, NIPS tutorial, Sec. 2.1):

    argmax_theta E_{x~p} log q_theta(x) = argmin_theta KL(p || q_theta),

because KL(p || q) = -H(p) - E_p log q and H(p) does not depend on theta. For a Gaussian q,

    E_p log q = -1/2 log(2 pi sigma^2) - (Var_p + (E_p x - mu)^2) / (2 sigma^2),

which is maximised by moment matching: mu = E_p x, sigma^2 = Var_p (mass-covering: on a
two-mode mixture the fit sits between the modes). The reverse divergence

    KL(q || p) = -H(q) - E_q log p,   H(q) = 1/2 log(2 pi e sigma^2),

has no closed form for a mixture p; E_q log p is computed by Simpson quadrature over
mu +- 12 sigma (4001 nodes) and minimised numerically over (mu, log sigma). Its minima are mode-seeking:
on well separated modes each local minimum sits on one mode, with KL close to -log w_k.
"""
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from . import checks
from .densities import as_numpy

# standardised nodes t in [-12, 12] and Simpson weights times the N(0, 1) density: E f = sum_i w_i f(mu + sigma t_i)
_T = np.linspace(-12.0, 12.0, 4001)
_W = np.full(_T.size, 2.0)
_W[1::2], _W[0], _W[-1] = 4.0, 1.0, 1.0
_W *= (_T[1] - _T[0]) / 3 * np.exp(-0.5 * _T**2) / math.sqrt(2 * math.pi)


@dataclass(frozen=True)
class GaussianFit:
    """A fitted N(mu, sigma^2) and the divergence it reached."""

    mu: float
    sigma: float
    kl: float

    def pdf(self, x):
        x = np.asarray(x, float)
        return np.exp(-0.5 * ((x - self.mu) / self.sigma) ** 2) / (self.sigma * math.sqrt(2 * math.pi))


def _expect_under_gaussian(f, mu, sigma):
    """E_{x ~ N(mu, sigma^2)} f(x) by Simpson quadrature on mu +- 12 sigma (4001 nodes)."""
    return float(np.dot(_W, f(mu + sigma * _T)))


def entropy_gaussian(sigma):
    """H(N(mu, sigma^2)) = 1/2 log(2 pi e sigma^2) (nats)."""
    checks.positive("sigma", sigma)
    return 0.5 * math.log(2 * math.pi * math.e * sigma**2)


def expected_log_gaussian(p, mu, sigma):
    """E_{x~p} log N(x; mu, sigma^2) in closed form from p's mean and variance."""
    checks.positive("sigma", sigma)
    return -0.5 * math.log(2 * math.pi * sigma**2) - (p.variance() + (p.mean() - mu) ** 2) / (2 * sigma**2)


def forward_kl(p, mu, sigma, entropy_p=None):
    """KL(p || N(mu, sigma^2)) = -H(p) - E_p log q. ``entropy_p`` (H(p)) is computed by quadrature if not given."""
    if entropy_p is None:
        entropy_p = entropy(p)
    return -entropy_p - expected_log_gaussian(p, mu, sigma)


def reverse_kl(p, mu, sigma):
    """KL(N(mu, sigma^2) || p) = -H(q) - E_q log p, with E_q log p by Simpson quadrature."""
    return -entropy_gaussian(sigma) - _expect_under_gaussian(p.log_pdf, mu, sigma)


def entropy(p, n=200_001):
    """Differential entropy H(p) = -int p log p of a 1-D mixture (Simpson quadrature on p.bounds())."""
    from .divergences import integrate

    x = np.linspace(*p.bounds(), n)
    return -integrate(p.pdf(x) * p.log_pdf(x), x)


def forward_kl_fit(p):
    """The Gaussian minimising KL(p || q): moment matching, mu = E_p x, sigma = sqrt(Var_p)."""
    mu, sigma = p.mean(), math.sqrt(p.variance())
    return GaussianFit(mu, sigma, forward_kl(p, mu, sigma))


def max_likelihood_fit(samples):
    """The maximum-likelihood Gaussian for 1-D ``samples``: sample mean and (biased) sample std."""
    x = np.ravel(as_numpy(samples)).astype(float)
    if x.size < 2:
        raise ValueError(f"need at least 2 samples, got {x.size}")
    return float(x.mean()), float(x.std())


def average_nll(samples, mu, sigma):
    """-1/N sum_i log N(x_i; mu, sigma^2): the quantity maximum likelihood minimises."""
    return float(_nll_terms(samples, mu, sigma).mean())


def _nll_terms(samples, mu, sigma):
    """-log N(x_i; mu, sigma^2) for each sample, as a flat array."""
    checks.positive("sigma", sigma)
    x = np.ravel(np.asarray(samples, float))
    return 0.5 * math.log(2 * math.pi * sigma**2) + (x - mu) ** 2 / (2 * sigma**2)


def nll_with_standard_error(samples, mu, sigma):
    """The average NLL of ``samples`` under N(mu, sigma^2) and its standard error std(-log q(x_i)) / sqrt(N).

    The average NLL estimates the cross-entropy E_p[-log q] = KL(p || q) + H(p); the standard error says
    how far from it sampling noise alone can move the estimate."""
    terms = _nll_terms(samples, mu, sigma)
    return float(terms.mean()), float(terms.std(ddof=1) / math.sqrt(terms.size))


def reverse_kl_fit(p, mu0, sigma0=1.0):
    """A local minimiser of KL(q || p) over q = N(mu, sigma^2), started at (mu0, sigma0).

    Minimises over (mu, log sigma) with BFGS; different starts can reach different modes."""
    checks.positive("sigma0", sigma0)

    def objective(theta):
        return reverse_kl(p, theta[0], math.exp(theta[1]))

    res = minimize(objective, np.array([float(mu0), math.log(sigma0)]), method="BFGS", options={"gtol": 1e-9})
    mu, sigma = float(res.x[0]), float(math.exp(res.x[1]))
    return GaussianFit(mu, sigma, float(res.fun))


def reverse_kl_fits(p, starts=None, sigma0=None):
    """Reverse-KL fits from several starts (default: each component's mean); sorted by KL, best first."""
    starts = p.means if starts is None else starts
    sigma0 = sigma0 or min(p.stds)
    fits = [reverse_kl_fit(p, m, sigma0) for m in starts]
    return sorted(fits, key=lambda f: f.kl)
