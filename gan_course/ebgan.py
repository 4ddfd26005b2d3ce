"""Energy-based GAN: an autoencoder discriminator whose reconstruction error is the energy
(Zhao, Mathieu & LeCun 2017, "Energy-based Generative Adversarial Network").

The discriminator is an autoencoder, and the energy of a point is its reconstruction error
(Eq. 3; squared here, as in the paper's code):

    D(x) = || Dec(Enc(x)) - x ||^2.

With a margin m > 0 the two players minimise (Eq. 1 and 2)

    L_D = D(x) + [m - D(G(z))]^+        L_G = D(G(z)),

so D lowers the energy of real points and raises that of fakes, but only up to m: a fake whose
energy is already at least m gives D no gradient. The margin sets the height of the energy
surface away from the data, and hence the scale of the slope the generator descends.
At the equilibrium p_g = p_data (Theorem 2).
"""
import torch
from torch import nn
import torch.nn.functional as F

from . import checks


def autoencoder(data_dim=2, width=64, code_dim=2, depth=2):
    """Enc: ``depth`` ReLU layers of ``width`` -> code (``code_dim``); Dec: the mirror image back to
    ``data_dim``. A plain Linear/ReLU ``nn.Sequential`` (a ReLU also follows the code), so
    ``batched.BatchedMLP`` can stack it."""
    data_dim, width = checks.positive_int("data_dim", data_dim), checks.positive_int("width", width)
    code_dim, depth = checks.positive_int("code_dim", code_dim), checks.positive_int("depth", depth)
    dims = [data_dim] + [width] * depth + [code_dim] + [width] * depth + [data_dim]
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def energy(D, x):
    """D(x) = ||Dec(Enc(x)) - x||^2 per point: x (..., N, d) -> (..., N) (Zhao et al. 2017, Eq. 3)."""
    return (D(x) - x).pow(2).sum(-1)


def d_loss(D, real, fake, margin=1.0):
    """L_D = E D(x) + E [m - D(G(z))]^+ over the batch (last but one) dimension (Eq. 1).

    ``margin`` is a number or a (K,) tensor (one m per stacked model)."""
    m = torch.as_tensor(margin, dtype=real.dtype, device=real.device)
    if m.ndim == 1:
        m = m[:, None]
    if torch.any(m <= 0):
        raise ValueError(f"the margin m must be positive, got {margin}")
    return energy(D, real).mean(-1) + F.relu(m - energy(D, fake)).mean(-1)


def g_loss(D, fake):
    """L_G = E D(G(z)) (Eq. 2): the generator descends the energy surface."""
    return energy(D, fake).mean(-1)
