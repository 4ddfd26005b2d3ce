"""The lab's interactive view: sliders over a store of saved runs, redrawn from numbers.

A run is stored as numbers, not pictures (docs/DESIGN.md, Budgets): for each saved training step,
generated samples (float16), D's raw output on a 50 x 50 grid (float16) and the mode metrics
of ``metrics.mode_stats`` on 2,500 samples. A slider move looks the run up and re-renders one
matplotlib figure (persistent artists, Agg, PNG into an ``ipywidgets.Image``): well under
100 ms. A setting that is not in the store trains live (``live.LiveEngine``, a background thread):
frames of the current run only, drawn with the generator's push on each sample; play, pause, one
step and reset drive it, and any knob change restarts from step 0.
"""
import io
import time

import numpy as np

from . import lab, live
from .store import LabStore, knob_key, setting_key  # noqa: F401  (widgets.LabStore: the lab's store)

BCE_LOSSES = ("minimax", "nonsaturating")  # D(x) = sigmoid(logit) is a probability


def display_field(field, loss):
    """D's saved raw output as drawn: (values, colour min, colour max, colour-bar label). For the BCE
    losses D(x) = sigmoid(logit) on [0, 1]; otherwise the raw score between its 2nd and 98th percentiles."""
    f = np.asarray(field, np.float32)
    if loss in BCE_LOSSES:
        return 1 / (1 + np.exp(-np.clip(f, -30, 30))), 0.0, 1.0, "D(x)"
    lo, hi = np.percentile(f, [2, 98])
    lo, hi = (lo, hi) if hi > lo else (lo - 1, hi + 1)
    return f, lo, hi, "D(x) (LS score)" if loss == "least-squares" else "critic f(x)"


def metrics_text(stats, n_modes):
    modes, hq, rkl = stats
    return f"modes covered {int(modes)}/{n_modes} · high quality {100 * hq:.1f}% · reverse KL {rkl:.3f} nats"


class FieldFigure:
    """One persistent figure: D/critic field (image) with samples and mode centres over it."""

    def __init__(self, size=4.6, dpi=72):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(size, size), dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        self.im = self.ax.imshow(np.zeros((2, 2)), origin="lower", cmap="RdBu_r", extent=(-3, 3, -3, 3),
                                 interpolation="bilinear")
        self.cbar = self.fig.colorbar(self.im, ax=self.ax, fraction=0.046, pad=0.03)
        # samples over the centres: a tight generated mode covers its centre's cross
        self.centres = self.ax.scatter([], [], marker="x", s=30, c="black", label="mode centres", zorder=2)
        self.samples = self.ax.scatter([], [], s=3, c="darkorange", alpha=0.7, label="generated", zorder=3)
        from matplotlib.collections import LineCollection

        # live runs: -grad_x L_G at each generated sample (GAN Lab's arrows), scaled per frame
        self.arrows = LineCollection([], colors="black", linewidths=0.6, alpha=0.6, zorder=4)
        self.ax.add_collection(self.arrows)
        self.ax.set_xlabel("$x_1$")
        self.ax.set_ylabel("$x_2$")
        self.ax.legend(loc="upper right", fontsize="x-small", markerscale=2)
        self.fig.tight_layout()

    def draw(self, field, samples, centres, lim, loss, title, push=None):
        f, lo, hi, label = display_field(field, loss)
        self.im.set_data(f)
        self.im.set_extent((-lim, lim, -lim, lim))
        self.im.set_clim(lo, hi)
        self.cbar.set_label(label)
        self.centres.set_offsets(np.asarray(centres))
        self.samples.set_offsets(np.asarray(samples, np.float32))
        segs = []
        if push is not None and len(push):
            x, v = np.asarray(samples, np.float32)[:200], np.asarray(push, np.float32)[:200]
            scale = 0.08 * lim / max(float(np.percentile(np.linalg.norm(v, axis=1), 95)), 1e-12)
            segs = np.stack([x, x + scale * v], 1)
        self.arrows.set_segments(segs)
        self.ax.set_xlim(-lim, lim)
        self.ax.set_ylim(-lim, lim)
        self.ax.set_title(title, fontsize=11)

    def png(self):
        """Render with Agg and encode the pixels as PNG (fast zlib level: a frame is a few ms)."""
        from PIL import Image

        self.fig.canvas.draw()
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self.fig.canvas.buffer_rgba())[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()


class LabView:
    """Dropdowns and sliders over a ``LabStore``; ``widget`` is the box to display."""

    def __init__(self, store=None, device=None, fps=8.0):
        import ipywidgets as W

        self.store = store if store is not None else LabStore.load()
        self.device = device
        d0 = lab.make_setting("wgan-gp")
        self.gp_default = d0.penalty_weight  # the penalty slider keeps it while another loss is chosen
        self.dataset = W.Dropdown(options=list(lab.DATASETS), value="ring8", description="dataset")
        self.loss = W.Dropdown(options=list(lab.LOSS_NAMES), value="wgan-gp", description="loss")
        self.lr = W.SelectionSlider(options=[(f"{v:g}", v) for v in lab.LR_VALUES], value=d0.lr_d, description="lr")
        self.n_critic = W.SelectionSlider(options=list(lab.N_CRITIC_VALUES), value=d0.n_critic, description="n_critic")
        self.penalty = W.SelectionSlider(options=[(f"{v:g}", v) for v in lab.PENALTY_VALUES], value=self.gp_default,
                                         description="GP weight λ")
        self.sigma = W.SelectionSlider(options=[(f"{v:g}", v) for v in lab.SIGMA_VALUES], value=0.0,
                                       description="noise σ")
        self.step = W.IntSlider(min=0, max=lab.N_SNAPSHOTS - 1, value=lab.N_SNAPSHOTS - 1, description="snapshot")
        self.reset = W.Button(description="loss defaults", tooltip="move the knobs to the tuned defaults of this loss")
        self.train_button = W.Button(description="Train this setting", button_style="primary",
                                     tooltip="train the knobs' setting live from step 0")
        self.play_button = W.Button(description="▶ play", tooltip="train live (background thread)")
        self.pause_button = W.Button(description="pause")
        self.step_button = W.Button(description="one step", tooltip="one generator update with its critic updates")
        self.reset_button = W.Button(description="reset", tooltip="this setting again from step 0")
        self.metrics = W.HTML(layout=W.Layout(min_height="2em"))
        self.image = W.Image(format="png")
        self.figure = FieldFigure()
        self.last_redraw_s = None
        for w in (self.dataset, self.lr, self.n_critic, self.penalty, self.sigma, self.step):
            w.observe(lambda change: self.redraw(), names="value")
        self.loss.observe(lambda change: self.use_defaults(), names="value")
        self.reset.on_click(lambda b: self.use_defaults())
        self.train_button.on_click(lambda b: self.train_live())
        self.play_button.on_click(lambda b: self.play())
        self.pause_button.on_click(lambda b: self.engine.pause())
        self.step_button.on_click(lambda b: self.one_step())
        self.reset_button.on_click(lambda b: self.engine.reset())
        self.source = None  # "saved" or "live": what the picture shows
        self.live_frame = None
        self.engine = live.LiveEngine(self._on_frame, fps=fps, device=device, views=("field", "push"), n_show=lab.N_SHOW)
        controls = W.VBox([self.dataset, self.loss, self.lr, self.n_critic, self.penalty, self.sigma, self.step,
                           W.HBox([self.reset]), W.HBox([self.train_button]),
                           W.HBox([self.play_button, self.pause_button, self.step_button, self.reset_button])])
        self.widget = W.VBox([W.HBox([controls, self.image]), self.metrics])
        self.redraw()

    def key(self):
        return knob_key(self.dataset.value, self.loss.value, self.lr.value, self.n_critic.value, self.penalty.value,
                        self.sigma.value)

    def use_defaults(self):
        """Move the knobs to the tuned defaults of the chosen loss (one redraw at the end)."""
        s = lab.make_setting(self.loss.value)
        self._hold = True
        try:
            self.lr.value, self.n_critic.value, self.sigma.value = s.lr_d, s.n_critic, s.noise_sigma
            self.penalty.value = s.penalty_weight if self.loss.value == "wgan-gp" else self.gp_default
        finally:
            self._hold = False
        self.redraw()

    def redraw(self):
        """Look the current knobs up in the store and re-render; returns the seconds it took."""
        if getattr(self, "_hold", False):
            return None
        t0 = time.perf_counter()
        self.penalty.disabled = self.loss.value != "wgan-gp"
        run = self.store.get(self.key())
        if run is None:  # not saved: train it live from step 0 (cancels whatever ran before)
            self.train_live()
            return None
        self.engine.cancel()  # from here no frame of a live run is drawn
        self.source = "saved"
        self.step.disabled = False
        self.train_button.button_style = "primary"
        i = min(self.step.value, len(run["steps"]) - 1)
        toy = lab.dataset(self.dataset.value)
        title = (f"{self.dataset.value}, {self.loss.value}, lr {self.lr.value:g}, n_critic {self.n_critic.value}, "
                 f"σ {self.sigma.value:g}\ngenerator step {int(run['steps'][i])}")
        self.figure.draw(run["field"][i], run["samples"][i], toy.centres, self.store.lims[self.dataset.value],
                         self.loss.value, title)
        self.image.value = self.figure.png()
        self.metrics.value = (f"saved run · {self.dataset.value} · {self.loss.value} · step {int(run['steps'][i])}: "
                              + metrics_text(run["stats"][i], toy.n_modes))
        self.last_redraw_s = time.perf_counter() - t0
        return self.last_redraw_s

    def panel(self):
        return live.Panel(self.dataset.value, self.loss.value, self.lr.value, self.n_critic.value,
                          self.penalty.value if self.loss.value == "wgan-gp" else None, self.sigma.value)

    def train_live(self, play=True):
        """Train the knobs' setting (seed 0) live from step 0 in the background; returns the run's generation."""
        self.source = "live"
        self.step.disabled = True  # the snapshot slider scrubs saved runs only
        self.metrics.value = f"<b>training live</b>: {self.panel().label()} · starting…"
        return self.engine.configure(self.panel(), play=play)

    def play(self):
        if self.source != "live":
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
        toy = lab.dataset(frame.datasets[0])
        lim = frame.lims[0]
        title = f"{frame.labels[0]}\nlive · generator step {frame.step}"
        self.figure.draw(frame.field[0], frame.samples[0], toy.centres, lim, frame.losses[0], title,
                         None if frame.push is None else frame.push[0])
        self.image.value = self.figure.png()
        m, hq = frame.modes[0, -1], frame.hq[0, -1]
        state = "done" if frame.done else ("playing" if frame.playing else "paused")
        self.metrics.value = (f"live · {frame.labels[0]} · step {frame.step}/{frame.horizon} · "
                              f"{frame.steps_per_s:.0f} steps/s · {state}: modes covered {int(m)}/{toy.n_modes} · "
                              f"high quality {100 * hq:.1f}% (on {frame.samples.shape[1]} samples)"
                              + (f" · <b>{frame.diverged[0]}</b>" if frame.diverged[0] else ""))
