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


def _snapshot(folder):
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


@pytest.mark.parametrize("bad, message", [
    (dict(steps=0), "steps must be an integer >= 1"),
    (dict(jobs=0), "jobs must be an integer >= 1"),
    (dict(device="foo"), "not a torch device: 'foo'"),
    (dict(seed=-1), "seed must be an integer >= 0"),
])
def test_train_all_checks_arguments_before_any_work(tmp_path, bad, message):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=message):
        ig.train_all(out, **{"progress": False, **bad})
    assert not out.exists()  # nothing created, nothing trained


def test_train_all_refuses_the_shipped_assets():
    shipped = ig.store.ASSETS / "images"
    before = _snapshot(shipped)
    with pytest.raises(ValueError, match="shipped assets.*--overwrite-assets"):
        ig.train_all(shipped, steps=0 + 1, progress=False)
    assert _snapshot(shipped) == before


@pytest.mark.parametrize("args, message", [
    (["--steps", "0"], "--steps: must be an integer >= 1"),
    (["--out", "o", "--jobs", "0"], "--jobs: must be an integer >= 1"),
    (["--out", "o", "--device", "foo"], "not a torch device: 'foo'"),
    (["--out", "assets/images"], "holds the shipped assets"),
    (["--out", "assets/images", "--steps", "0"], "--steps: must be an integer >= 1"),
])
def test_cli_bad_arguments_fail_before_any_work(tmp_path, args, message):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    before = _snapshot(root / "assets" / "images")
    p = subprocess.run([sys.executable, "-m", "gan_course.image_gans", "train-all", *args], capture_output=True,
                       text=True, cwd=tmp_path if "o" in args else root, timeout=300,
                       env={"PYTHONPATH": str(root), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert _snapshot(root / "assets" / "images") == before and not (tmp_path / "o").exists()


def test_damaged_weights_name_the_file_and_the_command(tmp_path):
    G, _ = ig.build("dcgan")
    p = tmp_path / "dcgan_digits.pt"
    ig.save_generator(G, p)
    p.write_bytes(p.read_bytes()[:1000])
    with pytest.raises(ig.store.AssetError, match=r"dcgan_digits\.pt is damaged.*train-all"):
        ig.load_generator(p, "dcgan")
    with pytest.raises(ig.store.AssetError, match=r"classifier\.pt is missing.*train-all"):
        ig.load_classifier(tmp_path)


def test_interrupted_training_is_flagged_and_saved_as_partial(tmp_path, monkeypatch):
    def stop(step, G, D):
        if step == 1:
            raise KeyboardInterrupt

    G, D, hist = ig.train("dcgan", "digits", steps=5, batch_size=8, progress=False, device="cpu", on_step=stop)
    assert hist["interrupted"] and hist["steps_done"] == 2  # on_step(1) comes after the second update
    real_train = ig.train
    monkeypatch.setattr(ig, "train", lambda *a: real_train(*a, on_step=stop))
    rec = ig._train_job(("dcgan", "digits", tmp_path, 5, 8, 0, "cpu", False, 1))
    assert rec[5] is True and rec[6] == 2
    assert (tmp_path / "dcgan_digits.partial.pt").exists() and not (tmp_path / "dcgan_digits.pt").exists()
