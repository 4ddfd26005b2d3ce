"""GAN losses as plain functions of the discriminator's logits (raw outputs).

Each returns the mean over the last (batch) dimension, so logits of shape (N,) give a scalar
and logits of shape (K, N) from K stacked models give K losses. Written with softplus, since
-log sigmoid(a) = softplus(-a) and -log(1 - sigmoid(a)) = softplus(a): they stay finite where
log(sigmoid(a)) would underflow to -inf.

Logits of shape (N, 1) are refused with a clear error: their mean over the last axis would be
N losses of one sample each, not one loss (squeeze D's output to (N,)).

Goodfellow et al. (2014), Eq. 1: V(D, G) = E_x log D(x) + E_z log(1 - D(G(z))).
"""
import torch.nn.functional as F


def _check_logits(*xs):
    """Check that each of ``xs`` is (N,) or (K, N) with N > 1 where 2-D."""
    for x in xs:
        if x.ndim == 0 or x.ndim > 2 or (x.ndim == 2 and x.shape[-1] == 1 and x.shape[0] > 1):
            raise ValueError(f"GAN losses take D's logits of shape (N,) (or (K, N) for K stacked models), got "
                             f"{tuple(x.shape)}; squeeze D's last axis (D(x).squeeze(-1))")


def d_loss_minimax(real_logits, fake_logits):
    """-V(D, G): binary cross-entropy, -log D(x) - log(1 - D(G(z))) (Goodfellow et al. 2014, Eq. 1)."""
    _check_logits(real_logits, fake_logits)
    return F.softplus(-real_logits).mean(-1) + F.softplus(fake_logits).mean(-1)


def g_loss_minimax(fake_logits):
    """log(1 - D(G(z))): the generator's side of the minimax game (saturates when D rejects G)."""
    _check_logits(fake_logits)
    return -F.softplus(fake_logits).mean(-1)


def g_loss_nonsaturating(fake_logits):
    """-log D(G(z)): the non-saturating generator loss (Goodfellow et al. 2014, Sec. 3)."""
    _check_logits(fake_logits)
    return F.softplus(-fake_logits).mean(-1)


def d_loss_wasserstein(real_scores, fake_scores):
    """E f(G(z)) - E f(x): the critic maximises E_r f - E_g f (Arjovsky et al. 2017, Eq. 3)."""
    _check_logits(real_scores, fake_scores)
    return fake_scores.mean(-1) - real_scores.mean(-1)


def g_loss_wasserstein(fake_scores):
    """-E f(G(z)) (Arjovsky et al. 2017, Algorithm 1)."""
    _check_logits(fake_scores)
    return -fake_scores.mean(-1)


def d_loss_hinge(real_scores, fake_scores):
    """E max(0, 1 - D(x)) + E max(0, 1 + D(G(z))) (Lim & Ye 2017; Miyato et al. 2018; Zhang et al. 2019)."""
    _check_logits(real_scores, fake_scores)
    return F.relu(1 - real_scores).mean(-1) + F.relu(1 + fake_scores).mean(-1)


def g_loss_hinge(fake_scores):
    """-E D(G(z)) (the generator side of the hinge loss)."""
    _check_logits(fake_scores)
    return -fake_scores.mean(-1)


def d_loss_least_squares(real_scores, fake_scores):
    """1/2 E (D(x) - 1)^2 + 1/2 E D(G(z))^2 (LSGAN, Mao et al. 2017, Eq. 2 with a=0, b=c=1)."""
    _check_logits(real_scores, fake_scores)
    return 0.5 * (real_scores - 1).pow(2).mean(-1) + 0.5 * fake_scores.pow(2).mean(-1)


def g_loss_least_squares(fake_scores):
    """1/2 E (D(G(z)) - 1)^2 (LSGAN, Eq. 2)."""
    _check_logits(fake_scores)
    return 0.5 * (fake_scores - 1).pow(2).mean(-1)


#: name -> (discriminator loss, generator loss)
LOSSES = {
    "minimax": (d_loss_minimax, g_loss_minimax),
    "nonsaturating": (d_loss_minimax, g_loss_nonsaturating),
    "wasserstein": (d_loss_wasserstein, g_loss_wasserstein),
    "hinge": (d_loss_hinge, g_loss_hinge),
    "least_squares": (d_loss_least_squares, g_loss_least_squares),
}


def get(name):
    """The (d_loss, g_loss) pair called ``name``; a clear error for an unknown name.

    Loss names are Python identifiers (``least_squares``); the lab's recipe names use hyphens
    (``least-squares``, ``wgan-gp``), so a hyphenated name gets a pointer to the right one."""
    if not isinstance(name, str) or name not in LOSSES:
        hint = ""
        if isinstance(name, str) and name.replace("-", "_") in LOSSES:
            hint = f" (loss names use underscores: {name.replace('-', '_')!r}; {name!r} is a lab recipe name)"
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(LOSSES)}{hint}")
    return LOSSES[name]
