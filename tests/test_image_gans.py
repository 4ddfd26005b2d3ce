import json

import pytest
import torch
import torch.nn as nn

from gan_course import image_gans as ig
from gan_course import spectral


@pytest.mark.parametrize("name", sorted(ig.VARIANTS))
@pytest.mark.parametrize("channels", [1, 3])
def test_shapes(name, channels):
    G, D = ig.build(name, channels)
    x = G(G.sample_latent(5))
    assert x.shape == (5, channels, 16, 16) and x.abs().max() <= 1
    assert D(x).shape == (5,)


def test_recipes_follow_the_papers():
    dc, sa = ig.VARIANTS["dcgan"], ig.VARIANTS["sagan"]
    assert (dc.lr_d, dc.lr_g, dc.betas, dc.loss) == (2e-4, 2e-4, (0.5, 0.999), "nonsaturating")
    assert (sa.lr_d, sa.lr_g, sa.betas, sa.loss, sa.sn_g, sa.sn_d) == (4e-4, 1e-4, (0.0, 0.9), "hinge", True, True)
    G, D = ig.build("dcgan")
    kinds = [type(m) for m in D.net]
    assert kinds[0] is nn.Conv2d and kinds[1] is nn.LeakyReLU  # no batch norm at D's input
    assert D.net[1].negative_slope == 0.2
    assert isinstance(G.net[-1], nn.Tanh) and not isinstance(G.net[-2], nn.BatchNorm2d)
    ws = torch.cat([m.weight.detach().flatten() for m in G.modules() if isinstance(m, nn.ConvTranspose2d)])
    assert abs(float(ws.std()) - 0.02) < 0.002
    G, D = ig.build("sagan")
    n_sn = sum(isinstance(m, spectral.SpectralNorm) for m in D.modules())
    n_conv = sum(isinstance(m, nn.Conv2d) for m in D.modules())
    assert n_sn == n_conv  # every convolution of D sits inside an SN wrapper


def _attention_by_loops(block, x):
    """The formula of Zhang et al. (2019), Sec. 3, one query pixel at a time."""
    n, C, H, W = x.shape
    conv = lambda m, t: torch.einsum("oc,nchw->nohw", m.normalized_weight()[:, :, 0, 0], t)
    f, g, h = conv(block.f, x).flatten(2), conv(block.g, x).flatten(2), conv(block.h, x).flatten(2)
    out = torch.empty(n, h.shape[1], H * W)
    for j in range(H * W):
        s = torch.stack([(f[:, :, i] * g[:, :, j]).sum(1) for i in range(H * W)], 1)  # (n, HW)
        beta = torch.softmax(s, 1)
        out[:, :, j] = (beta[:, None, :] * h).sum(2)
    o = conv(block.v, out.view(n, -1, H, W))
    return x + block.gamma * o


def test_self_attention_matches_the_formula_and_starts_as_identity():
    torch.manual_seed(0)
    block = ig.SelfAttention(16).eval()
    x = torch.randn(2, 16, 4, 4)
    assert torch.equal(block(x), x)  # gamma = 0 at initialisation
    with torch.no_grad():
        block.gamma.fill_(0.7)
    assert torch.allclose(block(x), _attention_by_loops(block, x), atol=1e-5)
    beta = block.last_attention
    assert beta.shape == (2, 16, 16) and torch.allclose(beta.sum(1), torch.ones(2, 16))
    assert block.f.layer.out_channels == 2 and block.h.layer.out_channels == 2  # C/8


def test_short_training_and_weights_roundtrip(tmp_path):
    G, D, hist = ig.train("sagan", "digits", steps=3, batch_size=8, progress=False, device="cpu")
    assert hist["d_loss"].shape == (3,) and hist["device"] == "cpu"
    p = tmp_path / "g.pt"
    ig.save_generator(G, p)
    G2 = ig.load_generator(p, "sagan")
    x1, x2 = ig.generate(G, 16, seed=0), ig.generate(G2, 16, seed=0)
    assert (x1 - x2).abs().max() < 0.01  # float16 storage


def test_train_all_and_evaluate_command(tmp_path):
    table = ig.train_all(tmp_path, steps=2, batch_size=8, device="cpu", progress=False, n_eval=100, n_stacked=200)
    assert set(table) == {"real data (held-out)", *ig.VARIANTS}
    assert table["real data (held-out)"]["classes_covered"] == 10
    timings = json.loads((tmp_path / "timings.json").read_text())
    assert timings["cpu"]["wall_seconds"] > 0
    assert ig.evaluate(tmp_path, 100, 200) == table  # evaluation recomputes the same numbers
    assert len(ig.check_targets(table)) == 2  # two untrained steps do not meet the targets


def test_check_targets():
    ok = {"classes_covered": 10, "class_kl": 0.05}
    assert ig.check_targets({"dcgan": ok, "sagan": ok}) == []
    assert len(ig.check_targets({"dcgan": ok, "sagan": {"classes_covered": 8, "class_kl": 0.05}})) == 1


def test_clear_errors():
    with pytest.raises(ValueError):
        ig.variant("wgan")
    with pytest.raises(ValueError):
        ig.train("dcgan", "cifar", steps=1)
    with pytest.raises(ValueError):
        ig.SelfAttention(4)
