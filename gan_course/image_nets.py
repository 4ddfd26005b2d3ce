"""The image networks of chapter 6: DCGAN, DCGAN + spectral normalisation and SA-GAN on 16x16 images.

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

Training, evaluation and the shipped files are ``image_gans``'s.
"""
from dataclasses import dataclass

import torch
import torch.nn as nn

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
