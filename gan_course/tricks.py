"""The NIPS 2016 tutorial's tricks (Goodfellow 2016, Sec. 4) and Salimans et al. (2016)'s, measured.

* feature matching and minibatch discrimination: knobs of the batched trainer
  (``batched.Setting.feature_matching``, ``batched.Setting.minibatch_kernels``) and of the lab
  (``lab.make_setting``); ``compare`` trains them against the non-saturating baseline at equal
  generator steps over seeds and writes ``assets/tricks``;
* one-sided label smoothing (Salimans et al. 2016, Sec. 3.4): D's cross-entropy with target alpha for
  real data and beta for generated data, and the optimal D it leads to,
  D*(x) = (alpha p_data(x) + beta p_model(x)) / (p_data(x) + p_model(x))  (Goodfellow 2016, Eq. 23);
* virtual batch normalisation (Salimans et al. 2016, Sec. 3.5): each example is normalised with the
  statistics of a fixed reference batch together with itself, so it does not depend on its batch-mates;
* noise in hidden layers (Sønderby et al. 2017; Arjovsky & Bottou 2017, Sec. 3): Gaussian noise added
  to a hidden layer of G adds input dimensions, so G's samples fill a set of higher dimension; on D's
  hidden layers it keeps D from certainty only until D grows its weights (``NoisyDiscriminator``).

Command line (the shipped comparison in assets/tricks is made by)::

    python -m gan_course.tricks compare --out assets/tricks
"""
import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import batched, checks, lab, metrics, nets

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "tricks"

# ----------------------------------------------------------------------------------------------
# feature matching and minibatch discrimination on the toys, against the non-saturating GAN
# ----------------------------------------------------------------------------------------------
#: name -> knobs of lab.make_setting("nonsaturating", ...): the same lr, Adam, one D step per G step
VARIANTS = {"non-saturating": {}, "feature matching": dict(feature_matching=True),
            "minibatch discrimination": dict(minibatch_kernels=5)}
N_SHOW = 500  # samples kept per run for the picture (metrics use 2,500)


def compare(dataset="grid25", seeds=range(5), steps=2000, out=ASSETS, device="cpu", progress=True, variants=None):
    """Train each of ``variants`` (names of ``VARIANTS``; default all) on ``dataset`` for each seed with the
    lab's non-saturating setting (width 64, depth 3, minibatch 256, lr 1e-3, ``steps`` generator steps each:
    equal steps, not equal compute, since the tricks cost more per step). Adds to ``results.json`` (mode
    metrics of 2,500 samples per seed, CPU seconds of the batch) and ``samples.npz`` (``N_SHOW`` float16
    samples per run) under ``out``, replacing only the variants trained, and writes after each variant."""
    toy, seeds = lab.dataset(dataset), [int(s) for s in seeds]
    checks.positive_int("steps", steps)
    variants = list(VARIANTS) if variants is None else list(variants)
    for v in variants:
        if v not in VARIANTS:
            raise ValueError(f"unknown variant {v!r}; choose from {sorted(VARIANTS)}")
    torch.set_num_threads(1)
    out = Path(out)
    results, samples = {}, {}
    if (out / "results.json").exists():
        _, results, samples = load_comparison(out)
    for name in variants:
        knobs = VARIANTS[name]
        settings = [lab.make_setting("nonsaturating", s, **knobs) for s in seeds]
        c0 = time.process_time()
        res = batched.train_batched(settings, toy, steps, lab.WIDTH, lab.DEPTH, lab.BATCH, device=device,
                                    snapshot_steps=(steps,), n_snapshot=metrics.N_EVAL, progress=progress)
        cpu = time.process_time() - c0
        x = res.snapshots[steps]["samples"]  # (K, 2500, 2)
        runs = []
        for k, s in enumerate(seeds):
            st = metrics.mode_stats_for(x[k], toy)
            runs.append(dict(seed=s, modes_covered=st.modes_covered, hq_fraction=st.hq_fraction,
                             reverse_kl=float(st.reverse_kl) if np.isfinite(st.reverse_kl) else None, diverged_at=res.diverged_at[k]))
        results[name] = dict(knobs=knobs, seeds=seeds, dataset=dataset, steps=steps, cpu_seconds=round(cpu, 1),
                             command=f"python -m gan_course.tricks compare --out assets/tricks --dataset {dataset} "
                                     f"--steps {steps} --variant '{name}' " + " ".join(f"--seed {s}" for s in seeds),
                             runs=runs)
        samples[name] = x[:, :N_SHOW].astype(np.float16)
        if progress:
            print(f"{name}: {np.mean([r['modes_covered'] for r in runs]):.1f} modes, "
                  f"{100 * np.mean([r['hq_fraction'] for r in runs]):.1f}% HQ, {cpu:.0f} s CPU", flush=True)
        out.mkdir(parents=True, exist_ok=True)
        meta = dict(width=lab.WIDTH, depth=lab.DEPTH, batch_size=lab.BATCH, lr=1e-3,
                    minibatch_kernel_dim=batched.MINIBATCH_KERNEL_DIM, device=str(device), torch_threads=1,
                    n_eval=metrics.N_EVAL)
        (out / "results.json").write_text(json.dumps(dict(meta=meta, results=results), indent=1))
        np.savez_compressed(out / "samples.npz", **{k.replace(" ", "_"): v.astype(np.float16) for k, v in samples.items()})
    return results


def load_comparison(folder=ASSETS):
    """(meta, results, samples) of a ``compare`` run; samples keyed by the variant names."""
    folder = Path(folder)
    d = json.loads((folder / "results.json").read_text())
    npz = np.load(folder / "samples.npz")
    return d["meta"], d["results"], {k: npz[k.replace(" ", "_")].astype(np.float32) for k in d["results"]}


# ----------------------------------------------------------------------------------------------
# one-sided label smoothing
# ----------------------------------------------------------------------------------------------
def d_loss_smoothed(real_logits, fake_logits, alpha=0.9, beta=0.0):
    """Cross-entropy of D with soft targets: alpha for real data, beta for generated data,
    -[alpha log D(x) + (1 - alpha) log(1 - D(x))] - [beta log D(G(z)) + (1 - beta) log(1 - D(G(z)))],
    averaged over the batch (Salimans et al. 2016, Sec. 3.4); alpha = 1, beta = 0 is the plain GAN loss.
    One-sided smoothing keeps beta = 0."""
    for name, v in (("alpha", alpha), ("beta", beta)):
        if not 0 <= v <= 1:
            raise ValueError(f"{name} must be in [0, 1], got {v}")
    real = alpha * F.softplus(-real_logits) + (1 - alpha) * F.softplus(real_logits)
    fake = beta * F.softplus(-fake_logits) + (1 - beta) * F.softplus(fake_logits)
    return real.mean(-1) + fake.mean(-1)


def smoothed_optimal_discriminator(p_data, p_model, alpha=0.9, beta=0.0):
    """D*(x) = (alpha p_data + beta p_model) / (p_data + p_model) (Goodfellow 2016, Eq. 23), from the
    densities at the same points (NumPy arrays); where both vanish, D* is undefined (NaN)."""
    p_data, p_model = np.asarray(p_data, float), np.asarray(p_model, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (alpha * p_data + beta * p_model) / (p_data + p_model)


def nonsaturating_gradient(p_data, p_model, dp_data, dp_model, alpha=0.9, beta=0.0):
    """d/dx [-log D*(x)] for the smoothed D* above, from the densities and their x-derivatives:
    -(alpha p_d' + beta p_m') / (alpha p_d + beta p_m) + (p_d' + p_m') / (p_d + p_m). This is the
    gradient that G's non-saturating loss sends to a sample at x (times dG/dtheta)."""
    num, den = alpha * p_data + beta * p_model, p_data + p_model
    return -(alpha * dp_data + beta * dp_model) / num + (dp_data + dp_model) / den


def train_discriminator_1d(p_data, p_model, alpha=1.0, beta=0.0, steps=1500, batch_size=512, width=64, lr=2e-3,
                           seed=0):
    """An MLP D trained with ``d_loss_smoothed`` on samples of two fixed 1-D laws (``toys`` mixtures,
    with ``sample``). Returns D (an ``nets.Discriminator`` on the CPU, logits)."""
    checks.positive_int("steps", steps)
    torch.manual_seed(seed)
    return _fit_discriminator_1d(nets.Discriminator(1, width, 2), p_data, p_model, alpha, beta, steps, batch_size,
                                 lr, seed)


def _fit_discriminator_1d(D, p_data, p_model, alpha, beta, steps, batch_size, lr, seed):
    """Adam (betas 0.5, 0.999) on ``d_loss_smoothed`` between fresh minibatches of two fixed 1-D laws,
    drawn from a CPU generator seeded ``seed + 1``; returns D in eval mode."""
    opt = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    g = torch.Generator().manual_seed(seed + 1)
    for _ in range(steps):
        x_r, x_f = p_data.sample(batch_size, generator=g).float(), p_model.sample(batch_size, generator=g).float()
        loss = d_loss_smoothed(D(x_r), D(x_f), alpha, beta)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return D.eval()


# ----------------------------------------------------------------------------------------------
# virtual batch normalisation
# ----------------------------------------------------------------------------------------------
class VirtualBatchNorm1d(nn.Module):
    """Virtual batch normalisation (Salimans et al. 2016, Sec. 3.5) of features (N, C).

    ``set_reference(x_ref)`` fixes a reference batch R (N_ref, C). Example x_i is then normalised with
    the mean mu_i and variance v_i of R together with x_i itself, weights 1/(N_ref + 1) and
    N_ref/(N_ref + 1): y_i = gamma (x_i - mu_i) / sqrt(v_i + eps) + beta_. Nothing depends on the
    other examples of x's batch. (With ordinary batch norm in training mode, y_i depends on all of them.)"""

    def __init__(self, num_features, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta_ = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("ref_mean", None)
        self.register_buffer("ref_sq", None)
        self.n_ref = 0

    def set_reference(self, x_ref):
        """Fix the reference batch R (N_ref, C): store its mean and mean square."""
        if x_ref.ndim != 2 or x_ref.shape[1] != self.gamma.numel():
            raise ValueError(f"reference batch must have shape (N, {self.gamma.numel()}), got {tuple(x_ref.shape)}")
        self.ref_mean, self.ref_sq, self.n_ref = x_ref.mean(0), x_ref.pow(2).mean(0), len(x_ref)
        return self

    def forward(self, x):
        if self.ref_mean is None:
            raise RuntimeError("call set_reference(x_ref) before using VirtualBatchNorm1d")
        w_new = 1.0 / (self.n_ref + 1)
        mu = (1 - w_new) * self.ref_mean + w_new * x  # (N, C): one mean per example
        var = (1 - w_new) * self.ref_sq + w_new * x.pow(2) - mu.pow(2)
        return self.gamma * (x - mu) / torch.sqrt(var + self.eps) + self.beta_


def batch_dependence(norm, x_batch, other_batch, index=0):
    """max |y_0(batch A) - y_0(batch B)|: how much example ``x_batch[index]``'s output changes when its
    batch-mates are replaced by ``other_batch`` (the example itself kept). 0 means no dependence."""
    with torch.no_grad():
        a = norm(x_batch)[index]
        mixed = other_batch.clone()
        mixed[index] = x_batch[index]
        return float((a - norm(mixed)[index]).abs().max())


def output_across_batches(norm, x0, n_batches=30, n_mates=31, seed=100):
    """(n_batches,) feature 0 of ``x0``'s output (x0: (1, d)) when ``norm`` sees it first in each of
    ``n_batches`` batches whose ``n_mates`` other rows are fresh N(0, I) draws (generator seed + k)."""
    out = []
    with torch.no_grad():
        for k in range(n_batches):
            mates = torch.randn(n_mates, x0.shape[1], generator=torch.Generator().manual_seed(seed + k))
            out.append(norm(torch.cat([x0, mates]))[0, 0].item())
    return np.array(out)


# ----------------------------------------------------------------------------------------------
# noise in hidden layers
# ----------------------------------------------------------------------------------------------
class NoisyGenerator(nn.Module):
    """G(z, e) = W_2 relu(W_1 z + b_1 + sigma e) + b_2 with e ~ N(0, I_width): a one-hidden-layer MLP
    with Gaussian noise added to its hidden pre-activations (sigma = 0: the plain G(z))."""

    def __init__(self, latent_dim=1, data_dim=2, width=32, sigma=0.5, seed=0):
        super().__init__()
        if sigma < 0:
            raise ValueError(f"sigma must be >= 0, got {sigma}")
        torch.manual_seed(seed)
        self.latent_dim, self.width, self.sigma = latent_dim, width, float(sigma)
        self.hidden = nn.Linear(latent_dim, width)
        self.out = nn.Linear(width, data_dim)

    def forward(self, z, e=None):
        a = self.hidden(z)
        if self.sigma > 0:
            a = a + self.sigma * (torch.randn_like(a) if e is None else e)
        return self.out(F.relu(a))


class NoisyDiscriminator(nn.Module):
    """D(x, e) = w^T h_L + b with h_l = relu(W_l h_{l-1} + b_l + sigma e_l), h_0 = x, e_l ~ N(0, I_width):
    an MLP discriminator (logits) with Gaussian noise on every hidden pre-activation (sigma = 0: plain).

    The noise can be out-shouted: ReLU is positively homogeneous, so multiplying W_l, b_l by c > 0 and the
    next layer's weights by 1/c leaves the noiseless function unchanged and turns layer l's noise into
    sigma / c (exactly, for the same draws e_l). A D trained long enough against disjoint supports can
    therefore grow its weights and saturate anyway; the noise only slows that down (chapter 09)."""

    def __init__(self, in_dim=1, width=32, depth=2, sigma=0.0, seed=0):
        super().__init__()
        if not (isinstance(sigma, (int, float)) and sigma >= 0):
            raise ValueError(f"sigma must be a number >= 0, got {sigma!r}")
        in_dim, width, depth = (checks.positive_int(k, v) for k, v in (("in_dim", in_dim), ("width", width),
                                                                      ("depth", depth)))
        torch.manual_seed(seed)
        dims = [in_dim] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(width, 1)
        self.sigma, self.width = float(sigma), width

    def forward(self, x, noise=None):
        """x (N, in_dim) -> logits (N,) (as ``nets.Discriminator``); ``noise`` a list of (N, width) draws e_l
        (default: fresh N(0, 1) draws)."""
        for l, layer in enumerate(self.hidden):
            a = layer(x)
            if self.sigma > 0:
                a = a + self.sigma * (torch.randn_like(a) if noise is None else noise[l])
            x = F.relu(a)
        return self.out(x).squeeze(-1)


def train_noisy_discriminator_1d(p_data, p_model, sigma, steps=600, batch_size=256, width=32, depth=2, lr=2e-3,
                                 seed=0):
    """A ``NoisyDiscriminator`` trained by Adam (betas 0.5, 0.999) on the cross-entropy (``d_loss_smoothed``
    with alpha = 1, beta = 0) between samples of two fixed 1-D laws, fresh noise at every forward pass."""
    checks.positive_int("steps", steps)
    return _fit_discriminator_1d(NoisyDiscriminator(1, width, depth, sigma, seed), p_data, p_model, 1.0, 0.0, steps,
                                 batch_size, lr, seed)


def noisy_discriminator_effect(D, x_real, x_fake, draws=32, seed=0):
    """What a (noisy) D tells the generator, averaged over ``draws`` noise draws per point:
    ``d_real`` = mean E_e D(x) on x_real, ``d_fake`` = mean E_e D(x) on x_fake (D = sigmoid of the logit),
    ``push`` = mean over x_fake of |d/dx E_e log(1 - D(x, e))| (the minimax generator's gradient), and
    ``w1_norm`` = the Frobenius norm of D's first weight matrix. x_real, x_fake (N, 1)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        d_real = torch.stack([torch.sigmoid(D(x_real)) for _ in range(draws)]).mean()
        d_fake = torch.stack([torch.sigmoid(D(x_fake)) for _ in range(draws)]).mean()
    x = x_fake.detach().clone().requires_grad_(True)
    (gx,) = torch.autograd.grad(torch.stack([F.logsigmoid(-D(x)) for _ in range(draws)]).mean(0).sum(), x)
    return dict(d_real=float(d_real), d_fake=float(d_fake), push=float(gx.abs().mean()),
                w1_norm=float(D.hidden[0].weight.detach().norm()))


def support_dimension(G, n_points=200, seed=0, tol=1e-6):
    """The local dimension of G's samples: the rank of the Jacobian of x = G(z, e) with respect to all of
    G's random inputs (z, and e where sigma > 0), at ``n_points`` random inputs; returns the ranks
    (singular values above tol times the largest) and the singular values (n_points, data_dim)."""
    g = torch.Generator().manual_seed(seed)
    ranks, svals = [], []
    for _ in range(n_points):
        z = torch.randn(1, G.latent_dim, generator=g)
        e = torch.randn(1, G.width, generator=g)
        if G.sigma > 0:
            J = torch.autograd.functional.jacobian(lambda z_, e_: G(z_, e_), (z, e))
            J = torch.cat([J[0].reshape(-1, G.latent_dim), J[1].reshape(-1, G.width)], 1)
        else:
            J = torch.autograd.functional.jacobian(lambda z_: G(z_), z).reshape(-1, G.latent_dim)
        s = torch.linalg.svdvals(J.double())
        svals.append(np.pad(s.numpy(), (0, max(0, J.shape[0] - len(s)))))
        ranks.append(int((s > tol * max(float(s[0]), 1e-300)).sum()))
    return np.array(ranks), np.array(svals)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gan_course.tricks", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare", help="feature matching and minibatch discrimination against the non-saturating GAN")
    c.add_argument("--out", default=str(ASSETS))
    c.add_argument("--dataset", default="grid25", choices=sorted(lab.DATASETS))
    c.add_argument("--steps", type=int, default=2000)
    c.add_argument("--seed", type=int, action="append", help="repeat for several seeds (default 0-4)")
    c.add_argument("--device", default="cpu")
    c.add_argument("--variant", action="append", choices=list(VARIANTS), help="repeat; default: every variant")
    a = p.parse_args(argv)
    compare(a.dataset, a.seed or range(5), a.steps, a.out, a.device, variants=a.variant)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
