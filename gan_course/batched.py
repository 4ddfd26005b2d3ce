"""K independent toy GANs trained at once: stacked weights, batched matmuls, one optimizer step.

Model k of a batch has its own weights, its own Adam/RMSProp state, its own learning rates,
loss, penalty weight, instance-noise sigma and random streams, so it follows *exactly* the
path that ``training.train_gan`` takes for the same model alone (tested in float64). The K
MLPs are stored as stacked weights W of shape (K, in, out) and evaluated with
``torch.baddbmm``: one kernel per layer for the whole batch (docs/DESIGN.md, Budgets: a slider
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
* feature matching: G minimises ||E_x f(x) - E_z f(G(z))||^2 over D's last hidden features f instead of
  its loss (Salimans et al. 2016, Sec. 3.1; ``feature_matching_loss``);
* minibatch discrimination: D's logit gains w . o(x_i), o(x_i)_b = sum_j exp(-||M_ib - M_jb||_1) with
  M_i = f(x_i) T (Salimans et al. 2016, Sec. 3.2; ``BatchedMinibatchDiscrimination``);
* an exponential moving average of G's weights, theta_ema <- beta theta_ema + (1 - beta) theta after
  each generator step (Yazici et al. 2019, Eq. 2); snapshots then sample the averaged generator. With
  ``g_ema_warmup`` the n-th update (n = 0, 1, ...) uses beta_n = min(beta, (1 + n) / (10 + n)), the
  warm-up of TensorFlow's ``ExponentialMovingAverage(num_updates=n)``: the average follows G closely
  at first and settles to beta after about 10 / (1 - beta) steps, so it no longer lags at the start.

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
import warnings
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
    g_ema_warmup: bool = False  # the average's beta ramps up as min(beta, (1 + n) / (10 + n)) over updates n
    feature_matching: bool = False  # G matches the mean of D's last hidden features on real data (Salimans et al. 2016)
    minibatch_kernels: int = 0  # minibatch discrimination with this many kernels B on D's last hidden layer; 0 = off
    r1_weight: float = 0.0  # gamma of R1 = gamma/2 E ||grad D(x)||^2 on real data (Mescheder et al. 2018); 0 = off
    r2_weight: float = 0.0  # gamma of R2 = gamma/2 E ||grad D(G(z))||^2 on fakes (Huang et al. 2024); 0 = off

    def validate(self):
        losses.get(self.loss)
        checks.positive("lr_d (discriminator learning rate)", self.lr_d)
        checks.positive("lr_g (generator learning rate)", self.lr_g)
        checks.positive_int("n_critic (critic steps per generator step)", self.n_critic)
        checks.betas("betas", self.betas)
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
        if not isinstance(self.g_ema_warmup, bool):
            raise ValueError(f"g_ema_warmup must be True or False, got {self.g_ema_warmup!r}")
        if not isinstance(self.feature_matching, bool):
            raise ValueError(f"feature_matching must be True or False, got {self.feature_matching!r}")
        if (not isinstance(self.minibatch_kernels, (int, np.integer)) or isinstance(self.minibatch_kernels, bool)
                or self.minibatch_kernels < 0):
            raise ValueError(f"minibatch_kernels must be an integer >= 0, got {self.minibatch_kernels!r}")
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
                self.optimizer, tuple(self.betas), self.feature_matching, int(self.minibatch_kernels),
                self.r1_weight > 0 or self.r2_weight > 0, self.loss in losses.PAIRED)

    def as_dict(self):
        """The fields as JSON-ready values (``Setting(**d)`` rebuilds it). ``g_ema_warmup`` appears only when
        on, so the settings stored before it existed (assets/) still compare equal."""
        d = asdict(self)
        d["betas"] = list(self.betas)
        if not self.g_ema_warmup:
            del d["g_ema_warmup"]
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

    def forward(self, x, update_sn=True, hidden=False):
        """(K, N, out); with ``hidden`` also the last hidden layer's activations (K, N, width)."""
        ws = self.effective_weights(update_sn)
        h = x
        for i, (w, b) in enumerate(zip(ws, self.biases)):
            h = x
            x = torch.baddbmm(b, x, w)  # (K, N, in) @ (K, in, out) + (K, 1, out) -> (K, N, out)
            if i < len(ws) - 1:
                x = F.relu(x)
        return (x, h) if hidden else x

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


MINIBATCH_KERNEL_DIM = 4  # C, the dimension of each minibatch-discrimination kernel


def feature_matching_loss(h_real, h_fake):
    """||E_x f(x) - E_z f(G(z))||_2^2 per model (Salimans et al. 2016, Sec. 3.1): ``h_real``, ``h_fake``
    (K, N, A) features of D's last hidden layer -> (K,). Real features carry no gradient."""
    return (h_real.detach().mean(1) - h_fake.mean(1)).pow(2).sum(-1)


class BatchedMinibatchDiscrimination:
    """Minibatch discrimination (Salimans et al. 2016, Sec. 3.2) on K stacked discriminators.

    For features f(x_i) (A,) of D's last hidden layer, M_i = f(x_i) T is a (B, C) matrix (T (A, B*C)),
    c_b(x_i, x_j) = exp(-||M_{i,b} - M_{j,b}||_1) and o(x_i)_b = sum_j c_b(x_i, x_j) over the minibatch
    (j = i included, as in the paper). o(x_i) (B,) joins f(x_i) at D's last layer: the logit gains
    o(x_i) . w, which is the paper's concatenation [f, o] times the last weight vector. T ~ N(0, init_std^2)
    from one generator per model; w starts at 0, so D starts as the plain MLP."""

    def __init__(self, K, in_dim, n_kernels, kernel_dim=MINIBATCH_KERNEL_DIM, generators=None, device=None,
                 dtype=None, init_std=0.1):
        generators = generators if generators is not None else [None] * K
        self.B, self.C = checks.positive_int("n_kernels", n_kernels), checks.positive_int("kernel_dim", kernel_dim)
        dtype = dtype or torch.get_default_dtype()
        T = torch.stack([torch.randn(in_dim, self.B * self.C, generator=g, device=device, dtype=dtype)
                         for g in generators])
        self.T = (init_std * T).requires_grad_(True)  # (K, A, B*C)
        self.w = torch.zeros(K, self.B, 1, device=device, dtype=dtype, requires_grad=True)  # (K, B, 1)

    def parameters(self):
        return [self.T, self.w]

    def features(self, h):
        """o (K, N, B) of features h (K, N, A)."""
        K, N, _ = h.shape
        M = torch.bmm(h, self.T).view(K, N, self.B, self.C).transpose(1, 2).reshape(K * self.B, N, self.C)
        l1 = torch.cdist(M, M, p=1)  # (K B, N, N): ||M_ib - M_jb||_1
        return torch.exp(-l1).sum(2).view(K, self.B, N).transpose(1, 2)

    def __call__(self, h):
        return torch.bmm(self.features(h), self.w)  # (K, N, 1): the term added to D's logit


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
    diverged_at: list = None  # first generator step (from 1) at which model k's D or G loss went NaN/inf, else None
    seconds: float = 0.0
    device: str = "cpu"
    diverged_net: list = None  # "D" or "G": whose loss (or weights) went NaN/inf first, else None
    interrupted: bool = False  # Ctrl-C stopped training: ``steps`` and the histories hold the steps done


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


class BatchedGAN:
    """K toy GANs as one stepping object: ``step()`` runs one generator step of every model
    ((1) ``n_critic`` D/critic updates, (2) one G update, Goodfellow et al. 2014, Algorithm 1).

    ``steps`` is the horizon of the schedules (``lr_decay``, ``noise_decay``: factor 1 - t / steps at
    generator step t, counted from 0) and the length of the loss history; ``step()`` past it raises.
    Besides training it draws what the live lab shows: ``snapshot()`` (samples from fixed latents and
    D on a grid), ``generator_push(x)`` (the direction G's loss moves each sample) and
    ``manifold(z)`` (G applied to given latents, for the image of a latent grid).

    Per-model loss terms: ``d_loss`` sums (K,) tensors, one term per idea (the loss of the pair in
    ``losses.LOSSES``, then the gradient penalty); a new term is one more line there, weighted by a
    (K,) tensor built from its ``Setting`` field in ``__init__`` like ``self.lam``."""

    def __init__(self, settings, data, steps, width=128, depth=3, batch_size=256, latent_dim=2, device=None,
                 n_snapshot=2500, field_lims=None, field_n=50):
        settings = [s.validate() for s in settings]
        if not settings:
            raise ValueError("train_batched needs at least one setting")
        keys = {s.cost_key() for s in settings}
        if len(keys) > 1:
            raise ValueError("settings of different cost cannot share a batch (n_critic, optimizer, betas, penalty, "
                             f"spectral norm, clipping differ: {sorted(map(str, keys))}); use train_grid")
        self.steps = checks.positive_int("steps", steps)
        self.B = checks.positive_int("batch_size", batch_size)
        n_snapshot = checks.positive_int("n_snapshot", n_snapshot)
        if not hasattr(data, "sample"):
            raise TypeError("data must be a toy with .sample(n, generator=...), e.g. gan_course.toys.ring8()")
        self.device = device = torch.device(device) if device is not None else default_device()
        self.settings, self.data, self.latent_dim = settings, data, latent_dim
        s0, K = settings[0], len(settings)
        self.s0, self.K = s0, K
        seeds = [int(s.seed) for s in settings]
        self.G, self.D = build_models(seeds, width, depth, latent_dim, 2, s0.spectral_norm, device)
        self.dtype = dtype = self.G.weights[0].dtype
        self.lr_d = torch.tensor([s.lr_d for s in settings], device=device, dtype=dtype)
        self.lr_g = torch.tensor([s.lr_g for s in settings], device=device, dtype=dtype)
        self.mbd = None  # minibatch discrimination's T and w (Salimans et al. 2016), when asked for
        if s0.minibatch_kernels:
            self.mbd = BatchedMinibatchDiscrimination(
                K, width, s0.minibatch_kernels, generators=[torch.Generator(device=device).manual_seed(s + 5) for s in seeds],
                device=device, dtype=dtype)
        self.opt_d = BatchedOptimizer(self.D.parameters() + (self.mbd.parameters() if self.mbd is not None else []),
                                      self.lr_d, s0.optimizer, tuple(s0.betas))
        self.opt_g = BatchedOptimizer(self.G.parameters(), self.lr_g, s0.optimizer, tuple(s0.betas))
        self.groups = _loss_groups([s.loss for s in settings])
        self.g_data = [torch.Generator().manual_seed(s) for s in seeds]
        self.g_lat = [torch.Generator(device=device).manual_seed(s + 1) for s in seeds]
        self.g_pen = [torch.Generator(device=device).manual_seed(s + 3) for s in seeds]
        self.z_fixed = torch.stack([torch.randn((n_snapshot, latent_dim), generator=torch.Generator(device=device)
                                                .manual_seed(s + 2), device=device) for s in seeds])
        self.sig0 = [float(s.noise_sigma) for s in settings]
        self.sig = self.sig0  # this step's instance-noise std per model (annealed where noise_decay)
        self.use_gp = s0.penalty_weight > 0
        self.lam = torch.tensor([s.penalty_weight for s in settings], device=device, dtype=dtype)
        self.use_r = s0.r1_weight > 0 or s0.r2_weight > 0  # R1/R2: D's input gradients at real / fake samples
        self.paired = s0.loss in losses.PAIRED  # the G loss scores a real batch too (relativistic pairing)
        self.gamma1, self.gamma2 = (torch.tensor([getattr(s, f) for s in settings], device=device, dtype=dtype)
                                    for f in ("r1_weight", "r2_weight"))
        self.clips = torch.tensor([s.clip or 0.0 for s in settings], device=device, dtype=dtype).view(K, 1, 1)
        self.field_lims, self.field_n = field_lims, field_n
        if field_lims is not None:
            self.field_xs, self.field_ys = field_grid(field_lims, field_n)
            xx, yy = np.meshgrid(self.field_xs, self.field_ys)
            grid = torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=dtype, device=device)
            self.grid = grid.expand(K, -1, -1)
        else:
            self.field_xs = self.field_ys = self.grid = None
        self.decay = torch.tensor([float(s.lr_decay) for s in settings], device=device, dtype=dtype)
        self.ema_beta = torch.tensor([float(s.g_ema) for s in settings], device=device, dtype=dtype)
        self.ema_warmup = torch.tensor([bool(s.g_ema_warmup) for s in settings], device=device)
        # the averaged weights (equal to G's where g_ema is 0); None when no model of the batch averages
        self.G_ema = [p.detach().clone() for p in self.G.parameters()] if any(s.g_ema for s in settings) else None
        self.d_hist = torch.full((K, self.steps), float("nan"), device=device, dtype=dtype)
        self.g_hist = torch.full((K, self.steps), float("nan"), device=device, dtype=dtype)
        self.t = 0  # generator steps done
        self.seconds = 0.0

    # -- random streams ------------------------------------------------------------------------
    def latents(self, n):
        """(K, n, latent_dim), model k from its own stream."""
        return torch.stack([torch.randn((n, self.latent_dim), generator=g, device=self.device) for g in self.g_lat])

    def real(self):
        """(K, B, 2) real samples, model k from its own stream."""
        return torch.stack([self.data.sample(self.B, generator=g) for g in self.g_data]).to(device=self.device,
                                                                                            dtype=self.dtype)

    def noisy(self, x):
        """x plus instance noise N(0, sigma_k^2 I) on model k's rows (Sønderby et al. 2017)."""
        if not any(self.sig):
            return x
        out = []
        for k in range(self.K):
            xk = x[k]
            if self.sig[k] > 0:
                xk = xk + self.sig[k] * torch.randn(xk.shape, generator=self.g_lat[k], device=self.device,
                                                    dtype=self.dtype)
            out.append(xk)
        return torch.stack(out)

    # -- the losses ----------------------------------------------------------------------------
    def critic(self, x, update_sn=True, hidden=False):
        """D's output (K, N, 1), plus the minibatch-discrimination term when on; with ``hidden`` also D's last
        hidden features (K, N, width)."""
        out, h = self.D(x, update_sn, hidden=True)
        if self.mbd is not None:
            out = out + self.mbd(h)
        return (out, h) if hidden else out

    def d_loss(self, x, x_fake):
        """(K,) D/critic loss of each model: its loss pair's D side (+ lambda_k GP_k, + R1 + R2)."""
        if self.use_r:
            x, x_fake = x.requires_grad_(True), x_fake.requires_grad_(True)
        real_logits, fake_logits = self.critic(self.noisy(x))[..., 0], self.critic(self.noisy(x_fake))[..., 0]  # (K, B)
        loss = _apply(self.groups, 0, self.K, real_logits, fake_logits)
        if self.use_r:
            loss = loss + batched_r1_r2(real_logits, fake_logits, x, x_fake, self.gamma1, self.gamma2)
        if self.use_gp:
            eps = torch.stack([torch.rand((self.B, 1), generator=g, device=self.device, dtype=self.dtype)
                               for g in self.g_pen])
            loss = loss + self.lam * batched_gradient_penalty(self.critic, x, x_fake, eps)
        return loss

    def g_loss_of(self, x_fake):
        """(K,) generator loss of each model at fake samples x_fake (K, N, 2); with feature matching,
        ||mean f(real) - mean f(x_fake)||^2 against a fresh real batch (Salimans et al. 2016, Sec. 3.1); a
        paired loss also scores a fresh real batch."""
        if self.s0.feature_matching:
            _, h_fake = self.critic(self.noisy(x_fake), hidden=True)
            with torch.no_grad():
                _, h_real = self.critic(self.noisy(self.real()), update_sn=False, hidden=True)
            return feature_matching_loss(h_real, h_fake)
        fake = self.critic(self.noisy(x_fake))[..., 0]
        if self.paired:
            return _apply(self.groups, 1, self.K, fake, self.critic(self.noisy(self.real()))[..., 0])
        return _apply(self.groups, 1, self.K, fake)

    # -- one generator step --------------------------------------------------------------------
    def step(self):
        """One generator step of every model: (1) n_critic D updates, (2) one G update, (3) G's average.
        Returns the step count after it."""
        if self.t >= self.steps:
            raise RuntimeError(f"all {self.steps} steps are done (the horizon of this run)")
        t0, step, s0 = time.perf_counter(), self.t, self.s0
        if any(s.lr_decay for s in self.settings):
            factor = 1 - self.decay * (step / self.steps)
            self.opt_d.lr, self.opt_g.lr = self.lr_d * factor, self.lr_g * factor
        if any(s.noise_decay for s in self.settings):
            self.sig = [v * (1 - step / self.steps) if s.noise_decay else v for v, s in zip(self.sig0, self.settings)]
        # (1) update D / the critic n_critic times
        for _ in range(s0.n_critic):
            x = self.real()
            with torch.no_grad():
                x_fake = self.G(self.latents(self.B))
            loss_d = self.d_loss(x, x_fake)  # (K,)
            self.opt_d.zero_grad()
            loss_d.sum().backward()  # model k's gradient comes from its own term only
            self.opt_d.step()
            if s0.clip is not None:
                with torch.no_grad():
                    for p in self.D.parameters():
                        torch.minimum(torch.maximum(p, -self.clips), self.clips, out=p)
        # (2) update G once
        loss_g = self.g_loss_of(self.G(self.latents(self.B)))
        self.opt_g.zero_grad()
        loss_g.sum().backward()
        self.opt_g.step()
        # (3) theta_ema <- beta theta_ema + (1 - beta) theta, beta = min(beta, (1 + n) / (10 + n)) in warm-up
        if self.G_ema is not None:
            beta = self.ema_beta
            if self.ema_warmup.any():
                beta = torch.where(self.ema_warmup, beta.clamp(max=(1 + step) / (10 + step)), beta)
            with torch.no_grad():
                for e, p in zip(self.G_ema, self.G.parameters()):
                    e.lerp_(p, 1 - beta.view(-1, *([1] * (p.ndim - 1))))
        self.d_hist[:, step] = loss_d.detach()
        self.g_hist[:, step] = loss_g.detach()
        self.t = step + 1
        self.seconds += time.perf_counter() - t0
        return self.t

    # -- what the lab draws --------------------------------------------------------------------
    def averaged_G(self):
        """The generator that snapshots sample: G's moving average, or G itself when no model averages."""
        if self.G_ema is None:
            return self.G
        n = len(self.G.weights)
        return BatchedMLP(self.G_ema[:n], self.G_ema[n:])

    @torch.no_grad()
    def field(self):
        """D's raw output on the field grid, (K, field_n, field_n) float32; row i at y = field_ys[i]."""
        if self.grid is None:
            raise ValueError("no field grid: pass field_lims")
        return self.D(self.grid, update_sn=False)[..., 0].reshape(self.K, self.field_n, self.field_n).float().cpu().numpy()

    def snapshot(self):
        """{"samples": (K, n_snapshot, 2) float32 from the fixed latents, "field": (K, n, n) raw D output}."""
        with torch.no_grad():
            snap = {"samples": self.averaged_G()(self.z_fixed).float().cpu().numpy()}
        if self.grid is not None:
            snap["field"] = self.field()
        return snap

    def generator_push(self, x):
        """-dL_G/dx_n at samples x (K, N, 2): where G's gradient moves each sample (before the chain rule
        through G), N times the gradient of the mean loss, so a sample's arrow does not shrink with N.
        Uses D as it is (no instance noise, no spectral-norm update). Returns (K, N, 2) float32."""
        x = torch.as_tensor(np.asarray(x), device=self.device, dtype=self.dtype).detach().requires_grad_(True)
        logits = self.D(x, update_sn=False)[..., 0]
        (grad,) = torch.autograd.grad(_apply(self.groups, 1, self.K, logits).sum(), x)
        return (-x.shape[1] * grad).float().cpu().numpy()

    @torch.no_grad()
    def manifold(self, z):
        """G (the sampled, averaged one) at latents z (N, latent_dim) shared by all models: (K, N, 2) float32."""
        z = torch.as_tensor(np.asarray(z), device=self.device, dtype=self.dtype)
        return self.averaged_G()(z.expand(self.K, -1, -1)).float().cpu().numpy()

    def losses(self):
        """(d_loss, g_loss), each (K, t): the last D loss and the G loss of every generator step so far."""
        return self.d_hist[:, :self.t].float().cpu().numpy(), self.g_hist[:, :self.t].float().cpu().numpy()

    def divergence(self):
        """(diverged_at, diverged_net): per model, the first generator step (from 1) whose D or G loss is NaN/inf
        and which network's loss it was ("D" when both, D updates first); a model whose losses stayed finite but
        whose weights did not counts as diverged at the last step, network "D" or "G" by the weights."""
        d, g = self.losses()
        fin = lambda ps: torch.isfinite(torch.stack([p.detach().reshape(self.K, -1).sum(1) for p in ps])).all(0)
        g_ok, d_ok = fin(self.G.parameters()).cpu().numpy(), fin(self.D.parameters()).cpu().numpy()
        at, net = [], []
        for k in range(self.K):
            bad_d, bad_g = np.flatnonzero(~np.isfinite(d[k])), np.flatnonzero(~np.isfinite(g[k]))
            first_d = bad_d[0] if len(bad_d) else np.inf
            first_g = bad_g[0] if len(bad_g) else np.inf
            if np.isfinite(min(first_d, first_g)):
                at.append(int(min(first_d, first_g)) + 1)
                net.append("D" if first_d <= first_g else "G")
            elif not (g_ok[k] and d_ok[k]):
                at.append(self.t)
                net.append("D" if not d_ok[k] else "G")
            else:
                at.append(None)
                net.append(None)
        return at, net

    def result(self, snapshots=None, interrupted=False):
        """A ``BatchResult`` of the steps done so far."""
        d, g = self.losses()
        at, net = self.divergence()
        return BatchResult(self.settings, self.t, self.G, self.D, self.averaged_G(), d, g, snapshots or {},
                           self.field_xs, self.field_ys, at, self.seconds, str(self.device), diverged_net=net,
                           interrupted=interrupted)


def train_batched(settings, data, steps, width=128, depth=3, batch_size=256, latent_dim=2, device=None,
                  snapshot_steps=(), n_snapshot=2500, field_lims=None, field_n=50, progress=True,
                  callback=None):
    """Train one GAN per element of ``settings`` (a list of ``Setting``) on toy ``data`` for ``steps``
    generator steps, all K at once: a loop over ``BatchedGAN.step``. Returns a ``BatchResult``.

    All settings must share ``cost_key()`` (same n_critic, optimizer, betas, and the same use of
    penalty, spectral norm and clipping); use ``train_grid`` for mixed lists. ``data`` is a toy with
    ``sample(n, generator=)``. ``snapshot_steps`` (0 = before training) save samples from fixed latents
    and, when ``field_lims`` is given, D's raw output on a field_n x field_n grid. ``callback(done, total)``
    is called every 10 steps (a notebook progress bar); ``progress`` shows a tqdm bar. Ctrl-C stops
    early and returns the steps done so far, flagged ``interrupted``; a model whose D or G loss goes
    NaN/inf is reported (``diverged_at``, ``diverged_net``) with a warning."""
    steps = checks.positive_int("steps", steps)
    for s in snapshot_steps:
        if not 0 <= s <= steps:
            raise ValueError(f"snapshot step {s} is outside 0..{steps}")
    gan = BatchedGAN(settings, data, steps, width, depth, batch_size, latent_dim, device, n_snapshot, field_lims,
                     field_n)
    snaps, interrupted = {}, False
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc=f"{gan.K} GANs ({gan.s0.loss}...)", unit="step", leave=False)
    start = time.perf_counter()
    if 0 in snapshot_steps:
        snaps[0] = gan.snapshot()
    try:
        for _ in range(steps):
            done = gan.step()
            if done in snapshot_steps:
                snaps[done] = gan.snapshot()
            if done % 10 == 0 or done == steps:
                if bar is not None:
                    bar.update(done - bar.n)
                if callback is not None:
                    callback(done, steps)
    except KeyboardInterrupt:
        interrupted = True
        print(f"interrupted at generator step {gan.t} of {steps}: returning the partial result (interrupted=True)")
    finally:
        if bar is not None:
            bar.close()
    res = gan.result(snaps, interrupted)
    res.seconds = time.perf_counter() - start
    bad = [(k, at, net) for k, (at, net) in enumerate(zip(res.diverged_at, res.diverged_net)) if at is not None]
    if bad:
        warnings.warn("; ".join(f"model {k} ({gan.settings[k].loss}): the {'discriminator' if net == 'D' else 'generator'}"
                                f" went NaN/inf at generator step {at}" for k, at, net in bad)
                      + ": lower the learning rate or add a penalty", RuntimeWarning, stacklevel=2)
    return res


def train_grid(settings, data, steps, **kwargs):
    """Train a mixed list of settings: one ``train_batched`` call per group of equal cost.

    Returns a list of (indices into ``settings``, BatchResult)."""
    groups = {}
    for i, s in enumerate(settings):
        groups.setdefault(s.validate().cost_key(), []).append(i)
    return [(idx, train_batched([settings[i] for i in idx], data, steps, **kwargs)) for idx in groups.values()]
