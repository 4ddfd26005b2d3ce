"""Spectral normalisation (Miyato et al. 2018, "Spectral Normalization for GANs").

The spectral norm sigma(W) = max_{h != 0} |W h| / |h| is the largest singular value of W and the
Lipschitz constant of h -> W h. SN divides each layer's weight by an estimate of sigma(W) made by
power iteration (Miyato et al. 2018, Algorithm 1):

    v <- W^T u / |W^T u|,   u <- W v / |W v|,   sigma(W) ~= u^T W v,

with u carried over from one training step to the next, so one iteration per step suffices. A
convolution's kernel (C_out, C_in, k, k) is read as the matrix (C_out, C_in k k), as in the paper
(and (C_in, ...) is moved behind C_out for a transposed convolution). For a network of such layers
and 1-Lipschitz activations, Lip(f) <= prod_l Lip(layer_l) (composition), which
``lipschitz_bound`` evaluates with each layer's exact operator norm.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checks


def weight_matrix(weight, dim=0):
    """``weight`` as the matrix SN normalises: dimension ``dim`` first, the rest flattened."""
    if weight.ndim < 2:
        raise ValueError(f"a weight needs at least 2 dimensions, got shape {tuple(weight.shape)}")
    if dim != 0:
        weight = weight.movedim(dim, 0)
    return weight.reshape(weight.shape[0], -1)


def spectral_norm_exact(weight, dim=0):
    """sigma(W): the largest singular value, ``torch.linalg.matrix_norm(W, ord=2)`` (an SVD)."""
    return torch.linalg.matrix_norm(weight_matrix(weight, dim).detach().double(), ord=2).to(weight.dtype)


def power_iteration(W, u=None, n_iter=1, eps=1e-12, generator=None):
    """``n_iter`` steps of Algorithm 1 of Miyato et al. (2018) on the matrix ``W`` (m, n).

    Starts from ``u`` (m,), random when None. Returns ``(sigma, u, v)`` with sigma = u^T W v, the
    estimate of the largest singular value; carry ``u`` into the next call.
    """
    if W.ndim != 2:
        raise ValueError(f"W must be a matrix (m, n), got shape {tuple(W.shape)}")
    checks.positive_int("n_iter", n_iter)
    if u is None:
        u = torch.randn(W.shape[0], generator=generator, dtype=W.dtype).to(W.device)
    if u.shape != (W.shape[0],):
        raise ValueError(f"u must have shape ({W.shape[0]},), got {tuple(u.shape)}")
    u = F.normalize(u, dim=0, eps=eps)
    for _ in range(n_iter):
        v = F.normalize(W.T @ u, dim=0, eps=eps)
        u = F.normalize(W @ v, dim=0, eps=eps)
    return u @ W @ v, u, v


def track_sigma(weights, n_iter=1, seed=0):
    """Run power iteration along a sequence of weights W_0, W_1, ... carrying u over, ``n_iter``
    iterations per weight. Returns (estimates, exact) as 1-D tensors (one entry per weight)."""
    g = torch.Generator().manual_seed(seed)
    u, est, exact = None, [], []
    for W in weights:
        W = weight_matrix(W.detach())
        sigma, u, _ = power_iteration(W, u, n_iter, generator=g)  # draws the first u from g
        est.append(float(sigma))
        exact.append(float(spectral_norm_exact(W)))
    return torch.tensor(est), torch.tensor(exact)


class SpectralNorm(nn.Module):
    """Wrap a ``nn.Linear``, ``nn.Conv2d`` or ``nn.ConvTranspose2d`` so that it uses W / sigma(W).

    The raw weight is the parameter ``weight_orig``; the buffer ``u`` (saved in the state dict)
    carries the power iteration over steps. In training mode each forward does ``n_power_iterations``
    updates of u (no gradient through u, v, as in Miyato et al. 2018); in eval mode u is frozen.
    The gradient flows through sigma = u^T W v into W.
    """

    def __init__(self, layer, n_power_iterations=1, eps=1e-12, seed=0):
        super().__init__()
        if not isinstance(layer, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            raise TypeError(f"SpectralNorm wraps Linear, Conv2d or ConvTranspose2d, got {type(layer).__name__}")
        self.n_power_iterations = checks.positive_int("n_power_iterations", n_power_iterations)
        self.eps = eps
        self.dim = 1 if isinstance(layer, nn.ConvTranspose2d) else 0
        w = layer.weight.detach().clone()
        del layer.weight
        layer.weight = w  # a plain tensor attribute, replaced at every forward
        self.layer = layer
        self.weight_orig = nn.Parameter(w)
        g = torch.Generator().manual_seed(seed)
        u = torch.randn(weight_matrix(w, self.dim).shape[0], generator=g)
        self.register_buffer("u", F.normalize(u, dim=0, eps=eps))

    def sigma(self):
        """The current estimate u^T W v (differentiable in W); updates u in training mode."""
        W = weight_matrix(self.weight_orig, self.dim)
        with torch.no_grad():
            if self.training:
                _, u, _ = power_iteration(W, self.u, self.n_power_iterations, self.eps)
                self.u.copy_(u)
            u = self.u.clone()  # a copy: a later forward updates the buffer in place
            v = F.normalize(W.T @ u, dim=0, eps=self.eps)
        return u @ W @ v

    def normalized_weight(self):
        return self.weight_orig / self.sigma()

    def forward(self, x):
        self.layer.weight = self.normalized_weight()
        return self.layer(x)


def sn(layer, enabled=True, **kwargs):
    """``SpectralNorm(layer)`` when ``enabled``, else the layer itself (handy in model builders)."""
    return SpectralNorm(layer, **kwargs) if enabled else layer


def _unwrap(layer):
    """(module, weight actually used) for a plain or SN-wrapped layer."""
    if isinstance(layer, SpectralNorm):
        with torch.no_grad():
            was = layer.training
            layer.eval()
            w = layer.normalized_weight()
            layer.train(was)
        return layer.layer, w
    return layer, layer.weight.detach()


def operator_norm(layer, input_shape, n_iter=200, seed=0):
    """The exact Lipschitz constant (largest singular value) of the linear map x -> layer(x) - bias
    on inputs of ``input_shape`` (C, H, W) or (d,), by power iteration on the map and its adjoint.

    For a Linear layer it equals sigma(W); for a convolution it depends on the stride and padding
    and may exceed the sigma of the reshaped kernel that SN divides by.
    """
    module, w = _unwrap(layer)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((1, *input_shape), generator=g).to(w.device)

    def A(z):
        if isinstance(module, nn.Linear):
            return F.linear(z, w)
        if isinstance(module, nn.ConvTranspose2d):
            return F.conv_transpose2d(z, w, None, module.stride, module.padding, module.output_padding)
        return F.conv2d(z, w, None, module.stride, module.padding)

    sigma = torch.tensor(0.0)
    with torch.enable_grad():
        for _ in range(n_iter):
            x = x / x.norm()
            x = x.detach().requires_grad_(True)
            y = A(x)
            sigma = y.detach().norm()
            (x,) = torch.autograd.grad(0.5 * (y * y).sum(), x)  # A^T A x
    return float(sigma)


_ONE_LIPSCHITZ = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.Flatten, nn.Identity)


def lipschitz_bound(net, input_shape, n_iter=200):
    """An upper bound on the Lipschitz constant (in the Euclidean norm) of a sequential network
    ``net`` on inputs of ``input_shape``: the product of its linear layers' exact operator norms,
    since ReLU/LeakyReLU(slope <= 1)/Tanh are 1-Lipschitz and Lip(f o g) <= Lip(f) Lip(g).
    Raises ValueError for a layer the bound does not cover (batch norm, attention...)."""
    layers = list(net.net if hasattr(net, "net") else net)
    x = torch.zeros((1, *input_shape), device=next(net.parameters()).device)
    bound = 1.0
    was = net.training
    net.eval()
    with torch.no_grad():
        for layer in layers:
            inner = layer.layer if isinstance(layer, SpectralNorm) else layer
            if isinstance(inner, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                bound *= operator_norm(layer, tuple(x.shape[1:]), n_iter)
            elif not isinstance(inner, _ONE_LIPSCHITZ) or (isinstance(inner, nn.LeakyReLU) and abs(inner.negative_slope) > 1):
                raise ValueError(f"lipschitz_bound covers linear layers and 1-Lipschitz activations, not {type(inner).__name__}")
            x = layer(x)
    net.train(was)
    return bound

