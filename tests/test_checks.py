"""checks.stop_if_interrupted: one Ctrl-C stops a loop over runs, not only the current run."""
import pytest
import torch

from gan_course import checks, nets, toys, training


def test_an_interrupted_run_stops_the_loop():
    def ctrl_c_at_step_3(step, G, D):
        if step == 3:
            raise KeyboardInterrupt

    done = []
    with pytest.raises(KeyboardInterrupt):
        for seed in (0, 1, 2):
            torch.manual_seed(seed)
            G, D = nets.Generator(2, 2, 8, 1), nets.Discriminator(2, 8, 1)
            hist = training.train_gan(G, D, toys.ring8(), steps=10, batch_size=8, seed=seed, progress=False,
                                      device="cpu", on_step=ctrl_c_at_step_3 if seed == 1 else None)
            done.append(len(hist.d_loss))
            checks.stop_if_interrupted(hist)
    assert done == [10, 4]  # seed 0 finished, seed 1 stopped after 4 steps, seed 2 never started


def test_a_finished_run_passes_through():
    h = training.History(training.TrainConfig())
    assert checks.stop_if_interrupted(h) is h
