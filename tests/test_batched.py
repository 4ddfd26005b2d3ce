"""Batched training: model k of a batch follows the solo run of training.train_gan (float64)."""
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_course import batched, penalties, toys, training
from gan_course.batched import Setting


@pytest.fixture
def float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def solo_weights(G, D):
    lin = lambda m: [l for l in m.modules() if isinstance(l, torch.nn.Linear)]
    raw = lambda l: l.parametrizations.weight.original if hasattr(l, "parametrizations") else l.weight
    return [(raw(l).detach(), l.bias.detach()) for l in lin(G) + lin(D)]


def batched_weights(res, k):
    return res.G.model(k) + res.D.model(k)


def solo_gp(seed, B):
    """An independent single-model gradient penalty with the batched run's interpolation stream."""
    g = torch.Generator().manual_seed(seed + 3)

    def penalty(D, real, fake):
        eps = torch.rand((B, 1), generator=g)
        x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
        return ((grad.norm(dim=1) - 1) ** 2).mean()
    return penalty


def add_torch_sn(D, seed):
    """torch's own spectral_norm parametrization, started from the batched run's u, v."""
    g = torch.Generator().manual_seed(seed + 4)
    for lin in [l for l in D.modules() if isinstance(l, torch.nn.Linear)]:
        torch.nn.utils.parametrizations.spectral_norm(lin)
        sn = lin.parametrizations.weight[0]
        with torch.no_grad():
            sn._u.copy_(F.normalize(torch.randn(sn._u.shape, generator=g), dim=0))
            sn._v.copy_(F.normalize(torch.randn(sn._v.shape, generator=g), dim=0))
            sn._power_method(lin.parametrizations.weight.original, 15)
    return D


def solo_noise(s):
    """The solo trainer's instance-noise schedule: sigma, or sigma (1 - t / T) when annealed."""
    if s.noise_decay:
        return lambda t, T: s.noise_sigma * (1 - t / T)
    return s.noise_sigma or None


def solo_r(s):
    """R1/R2 of the solo trainer: gamma1 penalties.r1_penalty + gamma2 penalties.r2_penalty (None if both 0)."""
    return penalties.r1_r2_penalty(s.r1_weight, s.r2_weight) if s.r1_weight or s.r2_weight else None


def run_solo(s, steps, B, width, depth):
    G, D = batched.init_pair(s.seed, width, depth)
    if s.spectral_norm:
        add_torch_sn(D, s.seed)
    training.train_gan(G, D, toys.ring8(), steps=steps, batch_size=B, lr_d=s.lr_d, lr_g=s.lr_g, betas=s.betas,
                       optimizer=s.optimizer, n_critic=s.n_critic, loss=s.loss, clip=s.clip,
                       penalty=solo_gp(s.seed, B) if s.penalty_weight > 0 else solo_r(s),
                       penalty_weight=s.penalty_weight or 1.0, noise_sigma=solo_noise(s),
                       seed=s.seed, device="cpu", progress=False)
    return solo_weights(G, D)


CASES = {
    "mixed losses, lr and noise": [
        Setting("nonsaturating", seed=3, lr_d=1e-3, lr_g=2e-3, n_critic=1, betas=(0.5, 0.999)),
        Setting("hinge", seed=7, lr_d=3e-4, lr_g=1e-4, n_critic=1, noise_sigma=0.1, betas=(0.5, 0.999)),
        Setting("least_squares", seed=11, lr_d=1e-3, lr_g=1e-3, n_critic=1, betas=(0.5, 0.999)),
        Setting("minimax", seed=5, lr_d=5e-4, lr_g=5e-4, n_critic=1, noise_sigma=0.3, betas=(0.5, 0.999)),
    ],
    "annealed instance noise": [
        Setting("nonsaturating", seed=8, lr_d=1e-3, lr_g=1e-3, n_critic=1, noise_sigma=0.5, noise_decay=True,
                betas=(0.5, 0.999)),
        Setting("hinge", seed=12, lr_d=1e-3, lr_g=1e-3, n_critic=1, noise_sigma=0.2, noise_decay=True,
                betas=(0.5, 0.999)),
        Setting("hinge", seed=13, lr_d=1e-3, lr_g=1e-3, n_critic=1, noise_sigma=0.2, betas=(0.5, 0.999))],
    "WGAN-GP": [Setting("wasserstein", seed=s, lr_d=1e-3, lr_g=1e-3, n_critic=2, penalty_weight=w)
                for s, w in ((0, 10.0), (1, 0.1))],
    "hinge + SN": [Setting("hinge", seed=s, lr_d=2e-3, lr_g=1e-3, n_critic=2, spectral_norm=True) for s in (2, 9)],
    "R1 and R2": [Setting("nonsaturating", seed=s, lr_d=1e-3, lr_g=1e-3, n_critic=2, betas=(0.5, 0.999), r1_weight=g1,
                          r2_weight=g2) for s, g1, g2 in ((14, 1.0, 0.0), (15, 0.3, 3.0), (16, 0.0, 10.0))],
    "WGAN clipping + RMSProp": [Setting("wasserstein", seed=s, lr_d=5e-4, lr_g=5e-4, n_critic=3, clip=c,
                                        optimizer="rmsprop") for s, c in ((4, 0.01), (6, 0.05))],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_model_k_of_a_batch_matches_its_solo_run(float64, case):
    settings, steps, B, width, depth = CASES[case], 25, 32, 16, 2
    res = batched.train_batched(settings, toys.ring8(), steps, width=width, depth=depth, batch_size=B,
                                device="cpu", progress=False)
    assert all(d is None for d in res.diverged_at)
    for k, s in enumerate(settings):
        solo = run_solo(s, steps, B, width, depth)
        moved = max((w - w0).abs().max().item() for (w, _), (w0, _) in
                    zip(solo, solo_weights(*batched.init_pair(s.seed, width, depth))))
        assert moved > 1e-3, "training should have moved the weights"
        err = max(max((a - b).abs().max().item() for a, b in zip(p, q)) for p, q in zip(solo, batched_weights(res, k)))
        assert err < 1e-10, f"{case}: model {k} differs from its solo run by {err:.2e}"


def run_relativistic_solo(s, steps, B, width, depth):
    """An independent one-model loop of the relativistic pairing loss with R1 + R2 (Huang et al. 2024),
    drawing from the batched run's streams: data seeded s, latents s + 1; G's step scores a fresh real batch."""
    G, D = batched.init_pair(s.seed, width, depth)
    opt_d = torch.optim.Adam(D.parameters(), lr=s.lr_d, betas=s.betas)
    opt_g = torch.optim.Adam(G.parameters(), lr=s.lr_g, betas=s.betas)
    g_data, g_lat = torch.Generator().manual_seed(s.seed), torch.Generator().manual_seed(s.seed + 1)
    ring, dt = toys.ring8(), torch.get_default_dtype()
    for _ in range(steps):
        for _ in range(s.n_critic):
            x = ring.sample(B, generator=g_data).to(dt).requires_grad_(True)
            with torch.no_grad():
                xf = G(torch.randn((B, 2), generator=g_lat))
            xf.requires_grad_(True)
            dr, df = D(x), D(xf)
            (gr,) = torch.autograd.grad(dr.sum(), x, create_graph=True)
            (gf,) = torch.autograd.grad(df.sum(), xf, create_graph=True)
            loss = -F.logsigmoid(dr - df).mean() + s.r1_weight / 2 * gr.pow(2).sum(1).mean() \
                + s.r2_weight / 2 * gf.pow(2).sum(1).mean()
            opt_d.zero_grad()
            loss.backward()
            opt_d.step()
        df = D(G(torch.randn((B, 2), generator=g_lat)))
        loss = -F.logsigmoid(df - D(ring.sample(B, generator=g_data).to(dt))).mean()
        opt_g.zero_grad()
        loss.backward()
        opt_g.step()
    return solo_weights(G, D)


def test_relativistic_pairing_with_r1_r2_matches_an_independent_loop(float64):
    settings = [Setting("relativistic", seed=s, lr_d=1e-3, lr_g=2e-3, n_critic=n, betas=(0.0, 0.99), r1_weight=g1,
                        r2_weight=g2) for s, n, g1, g2 in ((3, 1, 1.0, 1.0), (4, 1, 0.1, 2.0))]
    res = batched.train_batched(settings, toys.ring8(), 20, width=16, depth=2, batch_size=32, device="cpu",
                                progress=False)
    for k, s in enumerate(settings):
        solo = run_relativistic_solo(s, 20, 32, 16, 2)
        err = max(max((a - b).abs().max().item() for a, b in zip(p, q)) for p, q in zip(solo, batched_weights(res, k)))
        assert err < 1e-10, f"model {k} differs from the independent loop by {err:.2e}"


def test_float32_batch_matches_solo_over_a_few_steps():
    s = [Setting("nonsaturating", seed=1, lr_d=1e-3, lr_g=1e-3, n_critic=1), Setting("hinge", seed=2, n_critic=1)]
    res = batched.train_batched(s, toys.ring8(), 3, width=32, depth=2, batch_size=64, device="cpu", progress=False)
    for k in range(2):
        solo = run_solo(s[k], 3, 64, 32, 2)
        err = max(max((a - b).abs().max().item() for a, b in zip(p, q)) for p, q in zip(solo, batched_weights(res, k)))
        assert err < 1e-5, f"model {k}: {err:.2e}"


def test_batched_spectral_norm_converges_to_svd():
    torch.manual_seed(0)
    w = torch.randn(3, 20, 7)
    sn = batched.BatchedSpectralNorm([w], [torch.Generator().manual_seed(k) for k in range(3)], n_init_iterations=100)
    exact = torch.linalg.matrix_norm(w, ord=2)
    est = sn.sigma([w])[0]
    assert torch.allclose(est, exact, rtol=1e-5), f"{est} vs SVD {exact}"
    normed = sn([w], update=False)[0]
    assert torch.allclose(torch.linalg.matrix_norm(normed, ord=2), torch.ones(3), rtol=1e-5)


def test_batched_gradient_penalty_of_linear_critics_is_exact():
    # f_k(x) = a_k . x + c has gradient a_k everywhere: penalty (|a_k| - 1)^2
    a = torch.tensor([[3.0, 4.0], [0.6, 0.8], [0.0, 0.5]])  # norms 5, 1, 0.5
    D = batched.BatchedMLP([a[:, :, None]], [torch.zeros(3, 1, 1)])
    x, y, eps = torch.randn(3, 10, 2), torch.randn(3, 10, 2), torch.rand(3, 10, 1)
    gp = batched.batched_gradient_penalty(D, x, y, eps)
    assert torch.allclose(gp, torch.tensor([16.0, 0.0, 0.25]), atol=1e-6), gp


def test_clear_errors():
    with pytest.raises(ValueError, match="different cost"):
        batched.train_batched([Setting(n_critic=1), Setting(n_critic=5)], toys.ring8(), 2, progress=False)
    with pytest.raises(ValueError, match="lr_d"):
        batched.train_batched([Setting(lr_d=-1)], toys.ring8(), 2, progress=False)
    with pytest.raises(ValueError, match="unknown loss"):
        batched.train_batched([Setting(loss="foo")], toys.ring8(), 2, progress=False)
    with pytest.raises(ValueError, match="steps"):
        batched.train_batched([Setting()], toys.ring8(), 0, progress=False)
    with pytest.raises(TypeError, match="toy"):
        batched.train_batched([Setting()], np.zeros((5, 2)), 2, progress=False)


def test_train_grid_groups_by_cost_and_snapshots():
    s = [Setting("nonsaturating", seed=0, n_critic=1), Setting("wasserstein", seed=0, penalty_weight=1.0, n_critic=2),
         Setting("hinge", seed=1, n_critic=1)]
    out = batched.train_grid(s, toys.ring8(), 4, width=8, depth=1, batch_size=16, device="cpu", progress=False,
                             snapshot_steps=(0, 4), n_snapshot=30, field_lims=(-3, 3), field_n=10)
    assert sorted(i for idx, _ in out for i in idx) == [0, 1, 2] and len(out) == 2
    idx, res = out[0]
    assert idx == [0, 2]
    assert res.snapshots[4]["samples"].shape == (2, 30, 2) and res.snapshots[0]["field"].shape == (2, 10, 10)
    assert res.d_loss.shape == (2, 4)


def test_generator_average_is_the_closed_form_of_its_recursion(float64):
    # theta_ema after T steps = beta^T theta_0 + (1 - beta) sum_t beta^(T - t) theta_t (Yazici et al. 2019, Eq. 2),
    # with theta_t the plain run's weights after t steps, each from its own run (the average does not steer training)
    beta, T, kw = 0.7, 4, dict(width=8, depth=2, batch_size=16, device="cpu", progress=False)
    s = Setting("hinge", seed=5, lr_d=1e-2, lr_g=1e-2, n_critic=1, betas=(0.5, 0.999))
    res = batched.train_batched([replace(s, g_ema=beta), s], toys.ring8(), T, snapshot_steps=(T,), n_snapshot=50,
                                **kw)
    plain = [batched.init_pair(s.seed, 8, 2)[0].net] + [batched.train_batched([s], toys.ring8(), t, **kw).G
                                                          for t in range(1, T + 1)]
    thetas = [[(l.weight.detach().T, l.bias.detach()[None]) for l in m if isinstance(l, torch.nn.Linear)]
              if t == 0 else [(w[0], b[0]) for w, b in zip(m.weights, m.biases)] for t, m in enumerate(plain)]
    coef = [beta**T] + [(1 - beta) * beta ** (T - t) for t in range(1, T + 1)]
    expect = [(sum(c * th[i][0] for c, th in zip(coef, thetas)), sum(c * th[i][1] for c, th in zip(coef, thetas)))
              for i in range(3)]
    got = [(w[0], b[0]) for w, b in zip(res.G_ema.weights, res.G_ema.biases)]
    assert max(max((a - e).abs().max().item() for a, e in zip(g, x)) for g, x in zip(got, expect)) < 1e-12
    assert max((a - b).abs().max().item() for a, b in zip(res.G.weights, res.G_ema.weights)) > 1e-4, "no averaging"
    # the plain model's average is its last weights; the snapshot samples the averaged generator
    assert all(torch.equal(a[1], b[1]) for a, b in zip(res.G.weights, res.G_ema.weights))
    z = torch.randn((50, 2), generator=torch.Generator().manual_seed(s.seed + 2))
    avg = batched.BatchedMLP([w[None] for w, _ in expect], [b[None] for _, b in expect])
    assert np.allclose(res.snapshots[T]["samples"][0], avg(z[None])[0].detach().numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="g_ema"):
        Setting(g_ema=1.0).validate()


def test_generator_average_warm_up_follows_its_recursion(float64):
    # with the warm-up the n-th update (n = 0..T-1) uses beta_n = min(beta, (1 + n) / (10 + n)):
    # e_0 = theta_0, e_{n+1} = beta_n e_n + (1 - beta_n) theta_{n+1}, with theta_n the plain run's weights
    beta, T, kw = 0.2, 4, dict(width=8, depth=2, batch_size=16, device="cpu", progress=False)
    s = Setting("nonsaturating", seed=3, lr_d=1e-2, lr_g=1e-2, n_critic=1, betas=(0.5, 0.999))
    res = batched.train_batched([replace(s, g_ema=beta, g_ema_warmup=True), replace(s, g_ema=beta)], toys.ring8(),
                                T, **kw)
    thetas = [[l.weight.detach().T for l in batched.init_pair(s.seed, 8, 2)[0].net if isinstance(l, torch.nn.Linear)]]
    thetas += [[w[0] for w in batched.train_batched([s], toys.ring8(), t, **kw).G.weights] for t in range(1, T + 1)]
    betas = [min(beta, (1 + n) / (10 + n)) for n in range(T)]
    assert betas[:2] == [0.1, 2 / 11] and betas[3] == beta  # the ramp is active, then capped
    e = thetas[0]
    for n in range(T):
        e = [b_ * x + (1 - b_) * y for b_, x, y in zip([betas[n]] * len(e), e, thetas[n + 1])]
    assert max((w[0] - x).abs().max().item() for w, x in zip(res.G_ema.weights, e)) < 1e-12
    assert max((w[1] - x).abs().max().item() for w, x in zip(res.G_ema.weights, e)) > 1e-6, "no ramp effect"
    with pytest.raises(ValueError, match="g_ema_warmup"):
        Setting(g_ema=0.9, g_ema_warmup=1).validate()


def test_lr_decay_at_step_t_is_one_minus_t_over_T(float64):
    # Adam's step is p -= lr_t / (1 - b1^n) m / (sqrt(v / (1 - b2^n)) + eps) (Kingma & Ba 2015, Alg. 1):
    # from the optimizer's moments after each step, the applied lr_t must be lr (1 - t / T), t = 0, 1, ...
    T, lr = 4, 1e-2
    s = Setting("nonsaturating", seed=2, lr_d=lr, lr_g=lr / 2, n_critic=1, betas=(0.5, 0.999), lr_decay=True)
    gan = batched.BatchedGAN([s, replace(s, lr_decay=False)], toys.ring8(), T, width=8, depth=2, batch_size=16,
                             device="cpu")
    for t in range(T):
        before = [p.detach().clone() for p in gan.D.parameters() + gan.G.parameters()]
        gan.step()
        for opt, base, params, old in ((gan.opt_d, lr, gan.D.parameters(), before[:6]),
                                       (gan.opt_g, lr / 2, gan.G.parameters(), before[6:])):
            (b1, b2), n = opt.betas, opt.t
            for p, m, v, p0 in zip(params, opt.m, opt.v, old):
                unit = (m / (1 - b1**n)) / ((v / (1 - b2**n)).sqrt() + 1e-8)  # the update for lr = 1
                for k, expect in ((0, base * (1 - t / T)), (1, base)):
                    got = (p0[k] - p.detach()[k]) / unit[k]
                    ok = unit[k].abs() > 1e-3
                    assert torch.allclose(got[ok], torch.full_like(got[ok], expect), rtol=1e-9), (t, k, got[ok][:3])


def test_diverged_at_names_the_step_and_the_network():
    s = [Setting("nonsaturating", seed=k, lr_d=1e-3, lr_g=1e-3, n_critic=1) for k in range(2)]
    gan = batched.BatchedGAN(s, toys.ring8(), 6, width=8, depth=2, batch_size=16, device="cpu")
    for _ in range(3):
        gan.step()
    with torch.no_grad():
        gan.D.weights[0][1, 0, 0] = float("nan")  # model 1's D breaks after generator step 3
    gan.step()
    gan.step()
    res = gan.result()
    assert res.diverged_at == [None, 4] and res.diverged_net == [None, "D"], (res.diverged_at, res.diverged_net)
    assert np.isfinite(res.d_loss[0]).all() and np.isfinite(res.d_loss[1, :3]).all() and np.isnan(res.d_loss[1, 3])
    # D's first loss is computed before any update, so finite; an absurd lr_d then blows D's weights up and
    # G's loss at step 1 is the first non-finite one. train_batched warns, naming the network and the step.
    with pytest.warns(RuntimeWarning, match="the generator went NaN/inf at generator step 1:"):
        res = batched.train_batched([Setting("wasserstein", lr_d=1e30, lr_g=1e-4, n_critic=1)], toys.ring8(), 3,
                                    width=8, depth=2, batch_size=16, device="cpu", progress=False)
    assert np.isfinite(res.d_loss[0, 0]) and not np.isfinite(res.g_loss[0, 0])
    assert res.diverged_at == [1] and res.diverged_net == ["G"]


def test_ctrl_c_returns_the_partial_result(capsys):
    def stop(done, total):
        if done == 20:
            raise KeyboardInterrupt

    s = [Setting("hinge", seed=k, n_critic=1) for k in range(2)]
    res = batched.train_batched(s, toys.ring8(), 50, width=8, depth=2, batch_size=16, device="cpu", progress=False,
                                snapshot_steps=(0, 10, 50), n_snapshot=10, callback=stop)
    assert res.interrupted and res.steps == 20 and res.d_loss.shape == (2, 20) and sorted(res.snapshots) == [0, 10]
    assert "interrupted at generator step 20" in capsys.readouterr().out
    full = batched.train_batched(s, toys.ring8(), 50, width=8, depth=2, batch_size=16, device="cpu", progress=False)
    assert not full.interrupted and np.array_equal(full.d_loss[:, :20], res.d_loss)


def test_generator_push_and_manifold_against_closed_forms():
    # a linear critic f_k(x) = a_k . x + c_k: the Wasserstein G loss -E f pushes every sample by a_k;
    # the non-saturating loss E softplus(-f) by sigmoid(-f(x)) a_k
    a = torch.tensor([[3.0, 4.0], [0.6, -0.8]])
    c = torch.tensor([0.5, -1.0])
    x = torch.randn(2, 7, 2)
    for loss in ("wasserstein", "nonsaturating"):
        gan = batched.BatchedGAN([Setting(loss, seed=0, n_critic=1), Setting(loss, seed=1, n_critic=1)], toys.ring8(),
                                 2, width=8, depth=2, batch_size=16, device="cpu")
        gan.D = batched.BatchedMLP([a[:, :, None]], [c.view(2, 1, 1)])
        push = gan.generator_push(x.numpy())
        scale = torch.ones(2, 7, 1) if loss == "wasserstein" else torch.sigmoid(-(x @ a[:, :, None] + c.view(2, 1, 1)))
        assert np.allclose(push, (scale * a[:, None, :]).numpy(), atol=1e-5), loss
    # the manifold is each model's G, an MLP written out here with its own weights
    z = np.random.default_rng(0).normal(size=(11, 2)).astype(np.float32)
    out = gan.manifold(z)
    for k in range(2):
        h = torch.tensor(z)
        layers = gan.G.model(k)
        for i, (w, b) in enumerate(layers):
            h = h @ w.T + b
            h = torch.relu(h) if i < len(layers) - 1 else h
        assert np.allclose(out[k], h.numpy(), atol=1e-5)


def test_setting_round_trips_through_its_dict():
    for s in (Setting("hinge", seed=4, g_ema=0.99), Setting(g_ema=0.999, g_ema_warmup=True)):
        d = s.as_dict()
        assert Setting(**{**d, "betas": tuple(d["betas"])}) == s
    assert "g_ema_warmup" not in Setting().as_dict()  # the stored settings of assets/ predate the field
