"""MLP generator and discriminator for the toy worlds (configurable width and depth)."""
import torch
from torch import nn

from . import checks

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
}


def mlp(in_dim, out_dim, width=128, depth=3, activation="relu"):
    """``depth`` hidden layers of ``width`` units: Linear -> act, ..., then a Linear to ``out_dim``."""
    in_dim, out_dim = checks.positive_int("in_dim", in_dim), checks.positive_int("out_dim", out_dim)
    width, depth = checks.positive_int("width", width), checks.positive_int("depth", depth)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    layers, d = [], in_dim
    for _ in range(depth):
        layers += [nn.Linear(d, width), ACTIVATIONS[activation]()]
        d = width
    layers.append(nn.Linear(d, out_dim))
    return nn.Sequential(*layers)


class Generator(nn.Module):
    """G: z (N, latent_dim) -> x (N, data_dim). z ~ N(0, I), or U[-1, 1]^latent_dim with latent='uniform'."""

    def __init__(self, latent_dim=2, data_dim=2, width=128, depth=3, activation="relu", latent="normal"):
        super().__init__()
        if latent not in ("normal", "uniform"):
            raise ValueError(f"latent must be 'normal' or 'uniform', got {latent!r}")
        self.latent_dim, self.data_dim, self.latent = latent_dim, data_dim, latent
        self.net = mlp(latent_dim, data_dim, width, depth, activation)

    def sample_latent(self, n, generator=None, device=None):
        device = device if device is not None else next(self.parameters()).device
        shape = (checks.positive_int("n", n), self.latent_dim)
        if self.latent == "uniform":
            return 2 * torch.rand(shape, generator=generator, device=device) - 1
        return torch.randn(shape, generator=generator, device=device)

    def forward(self, z):
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"generator input z must have shape (N, {self.latent_dim}), got {tuple(z.shape)}")
        return self.net(z)  # (N, data_dim)

    def sample(self, n, generator=None):
        """n generated points, shape (n, data_dim)."""
        return self(self.sample_latent(n, generator))


class Discriminator(nn.Module):
    """D: x (N, data_dim) -> logits (N,). D(x) = sigmoid(logit); a WGAN critic uses the logit as f(x)."""

    def __init__(self, data_dim=2, width=128, depth=3, activation="relu"):
        super().__init__()
        self.data_dim = data_dim
        self.net = mlp(data_dim, 1, width, depth, activation)

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.data_dim:
            raise ValueError(f"discriminator input must have shape (N, {self.data_dim}), got {tuple(x.shape)}")
        return self.net(x).squeeze(-1)  # (N,)
