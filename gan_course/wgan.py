"""Wasserstein GAN pieces: the paper's default settings, weight clipping, and critic diagnostics.

* Kantorovich-Rubinstein duality (Arjovsky et al. 2017, Eq. 2):
  W1(P_r, P_g) = sup_{||f||_L <= 1} E_{x~P_r} f(x) - E_{x~P_g} f(x). ``critic_w1_estimate`` is that
  difference for one critic f on two sample sets; ``train_critic`` maximises it for fixed P_r, P_g
  under weight clipping or a penalty (``penalties``).
* ``WGAN_DEFAULTS``: Arjovsky et al. 2017, Algorithm 1: RMSProp, lr 5e-5, clipping c = 0.01,
  n_critic = 5, batch m = 64. ``WGAN_GP_DEFAULTS``: Gulrajani et al. 2017, Algorithm 1: Adam
  (lr 1e-4, beta1 0, beta2 0.9), lambda = 10, n_critic = 5, m = 64.
* ``layer_gradient_norms`` and ``fraction_near_clip``: the two diagnostics of Gulrajani et al.
  2017, Figure 1b (gradient norms per layer; weights piling up at +-c).
"""
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from . import checks, divergences, losses, penalties
from .device import default_device, seed_everything
from .training import TrainConfig, as_sampler, clip_weights_, make_optimizer

__all__ = ["WGAN_DEFAULTS", "WGAN_GP_DEFAULTS", "wgan_config", "wgan_gp_config", "clip_weights_", "critic_w1_estimate",
           "NoisyData", "CriticHistory", "train_critic", "linear_layers", "layer_weights", "fraction_near_clip",
           "layer_gradient_norms", "w1_tracker"]

WGAN_DEFAULTS = TrainConfig(loss="wasserstein", optimizer="rmsprop", lr_d=5e-5, lr_g=5e-5, clip=0.01,
                            n_critic=5, batch_size=64)
WGAN_GP_DEFAULTS = TrainConfig(loss="wasserstein", optimizer="adam", lr_d=1e-4, lr_g=1e-4, betas=(0.0, 0.9),
                               n_critic=5, batch_size=64, penalty=penalties.gradient_penalty, penalty_weight=10.0)


def wgan_config(**overrides):
    """``WGAN_DEFAULTS`` with some fields replaced (``steps=...``, ``seed=...``)."""
    return replace(WGAN_DEFAULTS, **overrides).validate()


def wgan_gp_config(**overrides):
    """``WGAN_GP_DEFAULTS`` with some fields replaced."""
    return replace(WGAN_GP_DEFAULTS, **overrides).validate()


def _param(net):
    return next(net.parameters())


def critic_w1_estimate(f, real, fake):
    """E_r f - E_g f on the two sample sets (N, d): the dual estimate of W1 (exact for the best 1-Lipschitz f)."""
    p = _param(f)
    real, fake = (torch.as_tensor(v, dtype=p.dtype, device=p.device) for v in (real, fake))
    with torch.no_grad():
        return float(f(real).mean() - f(fake).mean())


@dataclass(frozen=True)
class NoisyData:
    """The generator 'held at data plus noise' of Gulrajani et al. 2017, Figure 1: x + std * N(0, I), x ~ data."""

    data: object
    std: float = 1.0

    def sample(self, n, seed=None, generator=None):
        g = generator if generator is not None else (torch.Generator().manual_seed(seed) if seed is not None else None)
        x = self.data.sample(n, generator=g)
        return x + self.std * torch.randn(x.shape, generator=g, dtype=x.dtype)


@dataclass
class CriticHistory:
    steps: np.ndarray  # critic updates at which the estimate was recorded
    estimate: np.ndarray  # E_r f - E_g f on that step's batch
    seconds: float = 0.0
    interrupted: bool = False  # Ctrl-C stopped the run: the arrays hold the steps done so far


def train_critic(f, real, fake, steps=500, batch_size=256, lr=1e-4, optimizer="adam", betas=(0.5, 0.9),
                 clip=None, penalty=None, penalty_weight=10.0, seed=0, device=None, record_every=10,
                 check_every=25):
    """Maximise E_r f - E_g f over the critic ``f`` for *fixed* distributions ``real`` and ``fake``.

    The Lipschitz constraint comes from weight clipping (``clip=c``, WGAN) and/or a ``penalty``
    (``penalties.gradient_penalty``, weighted by ``penalty_weight``). Returns a ``CriticHistory``.
    Failure policy as ``training.train_gan``: a NaN/inf loss or weight raises ``checks.TrainingDiverged``
    naming the critic and the step; Ctrl-C returns the history so far, flagged ``interrupted``."""
    import time

    steps, batch_size = checks.positive_int("steps", steps), checks.positive_int("batch_size", batch_size)
    checks.positive("lr", lr)
    checks.betas("betas", betas)
    record_every, check_every = checks.positive_int("record_every", record_every), checks.positive_int(
        "check_every", check_every)
    if optimizer not in ("adam", "rmsprop"):
        raise ValueError(f"optimizer must be 'adam' or 'rmsprop', got {optimizer!r}")
    if clip is not None:
        checks.positive("clip", clip)
    if penalty is not None and not callable(penalty):
        raise ValueError(f"penalty must be a function f(D, real, fake) such as penalties.gradient_penalty, got {penalty!r}")
    device = torch.device(checks.device(device)) if device else default_device()
    seed_everything(seed)
    f.to(device)
    opt = make_optimizer(optimizer, f.parameters(), lr, betas)
    sample_r, sample_g = as_sampler(real), as_sampler(fake)
    g = torch.Generator().manual_seed(seed)
    rec_steps, rec = [], []
    loss_hist = torch.full((steps,), float("nan"), device=device)
    hint = f"lower lr ({lr}) or the penalty weight"

    def check(upto):
        checks.finite_losses("critic", loss_hist[:upto], hint, step_name="critic step")
        checks.finite_weights(f, "critic", upto, hint, step_name="critic step")

    start, done, interrupted = time.perf_counter(), 0, False
    try:
        for step in range(1, steps + 1):
            # one critic update: ascend E_r f - E_g f (descend its negative), then the Lipschitz constraint
            x_r = sample_r(batch_size, g).to(device)
            x_g = sample_g(batch_size, g).to(device)
            s_r, s_g = f(x_r), f(x_g)
            loss = losses.d_loss_wasserstein(s_r, s_g)
            if penalty is not None:
                loss = loss + penalty_weight * penalty(f, x_r, x_g)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if clip is not None:
                clip_weights_(f, clip)
            loss_hist[step - 1] = loss.detach()
            done = step
            if step % record_every == 0 or step == steps:
                rec_steps.append(step)
                rec.append(float((s_r.mean() - s_g.mean()).detach()))
            if step % check_every == 0 or step == steps:
                check(step)
    except KeyboardInterrupt:
        interrupted = True
        print(f"interrupted at critic step {done} of {steps}: returning the partial history "
              "(CriticHistory.interrupted is True)")
        check(done)
    return CriticHistory(np.array(rec_steps), np.array(rec), time.perf_counter() - start, interrupted)


def linear_layers(net):
    """The ``nn.Linear`` and ``nn.Conv2d`` layers of ``net`` from input to output."""
    return [m for m in net.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]


def layer_weights(net):
    """All weight-matrix entries (biases excluded) of ``net`` as one NumPy vector."""
    return np.concatenate([m.weight.detach().cpu().numpy().ravel() for m in linear_layers(net)])


def fraction_near_clip(net, c, rel=0.01):
    """Share of weight entries with |w| >= (1 - rel) c: how many sit within ``rel`` of +-c."""
    checks.positive("c", c)
    w = np.abs(layer_weights(net))
    return float(np.mean(w >= (1 - rel) * c))


def layer_gradient_norms(f, real, fake, wrt="activations"):
    """Per-layer gradient norms of the critic loss L = E_g f - E_r f, input layer first.

    ``wrt='activations'``: ||dL/dh_l||_F, h_l the input of the l-th linear layer (h_1 = x): the
    back-propagated signal that explodes or vanishes with depth (Gulrajani et al. 2017, Fig. 1b).
    ``wrt='weights'``: ||dL/dW_l||_F for each layer's weight matrix."""
    if wrt not in ("activations", "weights"):
        raise ValueError(f"wrt must be 'activations' or 'weights', got {wrt!r}")
    p = _param(f)
    real, fake = (torch.as_tensor(v, dtype=p.dtype, device=p.device).detach().requires_grad_(wrt == "activations")
                  for v in (real, fake))
    layers = linear_layers(f)
    inputs = []
    hooks = [m.register_forward_hook(lambda m, args, out: inputs.append(args[0])) for m in layers]
    try:
        loss = losses.d_loss_wasserstein(f(real), f(fake))
    finally:
        for h in hooks:
            h.remove()
    if wrt == "weights":
        grads = torch.autograd.grad(loss, [m.weight for m in layers])
        return np.array([float(gr.norm()) for gr in grads])
    # two forward passes (real, then fake): inputs[l] and inputs[l + n_layers]
    n = len(layers)
    grads = torch.autograd.grad(loss, inputs)
    return np.array([float(torch.cat([grads[l], grads[l + n]]).norm()) for l in range(n)])


def w1_tracker(real, n=500, seed=1234, n_estimate=None):
    """A ``snapshot_fn(G, D)`` for ``train_gan``: the critic's estimate E_r f - E_g f on ``n_estimate``
    (default ``n``) fresh samples a side, and the exact W1 between ``n`` generated and ``n`` real
    samples (linear assignment)."""
    state = {"g": torch.Generator().manual_seed(seed)}
    sample_r = as_sampler(real)

    def snapshot(G, D):
        m = max(n, n_estimate or n)
        x_r = sample_r(m, state["g"])
        with torch.no_grad():
            x_g = G(G.sample_latent(m, None)).cpu()
        return {"critic_w": critic_w1_estimate(D, x_r, x_g), "exact_w1": divergences.w1_exact(x_r[:n], x_g[:n])}

    return snapshot
