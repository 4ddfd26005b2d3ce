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


def test_restore_ctrl_c_undoes_an_inherited_ignore():
    """A process started with SIGINT ignored (a shell's background job) gets KeyboardInterrupt back."""
    import signal
    import subprocess
    import sys

    code = ("import signal, os; from gan_course import checks\n"
            "assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN\n"
            "checks.restore_ctrl_c()\n"
            "try:\n    os.kill(os.getpid(), signal.SIGINT)\n    import time; time.sleep(5)\nexcept KeyboardInterrupt:\n"
            "    print('interrupted')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert p.returncode == 0 and p.stdout.strip() == "interrupted", p.stderr
