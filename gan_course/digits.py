"""A real image set that installs with the course: the scikit-learn digits, and Stacked Digits.

``sklearn.datasets.load_digits`` ships 1,797 grey 8x8 images of handwritten digits (UCI optdigits,
pixel values 0..16) inside scikit-learn itself: nothing is downloaded. We scale them to [-1, 1]
(the range of a Tanh generator, Radford et al. 2016) and upsample them bilinearly to 16x16: a
DCGAN doubles the resolution at each strided layer, and 16 = 4 * 2 * 2 gives the generator two
up-sampling stages from a 4x4 seed (and the discriminator two strided stages), with an 8x8
feature map where SA-GAN's attention has 64 positions to look at; at 8x8 there is no room for
that. Upsampling adds no information: it is a resolution the convolutional recipes fit.

Stacked Digits follows the Stacked-MNIST protocol (Metz et al. 2017; Srivastava et al. 2017;
Lin et al. 2018): three digits drawn independently, one per colour channel, give 10^3 = 1,000
modes; a generator's mode count is the number of distinct (d_R, d_G, d_B) triples that a
digit classifier reads in its samples.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

from . import checks

IMAGE_SIZE = 16
N_CLASSES = 10
#: optional cached copy of the raw sklearn arrays (for machines without scikit-learn)
_NPZ_ENV = "GAN_COURSE_DIGITS_NPZ"


def raw_digits():
    """(images uint8 (1797, 8, 8) in 0..16, labels int64 (1797,)) from scikit-learn, no download.

    If scikit-learn is missing and the environment variable GAN_COURSE_DIGITS_NPZ names an .npz
    with arrays ``images`` and ``target`` (saved from sklearn), that copy is read instead.
    """
    try:
        from sklearn.datasets import load_digits

        d = load_digits()
        return d.images.astype(np.uint8), d.target.astype(np.int64)
    except ImportError:
        path = os.environ.get(_NPZ_ENV)
        if not path:
            raise ImportError("scikit-learn is needed for the digits (pip install scikit-learn)")
        d = np.load(path)
        return d["images"].astype(np.uint8), d["target"].astype(np.int64)


def to_images(raw, size=IMAGE_SIZE):
    """uint8 8x8 images in 0..16 -> float tensor (N, 1, size, size) in [-1, 1], bilinear upsampling."""
    checks.positive_int("size", size)
    x = torch.as_tensor(np.asarray(raw), dtype=torch.float32)
    if x.ndim != 3 or x.shape[1:] != (8, 8):
        raise ValueError(f"expected raw digits of shape (N, 8, 8), got {tuple(x.shape)}")
    x = x[:, None] / 16.0 * 2 - 1
    if size != 8:
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return x.clamp(-1, 1)


def load(split="all", size=IMAGE_SIZE, test_fraction=0.2, seed=0):
    """(images (N, 1, size, size) in [-1, 1], labels (N,)) for ``split`` in {'all', 'train', 'test'}.

    The train/test split is a seeded, class-stratified permutation (``test_fraction`` of each class
    held out), the same on every machine for the same seed.
    """
    if split not in ("all", "train", "test"):
        raise ValueError(f"split must be 'all', 'train' or 'test', got {split!r}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    images, labels = raw_digits()
    x, y = to_images(images, size), torch.as_tensor(labels)
    if split == "all":
        return x, y
    rng = np.random.default_rng(seed)
    test = np.zeros(len(labels), bool)
    for c in range(N_CLASSES):
        idx = np.flatnonzero(labels == c)
        test[rng.permutation(idx)[: int(round(test_fraction * len(idx)))]] = True
    keep = torch.as_tensor(test if split == "test" else ~test)
    return x[keep], y[keep]


def stack(images, labels, n, generator=None):
    """``n`` Stacked-Digits images (n, 3, H, W): three digits drawn independently and uniformly from
    ``images`` (N, 1, H, W), one per channel, with their mode id 100 d_0 + 10 d_1 + d_2 (n,)."""
    checks.positive_int("n", n)
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"images must have shape (N, 1, H, W), got {tuple(images.shape)}")
    idx = torch.randint(len(images), (n, 3), generator=generator)
    x = images[idx][:, :, 0]  # (n, 3, H, W)
    d = labels[idx]
    return x, d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]


def batches(images, batch_size, generator):
    """An endless iterator over shuffled minibatches of ``images`` (reshuffled every epoch)."""
    checks.positive_int("batch_size", batch_size)
    n = len(images)
    while True:
        perm = torch.randperm(n, generator=generator)
        for i in range(0, n - batch_size + 1, batch_size):
            yield images[perm[i : i + batch_size]]


class StackedSampler:
    """Fresh Stacked-Digits minibatches on demand: ``next(sampler)`` -> (batch_size, 3, H, W)."""

    def __init__(self, images, labels, batch_size, generator):
        self.images, self.labels, self.batch_size, self.generator = images, labels, batch_size, generator

    def __iter__(self):
        return self

    def __next__(self):
        return stack(self.images, self.labels, self.batch_size, self.generator)[0]
