"""WGAN pieces checked against the paper's numbers, closed forms and the exact W1 (linear assignment)."""
import numpy as np
import pytest
import torch
from torch import nn

from gan_course import divergences, nets, penalties, toys, wgan


def test_paper_defaults():
    c = wgan.WGAN_DEFAULTS  # Arjovsky et al. 2017, Algorithm 1
    assert (c.optimizer, c.lr_d, c.lr_g, c.clip, c.n_critic, c.batch_size, c.loss) == ("rmsprop", 5e-5, 5e-5, 0.01, 5, 64, "wasserstein")
    gp = wgan.WGAN_GP_DEFAULTS  # Gulrajani et al. 2017, Algorithm 1
    assert (gp.optimizer, gp.lr_d, gp.betas, gp.n_critic, gp.penalty_weight, gp.clip) == ("adam", 1e-4, (0.0, 0.9), 5, 10.0, None)
    assert gp.penalty is penalties.gradient_penalty
    assert wgan.wgan_config(steps=7).steps == 7 and wgan.WGAN_DEFAULTS.steps != 7  # a copy, defaults untouched
    with pytest.raises(ValueError):
        wgan.wgan_config(clip=-1.0)


def test_clip_weights():
    torch.manual_seed(0)
    net = nets.Discriminator(2, 16, 2)
    before = [p.detach().clone() for p in net.parameters()]
    wgan.clip_weights_(net, 0.05)
    for b, p in zip(before, net.parameters()):
        assert torch.equal(p, b.clamp(-0.05, 0.05))
    with pytest.raises(ValueError):
        wgan.clip_weights_(net, 0.0)


class FirstCoordinate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return x[:, 0] + 0 * self.dummy


def test_linear_critic_gives_exact_w1_of_a_translation():
    """For Q = P shifted by (s, 0), f(x) = x_1 is optimal and W1 = s (Arjovsky et al. 2017, Eq. 2)."""
    x = toys.ring8().sample(300, seed=0).double()
    y = x + torch.tensor([0.7, 0.0], dtype=torch.float64)
    est = wgan.critic_w1_estimate(FirstCoordinate().double(), y, x)
    assert est == pytest.approx(0.7, abs=1e-12)
    assert divergences.w1_exact(x, y) == pytest.approx(0.7, abs=1e-9)


def test_weak_duality_for_1_lipschitz_functions():
    """Every 1-Lipschitz f gives E_r f - E_g f <= exact W1 on the same samples (distance functions are 1-Lipschitz)."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + [1.0, 0.5]
    w = divergences.w1_exact(x, y)
    best = 0.0
    for _ in range(200):
        p = rng.normal(size=2) * 3
        f = lambda z: -np.linalg.norm(z - p, axis=1)
        est = f(y).mean() - f(x).mean()
        assert est <= w + 1e-12
        best = max(best, est)
    assert best > 0.5 * w  # and they are not trivially small


def test_train_critic_estimates_w1_with_gradient_penalty():
    g = toys.IsotropicMixture2D("gauss", np.zeros((1, 2)), 0.5)
    shifted = toys.IsotropicMixture2D("shifted", np.array([[1.5, 0.0]]), 0.5)  # W1 = 1.5 exactly
    torch.manual_seed(0)
    f = nets.Discriminator(2, 32, 2)
    hist = wgan.train_critic(f, shifted, g, steps=300, lr=1e-3, penalty=penalties.gradient_penalty, device="cpu")
    est = wgan.critic_w1_estimate(f, shifted.sample(4000, seed=1), g.sample(4000, seed=2))
    assert abs(est - 1.5) < 0.15 * 1.5, est
    assert len(hist.steps) == len(hist.estimate) == 30


def test_clipped_critic_stays_clipped():
    torch.manual_seed(0)
    f = nets.Discriminator(2, 16, 2)
    wgan.train_critic(f, toys.ring8(), wgan.NoisyData(toys.ring8()), steps=50, optimizer="rmsprop", lr=1e-3,
                      clip=0.01, device="cpu")
    assert max(p.abs().max().item() for p in f.parameters()) <= 0.01
    assert wgan.fraction_near_clip(f, 0.01) > 0.5  # lr 1e-3 >> c: weights pushed to +-c within 50 steps


def test_fraction_near_clip_counts_weights_only():
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[0.01, -0.0099], [0.0098, 0.0]]))  # 2 of 4 within 1% of c = 0.01
        net[2].weight.copy_(torch.tensor([[-0.01, 0.005]]))  # 1 of 2
        net[0].bias.fill_(0.01)  # biases are not counted
    assert wgan.fraction_near_clip(net, 0.01) == pytest.approx(3 / 6)


def test_layer_gradient_norms_by_hand():
    """Two-layer net with all ReLUs active: f(x) = w2 . (W1 x + b1) + b2."""
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).double()
    W1 = torch.tensor([[1.0, 0.5], [0.2, 0.3], [0.4, 1.0]], dtype=torch.float64)
    w2 = torch.tensor([[2.0, -1.0, 0.5]], dtype=torch.float64)
    with torch.no_grad():
        net[0].weight.copy_(W1), net[0].bias.fill_(1.0), net[2].weight.copy_(w2), net[2].bias.zero_()
    f = lambda x: net(x).squeeze(-1)
    f.parameters = net.parameters
    f.modules = net.modules
    real = torch.rand(5, 2, dtype=torch.float64)  # positive inputs keep every ReLU active
    fake = torch.rand(7, 2, dtype=torch.float64)
    act = wgan.layer_gradient_norms(f, real, fake)
    # L = mean f(fake) - mean f(real): dL/dx_i = -/+ (w2 W1)/N per sample, dL/dh_i = -/+ w2/N
    v1, v2 = (w2 @ W1).norm().item(), w2.norm().item()
    expect = [np.sqrt(5 / 25 + 7 / 49) * v for v in (v1, v2)]
    assert act == pytest.approx(expect, rel=1e-12)
    wts = wgan.layer_gradient_norms(f, real, fake, wrt="weights")
    h = torch.relu(torch.cat([real, fake]) @ W1.T + 1.0)
    sign = torch.cat([-torch.ones(5, dtype=torch.float64) / 5, torch.ones(7, dtype=torch.float64) / 7])
    dW2 = (sign[:, None] * h).sum(0)  # dL/dw2
    dW1 = w2.T * (sign[:, None] * torch.cat([real, fake])).sum(0)  # dL/dW1 = w2^T (sum sign x)^T
    assert wts == pytest.approx([dW1.norm().item(), dW2.norm().item()], rel=1e-12)


def test_noisy_data_is_data_plus_unit_noise():
    x = wgan.NoisyData(toys.ring8(), 1.0).sample(20000, seed=0).numpy()
    r = toys.ring8().sample(20000, seed=1).numpy()
    assert x.var(0) == pytest.approx(r.var(0) + 1.0, rel=0.05)  # Var(x + e) = Var x + 1


def test_w1_tracker_matches_exact():
    """The snapshot holds E_r D - E_g D and the assignment W1 of the same draws (replayed here)."""
    torch.manual_seed(0)
    G, D = nets.Generator(2, 2, 8, 1), nets.Discriminator(2, 8, 1)
    ring = toys.ring8()
    torch.manual_seed(5)
    snap = wgan.w1_tracker(ring, n=100, seed=3)(G, D)
    torch.manual_seed(5)  # the tracker draws z from the global generator: replay it
    with torch.no_grad():
        x_g = G(G.sample_latent(100, None))
        x_r = ring.sample(100, generator=torch.Generator().manual_seed(3))
        critic = (D(x_r).mean() - D(x_g).mean()).item()
    assert snap["exact_w1"] == pytest.approx(divergences.optimal_coupling(x_r, x_g)[0], rel=1e-12)
    assert snap["critic_w"] == pytest.approx(critic, rel=1e-6)
