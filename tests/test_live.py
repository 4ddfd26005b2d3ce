"""The live engine, headless: frames arrive; pause, step, reset and knob-change semantics; batched = solo."""
import threading
import time

import numpy as np
import pytest

from gan_course import batched, lab, live

SMALL = dict(width=8, batch_size=32, n_show=64, field_n=10, manifold_n=5)


class Recorder:
    def __init__(self):
        self.frames, self.lock = [], threading.Lock()
        self.engine = None
        self.stale = []

    def __call__(self, frame):
        if self.engine is not None and frame.generation != self.engine.generation:
            self.stale.append(frame)  # delivered although a newer run was configured
        with self.lock:
            self.frames.append(frame)

    def wait(self, n, timeout=20.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(self.frames) >= n:
                return True
            time.sleep(0.01)
        return False


@pytest.fixture
def engine():
    rec = Recorder()
    eng = live.LiveEngine(rec, fps=40, device="cpu", **SMALL)
    rec.engine = eng
    yield eng, rec
    eng.close()


def test_frames_arrive_while_playing_and_carry_every_view(engine):
    eng, rec = engine
    gen = eng.configure(live.Panel("ring8", "nonsaturating"), play=True)
    assert rec.wait(6), f"only {len(rec.frames)} frames"
    f0, fl = rec.frames[0], rec.frames[-1]
    assert f0.generation == gen and f0.step == 0, "the first frame of a run shows step 0"
    steps = [f.step for f in rec.frames]
    assert steps == sorted(steps) and fl.step > 0
    assert fl.samples.shape == (1, 64, 2) and fl.field.shape == (1, 10, 10) and fl.push.shape == (1, 64, 2)
    assert fl.manifold.shape == (1, 25, 2) and fl.d_loss.shape[0] == 1 and fl.modes.shape == (1, len(fl.curve_steps))
    assert fl.labels == [live.Panel("ring8", "nonsaturating").label()] and "lr 0.001" in fl.labels[0]


def test_pause_stops_frames_and_step_advances_by_one(engine):
    eng, rec = engine
    eng.configure(live.Panel("ring8", "nonsaturating"), play=True)
    assert rec.wait(3)
    eng.pause()
    assert eng.wait_idle()
    n, t = len(rec.frames), eng.run.step_count
    time.sleep(0.3)
    assert len(rec.frames) == n and eng.run.step_count == t, "frames or steps while paused"
    eng.step()
    assert rec.wait(n + 1) and eng.wait_idle()
    time.sleep(0.1)
    assert len(rec.frames) == n + 1 and rec.frames[-1].step == t + 1 and eng.run.step_count == t + 1
    eng.step(3)
    assert eng.wait_idle()
    assert eng.run.step_count == t + 4 and rec.frames[-1].step == t + 4


def test_knob_change_cancels_the_old_run_and_starts_at_step_0(engine):
    eng, rec = engine
    g1 = eng.configure(live.Panel("ring8", "nonsaturating"), play=True)
    assert rec.wait(4)
    old_run = eng.run
    g2 = eng.configure(live.Panel("grid25", "nonsaturating", lr=1e-4))
    n_at_change = len(rec.frames)
    assert rec.wait(n_at_change + 3)
    new = [f for f in rec.frames[n_at_change:]]
    assert all(f.generation == g2 for f in new), "a frame of the cancelled run arrived after the knob change"
    assert new[0].step == 0 and new[0].datasets == ["grid25"] and "lr 0.0001" in new[0].labels[0]
    t = old_run.step_count
    time.sleep(0.2)
    assert old_run.step_count == t, "the cancelled run kept training"
    assert g2 == g1 + 1 and eng.run is not old_run


def test_rapid_knob_changes_never_deliver_a_stale_frame(engine):
    eng, rec = engine
    for i in range(12):
        eng.configure(live.Panel("ring8", "nonsaturating", lr=lab.LR_VALUES[i % 7]), play=True)
        time.sleep(0.03)
    last = eng.generation
    assert rec.wait(len(rec.frames) + 2)
    assert not rec.stale, f"{len(rec.stale)} frames of a cancelled run were delivered"
    assert rec.frames[-1].generation == last and f"lr {lab.LR_VALUES[11 % 7]:g}" in rec.frames[-1].labels[0]


def test_reset_restarts_the_same_setting_at_step_0(engine):
    eng, rec = engine
    eng.configure(live.Panel("ring8", "hinge-sn"))
    eng.step(3)
    assert eng.wait_idle()
    first = rec.frames[0]
    gen = eng.reset()
    assert eng.wait_idle() and rec.frames[-1].generation == gen and rec.frames[-1].step == 0
    assert np.array_equal(rec.frames[-1].samples, first.samples), "a reset run starts from the same seeded weights"


def test_compare_run_matches_its_solo_runs():
    # four learning rates of one loss train as one batch, and the six losses as four cost groups:
    # after a few steps each panel equals the same setting trained alone
    for panels in ([live.Panel("ring8", "nonsaturating", lr=v) for v in (1e-4, 1e-3, 3e-3, 1e-2)],
                   [live.Panel("ring8", loss) for loss in lab.LOSS_NAMES]):
        run = live.Run(panels, "cpu", **SMALL)
        assert len(run.groups) == (1 if len(panels) == 4 else 4)
        for _ in range(4):
            run.step()
        f = run.frame(0)
        for k, p in enumerate(panels):
            solo = live.Run([p], "cpu", **SMALL)
            for _ in range(4):
                solo.step()
            s = solo.frame(0)
            assert np.allclose(f.samples[k], s.samples[0], atol=1e-5), p
            assert np.allclose(f.field[k], s.field[0], atol=1e-4) and np.allclose(f.d_loss[k], s.d_loss[0], atol=1e-5)


def test_run_samples_equal_train_batched():
    # the live run is the lab's trainer: its samples after 5 steps are train_batched's snapshot
    # (a loss without schedules, so that a 5-step train_batched takes the same steps as the 2,000-step run)
    p = live.Panel("ring8", "nonsaturating", noise_sigma=0.1)
    run = live.Run([p], "cpu", **SMALL)
    for _ in range(5):
        run.step()
    res = batched.train_batched([p.setting()], lab.dataset("ring8"), 5, width=8, depth=3,
                                batch_size=32, device="cpu", snapshot_steps=(5,), n_snapshot=64, progress=False)
    assert np.array_equal(run.frame(0).samples[0], res.snapshots[5]["samples"][0])


def test_bad_knobs_fail_on_the_callers_thread(engine):
    eng, _ = engine
    with pytest.raises(ValueError, match="unknown loss"):
        eng.configure(live.Panel("ring8", "foo"))
    with pytest.raises(ValueError, match="unknown dataset"):
        eng.configure(live.Panel("moon", "nonsaturating"))


def test_drawing_takes_at_most_its_share_of_the_workers_cpu():
    # a frame that costs ~15 ms of CPU, asked for 100 times a second: the engine lowers the frame rate so
    # that drawing stays within max_draw_share of the worker's CPU time (thread_time)
    frames = []

    def expensive(frame):
        c0 = time.thread_time()
        while time.thread_time() - c0 < 0.015:
            pass
        frames.append(frame.step)

    eng = live.LiveEngine(expensive, fps=100, device="cpu", max_draw_share=0.2, **SMALL)
    try:
        eng.configure(live.Panel("ring8", "nonsaturating"), play=True)
        time.sleep(2.5)
        eng.pause()
        assert eng.wait_idle()
        share = eng.draw_cpu_s / (eng.draw_cpu_s + eng.train_cpu_s)
        assert len(frames) >= 5 and 0.05 < share < 0.25, (len(frames), share)
    finally:
        eng.close()
    with pytest.raises(ValueError, match="max_draw_share"):
        live.LiveEngine(None, max_draw_share=1.0)


def test_a_failing_run_is_reported_and_the_worker_lives_on(monkeypatch):
    errors, rec = [], Recorder()
    eng = live.LiveEngine(rec, fps=40, device="cpu", on_error=lambda e, g: errors.append((e, g)), **SMALL)
    try:
        def boom(self):
            raise RuntimeError("planted")
        with monkeypatch.context() as m:
            m.setattr(live.Run, "step", boom)
            gen = eng.configure(live.Panel("ring8", "nonsaturating"), play=True)
            assert eng.wait_idle()
        assert len(errors) == 1 and errors[0][1] == gen and "planted" in str(eng.error) and not eng.playing
        n = len(rec.frames)
        eng.configure(live.Panel("ring8", "nonsaturating"), play=True)  # the next run trains
        assert rec.wait(n + 3) and rec.frames[-1].step > 0
    finally:
        eng.close()
