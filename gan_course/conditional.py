"""A conditional GAN on the 16x16 digits (Mirza & Osindero 2014), measured by the course's classifier.

Both players see the label y: min_G max_D V = E_{x,y ~ p_data} log D(x | y) + E_{z, y} log(1 - D(G(z | y) | y))
(Mirza & Osindero 2014, Eq. 2). As in their paper, y enters by concatenation at the input: G takes
[z, onehot(y)] (a DCGAN generator, ``image_gans.ImageGenerator``, with 64 + 10 latent inputs), D takes the
image with 10 extra channels, channel c filled with 1 when y = c (``image_gans.ImageDiscriminator`` with
11 input channels). DCGAN's recipe otherwise (Radford et al. 2016): batch norm, Adam 2e-4, beta1 0.5,
minibatch 128, non-saturating loss; the labels of generated samples are drawn uniformly.

How often a requested class is produced is read by the course's digit classifier (``classifier``,
shipped in assets/images): ``class_accuracy``. Command line (makes the shipped assets/conditional)::

    python -m gan_course.conditional train --out assets/conditional
"""
import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checks, classifier, digits, losses
from .device import default_device, seed_everything
from .image_gans import LATENT_DIM, WIDTH, ImageDiscriminator, ImageGenerator

N_CLASSES = digits.N_CLASSES
ASSETS = Path(__file__).resolve().parent.parent / "assets" / "conditional"


def _labels(y, n=None):
    y = torch.as_tensor(y, dtype=torch.long)
    if y.ndim != 1 or (n is not None and len(y) != n):
        raise ValueError(f"labels must have shape ({n if n is not None else 'N'},), got {tuple(y.shape)}")
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= N_CLASSES):
        raise ValueError(f"labels must be integers in 0..{N_CLASSES - 1}, got {y.min().item()}..{y.max().item()}")
    return y


class ConditionalGenerator(nn.Module):
    """G(z | y): [z (N, 64), onehot(y) (N, 10)] -> images (N, 1, 16, 16) in [-1, 1]."""

    def __init__(self, width=WIDTH, latent_dim=LATENT_DIM):
        super().__init__()
        self.latent_dim = latent_dim
        self.body = ImageGenerator(1, width, latent_dim + N_CLASSES)

    def forward(self, z, y):
        y = _labels(y, len(z)).to(z.device)
        return self.body(torch.cat([z, F.one_hot(y, N_CLASSES).to(z.dtype)], 1))


class ConditionalDiscriminator(nn.Module):
    """D(x | y): [x (N, 1, 16, 16), y as 10 constant channels] -> logits (N,)."""

    def __init__(self, width=WIDTH):
        super().__init__()
        self.body = ImageDiscriminator(1 + N_CLASSES, width)

    def forward(self, x, y):
        y = _labels(y, len(x)).to(x.device)
        maps = F.one_hot(y, N_CLASSES).to(x.dtype)[:, :, None, None].expand(-1, -1, *x.shape[2:])
        return self.body(torch.cat([x, maps], 1))


def train(steps=3000, batch_size=128, lr=2e-4, betas=(0.5, 0.999), seed=0, device=None, progress=True):
    """Train the conditional DCGAN for ``steps`` generator updates (one D update each) on the training
    split. Returns (G, D, history {'d_loss', 'g_loss', 'seconds', 'cpu_seconds', 'device'}); G, D in eval mode."""
    checks.positive_int("steps", steps)
    checks.positive_int("batch_size", batch_size)
    device = torch.device(device) if device is not None else default_device()
    x_all, y_all = digits.load("train")
    seed_everything(seed)
    G, D = ConditionalGenerator().to(device), ConditionalDiscriminator().to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    g = torch.Generator().manual_seed(seed)
    d_hist, g_hist = np.zeros(steps, np.float32), np.zeros(steps, np.float32)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="conditional DCGAN", unit="step", leave=False)
    t0, c0 = time.perf_counter(), time.process_time()
    d_loss, g_loss = losses.get("nonsaturating")
    try:
        for step in range(steps):
            idx = torch.randint(len(x_all), (batch_size,), generator=g)
            x, y = x_all[idx].to(device), y_all[idx].to(device)
            z = torch.randn(batch_size, G.latent_dim, generator=g).to(device)
            y_fake = torch.randint(N_CLASSES, (batch_size,), generator=g).to(device)
            # (1) update D on real (x, y) against generated (G(z | y'), y')
            with torch.no_grad():
                x_fake = G(z, y_fake)
            ld = d_loss(D(x, y), D(x_fake, y_fake))
            opt_d.zero_grad()
            ld.backward()
            opt_d.step()
            # (2) update G: -log D(G(z | y') | y')
            lg = g_loss(D(G(z, y_fake), y_fake))
            opt_g.zero_grad()
            lg.backward()
            opt_g.step()
            d_hist[step], g_hist[step] = ld.item(), lg.item()
            if not (np.isfinite(d_hist[step]) and np.isfinite(g_hist[step])):
                raise RuntimeError(f"conditional GAN diverged at step {step + 1} (a loss is NaN/inf)")
            if bar is not None and (step + 1) % 10 == 0:
                bar.update(10)
    finally:
        if bar is not None:
            bar.close()
    G.eval(), D.eval()
    return G, D, dict(d_loss=d_hist, g_loss=g_hist, seconds=time.perf_counter() - t0,
                      cpu_seconds=time.process_time() - c0, device=str(device))


@torch.no_grad()
def generate(G, classes, n_per_class, seed=0):
    """``n_per_class`` images of each requested class: (images (n, 1, 16, 16) CPU float32, requested (n,))."""
    checks.positive_int("n_per_class", n_per_class)
    y = _labels(torch.as_tensor(classes).repeat_interleave(n_per_class))
    z = torch.randn(len(y), G.latent_dim, generator=torch.Generator().manual_seed(seed))
    dev = next(G.parameters()).device
    G.eval()
    return G(z.to(dev), y.to(dev)).float().cpu(), y


def confusion(requested, predicted, n_classes=N_CLASSES):
    """C[i, j] = fraction of samples requested as class i that the classifier reads as j (rows sum to 1)."""
    requested, predicted = np.asarray(requested), np.asarray(predicted)
    C = np.zeros((n_classes, n_classes))
    np.add.at(C, (requested, predicted), 1)
    return C / np.maximum(C.sum(1, keepdims=True), 1)


def class_accuracy(clf, images, requested):
    """Fraction of images that the classifier reads as their requested class, and the predictions."""
    pred = classifier.predict(clf, images)
    return float((pred == torch.as_tensor(requested)).float().mean()), pred


def save(G, out, history, steps, batch_size, seed):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sd = {k: (t.half() if t.is_floating_point() else t) for k, t in G.state_dict().items()}
    torch.save(sd, out / "cgan_digits.pt")
    k = max(1, steps // 200)
    np.savez_compressed(out / "losses.npz", d_loss=history["d_loss"][::k], g_loss=history["g_loss"][::k])
    meta = dict(command=f"python -m gan_course.conditional train --out {out} --steps {steps} --batch-size {batch_size}"
                        f" --seed {seed}", steps=steps, batch_size=batch_size, seed=seed, device=history["device"],
                machine=platform.machine(), torch_threads=torch.get_num_threads(),
                seconds=round(history["seconds"], 1), cpu_seconds=round(history["cpu_seconds"], 1))
    (out / "meta.json").write_text(json.dumps(meta, indent=1))


def load_generator(folder=ASSETS, device="cpu"):
    G = ConditionalGenerator()
    sd = torch.load(Path(folder) / "cgan_digits.pt", map_location="cpu", weights_only=True)
    G.load_state_dict({k: (t.float() if t.is_floating_point() else t) for k, t in sd.items()})
    return G.to(device).eval()


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gan_course.conditional", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train the conditional DCGAN and save it under --out")
    t.add_argument("--out", default=str(ASSETS))
    t.add_argument("--steps", type=int, default=3000)
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default=None)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    G, _, hist = train(a.steps, a.batch_size, seed=a.seed, device=a.device)
    save(G, a.out, hist, a.steps, a.batch_size, a.seed)
    clf = classifier.DigitClassifier()
    clf.load_state_dict(torch.load(Path(__file__).resolve().parent.parent / "assets" / "images" / "classifier.pt",
                                   map_location="cpu", weights_only=True))
    x, y = generate(G.cpu(), range(N_CLASSES), 250, seed=1)
    acc, _ = class_accuracy(clf.eval(), x, y)
    print(f"{a.steps} steps in {hist['cpu_seconds']:.0f} s CPU; classifier reads the requested class in {100 * acc:.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
