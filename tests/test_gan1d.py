"""gan_course.gan1d: Figure-1 curves of a 1-D generator, checked on affine generators with closed-form p_g."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from scipy.stats import norm  # noqa: E402

import gan_course as gc  # noqa: E402
from gan_course import gan1d  # noqa: E402


def affine_generator(a, b, latent):
    """A nets.Generator whose map is exactly G(z) = a z + b (the leaky ReLU stays in its linear part)."""
    G = gc.nets.Generator(1, 1, width=1, depth=1, activation="leaky_relu", latent=latent)
    first, last = G.net[0], G.net[2]
    with torch.no_grad():
        first.weight.fill_(1.0)
        first.bias.fill_(50.0)  # z + 50 > 0 for every latent point we use
        last.weight.fill_(a)
        last.bias.fill_(b - 50.0 * a)
    return G


def test_density_of_an_affine_normal_generator_is_gaussian():
    G = affine_generator(0.5, 1.0, "normal")
    x = np.linspace(-2, 4, 301)
    p = gan1d.generator_density(G, x, n=400_000)
    h = x[1] - x[0]
    exact = (norm.cdf(x + h / 2, 1.0, 0.5) - norm.cdf(x - h / 2, 1.0, 0.5)) / h  # bin averages
    np.testing.assert_allclose(p, exact, atol=2 / (400_000 * h))  # +-1 count per bin (and float32 rounding)
    assert np.abs(p - norm.pdf(x, 1.0, 0.5)).max() < 2e-3


def test_density_of_an_affine_uniform_generator_is_flat():
    G = affine_generator(2.0, -1.0, "uniform")  # U[-3, 1]
    x = np.linspace(-4, 2, 61)
    p = gan1d.generator_density(G, x, n=100_000)
    inside, outside = (x > -2.95) & (x < 0.95), (x < -3.05) | (x > 1.05)
    np.testing.assert_allclose(p[inside], 0.25, atol=1e-3)
    assert np.all(p[outside] == 0)


def test_latent_arrows_are_quantiles():
    G = affine_generator(0.5, 1.0, "normal")
    u, x = gan1d.latent_arrows(G, 9)
    np.testing.assert_allclose(u, (np.arange(9) + 0.5) / 9)
    np.testing.assert_allclose(x, norm.ppf(u, 1.0, 0.5), atol=1e-5)
    Gu = affine_generator(2.0, -1.0, "uniform")
    np.testing.assert_allclose(gan1d.latent_arrows(Gu, 4)[1], 2 * (2 * (np.arange(4) + 0.5) / 4 - 1) - 1, atol=1e-5)


def test_figure1_frame_and_animation():
    G = affine_generator(0.5, 1.0, "normal")
    D = gc.nets.Discriminator(1, width=4, depth=1)
    x = np.linspace(-2, 4, 121)
    f = gan1d.figure1_frame(G, D, x, n_arrows=5, n=10_000, title="t")
    assert f["p_g"].shape == f["d"].shape == x.shape and len(f["z"]) == len(f["x_of_z"]) == 5
    with torch.no_grad():
        expect = torch.sigmoid(D(torch.tensor(x[:, None], dtype=torch.float32))).numpy()
    np.testing.assert_allclose(f["d"], expect, rtol=1e-6)
    anim = gc.plotting.animate_figure1([f, f], x, norm.pdf(x, 1, 0.5), density_max=1.5)
    html = anim.to_jshtml()  # renders both frames
    assert "<img" in html and anim._fig.axes[0].get_ylim()[1] == pytest.approx(1.5)


def test_bad_input():
    G = affine_generator(1.0, 0.0, "normal")
    with pytest.raises(ValueError, match="evenly spaced"):
        gan1d.generator_density(G, np.array([0.0, 1.0, 3.0]))
    with pytest.raises(ValueError, match="1-D generator"):
        gan1d.generator_density(gc.nets.Generator(2, 1), np.linspace(0, 1, 5))
    with pytest.raises(ValueError, match="n_arrows"):
        gan1d.latent_arrows(G, 0)
