import pytest
import torch
import torch.nn as nn

from gan_course import spectral
from gan_course.penalties import input_gradient_norm


def test_power_iteration_converges_to_the_largest_singular_value():
    W = torch.randn(20, 30, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    sigma, u, v = spectral.power_iteration(W, n_iter=500, generator=torch.Generator().manual_seed(1))
    exact = torch.linalg.svdvals(W)[0]
    assert abs(float(sigma) - float(exact)) < 1e-8 * float(exact)
    assert torch.allclose(W @ v, sigma * u, atol=1e-6)  # (u, v) is the top singular pair


def test_one_iteration_per_step_tracks_a_slowly_changing_weight():
    g = torch.Generator().manual_seed(0)
    U, _ = torch.linalg.qr(torch.randn(32, 32, generator=g))
    V, _ = torch.linalg.qr(torch.randn(64, 32, generator=g))
    s = torch.linspace(2.0, 0.1, 32)
    W0 = U @ torch.diag(s) @ V.T
    drift = 0.002 * torch.randn(32, 64, generator=g)
    est, exact = spectral.track_sigma([W0 + t * drift for t in range(30)])
    assert torch.allclose(exact[0], s[0], rtol=1e-5)
    rel = (est - exact).abs() / exact
    assert rel[0] > 0.01  # a random start is far off ...
    assert (rel[20:] < 0.01).all()  # ... and carrying u over closes the gap within 20 steps


@pytest.mark.parametrize("make", [lambda: nn.Linear(40, 30), lambda: nn.Conv2d(3, 8, 4, 2, 1),
                                  lambda: nn.ConvTranspose2d(8, 4, 4, 2, 1)])
def test_wrapper_agrees_with_torch_spectral_norm(make):
    torch.manual_seed(0)
    ref = nn.utils.parametrizations.spectral_norm(make())
    ours = spectral.SpectralNorm(make())
    with torch.no_grad():  # the same weight in both, with a spectral gap (sigma_2 / sigma_1 = 0.8)
        M = spectral.weight_matrix(ref.parametrizations.weight.original, ours.dim)
        U, S, Vh = torch.linalg.svd(M, full_matrices=False)
        M = U @ torch.diag(torch.linspace(1.0, 0.8, len(S)) * torch.tensor([1.25] + [1.0] * (len(S) - 1))) @ Vh
        w = M.reshape(ref.parametrizations.weight.original.movedim(ours.dim, 0).shape).movedim(0, ours.dim)
        ref.parametrizations.weight.original.copy_(w)
        ours.weight_orig.copy_(w)
    x = torch.randn(2, 40) if isinstance(ours.layer, nn.Linear) else torch.randn(2, ours.layer.in_channels, 8, 8)
    for _ in range(100):
        ref(x), ours(x)
    ref.eval(), ours.eval()
    w_ref = ref.weight
    w_ours = ours.normalized_weight()
    assert torch.allclose(w_ours, w_ref, rtol=1e-4, atol=1e-6)
    # both divide by sigma of the weight read as a matrix (output channels first)
    assert abs(float(spectral.spectral_norm_exact(w_ours, ours.dim)) - 1) < 1e-4
    with torch.no_grad():
        ours.layer.bias.copy_(ref.bias)
    assert torch.allclose(ours(x), ref(x), atol=1e-5)


def test_u_is_persisted_and_frozen_in_eval_mode():
    a = spectral.SpectralNorm(nn.Linear(10, 5), seed=1)
    a(torch.randn(3, 10))
    sd = a.state_dict()
    assert "u" in sd and "weight_orig" in sd
    b = spectral.SpectralNorm(nn.Linear(10, 5), seed=2)
    b.load_state_dict(sd)
    assert torch.equal(b.u, a.u)
    b.eval()
    u = b.u.clone()
    b(torch.randn(3, 10))
    assert torch.equal(b.u, u)


def test_operator_norm_of_a_convolution_matches_its_matrix():
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 4, 2, 1)
    shape = (2, 6, 6)
    eye = torch.eye(72).reshape(72, *shape)
    with torch.no_grad():
        M = (conv(eye) - conv(torch.zeros(1, *shape))).reshape(72, -1).T  # the linear map as a matrix
    exact = float(torch.linalg.matrix_norm(M.double(), ord=2))
    assert abs(spectral.operator_norm(conv, shape, n_iter=500) - exact) < 1e-4 * exact
    lin = nn.Linear(7, 5)
    assert abs(spectral.operator_norm(lin, (7,), 500) - float(spectral.spectral_norm_exact(lin.weight))) < 1e-4


def test_input_gradients_of_an_sn_critic_stay_below_the_bound():
    torch.manual_seed(0)
    net = nn.Sequential(spectral.SpectralNorm(nn.Conv2d(1, 8, 4, 2, 1)), nn.LeakyReLU(0.2),
                        spectral.SpectralNorm(nn.Conv2d(8, 16, 4, 2, 1)), nn.LeakyReLU(0.2), nn.Flatten(),
                        spectral.SpectralNorm(nn.Linear(16 * 16, 1)))
    for _ in range(50):
        net(torch.randn(4, 1, 16, 16))
    net.eval()
    bound = spectral.lipschitz_bound(net, (1, 16, 16))
    norms = input_gradient_norm(lambda x: net(x).flatten(), torch.randn(256, 1, 16, 16), create_graph=False)
    assert norms.max() <= bound * (1 + 1e-5)
    assert norms.max() > 0.01 * bound  # the bound is not vacuous here


def test_clear_errors():
    with pytest.raises(ValueError):
        spectral.power_iteration(torch.randn(3, 3, 3))
    with pytest.raises(ValueError):
        spectral.power_iteration(torch.randn(3, 4), u=torch.randn(4))
    with pytest.raises(TypeError):
        spectral.SpectralNorm(nn.ReLU())
    with pytest.raises(ValueError):
        spectral.lipschitz_bound(nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3)), (3,))
