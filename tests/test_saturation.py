"""gan_course.saturation: gradient norms by finite differences, the decomposition by Monte Carlo."""
import math

import numpy as np
import pytest
import torch

import gan_course as gc
from gan_course import saturation


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
def test_generator_grad_norm_finite_differences(loss):
    torch.manual_seed(0)
    G = gc.nets.Generator(1, 2, 4, 1, latent="uniform").double()
    D = gc.nets.Discriminator(2, 4, 1).double()
    z = G.sample_latent(16).double()
    f = {"minimax": lambda a: -torch.nn.functional.softplus(a).mean(),
         "nonsaturating": lambda a: torch.nn.functional.softplus(-a).mean()}[loss]
    params = list(G.parameters())
    fd = []
    with torch.no_grad():
        for p in params:
            flat = p.view(-1)
            for i in range(flat.numel()):
                old = flat[i].item()
                flat[i] = old + 1e-6
                up = f(D(G(z))).item()
                flat[i] = old - 1e-6
                down = f(D(G(z))).item()
                flat[i] = old
                fd.append((up - down) / 2e-6)
    assert saturation.generator_grad_norm(G, D, z, loss) == pytest.approx(np.linalg.norm(fd), rel=1e-6)


def test_minimax_gradient_vanishes_while_d_trains():
    torch.manual_seed(0)
    G = gc.nets.Generator(1, 2, 16, 1, latent="uniform")
    with torch.no_grad():
        G.net[-1].bias += torch.tensor([2.0, 0.5])  # support far from the line x = 0
    D = gc.nets.Discriminator(2, 32, 2)
    out = saturation.gradient_under_training_d(G, D, gc.toys.parallel_lines(0.0), d_steps=300, batch_size=64, lr_d=5e-3)
    assert set(out) == {"minimax", "nonsaturating", "d_loss", "d_fake"} and len(out["minimax"]) == 300
    assert out["minimax"][-10:].mean() < 1e-2 * out["minimax"][:5].mean()
    assert out["nonsaturating"][-10:].mean() > out["nonsaturating"][:5].mean()
    assert out["d_fake"][-1] < 1e-2 and out["d_loss"][-1] < 0.05
    # on the same G and D the minimax gradient is D(G(z)) times smaller, roughly: tie to the ratio
    ratio = out["minimax"][-1] / out["nonsaturating"][-1]
    assert ratio < 10 * out["d_fake"][-1] / (1 - out["d_fake"][-1]) + 1e-12


def test_bad_arguments():
    G, D = gc.nets.Generator(1, 2, 4, 1), gc.nets.Discriminator(2, 4, 1)
    with pytest.raises(ValueError):
        saturation.generator_grad_norm(G, D, G.sample_latent(4), "hinge")
    with pytest.raises(ValueError):
        saturation.gradient_under_training_d(G, D, gc.toys.parallel_lines(0.0), d_steps=0)


@pytest.mark.parametrize("mu,s", [(1.0, 1.0), (3.0, 0.5), (-2.0, 2.0)])
def test_nonsaturating_decomposition(mu, s):
    p_data = gc.toys.GaussianMixture1D((-1.0, 1.0), (0.3, 0.3))
    p_g = gc.toys.gaussian1d(mu, s)
    d = saturation.nonsaturating_decomposition(p_data, p_g)
    # the identity E_g[-log D*] = KL(g||r) - 2 JSD + 2 log 2 + E_r log D*
    assert d["expected"] == pytest.approx(d["kl"] - 2 * d["jsd"] + 2 * math.log(2) + d["e_data_log_d"], abs=1e-6)
    # independent: Monte Carlo of E_g[-log D*] with the analytic D*
    x = p_g.sample(400_000, seed=0).numpy().ravel().astype(float)
    mc = np.mean(np.logaddexp(p_data.log_pdf(x), p_g.log_pdf(x)) - p_data.log_pdf(x))
    assert d["expected"] == pytest.approx(mc, rel=0.02)


def test_noisy_gradient_is_cauchy_when_d_is_perfect():
    # Arjovsky & Bottou 2017, Thm 2.6: with D* = grad D* = 0 the -log D gradient is a ratio of centred
    # Gaussians, i.e. Cauchy(0, s_r / s_eps); checked with scipy's Kolmogorov-Smirnov test
    from scipy import stats

    g = torch.Generator().manual_seed(0)
    x = saturation.noisy_gradient_draws(0.0, 0.0, eps_std=0.5, r_std=2.0, n=20_000, generator=g).numpy()
    assert stats.kstest(x, stats.cauchy(scale=4.0).cdf).pvalue > 0.01
    assert stats.kstest(x, stats.norm(scale=x.std()).cdf).pvalue < 1e-6


def test_spread_of_means_follows_the_clt_or_not():
    g = torch.Generator().manual_seed(1)
    normal = torch.randn(400 * 100, generator=g, dtype=torch.float64)
    assert saturation.spread_of_means(normal, 100) == pytest.approx(0.1, rel=0.2)
    cauchy = saturation.noisy_gradient_draws(0.0, 0.0, 1.0, 1.0, 400 * 100, g)
    assert saturation.spread_of_means(cauchy, 100) == pytest.approx(1.0, rel=0.2)
    # small noise around a clear D*: close to -d_grad / d_value with a finite spread
    tame = saturation.noisy_gradient_draws(0.5, 2.0, 1e-3, 1e-3, 40_000, g)
    assert float(tame.mean()) == pytest.approx(-4.0, rel=1e-3)
    assert saturation.spread_of_means(tame, 100) == pytest.approx(0.1, rel=0.2)
    with pytest.raises(ValueError):
        saturation.spread_of_means(normal[:50], 100)
    with pytest.raises(ValueError):
        saturation.noisy_gradient_draws(0.1, 0.1, 0.0, 1.0, 10)
