"""``import gan_course`` is cheap and does no work (no training, no data, no seeding)."""
import subprocess
import sys

SCRIPT = """
import time, sys, random
import numpy as np, torch
t_state, n_state, r_state = torch.random.get_rng_state(), np.random.get_state()[1].copy(), random.getstate()
t0 = time.perf_counter()
import gan_course
t1 = time.perf_counter()
from gan_course import toys, divergences, nets, losses, training, metrics, plotting, device, checks
t2 = time.perf_counter()
assert torch.equal(t_state, torch.random.get_rng_state()), "importing gan_course touched torch's RNG"
assert (n_state == np.random.get_state()[1]).all(), "importing gan_course touched NumPy's RNG"
assert r_state == random.getstate(), "importing gan_course touched Python's RNG"
print(t1 - t0, t2 - t0)
"""


def test_import_is_fast_and_does_no_work():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    bare, full = map(float, out.stdout.split())
    assert bare < 3.0, f"import gan_course took {bare:.2f} s beyond torch"
    assert full < 3.0, f"importing every core module took {full:.2f} s beyond torch"


def test_unknown_attribute_is_an_attribute_error():
    import gan_course
    import pytest

    with pytest.raises(AttributeError):
        gan_course.no_such_module


def test_every_module_is_listed_for_lazy_import():
    from pathlib import Path

    import gan_course

    files = {p.stem for p in Path(gan_course.__file__).parent.glob("*.py")} - {"__init__", "__main__"}
    assert files == gan_course._SUBMODULES
