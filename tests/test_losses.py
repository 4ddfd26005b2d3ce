import math

import pytest
import torch

from gan_course import losses

LOGITS_R = torch.tensor([2.0, -0.5, 0.3])
LOGITS_F = torch.tensor([-1.0, 0.7, -3.0])


def D(a):
    return 1 / (1 + math.exp(-a))


def test_minimax_d_loss_is_binary_cross_entropy():
    want = -sum(math.log(D(a)) for a in LOGITS_R.tolist()) / 3 - sum(math.log(1 - D(a)) for a in LOGITS_F.tolist()) / 3
    assert losses.d_loss_minimax(LOGITS_R, LOGITS_F).item() == pytest.approx(want, rel=1e-6)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    assert losses.d_loss_minimax(LOGITS_R, LOGITS_F).item() == pytest.approx(
        (bce(LOGITS_R, torch.ones(3)) + bce(LOGITS_F, torch.zeros(3))).item(), rel=1e-6)


def test_generator_losses_by_hand():
    assert losses.g_loss_minimax(LOGITS_F).item() == pytest.approx(
        sum(math.log(1 - D(a)) for a in LOGITS_F.tolist()) / 3, rel=1e-6)
    assert losses.g_loss_nonsaturating(LOGITS_F).item() == pytest.approx(
        -sum(math.log(D(a)) for a in LOGITS_F.tolist()) / 3, rel=1e-6)


def test_other_losses_by_hand():
    r, f = LOGITS_R.tolist(), LOGITS_F.tolist()
    mean = lambda v: sum(v) / len(v)
    assert losses.d_loss_wasserstein(LOGITS_R, LOGITS_F).item() == pytest.approx(mean(f) - mean(r))
    assert losses.g_loss_wasserstein(LOGITS_F).item() == pytest.approx(-mean(f))
    assert losses.d_loss_hinge(LOGITS_R, LOGITS_F).item() == pytest.approx(
        mean([max(0, 1 - a) for a in r]) + mean([max(0, 1 + a) for a in f]))
    assert losses.d_loss_least_squares(LOGITS_R, LOGITS_F).item() == pytest.approx(
        0.5 * mean([(a - 1) ** 2 for a in r]) + 0.5 * mean([a**2 for a in f]), rel=1e-6)
    assert losses.g_loss_least_squares(LOGITS_F).item() == pytest.approx(0.5 * mean([(a - 1) ** 2 for a in f]), rel=1e-6)


def test_losses_stay_finite_where_log_sigmoid_underflows():
    big = torch.tensor([-200.0, 200.0], requires_grad=True)
    naive = torch.log(torch.sigmoid(torch.tensor([-200.0])))
    assert torch.isinf(naive).all()  # the failure the softplus form avoids
    for loss in (losses.d_loss_minimax(big, big), losses.g_loss_minimax(big), losses.g_loss_nonsaturating(big)):
        loss.backward()
        assert torch.isfinite(loss) and torch.isfinite(big.grad).all()
        big.grad = None
    # -log D(G(z)) at logit -200 is 200 (mean over 2 with softplus(-200) ~ 0)
    assert losses.g_loss_nonsaturating(torch.tensor([-200.0])).item() == pytest.approx(200.0)


def test_batched_logits_give_one_loss_per_model():
    r, f = torch.randn(4, 16), torch.randn(4, 16)
    out = losses.d_loss_minimax(r, f)
    assert out.shape == (4,)
    assert out[2].item() == pytest.approx(losses.d_loss_minimax(r[2], f[2]).item())


def test_registry_and_unknown_name():
    assert set(losses.LOSSES) >= {"minimax", "nonsaturating", "wasserstein", "hinge", "least_squares"}
    with pytest.raises(ValueError, match="unknown loss"):
        losses.get("nope")


def test_column_logits_are_refused():
    import torch

    x = torch.zeros(8, 1)
    for fn in (losses.g_loss_minimax, losses.g_loss_nonsaturating, losses.g_loss_wasserstein):
        with pytest.raises(ValueError, match=r"shape \(N,\).*got \(8, 1\).*squeeze"):
            fn(x)
    with pytest.raises(ValueError, match=r"got \(8, 1\)"):
        losses.d_loss_minimax(x, x)
    assert losses.d_loss_minimax(x[:, 0], x[:, 0]).shape == ()


def test_hyphenated_loss_name_points_to_the_right_one():
    with pytest.raises(ValueError, match=r"loss names use underscores: 'least_squares'"):
        losses.get("least-squares")


def test_relativistic_pairing_loss_by_hand():
    # RpGAN: D minimises E -log sigmoid(D(x) - D(G(z))), G the same with the pair swapped (Huang et al. 2024)
    r, f = torch.tensor([2.0, -1.0, 0.5]), torch.tensor([0.0, 1.0, 0.5])
    d = torch.tensor([-math.log(1 / (1 + math.exp(-(a - b)))) for a, b in zip(r.tolist(), f.tolist())]).mean()
    g = torch.tensor([-math.log(1 / (1 + math.exp(-(b - a)))) for a, b in zip(r.tolist(), f.tolist())]).mean()
    assert losses.d_loss_relativistic(r, f).item() == pytest.approx(d.item(), rel=1e-6)
    assert losses.g_loss_relativistic(f, r).item() == pytest.approx(g.item(), rel=1e-6)
    assert losses.LOSSES["relativistic"] == (losses.d_loss_relativistic, losses.g_loss_relativistic)
    assert losses.PAIRED <= set(losses.LOSSES)
