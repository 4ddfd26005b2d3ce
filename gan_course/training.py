"""One GAN training loop for every chapter (Goodfellow et al. 2014, Algorithm 1).

For each of ``steps`` generator updates: (1) ``n_critic`` discriminator/critic updates on fresh
real and generated minibatches, then (2) one generator update. Options cover the variants the
chapters build up: the loss pair (``losses.LOSSES``), instance noise on D's inputs
(``noise_sigma``; Sønderby et al. 2017; chapter 3), weight clipping and RMSProp (WGAN, Arjovsky
et al. 2017), a penalty term such as the gradient penalty (Gulrajani et al. 2017).

The names are those of the batched trainer's ``batched.Setting`` (n_critic, noise_sigma,
penalty_weight, lr_d, lr_g, betas). The defaults differ on purpose: ``TrainConfig`` starts from
the original GAN (Algorithm 1 with k = 1, the non-saturating loss, DCGAN's Adam (0.5, 0.999) at
lr 1e-3), the chapters' first model; ``Setting`` starts from WGAN-GP (n_critic 5, Adam (0.5, 0.9)),
the lab's usual model.

Uses CUDA when present and the CPU otherwise, seeds everything from ``config.seed``, records
a ``History`` with snapshots and shows a progress bar. Failure policy (shared with every
training loop of the course, ``checks``): a NaN/inf loss or weight of D or G stops the run with
``checks.TrainingDiverged`` naming the network and the step; Ctrl-C (KeyboardInterrupt) returns
what was gathered so far with ``History.interrupted = True``.
"""
import functools
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from . import checks, losses
from .checks import TrainingDiverged  # noqa: F401  (re-exported: training.TrainingDiverged)
from .device import default_device, seed_everything

#: old keyword -> its name now (the batched trainer's vocabulary)
RENAMED = {"k_d": "n_critic", "instance_noise": "noise_sigma"}


def _renamed_error(names):
    return TypeError("; ".join(f"{k!r} was renamed {RENAMED[k]!r} (the name batched.Setting uses)" for k in names))


@dataclass
class TrainConfig:
    steps: int = 2000  # generator updates
    batch_size: int = 256
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    betas: tuple = (0.5, 0.999)  # Adam's (beta1, beta2)
    optimizer: str = "adam"  # "adam" or "rmsprop" (WGAN)
    n_critic: int = 1  # discriminator (critic) updates per generator update
    loss: str = "nonsaturating"  # a key of losses.LOSSES
    clip: float = None  # WGAN weight clipping to [-clip, clip] after each critic update
    penalty: object = None  # f(D, real, fake) -> scalar added to D's loss, e.g. a gradient penalty
    penalty_weight: float = 10.0
    # instance-noise std on D's inputs: None or 0 (off), a number, or schedule(step, steps) -> sigma; a
    # schedule with an ``observe(d_loss)`` method is told D's loss after every D update (adaptive schedules)
    noise_sigma: object = None
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
        checks.betas("betas", self.betas)
        checks.positive_int("n_critic (discriminator steps per generator step)", self.n_critic)
        checks.positive_int("check_every", self.check_every)
        checks.positive_int("n_snapshot", self.n_snapshot)
        losses.get(self.loss)
        if self.optimizer not in ("adam", "rmsprop"):
            raise ValueError(f"optimizer must be 'adam' or 'rmsprop', got {self.optimizer!r}")
        if self.clip is not None:
            checks.positive("clip", self.clip)
        if self.penalty is not None:
            if not callable(self.penalty):
                raise ValueError(f"penalty must be a function f(D, real, fake) -> scalar such as "
                                 f"penalties.gradient_penalty, or None; got {self.penalty!r}")
            checks.positive("penalty_weight", self.penalty_weight)
        if self.noise_sigma is not None and not callable(self.noise_sigma):
            checks.nonneg_number("noise_sigma (instance-noise std; or a schedule(step, steps))", self.noise_sigma)
        checks.steps_within("snapshot_steps", self.snapshot_steps, self.steps)
        checks.device(self.device)
        return self


_dataclass_init = TrainConfig.__init__


@functools.wraps(_dataclass_init)
def _init(self, *args, **kwargs):
    old = [k for k in kwargs if k in RENAMED]
    if old:
        raise _renamed_error(old)
    _dataclass_init(self, *args, **kwargs)


TrainConfig.__init__ = _init


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


def as_sampler(real):
    """``f(n, generator) -> (n, d)`` for real data given as a toy (``.sample``) or as such a function."""
    if hasattr(real, "sample"):
        return lambda n, g: real.sample(n, generator=g)
    if callable(real):
        return real
    raise TypeError("real data must be a toy with .sample(n, generator=...) or a function (n, generator) -> (n, d)")


def make_optimizer(name, params, lr, betas):
    """Adam(lr, betas) or RMSProp(lr) (WGAN, Arjovsky et al. 2017, Algorithm 1) over ``params``."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    raise ValueError(f"optimizer must be 'adam' or 'rmsprop', got {name!r}")


def clip_weights_(net, c):
    """Clamp every parameter of ``net`` to [-c, c] in place (Arjovsky et al. 2017, Algorithm 1, line 7)."""
    checks.positive("clip value c", c)
    with torch.no_grad():
        for p in net.parameters():
            p.clamp_(-c, c)
    return net


def check_weights(net, name, step):
    """``checks.finite_weights`` with this loop's advice."""
    checks.finite_weights(net, name, step)


def sigma_at(schedule, step, steps):
    """The instance-noise std at ``step``: 0 when off, a constant, or ``schedule(step, steps)``."""
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
    old = [k for k in overrides if k in RENAMED]
    if old:
        raise _renamed_error(old)
    unknown = sorted(set(overrides) - set(TrainConfig.__dataclass_fields__))
    if unknown:
        raise TypeError(f"train_gan got unknown settings {unknown}; TrainConfig has {sorted(TrainConfig.__dataclass_fields__)}")
    if config is not None and not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    config = TrainConfig(**{**(config.__dict__ if config else {}), **overrides}).validate()
    device = torch.device(config.device) if config.device else default_device()
    seed_everything(config.seed)
    G.to(device)
    D.to(device)
    d_loss_fn, g_loss_fn = losses.get(config.loss)
    opt_d = make_optimizer(config.optimizer, D.parameters(), config.lr_d, config.betas)
    opt_g = make_optimizer(config.optimizer, G.parameters(), config.lr_g, config.betas)
    sample_real = as_sampler(real)
    g_data = torch.Generator().manual_seed(config.seed)
    g_latent = torch.Generator(device=device).manual_seed(config.seed + 1)
    z_fixed = G.sample_latent(config.n_snapshot, torch.Generator(device=device).manual_seed(config.seed + 2), device)
    n, B = config.steps, config.batch_size
    d_hist = torch.full((n,), float("nan"), device=device)
    g_hist = torch.full((n,), float("nan"), device=device)
    sigmas = np.zeros(n)
    observe = getattr(config.noise_sigma, "observe", None)
    hist = History(config, device=str(device))

    def snapshot(step):
        with torch.no_grad():
            snap = {"samples": G(z_fixed).cpu().numpy()}
        if snapshot_fn is not None:
            snap.update(snapshot_fn(G, D))
        hist.snapshots[step] = snap

    def noisy(x, sigma):
        return x + sigma * torch.randn(x.shape, generator=g_latent, device=device) if sigma > 0 else x

    def check(upto):  # D and G: losses, then weights
        hint = f"(loss {config.loss!r}, lr_d={config.lr_d}, lr_g={config.lr_g}); lower the learning rate or add a penalty"
        for name, vals in (("discriminator", d_hist), ("generator", g_hist)):
            checks.finite_losses(name, vals[:upto], hint)
        check_weights(D, "discriminator", upto)
        check_weights(G, "generator", upto)

    bar = None
    if config.progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc=f"{config.loss} GAN", unit="step", leave=False)
    start, cpu_start, done = time.perf_counter(), time.process_time(), 0
    try:
        if 0 in config.snapshot_steps:
            snapshot(0)
        for step in range(n):
            sigma = sigmas[step] = sigma_at(config.noise_sigma, step, n)
            # (1) update D: n_critic steps on fresh real and generated minibatches
            for _ in range(config.n_critic):
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
            # (2) update G: one step against the current D
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
        print(f"interrupted at generator step {done} of {n}: returning the partial history "
              "(History.interrupted is True)")
    finally:
        if bar is not None:
            bar.close()
    if hist.interrupted and done:
        check(done)  # a partial result is returned only if D and G are still finite
    hist.seconds = time.perf_counter() - start
    hist.cpu_seconds = time.process_time() - cpu_start
    hist.steps = np.arange(1, done + 1)
    hist.d_loss = d_hist[:done].cpu().numpy()
    hist.g_loss = g_hist[:done].cpu().numpy()
    hist.sigma = sigmas[:done]
    return hist
