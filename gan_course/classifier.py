"""A digit classifier trained by the course, and the image metrics read through it.

- class coverage: how many of the 10 digit classes the classifier finds among generated samples;
- class-KL: KL(p_hat || uniform) = log K - H(p_hat) of the predicted-class histogram (the mode
  histogram KL of PacGAN, Lin et al. 2018, with classes as modes);
- a Fréchet distance between Gaussians fitted to the classifier's penultimate features
  (Heusel et al. 2017, Eq. 6):  |mu_1 - mu_2|^2 + Tr(S_1 + S_2 - 2 (S_1^{1/2} S_2 S_1^{1/2})^{1/2}).
  It is NOT the Inception FID: the features come from this small digit classifier, so its values
  compare models on this data set only and are not comparable to published FIDs;
- Stacked-Digits modes: distinct (d_0, d_1, d_2) triples read channel by channel (of 1,000).
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checks, digits
from .metrics import kl_to_uniform  # KL(p || uniform) = log K - H(p)
from .device import seed_everything

N_FEATURES = 64


class DigitClassifier(nn.Module):
    """A small CNN for 1x16x16 digits: two conv/pool stages, a 64-unit feature layer, 10 logits."""

    def __init__(self, n_features=N_FEATURES):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 32, 8, 8)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 64, 4, 4)
            nn.Flatten(), nn.Linear(64 * 16, n_features), nn.ReLU(),  # (N, n_features)
        )
        self.head = nn.Linear(n_features, digits.N_CLASSES)

    def features(self, x):
        """Penultimate features (N, n_features) of images (N, 1, 16, 16) in [-1, 1]."""
        if x.ndim != 4 or x.shape[1] != 1:
            raise ValueError(f"the classifier takes images (N, 1, H, W), got shape {tuple(x.shape)}")
        return self.body(x)

    def forward(self, x):
        return self.head(self.features(x))


def _shift(x, generator, max_shift=1):
    """Random translations by up to ``max_shift`` pixels (edge padding): light augmentation."""
    n, _, h, w = x.shape
    p = max_shift
    xp = F.pad(x, (p, p, p, p), mode="replicate")
    dx = torch.randint(0, 2 * p + 1, (n,), generator=generator)
    dy = torch.randint(0, 2 * p + 1, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(h))[:, :, None].expand(n, h, w)
    cols = (dx[:, None] + torch.arange(w))[:, None, :].expand(n, h, w)
    return xp[torch.arange(n)[:, None, None], 0, rows, cols][:, None]


def train_classifier(epochs=15, batch_size=64, lr=2e-3, seed=0, progress=False):
    """Train ``DigitClassifier`` on the training split on the CPU (deterministic, a few seconds).

    Returns (model in eval mode, held-out accuracy on the test split)."""
    checks.positive_int("epochs", epochs)
    checks.positive_int("batch_size", batch_size)
    checks.positive("lr", lr)
    seed_everything(seed)
    x, y = digits.load("train", seed=seed)
    xt, yt = digits.load("test", seed=seed)
    model = DigitClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch_size):
            idx = perm[i : i + batch_size]
            loss = F.cross_entropy(model(_shift(x[idx], g)), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        if not torch.isfinite(loss):  # the course's failure policy: name the network and the step
            raise checks.TrainingDiverged(f"the classifier's loss became {loss.item()} in epoch {epoch + 1}; "
                                          "lower lr")
        checks.finite_weights(model, "classifier", epoch + 1, "lower lr", step_name="epoch")
        if progress:
            print(f"epoch {epoch + 1}: loss {loss.item():.3f}")
    model.eval()
    return model, accuracy(model, xt, yt)


@torch.no_grad()
def predict(model, x, batch_size=2048):
    """Predicted classes (N,) of images (N, 1, H, W)."""
    dev = next(model.parameters()).device
    return torch.cat([model(x[i : i + batch_size].to(dev)).argmax(1).cpu() for i in range(0, len(x), batch_size)])


@torch.no_grad()
def features(model, x, batch_size=2048):
    """Penultimate features (N, n_features) as float64 NumPy."""
    dev = next(model.parameters()).device
    f = [model.features(x[i : i + batch_size].to(dev)).cpu() for i in range(0, len(x), batch_size)]
    return torch.cat(f).double().numpy()


def accuracy(model, x, y):
    return float((predict(model, x) == y).float().mean())


def histogram(classes, n_classes=digits.N_CLASSES):
    """Normalised histogram (n_classes,) of integer class ids."""
    counts = np.bincount(np.asarray(classes).ravel(), minlength=n_classes)[:n_classes]
    return counts / counts.sum()


def gaussian_stats(f):
    """(mean, covariance) of features (N, d), the covariance with 1/(N-1)."""
    f = np.asarray(f, dtype=np.float64)
    if f.ndim != 2 or len(f) < 2:
        raise ValueError(f"features must have shape (N >= 2, d), got {f.shape}")
    return f.mean(0), np.cov(f, rowvar=False)


def _psd_sqrt(S):
    w, V = np.linalg.eigh((S + S.T) / 2)
    return (V * np.sqrt(np.clip(w, 0, None))) @ V.T


def frechet_distance_gaussians(mu1, cov1, mu2, cov2):
    """|mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1^{1/2} S2 S1^{1/2})^{1/2}): the squared 2-Wasserstein distance
    between N(mu1, S1) and N(mu2, S2) (Dowson & Landau 1982; Heusel et al. 2017, Eq. 6). Computed with
    symmetric eigendecompositions, since Tr (S1 S2)^{1/2} = Tr (S1^{1/2} S2 S1^{1/2})^{1/2}."""
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    cov1, cov2 = np.atleast_2d(cov1), np.atleast_2d(cov2)
    if mu1.shape != mu2.shape or cov1.shape != cov2.shape or cov1.shape != (len(mu1), len(mu1)):
        raise ValueError("means (d,) and covariances (d, d) must agree in d")
    r1 = _psd_sqrt(cov1)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(r1 @ cov2 @ r1), 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(cov1) + np.trace(cov2) - 2 * cross)


def frechet_distance(f1, f2):
    """Fréchet distance between the Gaussians fitted to two feature sets (N1, d), (N2, d)."""
    return frechet_distance_gaussians(*gaussian_stats(f1), *gaussian_stats(f2))


def image_metrics(model, x, reference_features=None):
    """Metrics of images x (N, 1, H, W) in [-1, 1]: classes covered (of 10), class-KL (nats) and,
    with ``reference_features`` of real data, the classifier-feature Fréchet distance (not FID)."""
    classes = predict(model, x)
    p = histogram(classes)
    out = {"classes_covered": int((p > 0).sum()), "class_kl": kl_to_uniform(p)}
    if reference_features is not None:
        out["frechet_distance"] = frechet_distance(features(model, x), reference_features)
    return out


def stacked_modes(model, x):
    """Stacked-Digits metrics of x (N, 3, H, W): modes covered (of 1,000) and KL of the mode
    histogram to uniform over the 1,000 modes."""
    if x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"stacked images must have shape (N, 3, H, W), got {tuple(x.shape)}")
    n = len(x)
    c = predict(model, x.reshape(n * 3, 1, *x.shape[2:])).reshape(n, 3)
    modes = c[:, 0] * 100 + c[:, 1] * 10 + c[:, 2]
    p = histogram(modes, 1000)
    return {"modes_covered": int((p > 0).sum()), "mode_kl": kl_to_uniform(p)}
