"""The lab's canvas renderer: what the kernel sends per frame decodes to the frame's own arrays."""
import re

import numpy as np
import pytest
from scipy.special import expit

from gan_course import lab, lab_canvas, live

SMALL = dict(width=8, batch_size=32, n_show=64, field_n=10, manifold_n=5)


def f32(b):
    return np.frombuffer(b, np.float32)


def test_esm_is_shipped_and_loads_nothing():
    js = lab_canvas.ESM
    assert "export default" in js and "render" in js
    assert not re.search(r"^\s*import\b|import\(|https?://", js, re.M), "the canvas must not load code or data"


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan-gp"])
def test_frame_state_decodes_to_the_frame(loss):
    # 23 steps with at most 10 curve points: the losses are thinned to every 2nd step
    run = live.Run([live.Panel("ring8", loss), live.Panel("ring8", loss, lr=1e-4)], "cpu", max_curve=10, **SMALL)
    for _ in range(23):
        run.step()
    fr = run.frame(3, ("field", "push", "manifold"))
    toy = lab.dataset("ring8")
    st = lab_canvas.frame_state(fr, [toy.centres] * 2)
    meta = st["meta"]
    assert (meta["K"], meta["n"], meta["m"], meta["g"], meta["step"]) == (2, 64, 10, 5, 23)
    assert np.array_equal(f32(st["samples"]).reshape(2, 64, 2), fr.samples)
    assert np.array_equal(f32(st["push"]).reshape(2, 64, 2), fr.push)
    assert np.array_equal(f32(st["manifold"]).reshape(2, 25, 2), fr.manifold)
    field = f32(st["field"]).reshape(2, 10, 10)
    for k in range(2):
        lo, hi = meta["clim"][k]
        if loss == "nonsaturating":  # D(x) = sigmoid(logit) on a fixed [0, 1] scale
            assert (lo, hi) == (0.0, 1.0) and np.allclose(field[k], expit(fr.field[k]), atol=1e-6)
        else:  # the critic between its 2nd and 98th percentiles
            o = np.sort(fr.field[k].ravel())  # 100 values: the 2nd percentile lies between o[1] and o[2] (at 1.98)
            assert o[1] <= lo <= o[2] and o[97] <= hi <= o[98] and lo < hi
            assert np.allclose(field[k], np.clip((fr.field[k] - lo) / (hi - lo), 0, 1), atol=1e-5)
    cs, modes, hq, ls, d, g = lab_canvas.unpack_curves(st["curves"], 2, meta["Tc"], meta["Tl"])
    assert np.array_equal(cs, fr.curve_steps) and np.array_equal(modes, fr.modes) and np.allclose(hq, fr.hq)
    assert list(ls) == list(range(2, 23, 2)), "loss k is the loss after generator step loss_steps[k]"
    full_d, full_g = run.groups[0][1].losses() if len(run.groups) == 1 else (None, None)
    if full_d is not None:  # column j of the frame's losses is the loss after step ls[j]
        assert np.allclose(d, full_d[:, ls.astype(int) - 1]) and np.allclose(g, full_g[:, ls.astype(int) - 1])
    assert meta["titles"] == ["lr " + f"{lab.make_setting(loss).lr_d:g}", "lr 0.0001"]
    assert meta["labels"] == fr.labels and "ring8" in meta["heading"] and f"step {23}/" in meta["status"]


def test_saved_and_starting_states():
    steps = np.array([0, 10, 20])
    rng = np.random.default_rng(0)
    run = dict(steps=steps, samples=rng.normal(size=(3, 50, 2)).astype(np.float16),
               field=rng.normal(size=(3, 50, 50)).astype(np.float16),
               stats=np.array([[1, 0.1, 2.0], [5, 0.5, 0.5], [8, 0.97, 0.01]]))
    st = lab_canvas.saved_state(run, 1, "ring8 · minimax", "minimax", 3.0, lab.dataset("ring8").centres, 8)
    meta = st["meta"]
    assert meta["source"] == "saved" and meta["step"] == 10 and "modes covered 5/8" in meta["status"]
    assert np.array_equal(f32(st["samples"]).reshape(50, 2), run["samples"][1].astype(np.float32))
    assert np.allclose(f32(st["field"]).reshape(50, 50), expit(run["field"][1].astype(np.float32)), atol=1e-6)
    cs, modes, hq, ls, d, g = lab_canvas.unpack_curves(st["curves"], 1, meta["Tc"], meta["Tl"])
    assert list(cs) == [0, 10] and list(modes[0]) == [1, 5] and np.allclose(hq[0], [0.1, 0.5]) and len(ls) == 0
    s0 = lab_canvas.starting_state(["a · x", "a · y"], [3, 3], [[[0, 0]]] * 2, [8, 8])
    assert s0["meta"]["source"] == "starting" and s0["meta"]["titles"] == ["x", "y"] and s0["samples"] == b""


def test_titles_name_what_differs():
    labels = [live.Panel("ring8", loss).label() for loss in lab.LOSS_NAMES]
    assert lab_canvas.panel_titles(labels) == list(lab.LOSS_NAMES)
    labels = [live.Panel("grid25", "hinge-sn", lr=v).label() for v in (1e-4, 1e-3)]
    assert lab_canvas.panel_titles(labels) == ["lr 0.0001", "lr 0.001"]
    assert lab_canvas.common_heading(labels) == "grid25 · hinge-sn · n_critic 5 · σ 0"


def test_show_sends_one_numbered_frame():
    c = lab_canvas.LabCanvas()
    st = lab_canvas.starting_state(["a"], [3], [[[0, 0]]], [8])
    i = c.show(st)
    assert i == c.frame_id == 1 and c.meta["labels"] == ["a"] and c.show(st) == 2
    assert c.views == lab_canvas.DEFAULT_VIEWS
