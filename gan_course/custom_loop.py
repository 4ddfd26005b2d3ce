"""A batched toy-GAN loop for losses that need more than D's logits (chapter 08).

EBGAN's discriminator is an autoencoder whose reconstruction error is the energy; the
Loss-Sensitive GAN's loss compares each real sample with a generated one through a margin. Both
are written as functions of the discriminator network itself,

    d_loss(D, real, fake) -> (K,)     g_loss(D, fake) -> (K,)

with D a ``batched.BatchedMLP`` (K stacked MLPs) and real, fake of shape (K, B, 2). ``train``
runs K = len(seeds) models at once (Goodfellow et al. 2014, Algorithm 1 with one D step per G
step): (1) update D on a fresh real and fake batch, (2) update G. Model k's streams follow
``batched.train_batched``: real data from a CPU generator seeded s, latents from one seeded s + 1,
the fixed snapshot latents from s + 2; G then D are built right after ``torch.manual_seed(s)``.
``fit_discriminator`` trains D alone against fixed fake distributions (to look at the energy
surface or the learnt margin for a generator that does not move).
"""
import time
from dataclasses import dataclass

import numpy as np
import torch

from . import checks, nets
from .batched import BatchedMLP, BatchedOptimizer
from .device import default_device


@dataclass
class CustomResult:
    """``samples`` (K, n_snapshot, 2) from fixed latents after training; ``d_loss``, ``g_loss`` (K, steps)."""

    G: BatchedMLP
    D: BatchedMLP
    samples: np.ndarray
    d_loss: np.ndarray
    g_loss: np.ndarray
    seconds: float
    device: str


def _stack(modules, device):
    return BatchedMLP.stack([m.to(device) for m in modules])


def train(seeds, data, steps, make_d, d_loss, g_loss, width=64, depth=3, batch_size=256, latent_dim=2,
          lr_d=1e-3, lr_g=1e-3, betas=(0.5, 0.999), n_snapshot=2500, device=None, progress=True):
    """Train K = len(seeds) toy GANs with custom losses on ``data`` (a toy with ``sample``) for ``steps``
    generator steps. ``make_d()`` returns one discriminator as an ``nn.Sequential`` of Linear/ReLU.
    The generator is ``nets.Generator(latent_dim, 2, width, depth)``. Returns a ``CustomResult``."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("train needs at least one seed")
    steps, B = checks.positive_int("steps", steps), checks.positive_int("batch_size", batch_size)
    checks.positive("lr_d", lr_d)
    checks.positive("lr_g", lr_g)
    if not hasattr(data, "sample"):
        raise TypeError("data must be a toy with .sample(n, generator=...), e.g. gan_course.toys.ring8()")
    device = torch.device(device) if device is not None else default_device()
    gs, ds = [], []
    for s in seeds:
        torch.manual_seed(s)
        gs.append(nets.Generator(latent_dim, 2, width, depth).net)
        ds.append(make_d())
    G, D = _stack(gs, device), _stack(ds, device)
    K = len(seeds)
    dtype = G.weights[0].dtype
    opt_d = BatchedOptimizer(D.parameters(), torch.full((K,), float(lr_d), device=device, dtype=dtype), "adam", betas)
    opt_g = BatchedOptimizer(G.parameters(), torch.full((K,), float(lr_g), device=device, dtype=dtype), "adam", betas)
    g_data = [torch.Generator().manual_seed(s) for s in seeds]
    g_lat = [torch.Generator(device=device).manual_seed(s + 1) for s in seeds]
    z_fixed = torch.stack([torch.randn((n_snapshot, latent_dim), device=device,
                                       generator=torch.Generator(device=device).manual_seed(s + 2)) for s in seeds])

    def latents():  # (K, B, latent_dim)
        return torch.stack([torch.randn((B, latent_dim), generator=g, device=device) for g in g_lat])

    def real():  # (K, B, 2)
        return torch.stack([data.sample(B, generator=g) for g in g_data]).to(device=device, dtype=dtype)

    d_hist = torch.full((K, steps), float("nan"), device=device)
    g_hist = torch.full((K, steps), float("nan"), device=device)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc=f"{K} models", unit="step", leave=False)
    start = time.perf_counter()
    try:
        for step in range(steps):
            # (1) update D on a fresh real and fake batch
            x = real()
            with torch.no_grad():
                x_fake = G(latents())
            loss_d = d_loss(D, x, x_fake)  # (K,)
            opt_d.zero_grad()
            loss_d.sum().backward()  # model k's gradient comes from its own term only
            opt_d.step()
            # (2) update G
            loss_g = g_loss(D, G(latents()))  # (K,)
            opt_g.zero_grad()
            loss_g.sum().backward()
            opt_g.step()
            d_hist[:, step], g_hist[:, step] = loss_d.detach(), loss_g.detach()
            if bar is not None and ((step + 1) % 50 == 0 or step + 1 == steps):
                bar.update(step + 1 - bar.n)
    except KeyboardInterrupt:
        print(f"interrupted at generator step {step}: returning the models as they are")
    finally:
        if bar is not None:
            bar.close()
    with torch.no_grad():
        samples = G(z_fixed).float().cpu().numpy()
    return CustomResult(G, D, samples, d_hist.cpu().numpy(), g_hist.cpu().numpy(), time.perf_counter() - start,
                        str(device))


def fit_discriminator(seeds, real, fakes, steps, make_d, d_loss, batch_size=256, lr=1e-3, betas=(0.5, 0.999),
                      device=None):
    """Train K discriminators alone: model k on ``real`` (a toy) against the fixed fake distribution
    ``fakes[k]`` (a toy), with ``d_loss(D, real, fake) -> (K,)``; D_k built after manual_seed(seeds[k]).
    Returns (D as a ``BatchedMLP``, losses (K, steps))."""
    seeds = [int(s) for s in seeds]
    if len(fakes) != len(seeds):
        raise ValueError(f"need one fake distribution per seed, got {len(fakes)} and {len(seeds)}")
    steps, B = checks.positive_int("steps", steps), checks.positive_int("batch_size", batch_size)
    device = torch.device(device) if device is not None else default_device()
    ds = []
    for s in seeds:
        torch.manual_seed(s)
        ds.append(make_d())
    D = _stack(ds, device)
    K, dtype = len(seeds), D.weights[0].dtype
    opt = BatchedOptimizer(D.parameters(), torch.full((K,), float(lr), device=device, dtype=dtype), "adam", betas)
    g = [torch.Generator().manual_seed(s) for s in seeds]
    hist = np.zeros((K, steps))
    for step in range(steps):
        x = torch.stack([real.sample(B, generator=gk) for gk in g]).to(device=device, dtype=dtype)
        xf = torch.stack([f.sample(B, generator=gk) for f, gk in zip(fakes, g)]).to(device=device, dtype=dtype)
        loss = d_loss(D, x, xf)
        opt.zero_grad()
        loss.sum().backward()
        opt.step()
        hist[:, step] = loss.detach().cpu().numpy()
    return D, hist


def on_points(fn, D, x):
    """``fn(D, X)`` for the same points ``x`` (N, 2) (NumPy) in every model: returns (K, N) NumPy."""
    p = D.weights[0]
    X = torch.as_tensor(np.asarray(x, float), dtype=p.dtype, device=p.device).expand(D.K, -1, -1)
    with torch.no_grad():
        return fn(D, X).float().cpu().numpy()
