"""The lab's interactive view: sliders over a store of saved runs, redrawn from numbers.

A run is stored as numbers, not pictures (COURSE.md, Budgets): for each saved training step,
generated samples (float16), D's raw output on a 50 x 50 grid (float16) and the mode metrics
of ``metrics.mode_stats`` on 2,500 samples. A slider move looks the run up and re-renders one
matplotlib figure (persistent artists, Agg, PNG into an ``ipywidgets.Image``): well under
100 ms. Settings that are not in the store can be trained on the spot ("Train this setting").
"""
import io
import time

import numpy as np

from . import lab
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
        self.ax.set_xlabel("$x_1$")
        self.ax.set_ylabel("$x_2$")
        self.ax.legend(loc="upper right", fontsize="x-small", markerscale=2)
        self.fig.tight_layout()

    def draw(self, field, samples, centres, lim, loss, title):
        f, lo, hi, label = display_field(field, loss)
        self.im.set_data(f)
        self.im.set_extent((-lim, lim, -lim, lim))
        self.im.set_clim(lo, hi)
        self.cbar.set_label(label)
        self.centres.set_offsets(np.asarray(centres))
        self.samples.set_offsets(np.asarray(samples, np.float32))
        self.ax.set_xlim(-lim, lim)
        self.ax.set_ylim(-lim, lim)
        self.ax.set_title(title, fontsize=9)

    def png(self):
        """Render with Agg and encode the pixels as PNG (fast zlib level: a frame is a few ms)."""
        from PIL import Image

        self.fig.canvas.draw()
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self.fig.canvas.buffer_rgba())[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()


class LabView:
    """Dropdowns and sliders over a ``LabStore``; ``widget`` is the box to display."""

    def __init__(self, store=None, device=None):
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
        self.train_button = W.Button(description="Train this setting", button_style="primary")
        self.progress = W.IntProgress(min=0, max=1, value=0, description="training", layout=W.Layout(width="300px"))
        self.metrics = W.HTML(layout=W.Layout(min_height="2em"))
        self.image = W.Image(format="png")
        self.figure = FieldFigure()
        self.last_redraw_s = None
        for w in (self.dataset, self.lr, self.n_critic, self.penalty, self.sigma, self.step):
            w.observe(lambda change: self.redraw(), names="value")
        self.loss.observe(lambda change: self.use_defaults(), names="value")
        self.reset.on_click(lambda b: self.use_defaults())
        self.train_button.on_click(lambda b: self.train_current())
        controls = W.VBox([self.dataset, self.loss, self.lr, self.n_critic, self.penalty, self.sigma, self.step,
                           W.HBox([self.reset]), W.HBox([self.train_button]), self.progress])
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
        if run is None:
            self.metrics.value = ("<b>not precomputed</b>: press <i>Train this setting</i> "
                                  f"(about {lab.default_steps(self.loss.value)} steps)")
            self.train_button.button_style = "warning"
            return None
        self.train_button.button_style = "primary"
        i = min(self.step.value, len(run["steps"]) - 1)
        toy = lab.dataset(self.dataset.value)
        title = (f"{self.dataset.value}, {self.loss.value}, lr {self.lr.value:g}, n_critic {self.n_critic.value}, "
                 f"σ {self.sigma.value:g}\ngenerator step {int(run['steps'][i])}")
        self.figure.draw(run["field"][i], run["samples"][i], toy.centres, self.store.lims[self.dataset.value],
                         self.loss.value, title)
        self.image.value = self.figure.png()
        self.metrics.value = (f"{self.dataset.value} · {self.loss.value} · step {int(run['steps'][i])}: "
                              + metrics_text(run["stats"][i], toy.n_modes))
        self.last_redraw_s = time.perf_counter() - t0
        return self.last_redraw_s

    def train_current(self, steps=None):
        """Train the current setting (seed 0) with a progress bar, add it to the store and show it."""
        knobs = dict(lr=self.lr.value, n_critic=self.n_critic.value, noise_sigma=self.sigma.value)
        if self.loss.value == "wgan-gp":
            knobs["penalty_weight"] = self.penalty.value
        steps = steps or lab.default_steps(self.loss.value)
        self.progress.max, self.progress.value = steps, 0
        self.train_button.disabled = True
        try:
            def cb(done, total):
                self.progress.value = done

            (r,) = lab.train(self.dataset.value, self.loss.value, [0], steps, self.device, progress=False,
                             callback=cb, n_snapshots=lab.N_SNAPSHOTS, **knobs)
        finally:
            self.train_button.disabled = False
        self.store.add(r)
        return self.redraw()
