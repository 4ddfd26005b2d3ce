"""gan_course.ring_losses: chapter 08's four losses on the ring, against the lab and custom_loop run directly."""
from functools import partial

import numpy as np
import pytest
import torch

from gan_course import custom_loop, ebgan, lab, ring_losses, toys


@pytest.fixture
def float64():
    torch.set_default_dtype(torch.float64)  # so that a model does not depend on the batch it was trained in
    yield
    torch.set_default_dtype(torch.float32)


def test_compare_matches_the_lab_and_custom_loop(tmp_path, float64):
    meta, res, arrays = ring_losses.compare([3, 5], 10, tmp_path, progress=False)
    assert set(res) == set(ring_losses.VARIANTS) and meta["dataset"] == "ring8"
    for name, loss in ring_losses.LAB_LOSSES.items():  # (1) the lab's own training of the same setting
        ref = lab.train("ring8", loss, [3, 5], steps=10, device="cpu", progress=False)
        for k, r in enumerate(ref):
            assert res[name]["runs"][k]["seed"] == r["setting"].seed
            assert res[name]["runs"][k]["modes_covered"] == r["stats"][-1].modes_covered
            assert res[name]["runs"][k]["hq_fraction"] == pytest.approx(r["stats"][-1].hq_fraction)
            x = r["samples"][-1][:ring_losses.N_SHOW]
            assert np.allclose(arrays[name][k], x, atol=2e-3 * (1 + np.abs(x)))  # stored as float16
        assert arrays[name + " field"].shape == (2, 50, 50)
    eb = custom_loop.train([3, 5], toys.ring8(), 10, ring_losses.make_autoencoder,  # (2) custom_loop directly
                           partial(ebgan.d_loss, margin=ring_losses.EBGAN_MARGIN), ebgan.g_loss, device="cpu",
                           progress=False)
    x = eb.samples[:, :ring_losses.N_SHOW]
    assert np.allclose(arrays["EBGAN"], x, atol=2e-3 * (1 + np.abs(x)))
    assert arrays["LS-GAN"].shape == (2, ring_losses.N_SHOW, 2) and res["LS-GAN"]["steps"] == 10


def test_compare_replaces_only_the_variants_it_trains(tmp_path):
    ring_losses.compare([0], 2, tmp_path, progress=False, variants=("EBGAN",))
    _, res, _ = ring_losses.compare([1], 2, tmp_path, progress=False, variants=("LS-GAN",))
    assert res["EBGAN"]["seeds"] == [0] and res["LS-GAN"]["seeds"] == [1]


def test_bad_input_fails_clearly(tmp_path):
    with pytest.raises(ValueError, match="unknown variant"):
        ring_losses.compare([0], 2, tmp_path, variants=("WGAN",))
    with pytest.raises(ValueError, match="distinct seeds"):
        ring_losses.compare([0, 0], 2, tmp_path)
    with pytest.raises(SystemExit):
        ring_losses.main(["--out", str(tmp_path), "--steps", "0"])
    with pytest.raises(Exception, match="missing"):
        ring_losses.load_comparison(tmp_path / "nothing")


def test_shipped_comparison_is_complete():
    meta, res, arrays = ring_losses.load_comparison()
    assert meta["batch_size"] == lab.BATCH and meta["width"] == lab.WIDTH and meta["ebgan_margin"] == 0.2
    for name in ring_losses.VARIANTS:
        assert res[name]["seeds"] == list(range(10)) and res[name]["steps"] == 2000
        assert [r["seed"] for r in res[name]["runs"]] == list(range(10))
        assert arrays[name].shape == (10, ring_losses.N_SHOW, 2) and np.isfinite(arrays[name]).all()
        assert all(0 <= r["modes_covered"] <= 8 and 0 <= r["hq_fraction"] <= 1 for r in res[name]["runs"])
