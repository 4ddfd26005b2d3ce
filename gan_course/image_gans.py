"""DCGAN, DCGAN + spectral normalisation and SA-GAN on 16x16 digits, and the command that trains them.

- DCGAN (Radford et al. 2016, Sec. 3): strided (transposed) convolutions instead of pooling, batch
  norm except at G's output and D's input, ReLU in G with Tanh at the output, LeakyReLU(0.2) in D,
  Adam lr 2e-4, beta1 0.5, minibatch 128, weights initialised N(0, 0.02); non-saturating loss.
- DCGAN + SN: the same, with spectral normalisation (Miyato et al. 2018) on every layer of D in
  place of D's batch norm.
- SA-GAN (Zhang et al. 2019): a self-attention block at the 8x8 stage of G and D, hinge loss, SN in
  G and D, two time-scale update rule (D 4e-4, G 1e-4), Adam betas (0, 0.9).

Self-attention (Zhang et al. 2019, Sec. 3): with 1x1 convolutions f, g, h: C -> C/8 and v: C/8 -> C,
s_ij = f(x_i)^T g(x_j), beta_{j,i} = softmax_i(s_ij), o_j = v(sum_i beta_{j,i} h(x_i)),
y_j = gamma o_j + x_j with gamma initialised to 0.

Command line (the shipped results in assets/images are made by the first line):
    python -m gan_course.image_gans train-all --out assets/images
    python -m gan_course.image_gans evaluate assets/images
"""
import argparse
import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from . import checks, classifier, digits, training
from .device import default_device, seed_everything
from .spectral import sn

LATENT_DIM = 64
WIDTH = 32


@dataclass(frozen=True)
class Variant:
    name: str
    loss: str  # a key of losses.LOSSES
    sn_g: bool
    sn_d: bool
    bn_d: bool
    attention: bool
    lr_d: float
    lr_g: float
    betas: tuple


VARIANTS = {
    "dcgan": Variant("DCGAN", "nonsaturating", False, False, True, False, 2e-4, 2e-4, (0.5, 0.999)),
    "dcgan_sn": Variant("DCGAN + SN", "nonsaturating", False, True, False, False, 2e-4, 2e-4, (0.5, 0.999)),
    "sagan": Variant("SA-GAN", "hinge", True, True, False, True, 4e-4, 1e-4, (0.0, 0.9)),
}
DATASETS = {"digits": 1, "stacked": 3}  # name -> image channels


def variant(name):
    if name not in VARIANTS:
        raise ValueError(f"unknown variant {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


class SelfAttention(nn.Module):
    """The SA-GAN block (Zhang et al. 2019): y = x + gamma * v(h(x) beta), gamma initialised to 0.
    ``last_attention`` keeps beta of the last forward as (N, HW keys i, HW queries j)."""

    def __init__(self, channels, spectral=True):
        super().__init__()
        if channels < 8:
            raise ValueError(f"self-attention needs at least 8 channels, got {channels}")
        c = channels // 8
        self.f = sn(nn.Conv2d(channels, c, 1, bias=False), spectral)  # keys
        self.g = sn(nn.Conv2d(channels, c, 1, bias=False), spectral)  # queries
        self.h = sn(nn.Conv2d(channels, c, 1, bias=False), spectral)  # values
        self.v = sn(nn.Conv2d(c, channels, 1, bias=False), spectral)
        self.gamma = nn.Parameter(torch.zeros(1))
        self.last_attention = None

    def forward(self, x):
        n, C, H, W = x.shape
        f, g, h = self.f(x).flatten(2), self.g(x).flatten(2), self.h(x).flatten(2)  # (N, C/8, HW)
        s = f.transpose(1, 2) @ g  # s[i, j] = f(x_i)^T g(x_j): (N, HW, HW)
        beta = torch.softmax(s, dim=1)  # normalised over the keys i for each query j
        self.last_attention = beta.detach()
        o = self.v((h @ beta).view(n, -1, H, W))  # o_j = v(sum_i beta_{j,i} h(x_i)): (N, C, H, W)
        return x + self.gamma * o


def init_dcgan(m):
    """N(0, 0.02) for conv/linear weights, N(1, 0.02) for batch-norm scales (Radford et al. 2016)."""
    w = getattr(m, "weight_orig", None)
    if w is None and isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        w = m.weight
    if w is not None and not isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(w, 0.0, 0.02)
    if isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class ImageGenerator(nn.Module):
    """z (N, latent) -> images (N, C, 16, 16) in [-1, 1]."""

    def __init__(self, channels=1, width=WIDTH, latent_dim=LATENT_DIM, spectral=False, attention=False):
        super().__init__()
        self.latent_dim = latent_dim
        w = width
        layers = [
            sn(nn.ConvTranspose2d(latent_dim, 2 * w, 4, 1, 0, bias=False), spectral),  # (N, 2w, 4, 4)
            nn.BatchNorm2d(2 * w), nn.ReLU(),
            sn(nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), spectral),  # (N, w, 8, 8)
            nn.BatchNorm2d(w), nn.ReLU(),
        ]
        if attention:
            layers.append(SelfAttention(w, spectral))  # (N, w, 8, 8)
        layers += [sn(nn.ConvTranspose2d(w, channels, 4, 2, 1), spectral), nn.Tanh()]  # (N, C, 16, 16)
        self.net = nn.Sequential(*layers)
        self.apply(init_dcgan)

    def sample_latent(self, n, generator=None, device="cpu"):
        return torch.randn(n, self.latent_dim, generator=generator, device=device)

    def forward(self, z):
        return self.net(z[:, :, None, None])


class ImageDiscriminator(nn.Module):
    """images (N, C, 16, 16) -> logits/scores (N,)."""

    def __init__(self, channels=1, width=WIDTH, spectral=False, batch_norm=True, attention=False):
        super().__init__()
        w = width
        layers = [sn(nn.Conv2d(channels, w, 4, 2, 1), spectral), nn.LeakyReLU(0.2)]  # (N, w, 8, 8), no BN at input
        if attention:
            layers.append(SelfAttention(w, spectral))
        layers.append(sn(nn.Conv2d(w, 2 * w, 4, 2, 1, bias=not batch_norm), spectral))  # (N, 2w, 4, 4)
        if batch_norm:
            layers.append(nn.BatchNorm2d(2 * w))
        layers += [nn.LeakyReLU(0.2), sn(nn.Conv2d(2 * w, 1, 4, 1, 0), spectral)]  # (N, 1, 1, 1)
        self.net = nn.Sequential(*layers)
        self.apply(init_dcgan)

    def forward(self, x):
        return self.net(x).flatten()


def build(name, channels=1, width=WIDTH):
    """(G, D) for the variant ``name`` on images with ``channels`` channels."""
    v = variant(name)
    G = ImageGenerator(channels, width, spectral=v.sn_g, attention=v.attention)
    D = ImageDiscriminator(channels, width, spectral=v.sn_d, batch_norm=v.bn_d, attention=v.attention)
    return G, D


def real_batches(dataset, batch_size, generator):
    """Endless minibatches of the training split: 'digits' (N, 1, 16, 16) or 'stacked' (N, 3, 16, 16)."""
    x, y = digits.load("train")
    if dataset == "digits":
        return digits.batches(x, batch_size, generator)
    if dataset == "stacked":
        return digits.StackedSampler(x, y, batch_size, generator)
    raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}")


def train(name, dataset="digits", steps=3000, batch_size=128, seed=0, device=None, progress=True, on_step=None):
    """Train the variant ``name`` on ``dataset`` for ``steps`` generator updates (one D update each)
    with the course's one loop, ``training.train_gan``.

    ``on_step(step, G, D)`` is called after every update (to record weights, say). Returns
    (G, D, history) with history = {'d_loss', 'g_loss' arrays, 'seconds', 'cpu_seconds', 'device'};
    G and D are left in eval mode on ``device`` (CUDA when present unless given). A loss or weight
    that turns NaN/inf stops the run with ``training.TrainingDiverged``."""
    v = variant(name)
    checks.positive_int("batch_size", batch_size)
    data = real_batches(dataset, batch_size, torch.Generator().manual_seed(seed))  # checks the name
    seed_everything(seed)  # the initial weights
    G, D = build(name, DATASETS[dataset])
    hist = training.train_gan(G, D, lambda n, generator: next(data), on_step=on_step, steps=steps,
                              batch_size=batch_size, lr_d=v.lr_d, lr_g=v.lr_g, betas=v.betas, loss=v.loss, n_critic=1,
                              seed=seed, device=device, progress=progress)
    G.eval(), D.eval()
    return G, D, {"d_loss": hist.d_loss, "g_loss": hist.g_loss, "seconds": hist.seconds,
                  "cpu_seconds": hist.cpu_seconds, "device": hist.device}


@torch.no_grad()
def generate(G, n, seed=0, batch_size=2500):
    """``n`` images from G (eval mode) with latents drawn on the CPU from ``seed``; float32 CPU tensor."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, G.latent_dim, generator=g)
    dev = next(G.parameters()).device
    G.eval()
    return torch.cat([G(z[i : i + batch_size].to(dev)).float().cpu() for i in range(0, n, batch_size)])


# --- shipped results ------------------------------------------------------------------------------
N_EVAL = 2500  # generated digits per metric evaluation (as the toy metrics)
N_STACKED = 10000  # generated Stacked-Digits images per mode count


def weights_path(out, name, dataset):
    return Path(out) / f"{name}_{dataset}.pt"


def save_generator(G, path):
    """Save G's state dict in float16 (halves the file; the images do not change visibly)."""
    sd = {k: (t.half() if t.is_floating_point() else t) for k, t in G.state_dict().items()}
    torch.save(sd, path)


def load_generator(path, name, dataset="digits", device="cpu"):
    """A generator of ``name`` with the weights at ``path`` (``torch.load(weights_only=True)``)."""
    G = build(name, DATASETS[dataset])[0]
    sd = torch.load(path, map_location="cpu", weights_only=True)
    G.load_state_dict({k: (t.float() if t.is_floating_point() else t) for k, t in sd.items()})
    return G.to(device).eval()


def load_classifier(out):
    model = classifier.DigitClassifier()
    model.load_state_dict(torch.load(Path(out) / "classifier.pt", map_location="cpu", weights_only=True))
    return model.eval()


def reference_features(model):
    """Classifier features of the real training split: the Fréchet distance's reference."""
    return classifier.features(model, digits.load("train")[0])


def evaluate_generator(G_digits, G_stacked, model, ref, n_eval=N_EVAL, n_stacked=N_STACKED):
    """The table row of one variant: digits metrics on n_eval samples, stacked modes on n_stacked."""
    row = classifier.image_metrics(model, generate(G_digits, n_eval, seed=1), ref)
    if G_stacked is not None:
        row.update(classifier.stacked_modes(model, generate(G_stacked, n_stacked, seed=2)))
    return row


def evaluate_real(model, ref, n_stacked=N_STACKED):
    """The ceiling: the held-out real test digits (359), and n_stacked stacks of them."""
    x, y = digits.load("test")
    row = classifier.image_metrics(model, x, ref)
    row.update(classifier.stacked_modes(model, digits.stack(x, y, n_stacked, torch.Generator().manual_seed(2))[0]))
    return row


def evaluate(out, n_eval=N_EVAL, n_stacked=N_STACKED):
    """Recompute the metrics table from the weights in ``out``: {row name: metrics}."""
    model = load_classifier(out)
    ref = reference_features(model)
    table = {"real data (held-out)": evaluate_real(model, ref, n_stacked)}
    for name in VARIANTS:
        Gd = load_generator(weights_path(out, name, "digits"), name, "digits")
        p = weights_path(out, name, "stacked")
        Gs = load_generator(p, name, "stacked") if p.exists() else None
        table[name] = evaluate_generator(Gd, Gs, model, ref, n_eval, n_stacked)
    return table


def _train_job(args):
    """One (variant, dataset) run of ``train_all``: trains, saves G, returns its record."""
    name, dataset, out, steps, batch_size, seed, device, progress, threads = args
    torch.set_num_threads(threads)
    G, D, hist = train(name, dataset, steps, batch_size, seed, device, progress)
    save_generator(G, weights_path(out, name, dataset))
    k = max(1, steps // 200)
    print(f"{name} on {dataset}: {steps} steps in {hist['seconds']:.1f} s wall, {hist['cpu_seconds']:.1f} s CPU "
          f"({device})", flush=True)
    return name, dataset, (hist["seconds"], hist["cpu_seconds"]), hist["d_loss"][::k].astype(np.float32), hist["g_loss"][::k].astype(np.float32)


def train_all(out, steps=3000, batch_size=128, seed=0, device=None, progress=True, jobs=1,
              n_eval=N_EVAL, n_stacked=N_STACKED):
    """Train the classifier (CPU) and every variant on digits and Stacked Digits; save weights,
    sample grids (samples.npz), metrics.json and this run's time in timings.json under ``out``.
    ``jobs`` > 1 trains that many runs at once in separate processes (on a GPU the tiny networks
    are bound by kernel-launch overhead, so parallel runs share it well)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    checks.positive_int("jobs", jobs)
    device = torch.device(device) if device else default_device()
    t0, c0 = time.perf_counter(), time.process_time()
    model, acc = classifier.train_classifier(seed=seed)
    torch.save(model.state_dict(), out / "classifier.pt")
    threads = max(1, torch.get_num_threads() // jobs)
    work = [(n, d, out, steps, batch_size, seed, str(device), progress and jobs == 1, threads)
            for n in VARIANTS for d in DATASETS]
    if jobs == 1:
        results = [_train_job(w) for w in work]
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn")) as pool:
            results = list(pool.map(_train_job, work))
    grids, seconds, losses_ = {}, {}, {}
    for name, dataset, secs, dl, gl in results:
        seconds[f"{name}_{dataset}"] = {"wall": round(secs[0], 1), "cpu": round(secs[1], 1)}
        losses_[f"{name}_{dataset}_d_loss"], losses_[f"{name}_{dataset}_g_loss"] = dl, gl
        G = load_generator(weights_path(out, name, dataset), name, dataset)
        grids[f"{name}_{dataset}"] = generate(G, 64, seed=3).numpy().astype(np.float16)
    np.savez_compressed(out / "samples.npz", **grids)
    np.savez_compressed(out / "losses.npz", **losses_)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0  # cpu: this process only
    table = evaluate(out, n_eval, n_stacked)
    meta = {"classifier_test_accuracy": acc, "steps": steps, "batch_size": batch_size, "seed": seed,
            "n_eval": n_eval, "n_stacked": n_stacked}
    (out / "metrics.json").write_text(json.dumps({"meta": meta, "table": table}, indent=1))
    kind = "cuda" if device.type == "cuda" else "cpu"
    timings_file = out / "timings.json"
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else {}
    timings[kind] = {
        "command": f"python -m gan_course.image_gans train-all --out {out} --steps {steps} --batch-size {batch_size}"
                   + f" --jobs {jobs}" + (" --device cpu" if kind == "cpu" else ""),
        "device": torch.cuda.get_device_name(device) if kind == "cuda" else platform.processor() or platform.machine(),
        "jobs": jobs,
        "torch_threads_per_job": threads,
        "wall_seconds": round(wall, 1),
        "main_process_cpu_seconds": round(cpu, 1),
        "seconds_per_run": seconds,  # wall and process-CPU seconds of each run's training loop
        "what": "measured: the full train-all run (classifier + 6 GANs), evaluation excluded",
    }
    timings_file.write_text(json.dumps(timings, indent=1))
    return table


def check_targets(table, min_classes=9, max_kl=0.1):
    """The course's targets for the shipped generators: DCGAN and SA-GAN cover >= 9 of 10 digit
    classes with class-KL < 0.1. Returns a list of failures (empty when all pass)."""
    fails = []
    for name in ("dcgan", "sagan"):
        r = table[name]
        if r["classes_covered"] < min_classes or not r["class_kl"] < max_kl:
            fails.append(f"{name}: {r['classes_covered']} classes, class-KL {r['class_kl']:.3f}")
    return fails


def format_table(table):
    head = f"{'':22s} {'classes':>8s} {'class-KL':>9s} {'Fréchet (clf)':>14s} {'stacked modes':>14s}"
    lines = [head]
    for k, r in table.items():
        label = VARIANTS[k].name if k in VARIANTS else k
        lines.append(f"{label:22s} {r['classes_covered']:>5d}/10 {r['class_kl']:>9.3f} {r['frechet_distance']:>14.2f}"
                     f" {r.get('modes_covered', float('nan')):>9}/1000")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gan_course.image_gans", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train-all", help="train the classifier and every GAN variant; write the results to --out")
    t.add_argument("--out", default="assets/images")
    t.add_argument("--steps", type=int, default=3000)
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default=None, help="cuda or cpu (default: CUDA when present)")
    t.add_argument("--jobs", type=int, default=1, help="runs trained at once (separate processes)")
    t.add_argument("--no-progress", action="store_true")
    e = sub.add_parser("evaluate", help="recompute the metrics table from shipped weights and check the targets")
    e.add_argument("out", nargs="?", default="assets/images")
    a = p.parse_args(argv)
    if a.cmd == "train-all":
        table = train_all(a.out, a.steps, a.batch_size, a.seed, a.device, not a.no_progress, a.jobs)
    else:
        table = evaluate(a.out)
    print("Fréchet distance in the course's digit-classifier features (NOT the Inception FID)")
    print(format_table(table))
    fails = check_targets(table)
    print("targets (DCGAN and SA-GAN: >= 9/10 classes, class-KL < 0.1):", "FAILED " + "; ".join(fails) if fails else "met")
    return 1 if fails else 0


if __name__ == "__main__":
    raise SystemExit(main())
