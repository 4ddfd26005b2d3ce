"""One GAN training loop for every chapter (Goodfellow et al. 2014, Algorithm 1).

For each of ``steps`` generator updates: ``k_d`` discriminator/critic updates on fresh real
and generated minibatches, then one generator update. Options cover the variants the
chapters build up: the loss pair (``losses.LOSSES``), instance noise on D's inputs
(Sønderby et al. 2017; chapter 3), weight clipping and RMSProp (WGAN, Arjovsky et al. 2017),
a penalty term such as the gradient penalty (Gulrajani et al. 2017).

Uses CUDA when present and the CPU otherwise, seeds everything from ``config.seed``, records
a ``History`` with snapshots, shows a progress bar, stops with a clear error naming the
network and step when a loss or weight turns NaN/inf, and on Ctrl-C (KeyboardInterrupt)
returns what it gathered so far.
"""
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from . import checks, losses
from .device import default_device, seed_everything


class TrainingDiverged(RuntimeError):
    """A loss or a weight became NaN or infinite."""


@dataclass
class TrainConfig:
    steps: int = 2000  # generator updates
    batch_size: int = 256
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    betas: tuple = (0.5, 0.999)  # Adam's (beta1, beta2)
    optimizer: str = "adam"  # "adam" or "rmsprop" (WGAN)
    k_d: int = 1  # discriminator (critic) updates per generator update
    loss: str = "nonsaturating"  # a key of losses.LOSSES
    clip: float = None  # WGAN weight clipping to [-clip, clip] after each critic update
    penalty: object = None  # f(D, real, fake) -> scalar added to D's loss, e.g. a gradient penalty
    penalty_weight: float = 10.0
    # instance noise std on D's inputs: None, a float, or schedule(step, steps) -> sigma; a schedule
    # with an ``observe(d_loss)`` method is told D's loss after every D update (adaptive schedules)
    instance_noise: object = None
    seed: int = 0
    snapshot_steps: tuple = ()  # generator steps at which to save a snapshot (0 = before training)
    n_snapshot: int = 500  # generated samples per snapshot (from one fixed z)
    device: str = None  # None: CUDA when present, else CPU
    progress: bool = True
    check_every: int = 25  # how often to look for NaN/inf in losses and weights

    def validate(self):
        checks.positive_int("steps", self.steps)
        checks.positive_int("batch_size", self.batch_size)
        checks.positive("lr_d (discriminator learning rate)", self.lr_d)
        checks.positive("lr_g (generator learning rate)", self.lr_g)
        checks.positive_int("k_d (discriminator steps per generator step)", self.k_d)
        checks.positive_int("check_every", self.check_every)
        checks.positive_int("n_snapshot", self.n_snapshot)
        losses.get(self.loss)
        if self.optimizer not in ("adam", "rmsprop"):
            raise ValueError(f"optimizer must be 'adam' or 'rmsprop', got {self.optimizer!r}")
        if self.clip is not None:
            checks.positive("clip", self.clip)
        if self.penalty is not None:
            checks.positive("penalty_weight", self.penalty_weight)
        if self.instance_noise is not None and not callable(self.instance_noise):
            if self.instance_noise < 0:
                raise ValueError(f"instance_noise must be >= 0, got {self.instance_noise}")
        for s in self.snapshot_steps:
            if not 0 <= s <= self.steps:
                raise ValueError(f"snapshot step {s} is outside 0..{self.steps}")
        return self


@dataclass
class History:
    """What a run recorded: per generator step, the last D loss, the G loss and the noise sigma;
    ``snapshots[step]`` is a dict with at least ``samples`` (n_snapshot, data_dim) as NumPy."""

    config: TrainConfig
    steps: np.ndarray = None
    d_loss: np.ndarray = None
    g_loss: np.ndarray = None
    sigma: np.ndarray = None
    snapshots: dict = field(default_factory=dict)
    interrupted: bool = False
    seconds: float = 0.0  # wall clock
    cpu_seconds: float = 0.0  # this process's CPU time (all its threads)
    device: str = "cpu"


def _sampler(real):
    if hasattr(real, "sample"):
        return lambda n, g: real.sample(n, generator=g)
    if callable(real):
        return real
    raise TypeError("real data must be a toy with .sample(n, generator=...) or a function (n, generator) -> (n, d)")


def _optimizer(name, params, lr, betas):
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas)
    return torch.optim.RMSprop(params, lr=lr)


def _first_bad(values):
    bad = (~torch.isfinite(values)).nonzero()
    return None if len(bad) == 0 else int(bad[0, 0])


def _check_weights(net, name, step):
    for pname, p in net.named_parameters():
        if not torch.isfinite(p).all():
            raise TrainingDiverged(f"the {name}'s weight {pname!r} became NaN/inf by generator step {step}; "
                                   "lower the learning rate or add a penalty")


def noise_sigma(schedule, step, steps):
    """The instance-noise std at ``step``: a constant, or ``schedule(step, steps)``."""
    if schedule is None:
        return 0.0
    return float(schedule(step, steps)) if callable(schedule) else float(schedule)


def train_gan(G, D, real, config=None, snapshot_fn=None, on_step=None, **overrides):
    """Train generator ``G`` against discriminator ``D`` on ``real`` data; return a ``History``.

    ``real`` is a toy (``toys.ring8()``) or ``f(n, generator) -> (n, d)``. ``config`` is a
    ``TrainConfig``; keyword ``overrides`` replace its fields. ``snapshot_fn(G, D)`` may add
    entries (for example D on a grid) to each snapshot; ``on_step(step, G, D)`` is called after
    every generator update (step counts from 0), to record weights, say.
    """
    config = TrainConfig(**{**(config.__dict__ if config else {}), **overrides}).validate()
    device = torch.device(config.device) if config.device else default_device()
    seed_everything(config.seed)
    G.to(device)
    D.to(device)
    d_loss_fn, g_loss_fn = losses.get(config.loss)
    from .wgan import clip_weights_  # here, not at the top: wgan builds on this module
    opt_d = _optimizer(config.optimizer, D.parameters(), config.lr_d, config.betas)
    opt_g = _optimizer(config.optimizer, G.parameters(), config.lr_g, config.betas)
    sample_real = _sampler(real)
    g_data = torch.Generator().manual_seed(config.seed)
    g_latent = torch.Generator(device=device).manual_seed(config.seed + 1)
    z_fixed = G.sample_latent(config.n_snapshot, torch.Generator(device=device).manual_seed(config.seed + 2), device)
    n, B = config.steps, config.batch_size
    d_hist = torch.full((n,), float("nan"), device=device)
    g_hist = torch.full((n,), float("nan"), device=device)
    sigmas = np.zeros(n)
    observe = getattr(config.instance_noise, "observe", None)
    hist = History(config, device=str(device))

    def snapshot(step):
        with torch.no_grad():
            snap = {"samples": G(z_fixed).cpu().numpy()}
        if snapshot_fn is not None:
            snap.update(snapshot_fn(G, D))
        hist.snapshots[step] = snap

    def noisy(x, sigma):
        return x + sigma * torch.randn(x.shape, generator=g_latent, device=device) if sigma > 0 else x

    def check(upto):
        for name, vals in (("discriminator", d_hist), ("generator", g_hist)):
            bad = _first_bad(vals[:upto])
            if bad is not None:
                raise TrainingDiverged(f"the {name}'s loss became {vals[bad].item()} at generator step {bad + 1} "
                                       f"(loss {config.loss!r}, lr_d={config.lr_d}, lr_g={config.lr_g}); "
                                       "lower the learning rate or add a penalty")
        _check_weights(D, "discriminator", upto)
        _check_weights(G, "generator", upto)

    bar = None
    if config.progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc=f"{config.loss} GAN", unit="step", leave=False)
    start, cpu_start, done = time.perf_counter(), time.process_time(), 0
    try:
        if 0 in config.snapshot_steps:
            snapshot(0)
        for step in range(n):
            sigma = sigmas[step] = noise_sigma(config.instance_noise, step, n)
            for _ in range(config.k_d):
                x = sample_real(B, g_data).to(device)
                with torch.no_grad():
                    x_fake = G(G.sample_latent(B, g_latent, device))
                loss_d = d_loss_fn(D(noisy(x, sigma)), D(noisy(x_fake, sigma)))
                if config.penalty is not None:
                    loss_d = loss_d + config.penalty_weight * config.penalty(D, x, x_fake)
                opt_d.zero_grad(set_to_none=True)
                loss_d.backward()
                opt_d.step()
                if observe is not None:
                    observe(float(loss_d.detach()))
                if config.clip is not None:
                    clip_weights_(D, config.clip)
            loss_g = g_loss_fn(D(noisy(G(G.sample_latent(B, g_latent, device)), sigma)))
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            d_hist[step] = loss_d.detach()
            g_hist[step] = loss_g.detach()
            done = step + 1
            if on_step is not None:
                on_step(step, G, D)
            if done % config.check_every == 0 or done == n:
                check(done)
                if bar is not None:
                    bar.update(done - bar.n)
                    bar.set_postfix(d_loss=f"{d_hist[step].item():.3f}", g_loss=f"{g_hist[step].item():.3f}")
            if done in config.snapshot_steps:
                snapshot(done)
    except KeyboardInterrupt:
        hist.interrupted = True
        print(f"interrupted at generator step {done}: returning the history so far")
    finally:
        if bar is not None:
            bar.close()
    hist.seconds = time.perf_counter() - start
    hist.cpu_seconds = time.process_time() - cpu_start
    hist.steps = np.arange(1, done + 1)
    hist.d_loss = d_hist[:done].cpu().numpy()
    hist.g_loss = g_hist[:done].cpu().numpy()
    hist.sigma = sigmas[:done]
    return hist
