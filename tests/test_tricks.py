import math

import numpy as np
import pytest
import torch
from scipy.optimize import minimize_scalar

from gan_course import batched, lab, toys, tricks


def test_feature_matching_loss_is_squared_distance_of_means():
    g = torch.Generator().manual_seed(0)
    hr, hf = torch.randn(3, 7, 5, generator=g), torch.randn(3, 7, 5, generator=g)
    ref = [float(((hr[k].mean(0) - hf[k].mean(0)) ** 2).sum()) for k in range(3)]
    assert np.allclose(batched.feature_matching_loss(hr, hf).numpy(), ref, atol=1e-6)


def test_minibatch_features_match_a_loop():
    torch.manual_seed(0)
    mbd = batched.BatchedMinibatchDiscrimination(2, 6, 3, kernel_dim=4, generators=[torch.Generator().manual_seed(s) for s in (1, 2)])
    h = torch.randn(2, 5, 6)
    o = mbd.features(h)
    for k in range(2):
        M = (h[k] @ mbd.T[k]).detach().view(5, 3, 4)
        for i in range(5):
            for b in range(3):
                ref = sum(math.exp(-float((M[i, b] - M[j, b]).abs().sum())) for j in range(5))
                assert abs(float(o[k, i, b].detach()) - ref) < 1e-5
    assert torch.all(mbd(h) == 0)  # w starts at zero: D starts as the plain MLP


def test_setting_validates_the_tricks():
    with pytest.raises(ValueError, match="feature_matching"):
        batched.Setting(feature_matching=1).validate()
    with pytest.raises(ValueError, match="minibatch_kernels"):
        batched.Setting(minibatch_kernels=-1).validate()
    a, b = batched.Setting(), batched.Setting(feature_matching=True)
    assert a.cost_key() != b.cost_key()
    s = lab.make_setting("nonsaturating", 3, feature_matching=True, minibatch_kernels=4)
    assert s.feature_matching and s.minibatch_kernels == 4 and s.seed == 3


@pytest.mark.parametrize("knobs", [dict(feature_matching=True), dict(minibatch_kernels=3)])
def test_tricks_keep_models_of_a_batch_independent(knobs):
    torch.set_default_dtype(torch.float64)
    try:
        ss = [lab.make_setting("nonsaturating", s, **knobs) for s in (0, 1)]
        both = batched.train_batched(ss, toys.ring8(), 5, width=16, depth=2, batch_size=32, device="cpu", progress=False)
        alone = batched.train_batched(ss[1:], toys.ring8(), 5, width=16, depth=2, batch_size=32, device="cpu",
                                      progress=False)
        plain = batched.train_batched([lab.make_setting("nonsaturating", 1)], toys.ring8(), 5, width=16, depth=2,
                                      batch_size=32, device="cpu", progress=False)
    finally:
        torch.set_default_dtype(torch.float32)
    for (w1, b1), (w2, b2) in zip(both.G.model(1), alone.G.model(0)):
        assert torch.allclose(w1, w2, atol=1e-12) and torch.allclose(b1, b2, atol=1e-12)
    diff = max(float((w1 - w2).abs().max()) for (w1, _), (w2, _) in zip(alone.G.model(0), plain.G.model(0)))
    assert diff > 1e-6  # the trick changes training
    assert np.isfinite(both.g_loss).all()


def test_smoothed_loss_is_cross_entropy_with_soft_targets():
    r, f = torch.tensor([0.3, -1.2, 2.0]), torch.tensor([0.5, -0.4])
    a, b = 0.9, 0.2
    s = torch.sigmoid
    ref = (-(a * torch.log(s(r)) + (1 - a) * torch.log(1 - s(r)))).mean() + \
          (-(b * torch.log(s(f)) + (1 - b) * torch.log(1 - s(f)))).mean()
    assert abs(float(tricks.d_loss_smoothed(r, f, a, b)) - float(ref)) < 1e-6
    with pytest.raises(ValueError):
        tricks.d_loss_smoothed(r, f, 1.5)


@pytest.mark.parametrize("alpha,beta", [(1.0, 0.0), (0.9, 0.0), (0.9, 0.1)])
def test_smoothed_optimal_d_minimises_the_pointwise_loss(alpha, beta):
    for pd, pm in [(0.3, 0.1), (0.05, 2.0), (1.0, 1.0)]:
        loss = lambda d: -(pd * (alpha * math.log(d) + (1 - alpha) * math.log(1 - d))  # noqa: E731
                           + pm * (beta * math.log(d) + (1 - beta) * math.log(1 - d)))
        opt = minimize_scalar(loss, bounds=(1e-9, 1 - 1e-9), method="bounded", options=dict(xatol=1e-10)).x
        assert abs(opt - tricks.smoothed_optimal_discriminator(pd, pm, alpha, beta)) < 1e-5


def test_nonsaturating_gradient_by_finite_differences():
    pd = toys.gaussian1d(0.0, 1.0)
    pm = toys.gaussian1d(2.5, 0.7)
    x, h = np.linspace(-1, 4, 11), 1e-5

    def dens(p, v):
        return p.pdf(v), (p.pdf(v + h) - p.pdf(v - h)) / (2 * h)

    for a, b in [(1.0, 0.0), (0.9, 0.0), (0.9, 0.1)]:
        f = lambda v: -np.log(tricks.smoothed_optimal_discriminator(pd.pdf(v), pm.pdf(v), a, b))  # noqa: E731
        fd = (f(x + h) - f(x - h)) / (2 * h)
        (p_d, dp_d), (p_m, dp_m) = dens(pd, x), dens(pm, x)
        an = tricks.nonsaturating_gradient(p_d, p_m, dp_d, dp_m, alpha=a, beta=b)
        assert np.allclose(an, fd, rtol=1e-4, atol=1e-7)


def test_virtual_batch_norm_matches_formula_and_ignores_batch_mates():
    g = torch.Generator().manual_seed(0)
    ref, x, other = (torch.randn(n, 4, generator=g) for n in (16, 8, 8))
    vbn = tricks.VirtualBatchNorm1d(4).set_reference(ref)
    y = vbn(x)
    for i in range(8):
        both = torch.cat([ref, x[i : i + 1]])
        expect = (x[i] - both.mean(0)) / torch.sqrt(both.var(0, unbiased=False) + 1e-5)
        assert torch.allclose(y[i], expect, atol=1e-5)
    assert tricks.batch_dependence(vbn, x, other) < 1e-6
    bn = torch.nn.BatchNorm1d(4).train()
    assert tricks.batch_dependence(bn, x, other) > 1e-2
    with pytest.raises(RuntimeError):
        tricks.VirtualBatchNorm1d(4)(x)


def test_hidden_noise_raises_the_support_dimension():
    r0, s0 = tricks.support_dimension(tricks.NoisyGenerator(1, 2, 16, sigma=0.0), n_points=20)
    r1, s1 = tricks.support_dimension(tricks.NoisyGenerator(1, 2, 16, sigma=0.5), n_points=20)
    assert (r0 <= 1).all() and (r1 == 2).sum() >= 15
    # independent check: a 1-D latent's Jacobian is one column, so rank <= 1 whatever the weights
    assert s0.shape[1] == 2 and np.all(s0[:, 1] < 1e-6 * np.maximum(s0[:, 0], 1e-30) + 1e-12)


# ----------------------------------------------------------------------------------------------
# noise in D's hidden layers
# ----------------------------------------------------------------------------------------------
def test_noisy_discriminator_mean_logit_matches_the_gaussian_relu_formula():
    # one hidden layer: E_e logit = sum_j w_j E relu(a_j + sigma e_j) + b, with
    # E relu(N(a, s^2)) = a Phi(a / s) + s phi(a / s)
    from scipy.stats import norm

    sigma = 2.0
    D = tricks.NoisyDiscriminator(1, width=8, depth=1, sigma=sigma, seed=3)
    x = torch.tensor([[0.3], [-1.2]])
    with torch.no_grad():
        a = D.hidden[0](x).double().numpy()  # (2, 8) pre-activations
        w, b = D.out.weight.double().numpy()[0], float(D.out.bias)
        exact = (a * norm.cdf(a / sigma) + sigma * norm.pdf(a / sigma)) @ w + b
        torch.manual_seed(0)
        mc = D(x.repeat(100_000, 1)).view(100_000, 2).double().numpy()  # rows alternate x[0], x[1]
        clean = (np.maximum(a, 0) @ w + b)
    se = mc.std(0) / np.sqrt(len(mc))
    assert np.all(np.abs(mc.mean(0) - exact) < 4 * se), (mc.mean(0), exact, se)
    assert np.all(np.abs(clean - exact) > 10 * se)  # the test can tell noise from no noise


def test_rescaling_a_layer_divides_its_noise():
    # W1, b1 -> c W1, c b1 and W2 -> W2 / c: the same network with layer 1's noise sigma / c (same draws)
    c, sigma = 4.0, 0.5
    D = tricks.NoisyDiscriminator(1, width=6, depth=2, sigma=sigma, seed=1)
    Dc = tricks.NoisyDiscriminator(1, width=6, depth=2, sigma=sigma, seed=1)
    with torch.no_grad():
        Dc.hidden[0].weight.mul_(c), Dc.hidden[0].bias.mul_(c), Dc.hidden[1].weight.div_(c)
        x = torch.linspace(-2, 2, 11)[:, None]
        e1, e2 = torch.randn(11, 6), torch.randn(11, 6)
        assert torch.allclose(Dc(x, [e1, e2]), D(x, [e1 / c, e2]), atol=1e-5)
        assert torch.allclose(Dc(x, [0 * e1, 0 * e2]), D(x, [0 * e1, 0 * e2]), atol=1e-5)  # same clean function
        assert not torch.allclose(Dc(x, [e1, e2]), D(x, [e1, e2]), atol=1e-3)


def test_noisy_discriminator_effect_without_noise_is_the_figure2_push():
    from gan_course import wgan_figure2

    D = tricks.NoisyDiscriminator(1, width=16, depth=2, sigma=0.0, seed=0)
    xr, xf = torch.randn(50, 1), torch.randn(50, 1) + 3
    eff = tricks.noisy_discriminator_effect(D, xr, xf, draws=3)
    ref = wgan_figure2.minimax_generator_gradient(D, xf.numpy()[:, 0])
    assert eff["push"] == pytest.approx(ref.mean(), rel=1e-4)
    with torch.no_grad():
        assert eff["d_fake"] == pytest.approx(float(torch.sigmoid(D(xf)).mean()), rel=1e-5)
    assert eff["w1_norm"] == pytest.approx(float(D.hidden[0].weight.detach().norm()))
    with pytest.raises(ValueError, match="sigma"):
        tricks.NoisyDiscriminator(sigma=-1.0)


def test_output_across_batches_against_the_batch_norm_formula():
    torch.manual_seed(0)
    x0 = torch.randn(1, 4)
    bn = torch.nn.BatchNorm1d(4).train()
    got = tricks.output_across_batches(bn, x0, n_batches=3, n_mates=5, seed=7)
    for k, v in enumerate(got):  # (x - batch mean) / sqrt(biased batch variance + eps), feature 0
        b = torch.cat([x0, torch.randn(5, 4, generator=torch.Generator().manual_seed(7 + k))])[:, 0]
        assert v == pytest.approx(float((b[0] - b.mean()) / torch.sqrt(b.var(unbiased=False) + bn.eps)), abs=1e-5)
    vbn = tricks.VirtualBatchNorm1d(4).set_reference(torch.randn(16, 4))
    assert np.ptp(tricks.output_across_batches(vbn, x0, n_batches=3, n_mates=5)) == 0
