"""An independent oracle for ``training.train_gan``: a hand-written loop in float64.

The loop below is written from Goodfellow et al. (2014), Algorithm 1, in the style of
benchmarks/reference.py (plain ``nn.Sequential`` MLPs, Adam, BCE-with-logits losses written out),
with instance noise N(0, sigma^2 I) added to *both* of D's inputs (Sønderby et al. 2017). It draws
its random numbers in the order ``train_gan`` documents (data from a CPU generator seeded s;
latents, then noise on the real batch, then noise on the fake batch, from a generator seeded
s + 1), so after a few steps the two must hold the same weights to rounding. Any change to what
train_gan computes (a loss, which inputs get noise, the number of D steps, the optimizer's
settings) moves the weights and fails the test.
"""
import copy

import pytest
import torch
import torch.nn.functional as F

import gan_course as gc


@pytest.fixture
def float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # Adam keeps its step in the default dtype
    yield
    torch.set_default_dtype(old)


def oracle(G, D, real, steps, batch, lr_d, lr_g, betas, k_d, loss, sigma, seed):
    """Train copies of (G, D); return them. ``loss``: "nonsaturating" or "minimax" (Goodfellow et al. 2014)."""
    G, D = copy.deepcopy(G), copy.deepcopy(D)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=betas)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr_g, betas=betas)
    g_data = torch.Generator().manual_seed(seed)
    g_lat = torch.Generator().manual_seed(seed + 1)

    def noise(x):
        return x + sigma * torch.randn(x.shape, generator=g_lat) if sigma > 0 else x

    for _ in range(steps):
        # (1) update D k_d times: -E log D(x + n) - E log(1 - D(G(z) + n'))
        for _ in range(k_d):
            x = real.sample(batch, generator=g_data)
            with torch.no_grad():
                fake = G.net(torch.randn((batch, 2), generator=g_lat))
            r, f = D.net(noise(x))[:, 0], D.net(noise(fake))[:, 0]
            loss_d = F.binary_cross_entropy_with_logits(r, torch.ones_like(r)) + \
                F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
        # (2) update G once, through a noisy D as well
        f = D.net(noise(G.net(torch.randn((batch, 2), generator=g_lat))))[:, 0]
        if loss == "nonsaturating":
            loss_g = F.binary_cross_entropy_with_logits(f, torch.ones_like(f))  # -E log D(G(z))
        else:
            loss_g = -F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))  # E log(1 - D(G(z)))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return G, D


def max_gap(a, b):
    return max((p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters()))


@pytest.mark.parametrize("loss, k_d, sigma", [("nonsaturating", 1, 0.0), ("nonsaturating", 2, 0.3),
                                              ("minimax", 1, 0.1)])
def test_train_gan_matches_a_hand_written_loop(float64, loss, k_d, sigma):
    G0, D0 = gc.batched.init_pair(3, width=16, depth=2)
    want_G, want_D = oracle(G0, D0, gc.toys.ring8(), steps=6, batch=32, lr_d=2e-3, lr_g=1e-3, betas=(0.5, 0.999),
                            k_d=k_d, loss=loss, sigma=sigma, seed=3)
    G, D = copy.deepcopy(G0), copy.deepcopy(D0)
    gc.training.train_gan(G, D, gc.toys.ring8(), steps=6, batch_size=32, lr_d=2e-3, lr_g=1e-3, betas=(0.5, 0.999),
                          n_critic=k_d, loss=loss, noise_sigma=sigma or None, seed=3, device="cpu", progress=False)
    assert max_gap(G, G0) > 1e-4 and max_gap(D, D0) > 1e-4, "training should move the weights"
    assert max_gap(G, want_G) < 1e-12 and max_gap(D, want_D) < 1e-12


def test_the_oracle_tells_noise_on_fakes_apart(float64):
    # the oracle is sensitive: dropping the noise on the fake batch only (a planted bug) moves the weights
    G0, D0 = gc.batched.init_pair(3, width=16, depth=2)
    right_G, _ = oracle(G0, D0, gc.toys.ring8(), 4, 32, 2e-3, 1e-3, (0.5, 0.999), 1, "nonsaturating", 0.3, 3)
    G, D = copy.deepcopy(G0), copy.deepcopy(D0)
    gc.training.train_gan(G, D, gc.toys.ring8(), steps=4, batch_size=32, lr_d=2e-3, lr_g=1e-3, n_critic=1,
                          noise_sigma=0.3, seed=3, device="cpu", progress=False)
    no_noise_G, _ = oracle(G0, D0, gc.toys.ring8(), 4, 32, 2e-3, 1e-3, (0.5, 0.999), 1, "nonsaturating", 0.0, 3)
    assert max_gap(G, right_G) < 1e-12 and max_gap(G, no_noise_G) > 1e-6


def test_instance_noise_reaches_every_input_of_d():
    # G made constant (last layer's weights 0): without noise every fake input of D is the same point,
    # with noise sigma they scatter with std sigma, in D's update and in G's update alike
    for sigma in (0.0, 0.5):
        G, D = gc.batched.init_pair(0, width=16, depth=2)
        with torch.no_grad():
            G.net[-1].weight.zero_()
        seen = []
        D.register_forward_pre_hook(lambda mod, args: seen.append(args[0].detach().clone()))
        gc.training.train_gan(G, D, gc.toys.ring8(), steps=1, batch_size=4000, lr_g=1e-12, n_critic=1,
                              noise_sigma=sigma or None, seed=0, device="cpu", progress=False)
        real_in, fake_in, g_step_in = seen[:3]  # D(real), D(fake) in the D step, then D(G(z)) in the G step
        ring_std = gc.toys.ring8().sample(4000, seed=1).std(0)
        for x in (fake_in, g_step_in):
            assert x.std(0) == pytest.approx(torch.full((2,), sigma), abs=0.03), f"sigma {sigma}: fake inputs"
        assert real_in.std(0) ** 2 == pytest.approx(ring_std**2 + sigma**2, rel=0.1), f"sigma {sigma}: real inputs"
