"""gan_course.optimal: D*, V(D, G), C(G) = -log 4 + 2 JSD, against scipy quadrature, brute force and autograd."""
import math

import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp
from scipy.stats import norm

import gan_course as gc
from gan_course import optimal as O

P_DATA = gc.toys.GaussianMixture1D((-1.5, 1.0), (0.5, 0.7))
P_GS = [gc.toys.gaussian1d(0.5, 1.2), gc.toys.gaussian1d(-1.0, 0.3), gc.toys.gaussian1d(3.0, 0.5),
        gc.toys.GaussianMixture1D((-2.0, 2.0), (0.4, 0.4), (0.3, 0.7)), P_DATA, gc.toys.gaussian1d(8.0, 0.5)]


def quad_value(d, p, q):
    """V(D, G) by scipy's adaptive quadrature: an independent computation."""
    def f(x):
        dx = d(x)
        pd, pg = norm_pdf(p, x), norm_pdf(q, x)
        return (pd * math.log(dx) if pd > 0 else 0.0) + (pg * math.log1p(-dx) if pg > 0 else 0.0)
    lo = min(p.bounds()[0], q.bounds()[0])
    hi = max(p.bounds()[1], q.bounds()[1])
    pts = sorted(set(p.means) | set(q.means))
    return quad(f, lo, hi, points=pts, epsabs=1e-12, epsrel=1e-12, limit=1000)[0]


def norm_pdf(mix, x):
    return sum(w * norm.pdf(x, m, s) for m, s, w in zip(mix.means, mix.stds, mix.weights))


def log_pdf(mix, x):
    return logsumexp([math.log(w) + norm.logpdf(x, m, s) for m, s, w in zip(mix.means, mix.stds, mix.weights)])


def quad_criterion(p, q):
    """C(G) = int p log D* + q log(1 - D*), D* = p / (p + q), by scipy quad in log space."""
    def f(x):
        lp, lq = log_pdf(p, x), log_pdf(q, x)
        ls = np.logaddexp(lp, lq)
        return math.exp(lp) * (lp - ls) + math.exp(lq) * (lq - ls)
    lo = min(p.bounds()[0], q.bounds()[0])
    hi = max(p.bounds()[1], q.bounds()[1])
    pts = sorted(set(p.means) | set(q.means))
    return quad(f, lo, hi, points=pts, epsabs=1e-12, epsrel=1e-12, limit=1000)[0]


def test_d_star_is_the_pointwise_maximiser_of_a_log_y_plus_b_log_1_minus_y():
    # brute force: for several x, maximise p_data(x) log y + p_g(x) log(1 - y) over y numerically
    q = P_GS[0]
    for x in [-2.0, -0.5, 0.0, 1.0, 2.5]:
        a, b = norm_pdf(P_DATA, x), norm_pdf(q, x)
        best = minimize_scalar(lambda y: -(a * math.log(y) + b * math.log1p(-y)), bounds=(1e-12, 1 - 1e-12),
                               method="bounded", options={"xatol": 1e-12})
        assert O.optimal_discriminator(P_DATA, q, np.array([x]))[0] == pytest.approx(best.x, abs=1e-7)


def test_d_star_edge_cases():
    a, b = gc.toys.gaussian1d(-50.0, 0.1), gc.toys.gaussian1d(50.0, 0.1)
    d = O.optimal_discriminator(a, b, np.array([-50.0, 0.0, 50.0]))
    assert d[0] == pytest.approx(1.0) and d[2] == pytest.approx(0.0) and d[1] == pytest.approx(0.5)  # symmetric
    assert np.all(O.optimal_discriminator(P_DATA, P_DATA, np.linspace(-3, 3, 7)) == 0.5)
    zero = lambda x: np.zeros_like(x)  # noqa: E731  both densities vanish: 1/2 by convention
    assert O.optimal_discriminator(zero, zero, np.array([0.0]))[0] == 0.5


@pytest.mark.parametrize("i", range(len(P_GS)))
def test_virtual_criterion_matches_quad_and_theorem_1(i):
    q = P_GS[i]
    c = O.virtual_criterion(P_DATA, q)
    assert c == pytest.approx(quad_criterion(P_DATA, q), abs=1e-8)
    assert c == pytest.approx(O.criterion_from_jsd(P_DATA, q), abs=1e-9)
    assert -math.log(4) - 1e-12 <= c <= 1e-12


def test_criterion_bounds():
    assert O.virtual_criterion(P_DATA, P_DATA) == pytest.approx(-math.log(4), abs=1e-10)  # p_g = p_data
    far = gc.toys.gaussian1d(40.0, 0.5)  # disjoint in practice: JSD = log 2, C = 0
    assert O.virtual_criterion(P_DATA, far) == pytest.approx(0.0, abs=1e-9)


def test_value_function_is_maximised_by_d_star():
    q = P_GS[0]
    c = O.virtual_criterion(P_DATA, q)
    d_star = lambda x: O.optimal_discriminator(P_DATA, q, x)  # noqa: E731
    assert O.value_function(d_star, P_DATA, q) == pytest.approx(c, abs=1e-9)
    for eps in [0.05, -0.05]:
        worse = lambda x, e=eps: np.clip(d_star(x) + e, 1e-9, 1 - 1e-9)  # noqa: E731
        assert O.value_function(worse, P_DATA, q) < c
    half = O.value_function(lambda x: np.full_like(x, 0.5), P_DATA, q)
    assert half == pytest.approx(-math.log(4), abs=1e-9)  # D = 1/2 gives log(1/2) + log(1/2)
    assert half == pytest.approx(quad_value(lambda x: 0.5, P_DATA, q), abs=1e-9)


def test_high_density_region_holds_the_mass():
    q = P_GS[0]
    x = np.linspace(-8, 8, 16001)
    mask = O.high_density_region(P_DATA, q, x, mass=0.95)
    m = lambda t: 0.5 * (norm_pdf(P_DATA, t) + norm_pdf(q, t))  # noqa: E731
    # integrate m over the runs of the mask with scipy
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(int), 0]))
    mass = sum(quad(m, x[a], x[b - 1])[0] for a, b in zip(edges[::2], edges[1::2]))
    assert mass == pytest.approx(0.95, abs=2e-3)
    # and it is a superlevel set: every kept point is denser than every dropped one
    assert m(x[mask]).min() >= m(x[~mask]).max() - 1e-12
    with pytest.raises(ValueError, match="mass"):
        O.high_density_region(P_DATA, q, x, mass=1.0)


@pytest.mark.parametrize("as_network", [False, True])
def test_train_discriminator_approaches_d_star(as_network):
    torch.manual_seed(0)
    q = gc.toys.gaussian1d(0.5, 1.2)
    p_g = q
    if as_network:  # the same density as a fixed generator network, G(z) = 1.2 z + 0.5 exactly
        p_g = gc.nets.Generator(1, 1, width=1, depth=1, activation="leaky_relu")
        with torch.no_grad():
            p_g.net[0].weight.fill_(1.0), p_g.net[0].bias.fill_(50.0)
            p_g.net[2].weight.fill_(1.2), p_g.net[2].bias.fill_(0.5 - 60.0)
    D = gc.nets.Discriminator(1, 32, 2)
    hist = O.train_discriminator(D, P_DATA, p_g, steps=1000, batch_size=512, seed=0, device="cpu")
    x = np.linspace(-6, 6, 1201)
    mask = O.high_density_region(P_DATA, q, x)
    err = np.abs(O.discriminator_probability(D, x) - O.optimal_discriminator(P_DATA, q, x))[mask].max()
    assert err < 0.05
    # the BCE it minimised approaches -C(G), its lower bound
    assert hist[-200:].mean() == pytest.approx(-O.virtual_criterion(P_DATA, q), abs=0.02)
    if as_network:
        assert all(p.grad is None for p in p_g.parameters()), "the fixed generator must not collect gradients"


@pytest.mark.parametrize("loss,fn", [("minimax", gc.losses.g_loss_minimax),
                                     ("nonsaturating", gc.losses.g_loss_nonsaturating)])
def test_generator_gradient_matches_autograd(loss, fn):
    a = torch.linspace(-8, 8, 33, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(fn(a) * a.numel(), a)  # per-sample gradient of the loss
    d = torch.sigmoid(a).detach().numpy()
    np.testing.assert_allclose(O.generator_gradient(d, loss), np.abs(g.numpy()), rtol=1e-12, atol=1e-15)


def test_generator_gradient_saturation():
    d = np.array([1e-4, 0.5, 1 - 1e-4])
    assert O.generator_gradient(d, "minimax")[0] < 1e-3 < O.generator_gradient(d, "nonsaturating")[0]
    with pytest.raises(ValueError, match="loss"):
        O.generator_gradient(d, "hinge")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        O.generator_gradient(np.array([1.5]))


def test_bad_input():
    with pytest.raises(ValueError, match="steps"):
        O.train_discriminator(gc.nets.Discriminator(1, 8, 1), P_DATA, P_DATA, steps=0)
    with pytest.raises(ValueError, match="lr"):
        O.train_discriminator(gc.nets.Discriminator(1, 8, 1), P_DATA, P_DATA, lr=-1.0)
