"""K independent toy GANs trained at once: stacked weights, batched matmuls, one optimizer step.

Model k of a batch has its own weights, its own Adam/RMSProp state, its own learning rates,
loss, penalty weight, instance-noise sigma and random streams, so it follows *exactly* the
path that ``training.train_gan`` takes for the same model alone (tested in float64). The K
MLPs are stored as stacked weights W of shape (K, in, out) and evaluated with
``torch.baddbmm``: one kernel per layer for the whole batch (COURSE.md, Budgets: a slider
grid of 16 settings costs about one run).

What each model k does per generator step (Goodfellow et al. 2014, Algorithm 1):
``n_critic`` discriminator/critic updates, then one generator update, with

* loss pairs from ``losses.LOSSES`` (minimax, non-saturating, least squares, Wasserstein, hinge);
* ``batched_gradient_penalty``: lambda E[(||grad_x D(x_hat)||_2 - 1)^2] on random interpolates
  x_hat = eps x + (1 - eps) G(z) (Gulrajani et al. 2017, Eq. 3), per sample and per model;
* ``BatchedSpectralNorm``: W / sigma(W) with sigma estimated by one power iteration per forward
  pass, u and v carried over (Miyato et al. 2018, Algorithm 1), on each model's stacked weights;
* ``batched_r1_r2``: gamma1/2 E ||grad D(x)||^2 on real data (R1, Mescheder et al. 2018) and
  gamma2/2 E ||grad D(G(z))||^2 on fakes (R2, Huang et al. 2024), on D's own forward pass;
* the relativistic pairing loss (``losses.PAIRED``), whose G step scores a fresh real batch too;
* weight clipping to [-c, c] and RMSProp (Arjovsky et al. 2017, Algorithm 1);
* instance noise N(0, sigma^2 I) on D's inputs (Sønderby et al. 2017);
* an exponential moving average of G's weights, theta_ema <- beta theta_ema + (1 - beta) theta after
  each generator step (Yazici et al. 2019, Eq. 2); snapshots then sample the averaged generator.

Random streams of model k (seed s), the same as ``training.train_gan``: real data from a CPU
``torch.Generator`` seeded s, latents and instance noise from a device generator seeded s + 1,
the fixed snapshot latents from s + 2; the gradient penalty's interpolation weights come from
a device generator seeded s + 3, the spectral norm's initial u, v from one seeded s + 4.
Initial weights: ``nets.Generator`` then ``nets.Discriminator`` built right after
``torch.manual_seed(s)`` (``init_pair``). So model k's run does not depend on its batch-mates.

Runs of different cost (n_critic, penalty, spectral norm, clipping, optimizer) cannot share a
batch, since a batch runs at the pace of its most expensive member: ``train_grid`` groups a
list of settings into such batches for you.
"""
import math
import time
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

from . import checks, losses, nets
from .device import default_device


# ----------------------------------------------------------------------------------------------
# settings
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Setting:
    """The hyperparameters of one model of a batch."""

    loss: str = "wasserstein"  # a key of losses.LOSSES
    seed: int = 0
    lr_d: float = 1e-4
    lr_g: float = 1e-4
    betas: tuple = (0.5, 0.9)
    optimizer: str = "adam"  # "adam" or "rmsprop"
    n_critic: int = 5  # discriminator (critic) updates per generator update
    penalty_weight: float = 0.0  # gradient-penalty weight lambda; 0 = no penalty
    spectral_norm: bool = False  # spectral normalisation on every layer of D
    clip: float = None  # weight clipping to [-clip, clip] after each critic update
    noise_sigma: float = 0.0  # instance-noise std on D's inputs
    lr_decay: bool = False  # decay both learning rates linearly to 0 over the run (train_gan: constant)
    noise_decay: bool = False  # anneal the instance noise linearly from noise_sigma to 0 over the run
    g_ema: float = 0.0  # decay beta of an exponential moving average of G's weights, sampled at snapshots; 0 = off
    r1_weight: float = 0.0  # gamma of R1 = gamma/2 E ||grad D(x)||^2 on real data (Mescheder et al. 2018); 0 = off
    r2_weight: float = 0.0  # gamma of R2 = gamma/2 E ||grad D(G(z))||^2 on fakes (Huang et al. 2024); 0 = off

    def validate(self):
        losses.get(self.loss)
        checks.positive("lr_d (discriminator learning rate)", self.lr_d)
        checks.positive("lr_g (generator learning rate)", self.lr_g)
        checks.positive_int("n_critic (critic steps per generator step)", self.n_critic)
        if self.optimizer not in ("adam", "rmsprop"):
            raise ValueError(f"optimizer must be 'adam' or 'rmsprop', got {self.optimizer!r}")
        if not (isinstance(self.penalty_weight, (int, float)) and self.penalty_weight >= 0):
            raise ValueError(f"penalty_weight must be a number >= 0, got {self.penalty_weight!r}")
        if self.clip is not None:
            checks.positive("clip", self.clip)
        if not (isinstance(self.noise_sigma, (int, float)) and self.noise_sigma >= 0):
            raise ValueError(f"noise_sigma must be a number >= 0, got {self.noise_sigma!r}")
        if not (isinstance(self.g_ema, (int, float)) and 0 <= self.g_ema < 1):
            raise ValueError(f"g_ema must be a number in [0, 1), got {self.g_ema!r}")
        for name in ("r1_weight", "r2_weight"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and v >= 0):
                raise ValueError(f"{name} must be a number >= 0, got {v!r}")
        if not isinstance(self.seed, (int, np.integer)) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}")
        return self

    def cost_key(self):
        """Settings with equal keys cost the same per step and may share a batch."""
        return (self.n_critic, self.penalty_weight > 0, self.spectral_norm, self.clip is not None,
                self.optimizer, tuple(self.betas), self.r1_weight > 0 or self.r2_weight > 0, self.loss in losses.PAIRED)

    def as_dict(self):
        d = asdict(self)
        d["betas"] = list(self.betas)
        return d


# ----------------------------------------------------------------------------------------------
# K stacked MLPs
# ----------------------------------------------------------------------------------------------
class BatchedMLP:
    """K MLPs of identical shape: weights[i] (K, in, out), biases[i] (K, 1, out), ReLU between.

    ``forward(x)`` maps x (K, N, in) -> (K, N, out); layer i computes
    x @ W_i + b_i for all K models with one ``torch.baddbmm``."""

    def __init__(self, weights, biases, spectral_norm=False, generators=None):
        self.weights = [w.detach().clone().requires_grad_(True) for w in weights]
        self.biases = [b.detach().clone().requires_grad_(True) for b in biases]
        self.sn = BatchedSpectralNorm(self.weights, generators) if spectral_norm else None

    @classmethod
    def stack(cls, modules, spectral_norm=False, generators=None):
        """Stack K ``nn.Sequential`` MLPs (Linear/ReLU) of the same shape into one batched MLP."""
        linears = [[m for m in mod.modules() if isinstance(m, torch.nn.Linear)] for mod in modules]
        for mod in modules:
            for m in mod.modules():
                if not isinstance(m, (torch.nn.Linear, torch.nn.ReLU, torch.nn.Sequential, nets.Generator,
                                      nets.Discriminator)):
                    raise ValueError(f"BatchedMLP stacks Linear/ReLU MLPs only, found {type(m).__name__}")
        weights = [torch.stack([ls[i].weight.T for ls in linears]) for i in range(len(linears[0]))]
        biases = [torch.stack([ls[i].bias[None, :] for ls in linears]) for i in range(len(linears[0]))]
        return cls(weights, biases, spectral_norm, generators)

    @property
    def K(self):
        return self.weights[0].shape[0]

    def parameters(self):
        return self.weights + self.biases

    def effective_weights(self, update=True):
        if self.sn is None:
            return self.weights
        return self.sn(self.weights, update)

    def forward(self, x, update_sn=True):
        ws = self.effective_weights(update_sn)
        for i, (w, b) in enumerate(zip(ws, self.biases)):
            x = torch.baddbmm(b, x, w)  # (K, N, in) @ (K, in, out) + (K, 1, out) -> (K, N, out)
            if i < len(ws) - 1:
                x = F.relu(x)
        return x

    __call__ = forward

    def model(self, k):
        """Model k as plain tensors: list of (W (out, in), b (out,)) like ``nn.Linear``."""
        return [(w[k].detach().T.clone(), b[k, 0].detach().clone()) for w, b in zip(self.weights, self.biases)]


class BatchedSpectralNorm:
    """Spectral normalisation of stacked weights W (K, in, out): W_k / sigma(W_k) (Miyato et al. 2018).

    sigma(W_k) is the largest singular value, estimated by power iteration with vectors u_k
    (length out) and v_k (length in) carried over between calls:
    u <- normalize(W^T v), v <- normalize(W u) in the nn.Linear orientation W^T (out, in),
    then sigma = u . (W^T v). Initialised with random u, v and 15 iterations, as
    ``torch.nn.utils.parametrizations.spectral_norm``; one iteration per training forward.
    ``generators``: one ``torch.Generator`` per model (model k draws, layer by layer, u then v)."""

    eps = 1e-12

    def __init__(self, weights, generators=None, n_init_iterations=15):
        K = weights[0].shape[0]
        generators = generators if generators is not None else [None] * K
        if len(generators) != K:
            raise ValueError(f"need one generator per model ({K}), got {len(generators)}")
        us, vs = [[] for _ in weights], [[] for _ in weights]
        for g in generators:
            for i, w in enumerate(weights):
                us[i].append(torch.randn(w.shape[2], generator=g, device=w.device, dtype=w.dtype))
                vs[i].append(torch.randn(w.shape[1], generator=g, device=w.device, dtype=w.dtype))
        self.u = [F.normalize(torch.stack(u), dim=-1, eps=self.eps) for u in us]
        self.v = [F.normalize(torch.stack(v), dim=-1, eps=self.eps) for v in vs]
        self.power_iteration(weights, n_init_iterations)

    @torch.no_grad()
    def power_iteration(self, weights, n=1):
        for i, w in enumerate(weights):
            for _ in range(n):
                # w (K, in, out) = W^T; torch's u = normalize(W v) with W (out, in): here v @ w
                self.u[i] = F.normalize(torch.bmm(self.v[i][:, None, :], w)[:, 0], dim=-1, eps=self.eps)
                self.v[i] = F.normalize(torch.bmm(w, self.u[i][:, :, None])[:, :, 0], dim=-1, eps=self.eps)

    def sigma(self, weights):
        """Estimated spectral norms, one (K,) tensor per layer (differentiable in the weights)."""
        return [torch.bmm(torch.bmm(v[:, None, :], w), u[:, :, None])[:, 0, 0]
                for w, u, v in zip(weights, self.u, self.v)]

    def __call__(self, weights, update=True):
        if update:
            self.power_iteration(weights, 1)
        return [w / s[:, None, None] for w, s in zip(weights, self.sigma(weights))]


def batched_gradient_penalty(D, real, fake, eps):
    """Per-model WGAN-GP penalty E[(||grad_x D(x_hat)||_2 - 1)^2] (Gulrajani et al. 2017, Eq. 3).

    ``real``, ``fake`` (K, N, d); ``eps`` (K, N, 1) uniform weights; x_hat = eps real + (1 - eps) fake.
    Returns (K,) penalties. The gradient of sum_k sum_n D_k(x_hat_kn) with respect to x_hat_kn is
    model k's gradient at that sample alone, since the K models and N samples do not interact."""
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    out = D(x_hat)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)  # (K, N, d)
    return (grad.norm(dim=-1) - 1).pow(2).mean(-1)


def batched_r1_r2(real_logits, fake_logits, real, fake, gamma1, gamma2):
    """Per-model R1 + R2: gamma1/2 E_x ||grad_x D(x)||^2 + gamma2/2 E_z ||grad D(G(z))||^2, shape (K,).

    R1 on real data (Mescheder et al. 2018, Eq. 9), R2 the same on fakes (Huang et al. 2024, Eq. 3).
    ``real_logits`` (K, N) = D(real) with ``real`` (K, N, d) requiring grad (likewise the fakes), so
    D's forward pass of the loss is reused; ``gamma1``, ``gamma2`` (K,) tensors, a zero skips nothing
    but adds 0. The gradient of sum_kn D_k(x_kn) in x_kn is model k's at that sample alone."""
    pen = real_logits.new_zeros(real_logits.shape[0])
    for logits, x, gamma in ((real_logits, real, gamma1), (fake_logits, fake, gamma2)):
        if bool((gamma > 0).any()):
            (grad,) = torch.autograd.grad(logits.sum(), x, create_graph=True)  # (K, N, d)
            pen = pen + gamma / 2 * grad.pow(2).sum(-1).mean(-1)
    return pen


# ----------------------------------------------------------------------------------------------
# optimizer over the stack: per-model learning rates, elementwise state
# ----------------------------------------------------------------------------------------------
class BatchedOptimizer:
    """Adam (Kingma & Ba 2015, Algorithm 1) or RMSProp over stacked parameters (K, ...), with a
    learning rate per model. Same arithmetic as ``torch.optim.Adam`` / ``torch.optim.RMSprop``
    with their default eps (1e-8) and RMSProp alpha 0.99; the state is elementwise, so each
    model's state is its own."""

    def __init__(self, params, lr, name="adam", betas=(0.5, 0.9), eps=1e-8, alpha=0.99):
        self.params, self.name, self.betas, self.eps, self.alpha = list(params), name, betas, eps, alpha
        self.lr = lr  # (K,) tensor
        self.t = 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        if self.name == "adam":
            return self._adam_foreach()
        for p, v in zip(self.params, self.v):  # RMSProp
            if p.grad is None:
                continue
            g = p.grad
            lr = self.lr.view(-1, *([1] * (p.ndim - 1)))
            v.mul_(self.alpha).addcmul_(g, g, value=1 - self.alpha)
            p.sub_(lr * g / v.sqrt().add_(self.eps))


    def _adam_foreach(self):
        """Adam for every parameter at once: m <- lerp(m, g, 1 - b1), v <- b2 v + (1 - b2) g^2,
        p <- p - lr / (1 - b1^t) m / (sqrt(v) / sqrt(1 - b2^t) + eps) (Kingma & Ba 2015, Algorithm 1),
        as torch._foreach_* calls: a dozen kernel launches per step instead of eight per parameter, which
        is much of a small model's step on the CPU."""
        b1, b2 = self.betas
        live = [i for i, p in enumerate(self.params) if p.grad is not None]
        ps, ms, vs = ([x[i] for i in live] for x in (self.params, self.m, self.v))
        gs = [p.grad for p in ps]
        torch._foreach_lerp_(ms, gs, 1 - b1)
        torch._foreach_mul_(vs, b2)
        torch._foreach_addcmul_(vs, gs, gs, value=1 - b2)
        denom = torch._foreach_sqrt(vs)
        torch._foreach_div_(denom, math.sqrt(1 - b2**self.t))
        torch._foreach_add_(denom, self.eps)
        scale = self.lr / (1 - b1**self.t)  # (K,)
        upd = torch._foreach_mul(ms, [scale.view(-1, *([1] * (p.ndim - 1))) for p in ps])
        torch._foreach_div_(upd, denom)
        torch._foreach_sub_(ps, upd)


# ----------------------------------------------------------------------------------------------
# building and training
# ----------------------------------------------------------------------------------------------
def init_pair(seed, width=128, depth=3, latent_dim=2, data_dim=2):
    """(G, D) of one model: ``nets.Generator`` then ``nets.Discriminator`` right after manual_seed(seed)."""
    torch.manual_seed(int(seed))
    G = nets.Generator(latent_dim, data_dim, width, depth)
    D = nets.Discriminator(data_dim, width, depth)
    return G, D


def build_models(seeds, width=128, depth=3, latent_dim=2, data_dim=2, spectral_norm=False, device=None):
    """K = len(seeds) generators and discriminators of width ``width`` as two ``BatchedMLP``s."""
    device = torch.device(device) if device is not None else default_device()
    pairs = [init_pair(s, width, depth, latent_dim, data_dim) for s in seeds]
    G = BatchedMLP.stack([g.net.to(device) for g, _ in pairs])
    sn_gens = [torch.Generator(device=device).manual_seed(int(s) + 4) for s in seeds]
    D = BatchedMLP.stack([d.net.to(device) for _, d in pairs], spectral_norm, sn_gens)
    return G, D


@dataclass
class BatchResult:
    """What ``train_batched`` returns. Arrays are indexed by model k (the order of ``settings``).

    snapshots[step] = {"samples": (K, n_snapshot, 2) float32, "field": (K, n, n) float32 raw D output}
    field row i is at y = field_ys[i], column j at x = field_xs[j]."""

    settings: list
    steps: int
    G: BatchedMLP
    D: BatchedMLP
    G_ema: BatchedMLP  # the moving average of G's weights (equal to G where g_ema is 0; G itself if all are 0)
    d_loss: np.ndarray  # (K, steps) last D loss of each generator step
    g_loss: np.ndarray  # (K, steps)
    snapshots: dict
    field_xs: np.ndarray = None
    field_ys: np.ndarray = None
    diverged_at: list = None  # generator step at which model k's loss went NaN/inf, else None
    seconds: float = 0.0
    device: str = "cpu"


def _loss_groups(names):
    groups = {}
    for k, name in enumerate(names):
        groups.setdefault(name, []).append(k)
    return [(losses.get(n), torch.tensor(idx)) for n, idx in groups.items()]


def _apply(groups, fn_index, K, *logits):
    """Each model's own loss, a (K,) tensor; ``logits`` (K, N). Differentiable."""
    if len(groups) == 1:
        return groups[0][0][fn_index](*logits)
    out = logits[0].new_zeros(K)
    for fns, idx in groups:
        idx = idx.to(logits[0].device)
        out = out.index_copy(0, idx, fns[fn_index](*(l[idx] for l in logits)))
    return out


def field_grid(lims, n=50):
    (xlo, xhi), (ylo, yhi) = (lims, lims) if np.ndim(lims[0]) == 0 else lims
    return np.linspace(xlo, xhi, n), np.linspace(ylo, yhi, n)


def train_batched(settings, data, steps, width=128, depth=3, batch_size=256, latent_dim=2, device=None,
                  snapshot_steps=(), n_snapshot=2500, field_lims=None, field_n=50, progress=True,
                  callback=None):
    """Train one GAN per element of ``settings`` (a list of ``Setting``) on toy ``data`` for ``steps``
    generator steps, all K at once. Returns a ``BatchResult``.

    All settings must share ``cost_key()`` (same n_critic, optimizer, betas, and the same use of
    penalty, spectral norm and clipping); use ``train_grid`` for mixed lists. ``data`` is a toy with
    ``sample(n, generator=)``. ``snapshot_steps`` (0 = before training) save samples from fixed latents
    and, when ``field_lims`` is given, D's raw output on a field_n x field_n grid. ``callback(done, total)``
    is called every 10 steps (a notebook progress bar); ``progress`` shows a tqdm bar."""
    settings = [s.validate() for s in settings]
    if not settings:
        raise ValueError("train_batched needs at least one setting")
    keys = {s.cost_key() for s in settings}
    if len(keys) > 1:
        raise ValueError("settings of different cost cannot share a batch (n_critic, optimizer, betas, penalty, "
                         f"spectral norm, clipping differ: {sorted(map(str, keys))}); use train_grid")
    steps = checks.positive_int("steps", steps)
    batch_size = checks.positive_int("batch_size", batch_size)
    n_snapshot = checks.positive_int("n_snapshot", n_snapshot)
    for s in snapshot_steps:
        if not 0 <= s <= steps:
            raise ValueError(f"snapshot step {s} is outside 0..{steps}")
    if not hasattr(data, "sample"):
        raise TypeError("data must be a toy with .sample(n, generator=...), e.g. gan_course.toys.ring8()")
    device = torch.device(device) if device is not None else default_device()
    s0, K, B = settings[0], len(settings), batch_size
    seeds = [int(s.seed) for s in settings]
    G, D = build_models(seeds, width, depth, latent_dim, 2, s0.spectral_norm, device)
    dtype = G.weights[0].dtype
    lr_d = torch.tensor([s.lr_d for s in settings], device=device, dtype=dtype)
    lr_g = torch.tensor([s.lr_g for s in settings], device=device, dtype=dtype)
    opt_d = BatchedOptimizer(D.parameters(), lr_d, s0.optimizer, tuple(s0.betas))
    opt_g = BatchedOptimizer(G.parameters(), lr_g, s0.optimizer, tuple(s0.betas))
    groups = _loss_groups([s.loss for s in settings])
    g_data = [torch.Generator().manual_seed(s) for s in seeds]
    g_lat = [torch.Generator(device=device).manual_seed(s + 1) for s in seeds]
    g_pen = [torch.Generator(device=device).manual_seed(s + 3) for s in seeds]
    z_fixed = torch.stack([torch.randn((n_snapshot, latent_dim), generator=torch.Generator(device=device)
                                       .manual_seed(s + 2), device=device) for s in seeds])
    sig0 = [float(s.noise_sigma) for s in settings]
    sig = sig0  # this step's instance-noise std per model (annealed where noise_decay)
    use_gp = s0.penalty_weight > 0
    use_r = s0.r1_weight > 0 or s0.r2_weight > 0  # R1/R2: D's input gradients at real / fake samples
    paired = s0.loss in losses.PAIRED  # the G loss scores a real batch too (relativistic pairing)
    gamma1, gamma2 = (torch.tensor([getattr(s, f) for s in settings], device=device, dtype=dtype)
                      for f in ("r1_weight", "r2_weight"))
    lam = torch.tensor([s.penalty_weight for s in settings], device=device, dtype=dtype)
    clips = torch.tensor([s.clip or 0.0 for s in settings], device=device, dtype=dtype).view(K, 1, 1)
    if field_lims is not None:
        xs, ys = field_grid(field_lims, field_n)
        xx, yy = np.meshgrid(xs, ys)
        grid = torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=dtype, device=device)
        grid = grid.expand(K, -1, -1)
    else:
        xs = ys = None
    decay = torch.tensor([float(s.lr_decay) for s in settings], device=device, dtype=dtype)
    ema_beta = torch.tensor([float(s.g_ema) for s in settings], device=device, dtype=dtype)
    # the averaged weights (equal to G's where g_ema is 0); None when no model of the batch averages
    G_ema = [p.detach().clone() for p in G.parameters()] if any(s.g_ema for s in settings) else None
    d_hist = torch.full((K, steps), float("nan"), device=device, dtype=dtype)
    g_hist = torch.full((K, steps), float("nan"), device=device, dtype=dtype)
    snaps = {}

    def latents(n):  # (K, n, latent_dim), model k from its own stream
        return torch.stack([torch.randn((n, latent_dim), generator=g, device=device) for g in g_lat])

    def real():  # (K, B, 2)
        return torch.stack([data.sample(B, generator=g) for g in g_data]).to(device=device, dtype=dtype)

    def noisy(x):
        if not any(sig):
            return x
        out = []
        for k in range(K):
            xk = x[k]
            if sig[k] > 0:
                xk = xk + sig[k] * torch.randn(xk.shape, generator=g_lat[k], device=device, dtype=dtype)
            out.append(xk)
        return torch.stack(out)

    def averaged_G():
        if G_ema is None:
            return G
        n = len(G.weights)
        return BatchedMLP(G_ema[:n], G_ema[n:])

    def snapshot(step):
        with torch.no_grad():
            snap = {"samples": averaged_G()(z_fixed).float().cpu().numpy()}
            if field_lims is not None:
                snap["field"] = D(grid, update_sn=False)[..., 0].reshape(K, field_n, field_n).float().cpu().numpy()
        snaps[step] = snap

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc=f"{K} GANs ({s0.loss}...)", unit="step", leave=False)
    start = time.perf_counter()
    if 0 in snapshot_steps:
        snapshot(0)
    try:
        for step in range(steps):
            if any(s.lr_decay for s in settings):
                factor = 1 - decay * (step / steps)
                opt_d.lr, opt_g.lr = lr_d * factor, lr_g * factor
            if any(s.noise_decay for s in settings):
                sig = [v * (1 - step / steps) if s.noise_decay else v for v, s in zip(sig0, settings)]
            for _ in range(s0.n_critic):
                x = real()
                with torch.no_grad():
                    x_fake = G(latents(B))
                if use_r:
                    x, x_fake = x.requires_grad_(True), x_fake.requires_grad_(True)
                real_logits, fake_logits = D(noisy(x))[..., 0], D(noisy(x_fake))[..., 0]  # (K, B)
                loss_d = _apply(groups, 0, K, real_logits, fake_logits)  # (K,)
                if use_r:
                    loss_d = loss_d + batched_r1_r2(real_logits, fake_logits, x, x_fake, gamma1, gamma2)
                if use_gp:
                    eps = torch.stack([torch.rand((B, 1), generator=g, device=device, dtype=dtype) for g in g_pen])
                    loss_d = loss_d + lam * batched_gradient_penalty(D, x, x_fake, eps)
                opt_d.zero_grad()
                loss_d.sum().backward()  # model k's gradient comes from its own term only
                opt_d.step()
                if s0.clip is not None:
                    with torch.no_grad():
                        for p in D.parameters():
                            torch.minimum(torch.maximum(p, -clips), clips, out=p)
            fake_g = D(noisy(G(latents(B))))[..., 0]
            loss_g = _apply(groups, 1, K, fake_g, D(noisy(real()))[..., 0]) if paired else _apply(groups, 1, K, fake_g)
            opt_g.zero_grad()
            loss_g.sum().backward()
            opt_g.step()
            if G_ema is not None:
                with torch.no_grad():
                    for e, p in zip(G_ema, G.parameters()):
                        e.lerp_(p, 1 - ema_beta.view(-1, *([1] * (p.ndim - 1))))
            d_hist[:, step] = loss_d.detach()
            g_hist[:, step] = loss_g.detach()
            done = step + 1
            if done in snapshot_steps:
                snapshot(done)
            if done % 10 == 0 or done == steps:
                if bar is not None:
                    bar.update(done - bar.n)
                if callback is not None:
                    callback(done, steps)
    finally:
        if bar is not None:
            bar.close()
    g_np = g_hist.float().cpu().numpy()
    diverged = []
    weights_ok = [torch.isfinite(torch.stack([p.detach().reshape(K, -1).sum(1) for p in G.parameters() + D.parameters()]
                                             )).all(0).cpu().numpy()][0]
    for k in range(K):
        bad = np.flatnonzero(~np.isfinite(g_np[k]))
        diverged.append(int(bad[0]) + 1 if len(bad) else (None if weights_ok[k] else steps))
    return BatchResult(settings, steps, G, D, averaged_G(), d_hist.float().cpu().numpy(), g_np, snaps, xs, ys,
                       diverged, time.perf_counter() - start, str(device))


def train_grid(settings, data, steps, **kwargs):
    """Train a mixed list of settings: one ``train_batched`` call per group of equal cost.

    Returns a list of (indices into ``settings``, BatchResult)."""
    groups = {}
    for i, s in enumerate(settings):
        groups.setdefault(s.validate().cost_key(), []).append(i)
    return [(idx, train_batched([settings[i] for i in idx], data, steps, **kwargs)) for idx in groups.values()]
