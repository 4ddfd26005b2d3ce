"""The thread policy: one torch CPU thread unless GAN_COURSE_THREADS says otherwise."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gan_course import device

ROOT = Path(__file__).resolve().parent.parent


def threads_after_import(env_value=None):
    """torch's thread count in a fresh process that imports a trainer, without OMP_NUM_THREADS."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    if env_value is not None:
        env[device.THREADS_ENV] = env_value
    code = "import torch; d = torch.get_num_threads(); import gan_course.batched; print(d, torch.get_num_threads())"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    default, after = map(int, p.stdout.split())
    return default, after, p.stderr


def test_importing_a_trainer_sets_one_thread_and_the_variable_overrides_it():
    default, after, _ = threads_after_import()
    assert after == 1
    assert threads_after_import("2")[1] == 2
    default, after, _ = threads_after_import("auto")
    assert after == default  # torch's own choice (one thread per core)
    _, after, err = threads_after_import("many")
    assert after == 1 and "GAN_COURSE_THREADS" in err


def test_set_threads_explicit_and_from_the_environment(monkeypatch):
    old = torch.get_num_threads()
    try:
        assert device.set_threads(2) == 2 and torch.get_num_threads() == 2
        monkeypatch.setenv(device.THREADS_ENV, "1")
        assert device.set_threads() == 1 and torch.get_num_threads() == 1
        monkeypatch.setenv(device.THREADS_ENV, "0")
        with pytest.raises(ValueError, match="GAN_COURSE_THREADS"):
            device.set_threads()
        for bad in (0, -1, 1.5, True):
            with pytest.raises(ValueError):
                device.set_threads(bad)
    finally:
        torch.set_num_threads(old)
