"""The maximum-likelihood cost for G (Goodfellow 2016, NIPS tutorial, Sec. 3.2.4 and exercise 3).

With the optimal discriminator D*(x) = p_data / (p_data + p_g), its logit is sigma^{-1}(D*(x)) =
log p_data(x) - log p_g(x), so the tutorial's cost

    J(G) = -1/2 E_z exp(sigma^{-1}(D(G(z))))  =  -1/2 E_{x ~ p_g} p_data(x) / p_g(x)   at D = D*,

with D held fixed while G moves, has the expected gradient
    grad_theta J = -1/2 E_{x ~ p_data} grad_theta log p_g(x) = grad_theta 1/2 KL(p_data || p_g):
the maximum-likelihood gradient (with the tutorial's factor 1/2). Proof: grad E_{p_g} f = E_{p_g} f grad log p_g
for a fixed f (REINFORCE), and E_{p_g} (p_data / p_g) grad log p_g = E_{p_data} grad log p_g.

Here G(z) = mu + s z, z ~ N(0, 1), theta = (mu, s), so p_g = N(mu, s^2) is known exactly; p_data is a
1-D Gaussian mixture (``toys.GaussianMixture1D``). Gradients are (d/dmu, d/ds).
"""
import math

import numpy as np
import torch

from . import checks


def ml_cost(d_logits):
    """J(G) = -1/2 mean exp(logit) with logit = sigma^{-1}(D(G(z))) (Goodfellow 2016, Eq. 16 / exercise 3)."""
    return -0.5 * torch.exp(d_logits).mean(-1)


def _mixture_terms(p):
    return (np.asarray(p.means), np.asarray(p.stds), np.asarray(p.weights))


def ml_gradient(p_data, mu, s):
    """grad_theta of 1/2 KL(p_data || N(mu, s^2)) = -1/2 E_{p_data} grad_theta log N(x; mu, s^2), closed form:
    d/dmu = -(m1 - mu) / (2 s^2), d/ds = -(E(x - mu)^2 - s^2) / (2 s^3), m1, E(x-mu)^2 the mixture's moments."""
    checks.positive("s", s)
    m1 = p_data.mean()
    m2c = p_data.variance() + (m1 - mu) ** 2  # E (x - mu)^2
    return np.array([-(m1 - mu) / (2 * s**2), -(m2c - s**2) / (2 * s**3)])


def _mixture_pdf_and_derivative(p, x):
    mu, sd, w = _mixture_terms(p)
    xx = x[..., None]
    phi = w * np.exp(-0.5 * ((xx - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    return phi.sum(-1), (phi * (-(xx - mu) / sd**2)).sum(-1)


def pathwise_gradient(cost_derivative, mu, s, n=400_001, half_width=12.0):
    """E_z [c'(G(z)) dG/dtheta] = E_z [c'(mu + s z) (1, z)] by the trapezoid rule over z in +-half_width:
    the expected gradient of E_z c(G(z)) for a fixed per-sample cost c (D held fixed)."""
    checks.positive("s", s)
    z = np.linspace(-half_width, half_width, n)
    phi = np.exp(-0.5 * z**2) / math.sqrt(2 * math.pi)
    c = cost_derivative(mu + s * z)
    return np.array([np.trapezoid(c * phi, z), np.trapezoid(c * z * phi, z)])


def optimal_logit(p_data, mu, s, x):
    """sigma^{-1}(D*(x)) = log p_data(x) - log N(x; mu, s^2)."""
    log_pg = -0.5 * ((x - mu) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))
    return p_data.log_pdf(x) - log_pg


def cost_derivatives(p_data, mu, s):
    """d/dx of each generator cost per sample at D = D* (theta frozen inside D*), as functions of x:
    'maximum likelihood' -1/2 exp(logit), 'non-saturating' -log D*, 'minimax' log(1 - D*)."""
    def parts(x):
        pd, dpd = _mixture_pdf_and_derivative(p_data, x)
        pg = np.exp(-0.5 * ((x - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))
        dpg = -(x - mu) / s**2 * pg
        return pd, dpd, pg, dpg

    def ml(x):  # -1/2 (p_d / p_g)' = -1/2 (p_d' + p_d (x - mu) / s^2) / p_g
        pd, dpd, pg, _ = parts(x)
        return -0.5 * (dpd + pd * (x - mu) / s**2) / pg

    def ns(x):  # -(log D*)' = -(p_d'/p_d - (p_d' + p_g') / (p_d + p_g))
        pd, dpd, pg, dpg = parts(x)
        return -(dpd / pd - (dpd + dpg) / (pd + pg))

    def mm(x):  # (log(1 - D*))' = p_g'/p_g - (p_d' + p_g') / (p_d + p_g)
        pd, dpd, pg, dpg = parts(x)
        return dpg / pg - (dpd + dpg) / (pd + pg)

    return {"maximum likelihood": ml, "non-saturating": ns, "minimax": mm}


def expected_gradients(p_data, mu, s):
    """Expected gradient (d/dmu, d/ds) of each cost of ``cost_derivatives`` at D = D*."""
    return {k: pathwise_gradient(f, mu, s) for k, f in cost_derivatives(p_data, mu, s).items()}


def _torch_log_pdf(p, x):
    mu, sd, w = (torch.tensor(v, dtype=x.dtype) for v in _mixture_terms(p))
    t = torch.log(w) - 0.5 * ((x[:, None] - mu) / sd) ** 2 - torch.log(sd * math.sqrt(2 * math.pi))
    return torch.logsumexp(t, 1)


def monte_carlo_gradient(p_data, mu, s, n=100_000, seed=0):
    """The gradient of J(G) = -1/2 mean_i exp(sigma^{-1}(D*(G(z_i)))) by autograd on n latents, D* frozen at the
    current (mu, s): returns (mean gradient (2,), its standard error (2,)). Float64 on the CPU."""
    checks.positive_int("n", n)
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, generator=g, dtype=torch.float64)
    theta = torch.tensor([float(mu), float(s)], dtype=torch.float64, requires_grad=True)
    x = theta[0] + theta[1] * z  # G(z)
    xf = x.detach()  # D* is held fixed while G moves: its logit is a fixed function of x
    log_pg_frozen = lambda v: -0.5 * ((v - mu) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))  # noqa: E731
    logit = _torch_log_pdf(p_data, x) - log_pg_frozen(x)
    J = ml_cost(logit)
    (grad,) = torch.autograd.grad(J, theta)
    # per-sample gradients: c'(x_i) (1, z_i) with c = -1/2 exp(logit); for the standard error
    (cx,) = torch.autograd.grad((-0.5 * torch.exp(_torch_log_pdf(p_data, xf.requires_grad_(True)) - log_pg_frozen(xf))).sum(), xf)
    per = torch.stack([cx, cx * z], 1).numpy()
    del logit
    return grad.numpy(), per.std(0, ddof=1) / math.sqrt(n)
