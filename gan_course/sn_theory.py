"""Why spectral normalisation: the unbounded gradient of the optimal discriminator, and the
gradient of a normalised weight (Miyato et al. 2018, "Spectral Normalization for GANs", Sec. 2-3).

* With D = sigmoid(f), the optimal unconstrained f is (Eq. 4)
      f*(x) = log q_data(x) - log p_G(x),
  whose input gradient (Eq. 5)
      grad f*(x) = grad log q_data(x) - grad log p_G(x)
  is unbounded: for two Gaussians of different widths it grows linearly in x, and where a density
  vanishes it does not exist. ``optimal_logit_gradient`` evaluates it in closed form for 1-D
  Gaussian mixtures (``toys.GaussianMixture1D``): grad log p(x) = sum_k r_k(x) (mu_k - x) / s_k^2,
  r_k the responsibilities.
* SN replaces W by W_SN = W / sigma(W). With u_1, v_1 the first singular vectors of W (Eq. 14),
      d W_SN / d W_ij = (E_ij - [u_1 v_1^T]_ij W_SN) / sigma(W),
  so for a layer h_out = W_SN h and delta = dV/dh_out (Eq. 15)
      dV/dW = (delta h^T - lambda u_1 v_1^T) / sigma(W),   lambda = delta^T W_SN h = <dV/dW_SN, W_SN>:
  the raw gradient minus its component along the first singular direction, which stops the
  update from merely growing the top singular value. ``sn_weight_gradient`` implements it for any
  upstream gradient dV/dW_SN.
* Spectral-norm *regularisation* (Yoshida & Miyato 2017) instead adds (gamma / 2) sum_l sigma(W_l)^2
  to the loss (``spectral_regulariser``): a soft pull that bounds nothing.
"""
import numpy as np
import torch
from scipy.special import softmax


def log_density_gradient(p, x):
    """d/dx log p(x) for a ``toys.GaussianMixture1D`` at the points ``x`` (NumPy): sum_k r_k (mu_k - x)/s_k^2."""
    x = np.asarray(x, float)[..., None]
    mu, s, w = (np.asarray(v) for v in (p.means, p.stds, p.weights))
    log_terms = np.log(np.maximum(w, 1e-300)) - 0.5 * ((x - mu) / s) ** 2 - np.log(s)
    r = softmax(log_terms, axis=-1)  # responsibilities, stable far in the tails
    return np.sum(r * (mu - x) / s**2, axis=-1)


def optimal_logit(p_data, p_g, x):
    """f*(x) = log q_data(x) - log p_G(x) (Miyato et al. 2018, Eq. 4)."""
    return p_data.log_pdf(x) - p_g.log_pdf(x)


def optimal_logit_gradient(p_data, p_g, x):
    """grad_x f*(x) = grad log q_data(x) - grad log p_G(x) (Miyato et al. 2018, Eq. 5)."""
    return log_density_gradient(p_data, x) - log_density_gradient(p_g, x)


def first_singular_pair(W):
    """(sigma, u_1, v_1) of the matrix W (m, n) from its SVD, with W v_1 = sigma u_1."""
    U, S, Vh = torch.linalg.svd(W.detach())
    return S[0], U[:, 0], Vh[0]


def sn_weight_jacobian(W):
    """d W_SN / d W as a tensor J (m, n, m, n), J[:, :, i, j] = (E_ij - [u_1 v_1^T]_ij W_SN) / sigma (Eq. 14)."""
    sigma, u, v = first_singular_pair(W)
    W_sn = W.detach() / sigma
    m, n = W.shape
    E = torch.eye(m * n, dtype=W.dtype).reshape(m, n, m, n)
    uv = torch.outer(u, v)
    return (E - W_sn[:, :, None, None] * uv[None, None, :, :]) / sigma


def sn_weight_gradient(W, grad_wsn):
    """dV/dW from the upstream gradient dV/dW_SN (= delta h^T summed over a batch), Eq. 15:
    (grad_wsn - lambda u_1 v_1^T) / sigma(W) with lambda = <grad_wsn, W_SN>."""
    sigma, u, v = first_singular_pair(W)
    lam = (grad_wsn * (W.detach() / sigma)).sum()
    return (grad_wsn - lam * torch.outer(u, v)) / sigma


def spectral_regulariser(net, gamma=1.0):
    """(gamma / 2) sum_l sigma(W_l)^2 over the Linear layers of ``net`` (Yoshida & Miyato 2017),
    with the exact sigma from the SVD (differentiable)."""
    ws = [m.weight for m in net.modules() if isinstance(m, torch.nn.Linear)]
    return 0.5 * gamma * sum(torch.linalg.matrix_norm(w, ord=2) ** 2 for w in ws)


def train_discriminator_1d(D, p_data, p_g, steps=500, batch_size=256, lr=2e-3, gamma=0.0, seed=0, device="cpu"):
    """Cross-entropy training of a 1-D discriminator D on samples of two fixed densities, with the
    spectral-norm regulariser (gamma / 2) sum sigma(W_l)^2 added when ``gamma`` > 0 (Yoshida &
    Miyato 2017). Adam (0.5, 0.999). Returns the BCE per step (NumPy)."""
    from . import checks, losses

    steps = checks.positive_int("steps", steps)
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, got {gamma}")
    D.to(device)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    hist = np.empty(steps)
    for t in range(steps):
        x, y = p_data.sample(batch_size, generator=g).to(device), p_g.sample(batch_size, generator=g).to(device)
        bce = losses.d_loss_minimax(D(x), D(y))
        loss = bce + spectral_regulariser(D, gamma) if gamma > 0 else bce
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        hist[t] = float(bce.detach())
    return hist
