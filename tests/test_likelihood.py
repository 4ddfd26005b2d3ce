"""gan_course.likelihood: Gaussian fits by forward and reverse KL, checked against scipy quadrature and optimisers."""
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import minimize

import gan_course as gc
from gan_course import likelihood as L

P = gc.toys.GaussianMixture1D((-2.0, 2.0), (0.6, 0.6), (0.4, 0.6))


def quad_kl(log_p, log_q, lo=-30, hi=30, points=(-2, 0, 2)):
    """KL(p || q) from log densities by adaptive quadrature (scipy), an independent computation."""
    def f(x):
        lp = log_p(x)
        return math.exp(lp) * (lp - log_q(x))
    return quad(f, lo, hi, points=points, epsabs=1e-13, epsrel=1e-12, limit=500)[0]


def log_npdf(mu, s):
    return lambda x: -0.5 * ((x - mu) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))


def npdf(mu, s):
    return lambda x: math.exp(log_npdf(mu, s)(x))


def ppdf(x):
    return float(P.pdf(np.array([x]))[0])


def log_ppdf(x):
    return float(np.logaddexp(math.log(0.4) + log_npdf(-2.0, 0.6)(x), math.log(0.6) + log_npdf(2.0, 0.6)(x)))


@pytest.mark.parametrize("mu,sigma", [(0.0, 1.0), (1.5, 0.5), (-2.0, 0.6), (0.4, 2.5)])
def test_forward_and_reverse_kl_match_scipy_quad(mu, sigma):
    assert L.forward_kl(P, mu, sigma) == pytest.approx(quad_kl(log_ppdf, log_npdf(mu, sigma), lo=-12, hi=12), abs=1e-8)
    assert L.reverse_kl(P, mu, sigma) == pytest.approx(
        quad_kl(log_npdf(mu, sigma), log_ppdf, lo=mu - 12 * sigma, hi=mu + 12 * sigma, points=(mu,)), abs=1e-9)


def test_entropy_of_a_gaussian():
    g = gc.toys.gaussian1d(0.3, 0.7)
    assert L.entropy(g) == pytest.approx(0.5 * math.log(2 * math.pi * math.e * 0.49), abs=1e-10)
    assert L.entropy_gaussian(0.7) == pytest.approx(0.5 * math.log(2 * math.pi * math.e * 0.49), abs=1e-14)


def test_forward_fit_is_moment_matching_and_a_minimum():
    fit = L.forward_kl_fit(P)
    # mean 0.4 * -2 + 0.6 * 2 = 0.4; variance 0.36 + E mu^2 - 0.4^2 = 0.36 + 4 - 0.16
    assert fit.mu == pytest.approx(0.4, abs=1e-12)
    assert fit.sigma == pytest.approx(math.sqrt(4.2), abs=1e-12)
    # an independent numerical minimisation of the quadrature KL lands on the same point
    h = quad(lambda x: -ppdf(x) * math.log(ppdf(x)), -12, 12, points=(-2, 2), epsabs=1e-13, limit=500)[0]
    res = minimize(lambda t: L.forward_kl(P, t[0], math.exp(t[1]), entropy_p=h), [1.0, 0.0], method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000})
    assert res.x[0] == pytest.approx(fit.mu, abs=1e-5)
    assert math.exp(res.x[1]) == pytest.approx(fit.sigma, abs=1e-5)
    assert fit.kl == pytest.approx(res.fun, abs=1e-10)


def test_reverse_fit_is_a_stationary_point_on_a_mode():
    fits = L.reverse_kl_fits(P)
    assert len(fits) == 2 and fits[0].kl <= fits[1].kl
    best, other = fits
    # well separated modes: each local optimum is close to one component, KL close to -log w_k
    assert best.mu == pytest.approx(2.0, abs=0.01) and best.sigma == pytest.approx(0.6, abs=0.01)
    assert other.mu == pytest.approx(-2.0, abs=0.01) and other.sigma == pytest.approx(0.6, abs=0.01)
    assert best.kl == pytest.approx(-math.log(0.6), abs=0.005)
    assert other.kl == pytest.approx(-math.log(0.4), abs=0.005)
    # stationarity, by central differences of the KL computed with scipy quad
    for f in fits:
        def kl(mu, s):
            return quad_kl(log_npdf(mu, s), log_ppdf, lo=mu - 12 * s, hi=mu + 12 * s, points=(mu,))
        h = 1e-4
        assert abs(kl(f.mu + h, f.sigma) - kl(f.mu - h, f.sigma)) / (2 * h) < 1e-5
        assert abs(kl(f.mu, f.sigma + h) - kl(f.mu, f.sigma - h)) / (2 * h) < 1e-5


def test_reverse_fit_of_a_gaussian_is_exact():
    g = gc.toys.gaussian1d(1.3, 0.4)
    fit = L.reverse_kl_fit(g, mu0=0.0, sigma0=1.0)
    assert (fit.mu, fit.sigma) == (pytest.approx(1.3, abs=1e-6), pytest.approx(0.4, abs=1e-6))
    assert fit.kl == pytest.approx(0.0, abs=1e-10)


def test_max_likelihood_is_sample_moments_and_minimises_nll():
    x = P.sample(20_000, seed=3).numpy().ravel().astype(float)
    mu, sigma = L.max_likelihood_fit(x)
    assert mu == pytest.approx(x.mean(), abs=1e-12) and sigma == pytest.approx(x.std(), abs=1e-12)
    res = minimize(lambda t: L.average_nll(x, t[0], math.exp(t[1])), [0.0, 0.0], method="BFGS")
    assert res.x[0] == pytest.approx(mu, abs=1e-4) and math.exp(res.x[1]) == pytest.approx(sigma, abs=1e-4)
    # and it converges to the forward-KL fit: standard errors ~ 2 / sqrt(20000)
    fit = L.forward_kl_fit(P)
    assert abs(mu - fit.mu) < 0.05 and abs(sigma - fit.sigma) < 0.05


def test_nll_minus_forward_kl_is_the_entropy():
    # E_p[-log q] = KL(p || q) + H(p) for every q: the population NLL, in closed form
    h = L.entropy(P)
    for mu, s in [(0.0, 1.0), (2.0, 0.5), (-1.0, 3.0)]:
        cross = -L.expected_log_gaussian(P, mu, s)
        assert cross - L.forward_kl(P, mu, s, entropy_p=h) == pytest.approx(h, abs=1e-12)
        by_quad = quad(lambda x: -ppdf(x) * log_npdf(mu, s)(x), -12, 12, epsabs=1e-12)[0]
        assert cross == pytest.approx(by_quad, abs=1e-8)


def test_nll_standard_error_matches_repeated_draws():
    mu, s, n = 0.5, 1.5, 2000
    draws = [L.nll_with_standard_error(P.sample(n, seed=k).numpy().astype(float), mu, s) for k in range(200)]
    means, ses = np.array(draws).T
    assert means.mean() == pytest.approx(-L.expected_log_gaussian(P, mu, s), abs=3 * means.std() / math.sqrt(200))
    assert ses.mean() == pytest.approx(means.std(), rel=0.15)  # the spread of the estimate across draws
    x = P.sample(n, seed=1).numpy().astype(float)
    assert L.nll_with_standard_error(x, mu, s)[0] == pytest.approx(L.average_nll(x, mu, s), abs=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="sigma"):
        L.forward_kl(P, 0.0, -1.0)
    with pytest.raises(ValueError, match="sigma0"):
        L.reverse_kl_fit(P, 0.0, 0.0)
    with pytest.raises(ValueError, match="at least 2"):
        L.max_likelihood_fit([1.0])
