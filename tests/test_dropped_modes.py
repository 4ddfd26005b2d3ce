import numpy as np
import pytest
import torch

from gan_course import dropped_modes as dm, metrics, toys


def _params(seed=0, sizes=(2, 16, 16, 1)):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn((a, b), generator=g, dtype=torch.float64) / np.sqrt(a),
             0.1 * torch.randn((1, b), generator=g, dtype=torch.float64)) for a, b in zip(sizes[:-1], sizes[1:])]


def _numpy_logit(params, x):
    """The same MLP in NumPy, written out layer by layer."""
    h = np.asarray(x, float)
    ws = [(w.numpy(), b.numpy()) for w, b in params]
    for i, (w, b) in enumerate(ws):
        h = h @ w + b
        if i < len(ws) - 1:
            h = np.maximum(h, 0)
    return h[:, 0]


def test_mlp_matches_torch_linear_layers():
    params = _params(1)
    seq = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(),
                              torch.nn.Linear(16, 1)).double()
    with torch.no_grad():
        for lin, (w, b) in zip([m for m in seq if isinstance(m, torch.nn.Linear)], params):
            lin.weight.copy_(w.T)
            lin.bias.copy_(b[0])
    x = torch.randn(50, 2, dtype=torch.float64)
    assert torch.allclose(dm.mlp(params, x), seq(x))


def test_push_is_the_finite_difference_of_the_generator_loss():
    params = _params(2)
    x = np.random.default_rng(0).normal(size=(20, 2))
    push = dm.ns_push(dm.logit_fn(params), x)
    loss = lambda p: np.logaddexp(0, -_numpy_logit(params, p))  # softplus(-D)
    h = 1e-6
    fd = np.stack([(loss(x + h * e) - loss(x - h * e)) / (2 * h) for e in np.eye(2)], 1)
    assert push == pytest.approx(-fd, abs=1e-6)


def test_push_of_a_linear_critic_is_sigmoid_times_its_slope():
    a, c = np.array([1.5, -0.5]), 0.3
    D = lambda x: x @ torch.as_tensor(a) + c
    x = np.random.default_rng(1).normal(size=(10, 2))
    expected = (1 / (1 + np.exp(x @ a + c)))[:, None] * a[None]  # sigmoid(-D) grad D
    assert dm.ns_push(D, x) == pytest.approx(expected, rel=1e-10)


def test_gradient_flow_climbs_to_the_peak_of_d():
    m = np.array([1.0, -2.0])
    D = lambda x: -((x - torch.as_tensor(m)) ** 2).sum(1)
    end = dm.gradient_flow(D, np.random.default_rng(2).normal(size=(30, 2)), steps=2000, lr=0.05)
    assert end == pytest.approx(np.tile(m, (30, 1)), abs=1e-3)


def test_neighbour_pairs_against_brute_force():
    grid = toys.grid25()
    covered = np.zeros(25, bool)
    covered[[0, 6, 12, 24]] = True
    pairs = dm.neighbour_pairs(grid.centres, covered)
    brute = {(i, j) for i in range(25) for j in range(25) if covered[i] and not covered[j]
             and np.isclose(np.abs(grid.centres[i] - grid.centres[j]).sum(), 2.0)}
    assert set(pairs) == brute and len(pairs) == len(brute)
    assert len(dm.neighbour_pairs(grid.centres, np.ones(25, bool))) == 0


def test_profiles_and_valleys():
    grid = toys.grid25()
    pairs = [(12, 13), (12, 17)]
    lin = lambda x: x[:, 0] + 2 * x[:, 1]
    p = dm.segment_profiles(lin, grid.centres, pairs, n=5)
    c = grid.centres
    for row, (i, j) in zip(p, pairs):
        t = np.linspace(0, 1, 5)
        ends = np.array([c[i] @ [1, 2], c[j] @ [1, 2]])
        assert row == pytest.approx(ends[0] + t * (ends[1] - ends[0]))
    # D = cos(pi x) cos(pi y) has its peaks on the centres of one colour and a dip halfway between neighbours
    bumpy = lambda x: torch.cos(np.pi * x[:, 0] / 2) ** 2 + torch.cos(np.pi * x[:, 1] / 2) ** 2
    pr = dm.probe(bumpy, c[[12]].repeat(40, 0), grid, n_flow=10, flow_steps=5)
    assert pr.valley_share == 1.0 and len(pr.pairs) == 4
    linear_probe = dm.probe(lin, c[[12]].repeat(40, 0), grid, n_flow=10, flow_steps=5)
    assert linear_probe.valley_share == 0.0


def test_probe_on_a_planted_critic():
    """D = 6 near uncovered centre 13, 0 near covered centre 12, -6 elsewhere (smooth bumps): the sigmoids
    are those of the bump heights and the flow keeps fakes at 12 (D's gradient there is 0)."""
    grid = toys.grid25()
    c = torch.as_tensor(grid.centres)

    def D(x):
        d2 = ((x[:, None] - c[None]) ** 2).sum(-1)  # (N, 25)
        return -6 + 6 * torch.exp(-d2[:, 12] / 0.1) + 12 * torch.exp(-d2[:, 13] / 0.1)

    fakes = grid.centres[12] + np.random.default_rng(3).normal(0, 0.01, (200, 2))
    pr = dm.probe(D, fakes, grid, n_flow=100, flow_steps=50, flow_lr=0.001)
    assert pr.covered.sum() == 1 and pr.covered[12]
    assert pr.centre_logit[12] == pytest.approx(0, abs=1e-9) and pr.centre_logit[13] == pytest.approx(6, abs=1e-9)
    assert pr.sigmoid_covered == pytest.approx(0.5, abs=1e-3)
    expect_unc = np.mean(1 / (1 + np.exp(-np.delete(pr.centre_logit, 12))))
    assert pr.sigmoid_uncovered == pytest.approx(expect_unc)
    assert pr.flow_to_covered == 1.0 and pr.flow_to_uncovered == 0.0
    assert pr.fake_sigmoid == pytest.approx(0.5, abs=0.01)


def test_saved_equal_budget_runs_reproduce_their_metrics():
    grid = toys.grid25()
    runs = dm.load_equal_budget()
    assert len(runs) == 8
    for r in runs:
        st = metrics.mode_stats_for(dm.generator_samples(r["G"], r["seed"]), grid)
        assert st.modes_covered == r["stats"]["modes_covered"]
        assert st.hq_fraction == pytest.approx(r["stats"]["hq_fraction"], abs=2e-3)
