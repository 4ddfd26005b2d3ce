"""The lab's interactive view: knobs over saved runs and live training, drawn on a canvas in the browser.

A run is stored as numbers, not pictures (docs/DESIGN.md, Budgets): for each saved training step,
generated samples (float16), D's raw output on a 50 x 50 grid (float16) and the mode metrics
of ``metrics.mode_stats`` on 2,500 samples. A setting found in the store is drawn at once and the
snapshot slider scrubs it. Any other setting trains live (``live.LiveEngine``, a background thread):
frames of the current run only, with the generator's push on each sample, its manifold and the
curves; play, pause, one step and reset drive it, and any knob change restarts from step 0. The
compare mode trains several settings as one batched model and draws them as small multiples.

Frames are drawn by ``lab_canvas.LabCanvas`` (an anywidget: float32 arrays to an HTML canvas), so
the kernel's work per frame is packing bytes; the views are switched on and off in the browser.
"""
import threading
import time

import numpy as np

from . import lab, lab_canvas, live
from .lab_canvas import display_field  # noqa: F401  (widgets.display_field: how the lab colours D)
from .store import LabStore, knob_key, setting_key  # noqa: F401  (widgets.LabStore: the lab's store)

BCE_LOSSES = lab_canvas.BCE_LOSSES
MINIBATCH_KERNELS = 5  # B of the minibatch-discrimination checkbox (chapter 09's value)
COMPARE_PRESETS = ("six losses (this dataset)", "four learning rates (this loss)",
                   "4 losses x 4 learning rates (GPU)")
GRID_LOSSES = ("minimax", "nonsaturating", "least-squares", "wgan-gp")  # the 16-panel preset's losses


def metrics_text(stats, n_modes):
    modes, hq, rkl = stats
    return f"modes covered {int(modes)}/{n_modes} · high quality {100 * hq:.1f}% · reverse KL {rkl:.3f} nats"


def four_learning_rates(lr):
    """The compare preset's learning rates: ``lr`` and three others of the lab's grid, spread in log scale."""
    others = [v for v in (1e-4, 1e-3, 1e-2, 3e-4, 3e-3) if not np.isclose(v, lr)][:3]
    return tuple(sorted(others + [lr]))


def compare_panels(preset, dataset, loss, lr=None, n_critic=None, penalty_weight=None, noise_sigma=None,
                   feature_matching=None, minibatch_kernels=None):
    """The panels of a compare preset: every lab loss at its defaults on ``dataset``, four learning
    rates of ``loss`` with the other knobs as given, or four learning rates of each of four losses
    (16 panels, meant for a GPU; on a CPU each of them costs about one model's training)."""
    if preset == COMPARE_PRESETS[0]:
        return [live.Panel(dataset, name) for name in lab.LOSS_NAMES]
    if preset == COMPARE_PRESETS[1]:
        lr = lab.make_setting(loss).lr_d if lr is None else lr
        return [live.Panel(dataset, loss, v, n_critic, penalty_weight if loss == "wgan-gp" else None, noise_sigma,
                           feature_matching=feature_matching, minibatch_kernels=minibatch_kernels)
                for v in four_learning_rates(lr)]
    if preset == COMPARE_PRESETS[2]:  # 16 panels: on a GPU one batched step costs about what one model's does
        return [live.Panel(dataset, name, v) for name in GRID_LOSSES
                for v in four_learning_rates(lab.make_setting(name).lr_d)]
    raise ValueError(f"unknown compare preset {preset!r}; choose one of {', '.join(COMPARE_PRESETS)}")


class LabView:
    """Dropdowns, sliders and buttons over a ``LabStore`` and a ``LabCanvas``; ``widget`` is the box to display."""

    def __init__(self, store=None, device=None, fps=12.0, field_n=32):
        import ipywidgets as W

        self.store = store if store is not None else LabStore.load()
        self.device = device
        d0 = lab.make_setting("wgan-gp")
        self.gp_default = d0.penalty_weight  # the penalty slider keeps it while another loss is chosen
        wide = dict(style={"description_width": "110px"}, layout=W.Layout(width="330px"))
        self.mode = W.ToggleButtons(options=["one setting", "compare"], value="one setting",
                                    tooltips=["the knobs' setting: saved if in assets/lab, else trained live",
                                              "several settings trained at once, side by side"],
                                    style={"button_width": "120px"})
        self.preset = W.Dropdown(options=list(COMPARE_PRESETS), value=COMPARE_PRESETS[0], description="compare",
                                 disabled=True, **wide)
        self.dataset = W.Dropdown(options=list(lab.DATASETS), value="ring8", description="dataset", **wide)
        self.loss = W.Dropdown(options=list(lab.LOSS_NAMES), value="wgan-gp", description="loss", **wide)
        self.lr = W.SelectionSlider(options=[(f"{v:g}", v) for v in lab.LR_VALUES], value=d0.lr_d, description="lr",
                                    **wide)
        self.n_critic = W.SelectionSlider(options=list(lab.N_CRITIC_VALUES), value=d0.n_critic,
                                          description="n_critic", **wide)
        self.penalty = W.SelectionSlider(options=[(f"{v:g}", v) for v in lab.PENALTY_VALUES], value=self.gp_default,
                                         description="GP weight λ", **wide)
        self.sigma = W.SelectionSlider(options=[(f"{v:g}", v) for v in lab.SIGMA_VALUES], value=0.0,
                                       description="noise σ", **wide)
        self.feature_matching = W.Checkbox(value=False, description="feature matching", indent=False)
        self.minibatch = W.Checkbox(value=False, description=f"minibatch discrimination (B={MINIBATCH_KERNELS})",
                                    indent=False)
        self.step = W.IntSlider(min=0, max=lab.N_SNAPSHOTS - 1, value=lab.N_SNAPSHOTS - 1, description="snapshot",
                                **wide)
        self.reset = W.Button(description="loss defaults", tooltip="move the knobs to the tuned defaults of this loss")
        small = W.Layout(width="auto")
        self.play_button = W.Button(description="▶ play", tooltip="train the knobs' setting live (background thread)",
                                    button_style="primary", layout=small)
        self.pause_button = W.Button(description="pause", layout=small)
        self.step_button = W.Button(description="one step", tooltip="one generator update with its critic updates",
                                    layout=small)
        self.reset_button = W.Button(description="reset", tooltip="this setting again from step 0", layout=small)
        self.canvas = lab_canvas.LabCanvas()
        self.last_redraw_s = None
        self._lock = threading.Lock()  # one sender at a time (the kernel's thread or the engine's)
        self._centres = {ds: lab.dataset(ds).centres for ds in lab.DATASETS}
        self._hold = False
        for w in (self.dataset, self.lr, self.n_critic, self.penalty, self.sigma, self.feature_matching,
                  self.minibatch, self.step, self.preset, self.mode):
            w.observe(lambda change: self.redraw(), names="value")
        self.loss.observe(lambda change: self.use_defaults(), names="value")
        self.reset.on_click(lambda b: self.use_defaults())
        self.play_button.on_click(lambda b: self.play())
        self.pause_button.on_click(lambda b: self.engine.pause())
        self.step_button.on_click(lambda b: self.one_step())
        self.reset_button.on_click(lambda b: self.engine.reset() if self.source == "live" else self.train_live())
        self.source = None  # "saved" or "live": what the picture shows
        self.live_frame = None
        self.engine = live.LiveEngine(self._on_frame, fps=fps, device=device, views=("field", "push", "manifold"),
                                      n_show=lab.N_SHOW, field_n=field_n, on_error=self._on_error)
        controls = W.VBox([self.mode, self.preset, self.dataset, self.loss, self.lr, self.n_critic, self.penalty,
                           self.sigma, self.feature_matching, self.minibatch, self.step, self.reset,
                           W.HBox([self.play_button, self.pause_button, self.step_button, self.reset_button])],
                          layout=W.Layout(width="340px", min_width="340px"))
        self.widget = W.HBox([controls, self.canvas])
        self.redraw()

    # -- the knobs ----------------------------------------------------------------------------------
    def tricks(self):
        return self.feature_matching.value, MINIBATCH_KERNELS if self.minibatch.value else 0

    def key(self):
        return knob_key(self.dataset.value, self.loss.value, self.lr.value, self.n_critic.value, self.penalty.value,
                        self.sigma.value)

    def panel(self):
        fm, mb = self.tricks()
        return live.Panel(self.dataset.value, self.loss.value, self.lr.value, self.n_critic.value,
                          self.penalty.value if self.loss.value == "wgan-gp" else None, self.sigma.value,
                          feature_matching=fm or None, minibatch_kernels=mb or None)

    def panels(self):
        """What the knobs name: one panel, or the compare preset's panels."""
        if self.mode.value == "one setting":
            return [self.panel()]
        fm, mb = self.tricks()
        return compare_panels(self.preset.value, self.dataset.value, self.loss.value, self.lr.value,
                              self.n_critic.value, self.penalty.value, self.sigma.value, fm or None, mb or None)

    def use_defaults(self):
        """Move the knobs to the tuned defaults of the chosen loss (one redraw at the end)."""
        s = lab.make_setting(self.loss.value)
        self._hold = True
        try:
            self.lr.value, self.n_critic.value, self.sigma.value = s.lr_d, s.n_critic, s.noise_sigma
            self.penalty.value = s.penalty_weight if self.loss.value == "wgan-gp" else self.gp_default
            self.feature_matching.value, self.minibatch.value = False, False
        finally:
            self._hold = False
        self.redraw()

    def _enable(self):
        compare, preset = self.mode.value == "compare", self.preset.value
        all_losses = compare and preset in (COMPARE_PRESETS[0], COMPARE_PRESETS[2])
        self.preset.disabled = not compare
        self.loss.disabled = all_losses
        for w in (self.n_critic, self.sigma, self.feature_matching, self.minibatch):
            w.disabled = all_losses
        self.lr.disabled = compare
        self.penalty.disabled = all_losses or self.loss.value != "wgan-gp"

    # -- drawing --------------------------------------------------------------------------------------
    def _show(self, state):
        with self._lock:
            return self.canvas.show(state)

    def redraw(self):
        """Show what the knobs name: a saved run at once, else train it live. Returns the seconds it took."""
        if self._hold:
            return None
        t0 = time.perf_counter()
        self._enable()
        fm, mb = self.tricks()
        run = None if (self.mode.value == "compare" or fm or mb) else self.store.get(self.key())
        if run is None:  # not saved: train it live from step 0 (cancels whatever ran before)
            self.train_live()
            self.last_redraw_s = time.perf_counter() - t0
            return self.last_redraw_s
        self.engine.cancel()  # from here no frame of a live run is drawn
        self.source = "saved"
        self.step.disabled = False
        i = min(self.step.value, len(run["steps"]) - 1)
        ds = self.dataset.value
        toy_modes = len(self._centres[ds])
        state = lab_canvas.saved_state(run, i, self.panel().label(), self.loss.value, self.store.lims[ds],
                                       self._centres[ds], toy_modes)
        self._show(state)
        self.last_redraw_s = time.perf_counter() - t0
        return self.last_redraw_s

    def train_live(self, play=True):
        """Train what the knobs name (seed 0) live from step 0 in the background; returns the run's generation."""
        panels = self.panels()
        self.source = "live"
        self.step.disabled = True  # the snapshot slider scrubs saved runs only
        with self.engine._cond:  # the new run's first frame cannot overtake the "starting" picture
            gen = self.engine.configure(panels, play=play)
            self._show(lab_canvas.starting_state([p.label() for p in panels], [lab.LIMS[p.dataset] for p in panels],
                                                 [self._centres[p.dataset] for p in panels],
                                                 [len(self._centres[p.dataset]) for p in panels],
                                                 "live · starting at generator step 0…"))
        return gen

    def play(self):
        if self.source != "live" or self.engine.run is None or self.engine.run.done:
            self.train_live()
        else:
            self.engine.play()

    def one_step(self):
        if self.source != "live":
            self.train_live(play=False)
        self.engine.step()

    def _on_frame(self, frame):
        """Called by the engine's thread for a frame of the current run only (under its lock)."""
        self.live_frame = frame
        state = lab_canvas.frame_state(frame, [self._centres[d] for d in frame.datasets])
        self._show(state)

    def _on_error(self, error, generation):
        """A live run failed (on the engine's thread): say so on the canvas, keep the last picture."""
        meta = dict(self.canvas.meta, warning=f"training stopped: {type(error).__name__}: {error}"[:200],
                    state="failed")
        self._show(dict(meta=meta))

    @property
    def status(self):
        """The status line the canvas shows under its heading."""
        return self.canvas.meta.get("status", "")
