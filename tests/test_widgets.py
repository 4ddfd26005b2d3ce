"""The lab view: store round trip, redraw from saved numbers in under 100 ms."""
import statistics
import time

import numpy as np
import pytest

from gan_course import lab, metrics, toys, widgets


@pytest.fixture(scope="module")
def store():
    st = widgets.LabStore()
    for loss in ("wgan-gp", "nonsaturating"):
        (r,) = lab.train("ring8", loss, [0], steps=8, device="cpu", progress=False, n_snapshots=lab.N_SNAPSHOTS)
        st.add(r)
    return st


def test_store_keys_and_metrics(store):
    d = lab.make_setting("wgan-gp")
    run = store.get(widgets.knob_key("ring8", "wgan-gp", d.lr_d, d.n_critic, d.penalty_weight, d.noise_sigma))
    assert run is not None and run["samples"].dtype == np.float16 and run["field"].shape == (9, 50, 50)
    assert run["field"].dtype == np.float16 and list(run["steps"]) == list(lab.snapshot_steps(8))
    assert store.get(widgets.knob_key("ring8", "wgan-gp", d.lr_d, d.n_critic, 100.0, d.noise_sigma)) is None


def test_view_changes_picture_and_metrics_and_redraws_fast(store):
    v = widgets.LabView(store, device="cpu")
    c = v.canvas
    first = (c.frame_id, c.samples, c.meta["status"])
    assert c.meta["source"] == "saved" and "modes covered" in c.meta["status"] and len(c.field) == 4 * 50 * 50
    v.step.value = 0
    assert c.frame_id == first[0] + 1 and c.samples != first[1] and c.meta["status"] != first[2]
    assert c.meta["step"] == 0 and np.array_equal(np.frombuffer(c.samples, np.float32).reshape(-1, 2),
                                                  store.get(v.key())["samples"][0].astype(np.float32))
    wall, cpu = [], []
    for i in list(range(9)) * 3:
        t0, c0 = time.perf_counter(), time.process_time()
        v.step.value = i if v.step.value != i else (i + 1) % 9
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    # CPU time of the kernel's side of a move (lookup and packing; the browser draws)
    print(f"redraw: median wall {1e3 * statistics.median(wall):.1f} ms, CPU {1e3 * statistics.median(cpu):.1f} ms")
    # wide margin: about 1 ms measured on the busy 2-core machine
    assert statistics.median(cpu) < 0.050, f"median redraw CPU time {statistics.median(cpu):.3f} s"
    v.loss.value = "nonsaturating"
    d = lab.make_setting("nonsaturating")
    assert v.lr.value == d.lr_d and v.n_critic.value == d.n_critic and v.penalty.disabled
    assert "modes covered" in v.status and c.meta["labels"] == [v.panel().label()]
    v.loss.value = "hinge-sn"  # not in this store: trains live instead of keeping the old picture
    assert v.source == "live" and c.meta["source"] == "starting" and "hinge-sn" in c.meta["labels"][0]
    v.engine.close()


def test_metrics_text_matches_mode_stats(store):
    run = store.get(widgets.setting_key("ring8", "nonsaturating", lab.make_setting("nonsaturating")))
    st = run["stats"][-1]
    assert widgets.metrics_text(st, 8).startswith(f"modes covered {int(st[0])}/8")


def wait_for(cond, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def test_unsaved_setting_trains_live_and_never_shows_the_old_setting(store):
    v = widgets.LabView(store, device="cpu", fps=20)
    shown = []  # every state sent to the canvas after the knob change
    try:
        saved = v.canvas.samples
        v.canvas.observe(lambda ch: shown.append(dict(v.canvas.meta)), names="frame_id")
        v.dataset.value, v.loss.value = "grid25", "least-squares"  # not in this store: trains live
        gen = v.engine.generation
        assert v.source == "live" and v.step.disabled
        assert wait_for(lambda: v.live_frame is not None and v.live_frame.generation == gen and v.live_frame.step > 3)
        f = v.live_frame
        assert f.datasets == ["grid25"] and f.losses == ["least-squares"] and "live" in v.status
        assert v.canvas.samples != saved and v.canvas.meta["labels"] == [v.panel().label()]
        # the dataset change alone (ring8 least-squares is not in this store either) trained ring8 briefly;
        # from the first grid25 least-squares state on, nothing else was drawn
        first = next(i for i, m in enumerate(shown) if m["labels"] == [v.panel().label()])
        assert all(m["labels"] == [v.panel().label()] for m in shown[first:]), [m["labels"] for m in shown]
        assert shown[first]["source"] == "starting" and shown[first + 1]["step"] == 0
        v.engine.pause()
        assert v.engine.wait_idle()
        t = v.engine.run.step_count
        v.one_step()
        assert v.engine.wait_idle() and v.engine.run.step_count == t + 1
        assert wait_for(lambda: v.live_frame.step == t + 1) and f"step {t + 1}/" in v.status
        # back to a saved setting: the engine stops and the saved run is drawn
        v.dataset.value, v.loss.value = "ring8", "nonsaturating"
        assert v.source == "saved" and "saved run" in v.status and v.engine.generation > gen
        n = v.canvas.frame_id
        time.sleep(0.3)
        assert v.canvas.frame_id == n, "a live frame replaced the saved run's picture"
    finally:
        v.engine.close()


def test_tricks_and_compare_mode_train_live(store):
    v = widgets.LabView(store, device="cpu", fps=20)
    try:
        v.loss.value = "nonsaturating"
        assert v.source == "saved"
        v.feature_matching.value = True  # not saved: trains live, labelled
        assert v.source == "live" and v.engine.panels[0].setting().feature_matching
        assert "feature matching" in v.canvas.meta["labels"][0]
        v.minibatch.value = True
        s = v.engine.panels[0].setting()
        assert s.feature_matching and s.minibatch_kernels == widgets.MINIBATCH_KERNELS
        v.feature_matching.value = v.minibatch.value = False
        assert v.source == "saved"
        v.mode.value = "compare"  # six losses at their defaults, one batched run, one shared step
        assert [p.loss for p in v.engine.panels] == list(lab.LOSS_NAMES) and v.lr.disabled and v.loss.disabled
        assert wait_for(lambda: v.live_frame is not None and len(v.live_frame.labels) == 6 and v.live_frame.step >= 1)
        assert v.canvas.meta["K"] == 6 and v.canvas.meta["titles"] == list(lab.LOSS_NAMES)
        v.preset.value = widgets.COMPARE_PRESETS[1]
        lrs = [p.setting().lr_d for p in v.engine.panels]
        assert lrs == list(widgets.four_learning_rates(1e-3)) == [1e-4, 3e-4, 1e-3, 1e-2]
        assert {p.loss for p in v.engine.panels} == {"nonsaturating"} and not v.loss.disabled
        v.mode.value = "one setting"
        assert v.source == "saved" and v.canvas.meta["K"] == 1
    finally:
        v.engine.close()


def test_a_failing_live_run_is_shown(store, monkeypatch):
    from gan_course import live

    v = widgets.LabView(store, device="cpu")
    try:
        monkeypatch.setattr(live.Run, "step", lambda self: 1 / 0)
        v.loss.value = "hinge-sn"  # not in this store: trains live, and its first step fails
        assert wait_for(lambda: "training stopped: ZeroDivisionError" in v.canvas.meta.get("warning", ""))
        assert "hinge-sn" in v.canvas.meta["labels"][0]
    finally:
        v.engine.close()


def test_four_learning_rates_and_bad_preset():
    for lr in lab.LR_VALUES:
        four = widgets.four_learning_rates(lr)
        assert len(set(four)) == 4 and lr in four and set(four) <= set(lab.LR_VALUES)
    grid = widgets.compare_panels(widgets.COMPARE_PRESETS[2], "grid25", "hinge-sn")
    assert len(grid) == 16 and len({p.label() for p in grid}) == 16 and {p.dataset for p in grid} == {"grid25"}
    from gan_course import lab_canvas
    titles = lab_canvas.panel_titles([p.label() for p in grid])
    assert len(set(titles)) == 16 and titles[0] == "minimax · lr 0.0001", titles
    with pytest.raises(ValueError, match="unknown compare preset"):
        widgets.compare_panels("all", "ring8", "minimax")


def test_default_run_and_display_field(store):
    run = store.default_run("ring8", "nonsaturating")
    assert run is store.get(widgets.setting_key("ring8", "nonsaturating", lab.make_setting("nonsaturating")))
    raw = np.array([[-50.0, 0.0], [np.log(3.0), 50.0]], np.float16)
    f, lo, hi, label = widgets.display_field(raw, "nonsaturating")
    # sigmoid(log 3) = 3 / 4; the logits are clipped to +-30 first
    assert (lo, hi, label) == (0.0, 1.0, "D(x)") and f[1, 0] == pytest.approx(0.75, abs=1e-3) and f[0, 0] < 1e-12
    field = np.linspace(0, 1, 10100).reshape(101, 100)
    f, lo, hi, label = widgets.display_field(field, "wgan-gp")
    assert label == "critic f(x)" and np.mean((f >= lo) & (f <= hi)) == pytest.approx(0.96, abs=1e-3)
