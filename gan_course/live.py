"""Live training for the lab: GANs trained in a background thread, drawn as frames while they learn.

A ``LiveEngine`` owns one worker thread. ``configure(panels)`` starts a new *run* (one or several
lab settings, step 0) and cancels the old one; ``play()``, ``pause()``, ``step()`` (one generator
update with its critic updates) and ``reset()`` drive it. While playing, the worker trains and,
``fps`` times a second, builds a ``Frame``: the generated samples, D's field, the generator's push
on each sample, the image of a latent grid under G, and the loss / mode curves so far. Frames go to
``on_frame(frame)``, called on the worker thread.

Nothing stale is drawn: every run has a *generation* number, bumped by each ``configure`` and
``reset``; the worker stops a cancelled run between two generator steps, and a frame whose
generation is no longer current is dropped here (``on_frame`` never sees it) and again by the view.

Several panels train as one model per cost group (``batched.BatchedGAN``; the six losses make four
groups: equal n_critic, optimizer, penalty, spectral norm and clipping share a batch) and advance
with one shared step count, so a compare run is batched training with small multiples on top.
Toy training uses one torch thread (``threads``), as the course's budgets assume.
"""
import threading
import time
from dataclasses import dataclass

import numpy as np
import torch

from . import batched, lab


@dataclass(frozen=True)
class Panel:
    """One lab setting to train: a dataset, a lab loss and its knobs (``lab.make_setting``)."""

    dataset: str = "ring8"
    loss: str = "nonsaturating"
    lr: float = None
    n_critic: int = None
    penalty_weight: float = None
    noise_sigma: float = None
    seed: int = 0
    feature_matching: bool = None  # Salimans et al. 2016 (chapter 09); None = the loss's default
    minibatch_kernels: int = None  # minibatch discrimination with this many kernels; None = the loss's default

    def setting(self):
        if self.dataset not in lab.DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose one of {', '.join(lab.DATASETS)}")
        return lab.make_setting(self.loss, self.seed, self.lr, self.n_critic,
                                self.penalty_weight if self.loss == "wgan-gp" else None, self.noise_sigma,
                                self.feature_matching, self.minibatch_kernels)

    def label(self):
        s = self.setting()
        text = f"{self.dataset} · {self.loss} · lr {s.lr_d:g} · n_critic {s.n_critic} · σ {s.noise_sigma:g}"
        text += f" · λ {s.penalty_weight:g}" if self.loss == "wgan-gp" else ""
        text += " · feature matching" if s.feature_matching else ""
        return text + (f" · minibatch discr. B={s.minibatch_kernels}" if s.minibatch_kernels else "")


@dataclass
class Frame:
    """What the view draws at one moment of one run. Arrays are indexed by panel k."""

    generation: int
    step: int  # generator steps done (shared by every panel)
    horizon: int  # the run's length (its schedules' T), the longest over its panels
    labels: list  # one per panel, Panel.label()
    datasets: list
    losses: list
    lims: list  # square plotting window per panel
    samples: np.ndarray  # (K, n, 2) float32, from fixed latents (G's moving average where g_ema > 0)
    field: np.ndarray = None  # (K, m, m) D's raw output on the grid field_xs x field_ys, or None
    push: np.ndarray = None  # (K, n, 2) -dL_G/dx at each sample, or None
    manifold: np.ndarray = None  # (K, g * g, 2) G at a g x g latent grid, or None
    curve_steps: np.ndarray = None  # (T,) generator steps of the curves
    d_loss: np.ndarray = None  # (K, T)
    g_loss: np.ndarray = None  # (K, T)
    modes: np.ndarray = None  # (K, T) modes covered (of the frame's samples) at curve_steps
    hq: np.ndarray = None  # (K, T) high-quality fraction
    n_modes: list = None
    steps_per_s: float = 0.0
    playing: bool = False
    done: bool = False
    source: str = "live"  # "live" (trained here) or "saved" (assets/lab)
    diverged: list = None  # per panel: None or "D/G at step t"
    loss_steps: np.ndarray = None  # (T,) generator steps done at the d_loss / g_loss columns


class Run:
    """Panels grouped by cost into ``BatchedGAN``s, stepped together; keeps the curves."""

    def __init__(self, panels, device=None, width=lab.WIDTH, depth=lab.DEPTH, batch_size=lab.BATCH, n_show=512,
                 field_n=48, manifold_n=17, max_curve=400):
        self.panels = list(panels)
        if not self.panels:
            raise ValueError("a run needs at least one panel")
        self.settings = [p.setting() for p in self.panels]
        self.toys = [lab.dataset(p.dataset) for p in self.panels]
        self.horizons = [lab.default_steps(p.loss) for p in self.panels]
        self.horizon = max(self.horizons)
        self.field_n, self.manifold_n, self.max_curve = field_n, manifold_n, max_curve
        groups = {}
        for k, (p, s) in enumerate(zip(self.panels, self.settings)):
            groups.setdefault((p.dataset, lab.default_steps(p.loss), s.cost_key()), []).append(k)
        self.groups = []
        for (ds, steps, _), idx in groups.items():
            lim = lab.LIMS[ds]
            gan = batched.BatchedGAN([self.settings[k] for k in idx], lab.dataset(ds), steps, width, depth, batch_size,
                                     device=device, n_snapshot=n_show, field_lims=(-lim, lim), field_n=field_n)
            self.groups.append((idx, gan))
        self.device = str(self.groups[0][1].device)
        r = np.linspace(-2.5, 2.5, manifold_n)  # latent grid over +-2.5 std of z ~ N(0, I_2)
        zz = np.stack(np.meshgrid(r, r), -1).reshape(-1, 2)
        self.z_grid = zz
        self.curve_steps, self.modes, self.hq = [], [], []
        self.step_count = 0

    @property
    def done(self):
        return all(gan.t >= gan.steps for _, gan in self.groups)

    def step(self):
        """One generator step of every panel that has not reached its horizon."""
        for _, gan in self.groups:
            if gan.t < gan.steps:
                gan.step()
        self.step_count += 1
        return self.step_count

    def frame(self, generation, views=("field", "push", "manifold"), steps_per_s=0.0, playing=False):
        K = len(self.panels)
        samples = [None] * K
        field_ = [None] * K if "field" in views else None
        push = [None] * K if "push" in views else None
        manifold = [None] * K if "manifold" in views else None
        d_loss, g_loss, diverged = [None] * K, [None] * K, [None] * K
        for idx, gan in self.groups:
            with torch.no_grad():
                x = gan.averaged_G()(gan.z_fixed)
            xs = x.float().cpu().numpy()
            if field_ is not None:
                f = gan.field()
            if push is not None:
                pu = gan.generator_push(x)
            if manifold is not None:
                m = gan.manifold(self.z_grid)
            d, g = gan.losses()
            at, net = gan.divergence()
            for j, k in enumerate(idx):
                samples[k] = xs[j]
                d_loss[k], g_loss[k] = d[j], g[j]
                if at[j] is not None:
                    diverged[k] = f"{'D' if net[j] == 'D' else 'G'}'s loss went NaN/inf at step {at[j]}"
                if field_ is not None:
                    field_[k] = f[j]
                if push is not None:
                    pu[j][~np.isfinite(pu[j])] = 0
                    push[k] = pu[j]
                if manifold is not None:
                    manifold[k] = m[j]
        stats = [lab.stats_of(s, toy) for s, toy in zip(samples, self.toys)]
        if not self.curve_steps or self.curve_steps[-1] != self.step_count:
            self.curve_steps.append(self.step_count)
            self.modes.append([s.modes_covered for s in stats])
            self.hq.append([s.hq_fraction for s in stats])
            if len(self.curve_steps) > self.max_curve:  # keep every other point: bounded, still spans the run
                self.curve_steps, self.modes, self.hq = self.curve_steps[::2], self.modes[::2], self.hq[::2]
        T = self.step_count
        every = max(1, T // self.max_curve)
        loss_idx = np.arange(every - 1, T, every)
        pad = lambda a: np.pad(a, (0, T - len(a)), constant_values=np.nan)  # a panel past its horizon stops

        return Frame(generation, T, self.horizon, [p.label() for p in self.panels], [p.dataset for p in self.panels],
                     [p.loss for p in self.panels], [lab.LIMS[p.dataset] for p in self.panels], np.stack(samples),
                     None if field_ is None else np.stack(field_), None if push is None else np.stack(push),
                     None if manifold is None else np.stack(manifold), np.array(self.curve_steps),
                     np.stack([pad(d)[loss_idx] for d in d_loss]) if T else np.zeros((K, 0)),
                     np.stack([pad(g)[loss_idx] for g in g_loss]) if T else np.zeros((K, 0)),
                     np.array(self.modes, float).T, np.array(self.hq, float).T, [t.n_modes for t in self.toys],
                     steps_per_s, playing, self.done, "live", diverged, loss_idx + 1)


class LiveEngine:
    """Trains a ``Run`` in a background thread; see the module docstring.

    ``on_frame(frame)`` is called on the worker thread, at most ``fps`` times a second while
    playing, once after each configure / reset / single step. ``views`` names what a frame carries
    besides samples and curves ("field", "push", "manifold"); fewer views, cheaper frames.

    Drawing never takes more than ``max_draw_share`` of the worker's CPU time while playing: a frame
    is due when 1/fps seconds have passed *and* the training since the last frame used at least
    (1 - share) / share times that frame's CPU time (``time.thread_time``). On an idle core the
    frame rate is ``fps``; on a busy machine it drops rather than slowing training further.
    ``train_cpu_s`` and ``draw_cpu_s`` add up the worker's CPU seconds in each. A run that raises stops
    (``error``; ``on_error(exception, generation)`` if given) and the worker waits for the next one."""

    def __init__(self, on_frame=None, fps=12.0, device=None, views=("field", "push", "manifold"), threads=1,
                 max_draw_share=0.2, on_error=None, **run_kwargs):
        self.on_frame, self.fps, self.device, self.views = on_frame, float(fps), device, tuple(views)
        self.on_error = on_error  # on_error(exception, generation), on the worker thread, when a run fails
        if not 0 < max_draw_share < 1:
            raise ValueError(f"max_draw_share must lie in (0, 1), got {max_draw_share!r}")
        self.max_draw_share = float(max_draw_share)
        self.train_cpu_s = self.draw_cpu_s = 0.0
        self.run_kwargs = run_kwargs
        if threads:
            torch.set_num_threads(int(threads))
        self.generation = 0
        self.playing = False
        self.panels = None
        self.run = None
        self.error = None
        self.frames_sent = 0
        self.steps_per_s = 0.0
        self._pending = None  # (generation, panels) for the worker to build
        self._steps_asked = 0
        self._closed = False
        self._busy = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._work, name="gan-live", daemon=True)
        self._thread.start()

    # -- commands (any thread) -------------------------------------------------------------------
    def configure(self, panels, play=None):
        """Start ``panels`` (a Panel or a list) from step 0, cancelling the current run. Returns its generation."""
        panels = [panels] if isinstance(panels, Panel) else list(panels)
        for p in panels:
            p.setting()  # clear errors here, on the caller's thread
        with self._cond:
            self.generation += 1
            self.panels = panels
            self._pending = (self.generation, panels)
            self._steps_asked = 0
            if play is not None:
                self.playing = bool(play)
            self._cond.notify_all()
            return self.generation

    def cancel(self):
        """Stop the current run without starting another (the view shows a saved run instead)."""
        with self._cond:
            self.generation += 1
            self.panels, self._pending, self._steps_asked, self.playing = None, None, 0, False
            self._cond.notify_all()
            return self.generation

    def reset(self):
        """The current panels again from step 0 (new initial weights are the same: seeded)."""
        if self.panels is None:
            return self.generation
        return self.configure(self.panels)

    def play(self):
        with self._cond:
            self.playing = True
            self._cond.notify_all()

    def pause(self):
        with self._cond:
            self.playing = False
            self._steps_asked = 0
            self._cond.notify_all()

    def step(self, n=1):
        """Pause and train exactly ``n`` more generator steps (each with its critic steps), then send a frame."""
        with self._cond:
            self.playing = False
            self._steps_asked += int(n)
            self._cond.notify_all()

    def close(self):
        with self._cond:
            self._closed = True
            self.generation += 1
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def current(self, generation):
        return generation == self.generation and not self._closed

    def wait_idle(self, timeout=10.0):
        """Block until the worker has nothing to do (paused, asked steps done). For tests and scripts."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._cond:
                if not self._busy and self._pending is None and self._steps_asked == 0 and (
                        not self.playing or self.run is None or self.run.done):
                    return True
            time.sleep(0.005)
        return False

    # -- the worker ------------------------------------------------------------------------------
    def _emit(self, run, generation, rate):
        frame = run.frame(generation, self.views, rate, self.playing)
        with self._cond:  # held while delivering: a configure() cannot slip in between check and delivery
            if not self.current(generation):
                return None  # cancelled while it was being built: never drawn
            if self.on_frame is not None:
                self.on_frame(frame)
            self.frames_sent += 1
        return frame

    def _work(self):
        run, gen = None, -1
        last_frame, window = 0.0, []
        frame_cpu = trained_cpu = 0.0  # CPU seconds of the last frame, and of training since it
        while True:
            with self._cond:
                while not self._closed and self._pending is None and not (
                        run is not None and gen == self.generation and (self.playing or self._steps_asked)
                        and not run.done):
                    self._busy = False
                    self._cond.wait(0.5)
                self._busy = True
                if self._closed:
                    return
                pending, self._pending = self._pending, None
                if pending is not None:
                    gen, panels = pending
                elif gen != self.generation:
                    run = None
                    continue
            try:
                if pending is not None:
                    run = self.run = Run(panels, self.device, **self.run_kwargs)
                    window = []
                    c0 = time.thread_time()
                    self._emit(run, gen, 0.0)
                    frame_cpu = time.thread_time() - c0
                    last_frame, trained_cpu = time.perf_counter(), 0.0
                    continue
                # train until the next frame is due, checking for cancellation between steps
                deadline = last_frame + 1.0 / self.fps if self.fps > 0 else np.inf
                single, stepped = False, 0
                ratio = (1 - self.max_draw_share) / self.max_draw_share
                while not run.done:
                    with self._cond:
                        if gen != self.generation or self._closed:
                            break
                        if self._steps_asked:
                            self._steps_asked -= 1
                            single = True
                        elif not self.playing:
                            break
                    c0 = time.thread_time()
                    run.step()
                    dt = time.thread_time() - c0
                    trained_cpu += dt
                    self.train_cpu_s += dt
                    stepped += 1
                    window.append(time.perf_counter())
                    if single or (time.perf_counter() >= deadline and trained_cpu >= ratio * frame_cpu):
                        break
                window = [t for t in window if t > window[-1] - 2.0] if window else []
                rate = (len(window) - 1) / (window[-1] - window[0]) if len(window) > 2 else 0.0
                self.steps_per_s = rate
                if stepped and gen == self.generation and (single or self.fps > 0 or run.done):
                    t_frame, c0 = time.perf_counter(), time.thread_time()
                    self._emit(run, gen, rate)
                    frame_cpu = time.thread_time() - c0
                    self.draw_cpu_s += frame_cpu
                    last_frame, trained_cpu = t_frame, 0.0  # a steady 1/fps cadence: the frame's own time counts
                if run.done:
                    with self._cond:
                        if gen == self.generation:
                            self.playing = False
                            self._steps_asked = 0
            except Exception as e:  # shown by the view; the thread lives on for the next setting
                self.error = e
                with self._cond:
                    self.playing, self._steps_asked = False, 0
                    if self.on_error is not None and self.current(gen):
                        try:
                            self.on_error(e, gen)
                        except Exception:
                            pass
                run = None
