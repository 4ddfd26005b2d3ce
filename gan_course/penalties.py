"""Penalties on the critic's input gradient, as ``f(D, real, fake) -> scalar`` for ``TrainConfig.penalty``.

* ``gradient_penalty``: WGAN-GP (Gulrajani et al. 2017, Eq. 3 and Algorithm 1),
  lambda * E_{x_hat} (||grad_x D(x_hat)||_2 - 1)^2 with x_hat = a x + (1 - a) x_g,
  one a ~ U[0, 1] *per sample*, and the norm taken *per sample* over every non-batch dimension
  (all of C, H, W for images). The weight lambda is ``TrainConfig.penalty_weight`` (10 in the paper).
* ``one_sided_gradient_penalty``: E max(0, ||grad|| - 1)^2, which only pushes norms above 1 down
  (the variant Gulrajani et al. 2017 mention in Sec. 4; Petzka et al. 2018 argue for it).
* ``r1_penalty``: 1/2 E_{x ~ p_data} ||grad_x D(x)||^2 on real samples only (Mescheder et al. 2018,
  Eq. 9, R1 = gamma/2 E ||grad D||^2; pass gamma as ``penalty_weight``).
* ``r2_penalty``: the same on generated samples, 1/2 E_{x ~ p_g} ||grad_x D(x)||^2 (R2; Huang et al.
  2024 pair R1 and R2 with the relativistic loss). ``r1_r2_penalty(g1, g2)`` makes their weighted sum.
"""
import torch


def _batch_pair(real, fake):
    if not isinstance(real, torch.Tensor) or not isinstance(fake, torch.Tensor):
        raise TypeError("real and fake must be torch tensors")
    if real.shape != fake.shape or real.ndim < 2:
        raise ValueError(f"real and fake must be batches of the same shape (N, ...), got "
                         f"{tuple(real.shape)} and {tuple(fake.shape)}")


def interpolate(real, fake, generator=None):
    """x_hat = a x + (1 - a) x_g with one a ~ U[0, 1] per sample, broadcast over the other dims.

    ``generator`` may live on another device than the data (a CPU generator for CUDA tensors):
    a is drawn where the generator is, then moved to the data."""
    _batch_pair(real, fake)
    a = torch.rand((real.shape[0],) + (1,) * (real.ndim - 1), generator=generator,
                   device=real.device if generator is None else generator.device,
                   dtype=real.dtype).to(real.device)  # (N, 1, ..., 1)
    return a * real.detach() + (1 - a) * fake.detach()


def input_gradient_norm(D, x, create_graph=True):
    """||grad_x D(x)||_2 for each sample: shape (N,), the norm over all non-batch dimensions."""
    x = x.detach().requires_grad_(True)
    out = D(x)  # (N,)
    (grad,) = torch.autograd.grad(out.sum(), x, create_graph=create_graph)  # same shape as x
    return grad.flatten(1).norm(dim=1)


def gradient_penalty(D, real, fake, generator=None):
    """mean_i (||grad D(x_hat_i)|| - 1)^2 at random interpolates (Gulrajani et al. 2017, Eq. 3)."""
    norms = input_gradient_norm(D, interpolate(real, fake, generator))
    return ((norms - 1) ** 2).mean()


def one_sided_gradient_penalty(D, real, fake, generator=None):
    """mean_i max(0, ||grad D(x_hat_i)|| - 1)^2: penalises only norms above 1."""
    norms = input_gradient_norm(D, interpolate(real, fake, generator))
    return (torch.relu(norms - 1) ** 2).mean()


def r1_penalty(D, real, fake=None):
    """1/2 mean_i ||grad D(x_i)||^2 on real samples (Mescheder et al. 2018, R1); ``fake`` is ignored."""
    if not isinstance(real, torch.Tensor) or real.ndim < 2:
        raise ValueError("real must be a batch tensor of shape (N, ...)")
    return 0.5 * (input_gradient_norm(D, real) ** 2).mean()


def r2_penalty(D, real, fake):
    """1/2 mean_i ||grad D(x_g,i)||^2 on generated samples (R2, Huang et al. 2024); ``real`` is ignored."""
    _batch_pair(real, fake)
    return 0.5 * (input_gradient_norm(D, fake) ** 2).mean()


def r1_r2_penalty(gamma1, gamma2):
    """The penalty f(D, real, fake) = gamma1 R1 + gamma2 R2 (use with ``penalty_weight`` 1)."""
    if not (gamma1 >= 0 and gamma2 >= 0):
        raise ValueError(f"gamma1 and gamma2 must be >= 0, got {gamma1}, {gamma2}")

    def penalty(D, real, fake):
        return gamma1 * r1_penalty(D, real) + gamma2 * r2_penalty(D, real, fake)
    return penalty


PENALTIES = {"gp": gradient_penalty, "gp_one_sided": one_sided_gradient_penalty, "r1": r1_penalty, "r2": r2_penalty}


def get(name):
    """The penalty called ``name`` ('gp', 'gp_one_sided', 'r1', 'r2'); a clear error otherwise."""
    if name not in PENALTIES:
        raise ValueError(f"unknown penalty {name!r}; choose one of {sorted(PENALTIES)}")
    return PENALTIES[name]

