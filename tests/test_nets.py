import pytest
import torch

from gan_course import nets


def test_mlp_layer_count_and_widths():
    m = nets.mlp(3, 2, width=16, depth=4)
    linears = [l for l in m if isinstance(l, torch.nn.Linear)]
    assert len(linears) == 5
    assert [l.in_features for l in linears] == [3, 16, 16, 16, 16]
    assert linears[-1].out_features == 2


def test_shapes():
    G, D = nets.Generator(4, 2, 32, 2), nets.Discriminator(2, 32, 2)
    z = G.sample_latent(7)
    assert z.shape == (7, 4)
    assert G(z).shape == (7, 2)
    assert D(G(z)).shape == (7,)


def test_uniform_latent_range():
    z = nets.Generator(1, 1, 8, 1, latent="uniform").sample_latent(10_000)
    assert z.min() >= -1 and z.max() <= 1 and z.abs().max() > 0.99


@pytest.mark.parametrize("bad", [lambda: nets.Generator(2, 2)(torch.zeros(5, 3)),
                                 lambda: nets.Discriminator(2)(torch.zeros(5)),
                                 lambda: nets.mlp(2, 2, width=0),
                                 lambda: nets.mlp(2, 2, activation="gelu"),
                                 lambda: nets.Generator(latent="cauchy")])
def test_bad_input(bad):
    with pytest.raises(ValueError):
        bad()
