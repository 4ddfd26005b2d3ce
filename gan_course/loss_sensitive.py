"""Loss-Sensitive GAN (Qi 2017, "Loss-Sensitive Generative Adversarial Networks on Lipschitz Densities").

A loss function L_theta(x) >= 0 should be small on real points and larger on generated ones,
by a margin that grows with how far the generated point is from the real one (Eq. 6-8):

    min_theta  E_x L_theta(x) + lambda E_{x, z} ( Delta(x, G(z)) + L_theta(x) - L_theta(G(z)) )^+
    min_G      E_z L_theta(G(z)),

with x and z drawn independently (pairs of a real and a generated batch) and Delta a distance;
here the Euclidean distance ||x - G(z)||_2 (the paper uses the L1 distance between images). The
analysis assumes L_theta is Lipschitz in x (and the data density Lipschitz): with
|L(x) - L(x')| <= kappa ||x - x'||, a generated point at distance d from the data can sit at most
kappa d above it, and the hinge asks for at least d, so the learnt gap between fakes and reals
grows with the distance instead of saturating. Lipschitz continuity is imposed here by a one-sided
gradient penalty on ||grad_x L_theta|| > 1 (the paper uses weight decay), and L_theta >= 0 by taking the
absolute value of the network's output (a softplus saturates: once f is very negative around the
data, raising L on the fakes has almost no gradient, and the generators drifted off the ring).
"""
import torch
import torch.nn.functional as F

from . import checks


def loss_value(L, x):
    """L_theta(x) = |f(x)| >= 0 for a network f with one output: x (K, N, d) -> (K, N)."""
    return L(x)[..., 0].abs()


def margin(real, fake):
    """Delta(x, G(z)) = ||x - G(z)||_2 for paired rows of ``real`` and ``fake`` (..., N, d) -> (..., N)."""
    return (real - fake).norm(dim=-1)


def lipschitz_penalty(L, x):
    """E (||grad_x L_theta(x)|| - 1)^+^2 at the points x (K, N, d) -> (K,): zero on 1-Lipschitz L."""
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_value(L, x).sum(), x, create_graph=True)
    return F.relu(g.norm(dim=-1) - 1).pow(2).mean(-1)


def d_loss(L, real, fake, lam=1.0, penalty_weight=10.0):
    """E L(x) + lam E (Delta(x, G(z)) + L(x) - L(G(z)))^+ + penalty_weight * Lipschitz penalty (Eq. 6),
    the penalty taken at the midpoints (x + G(z)) / 2 of the pairs. Returns (K,)."""
    checks.positive("lambda", lam)
    l_r, l_f = loss_value(L, real), loss_value(L, fake)
    hinge = F.relu(margin(real, fake) + l_r - l_f)
    out = l_r.mean(-1) + lam * hinge.mean(-1)
    if penalty_weight:
        out = out + penalty_weight * lipschitz_penalty(L, 0.5 * (real + fake))
    return out


def g_loss(L, fake):
    """E_z L_theta(G(z)) (Eq. 8)."""
    return loss_value(L, fake).mean(-1)
