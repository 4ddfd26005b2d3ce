import numpy as np
import pytest
import torch

from gan_course import device, nets, toys
from gan_course.training import TrainConfig, TrainingDiverged, train_gan

FAST = dict(steps=60, batch_size=32, progress=False, device="cpu")


def small():
    torch.manual_seed(0)
    return nets.Generator(2, 2, 16, 2), nets.Discriminator(2, 16, 2)


def test_history_and_snapshots():
    G, D = small()
    h = train_gan(G, D, toys.ring8(), snapshot_steps=(0, 30, 60), n_snapshot=50, **FAST)
    assert h.steps.tolist() == list(range(1, 61))
    assert h.d_loss.shape == h.g_loss.shape == (60,) and np.isfinite(h.d_loss).all()
    assert sorted(h.snapshots) == [0, 30, 60]
    assert h.snapshots[30]["samples"].shape == (50, 2)
    assert not h.interrupted and h.device == "cpu"


def test_on_step_sees_every_generator_update():
    G, D = small()
    seen = []
    h = train_gan(G, D, toys.ring8(), on_step=lambda step, g, d: seen.append(
        (step, g is G, d is D, next(G.parameters()).detach().clone())), **FAST)
    assert [s[0] for s in seen] == list(range(60)) and all(s[1] and s[2] for s in seen)
    # each call comes after the update: the generator weights it sees differ from one call to the next
    assert all(not torch.equal(a[3], b[3]) for a, b in zip(seen, seen[1:]))
    assert torch.equal(seen[-1][3], next(G.parameters()).detach())
    assert 0 < h.cpu_seconds and 0 < h.seconds


def test_same_seed_same_numbers():
    runs = []
    for _ in range(2):
        G, D = small()
        runs.append(train_gan(G, D, toys.ring8(), seed=5, **FAST))
    np.testing.assert_array_equal(runs[0].d_loss, runs[1].d_loss)
    np.testing.assert_array_equal(runs[0].g_loss, runs[1].g_loss)


def test_n_critic_discriminator_steps_per_generator_step():
    calls = []
    G, D = small()
    train_gan(G, D, toys.ring8(), n_critic=3, penalty=lambda D, r, f: calls.append(1) or torch.zeros(()), **FAST)
    assert len(calls) == 3 * 60


def test_weight_clipping_bounds_every_weight():
    G, D = small()
    train_gan(G, D, toys.ring8(), loss="wasserstein", optimizer="rmsprop", clip=0.01, lr_d=5e-3, **FAST)
    assert max(p.abs().max().item() for p in D.parameters()) <= 0.01


def test_instance_noise_schedule_and_observe():
    class Sched:
        def __init__(self):
            self.seen = []

        def __call__(self, step, steps):
            return 1.0 - step / steps

        def observe(self, d_loss):
            self.seen.append(d_loss)

    s = Sched()
    G, D = small()
    h = train_gan(G, D, toys.ring8(), noise_sigma=s, **FAST)
    np.testing.assert_allclose(h.sigma, 1 - np.arange(60) / 60)
    assert len(s.seen) == 60 and np.allclose(s.seen, h.d_loss)


def nan_penalty_at(call):
    """A D penalty that is 0, except NaN at its ``call``-th use (one use per D step)."""
    calls = []

    def penalty(D, real, fake):
        calls.append(1)
        return torch.tensor(float("nan")) if len(calls) == call else torch.zeros(())

    return penalty


def test_nan_stops_with_a_message_naming_network_and_step():
    G, D = small()
    with pytest.raises(TrainingDiverged, match=r"discriminator's loss became nan at generator step 17"):
        train_gan(G, D, toys.ring8(), penalty=nan_penalty_at(17), check_every=10, **FAST)


def test_poisoned_generator_weight_stops_at_the_next_step():
    G, D = small()

    def poison(step, steps):
        if step == 5:
            with torch.no_grad():
                G.net[0].weight[0, 0] = float("inf")
        return 0.0

    # the inf weight makes G's output NaN, so D's loss at the same (1-based) step 6 is NaN
    with pytest.raises(TrainingDiverged, match=r"discriminator's loss became nan at generator step 6"):
        train_gan(G, D, toys.ring8(), noise_sigma=poison, check_every=10, **FAST)


def test_weight_check_names_the_network_and_parameter():
    from gan_course.training import check_weights

    G, _ = small()
    with torch.no_grad():
        G.net[2].bias[1] = float("nan")
    with pytest.raises(TrainingDiverged, match=r"generator's weight 'net.2.bias' became NaN/inf by generator step 40"):
        check_weights(G, "generator", 40)


def test_keyboard_interrupt_returns_history_so_far():
    ring = toys.ring8()
    calls = []

    def data(n, g):
        calls.append(1)
        if len(calls) == 41:
            raise KeyboardInterrupt
        return ring.sample(n, generator=g)

    G, D = small()
    h = train_gan(G, D, data, **FAST)
    assert h.interrupted and len(h.d_loss) == 40 and np.isfinite(h.d_loss).all()


@pytest.mark.parametrize("bad", [dict(lr_d=-1e-3), dict(lr_g=0), dict(n_critic=0), dict(steps=0), dict(loss="nope"),
                                 dict(optimizer="sgd"), dict(clip=-0.1), dict(snapshot_steps=(99,))])
def test_bad_config_is_a_value_error(bad):
    G, D = small()
    with pytest.raises(ValueError):
        train_gan(G, D, toys.ring8(), **{**FAST, **bad})


def test_wrong_data_shape_is_a_value_error():
    G, D = small()
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        train_gan(G, D, toys.gaussian1d(0, 1), **FAST)


def test_moves_the_generator_onto_a_gaussian_target():
    """1-D sanity check: the mean is learnt and W1 to the target falls tenfold. (A GAN's spread
    still oscillates after 1,500 steps, so the std is not asserted tightly.)"""
    from gan_course.divergences import w1_1d

    torch.manual_seed(0)
    G, D = nets.Generator(1, 1, 32, 2), nets.Discriminator(1, 32, 2)
    target = toys.gaussian1d(3.0, 0.5)
    ref = target.sample(20_000, seed=9)
    before = w1_1d(G.sample(20_000).detach(), ref)
    train_gan(G, D, target, steps=1500, batch_size=128, lr_d=2e-3, lr_g=2e-3, seed=0, progress=False, device="cpu")
    x = G.sample(20_000).detach()
    assert x.mean().item() == pytest.approx(3.0, abs=0.2)
    assert w1_1d(x, ref) < before / 10


def test_default_device_follows_cuda_availability():
    assert device.default_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert TrainConfig().device is None


def test_nan_at_the_last_step_is_caught_by_the_final_check():
    """60 steps, checks every 25: a NaN at step 60 is seen only by the check after the last step."""
    G, D = small()
    with pytest.raises(TrainingDiverged, match=r"discriminator's loss became nan at generator step 60"):
        train_gan(G, D, toys.ring8(), penalty=nan_penalty_at(60), check_every=25, **FAST)


def test_interrupted_run_is_flagged_and_still_checked():
    ring = toys.ring8()
    G, D = small()
    calls = []

    def data(n, g):
        calls.append(1)
        if len(calls) == 12:
            with torch.no_grad():
                D.net[0].weight[0, 0] = float("nan")
            raise KeyboardInterrupt
        return ring.sample(n, generator=g)

    with pytest.raises(TrainingDiverged, match="discriminator's weight 'net.0.weight' became NaN/inf by generator step 11"):
        train_gan(G, D, data, check_every=25, **FAST)


@pytest.mark.parametrize("old, new", [("k_d", "n_critic"), ("instance_noise", "noise_sigma")])
def test_old_names_say_what_they_were_renamed(old, new):
    with pytest.raises(TypeError, match=f"'{old}' was renamed '{new}'"):
        TrainConfig(**{old: 1})
    G, D = small()
    with pytest.raises(TypeError, match=f"'{old}' was renamed '{new}'"):
        train_gan(G, D, toys.ring8(), **{old: 1}, **FAST)


@pytest.mark.parametrize("bad, message", [
    (dict(snapshot_steps=5), r"snapshot_steps must be a tuple of integer steps"),
    (dict(snapshot_steps=(1.5,)), r"snapshot_steps must hold integer steps"),
    (dict(penalty="gp"), r"penalty must be a function f\(D, real, fake\)"),
    (dict(noise_sigma="0.1"), r"noise_sigma .* must be a number >= 0, got '0.1'"),
    (dict(noise_sigma=-0.1), r"noise_sigma .* must be a number >= 0"),
    (dict(betas=(2, 0.9)), r"betas must be Adam's \(beta1, beta2\), two numbers in \[0, 1\)"),
    (dict(betas=0.5), r"betas must be Adam's"),
    (dict(device="foo"), r"not a torch device: 'foo'"),
    (dict(loss="least-squares"), r"loss names use underscores: 'least_squares'"),
    (dict(loss="relativistic"), r"loss 'relativistic' pairs each fake with a real sample.*batched.train_batched"),
])
def test_bad_config_types_get_clear_messages(bad, message):
    G, D = small()
    with pytest.raises(ValueError, match=message):
        train_gan(G, D, toys.ring8(), **{**FAST, **bad})


def test_unknown_setting_is_named():
    G, D = small()
    with pytest.raises(TypeError, match=r"unknown settings \['lr'\]"):
        train_gan(G, D, toys.ring8(), lr=1e-3, **FAST)
