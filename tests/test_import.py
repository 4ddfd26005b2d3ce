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


def test_typo_in_a_fresh_interpreter_names_itself():
    # a fresh interpreter may not have imported importlib.util yet (here site or a .pth file may have)
    script = ("import importlib, sys\nsys.modules.pop('importlib.util', None)\n"
              "if hasattr(importlib, 'util'):\n    del importlib.util\n"
              "import gan_course\ntry:\n    gan_course.no_such_module\nexcept AttributeError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "no attribute 'no_such_module'" in out.stdout, out.stdout + out.stderr


def _imports():
    """{module: set of gan_course modules it imports (anywhere in it, but for an ``if __name__ == "__main__":``
    entry point, which runs as the module ``__main__``)} and the private names used across modules (ast)."""
    import ast
    from pathlib import Path

    import gan_course

    pkg = Path(gan_course.__file__).parent
    graph, private = {}, []
    for path in pkg.glob("*.py"):
        mod = path.stem
        graph[mod] = set()
        tree = ast.parse(path.read_text())
        tree.body = [n for n in tree.body if not (isinstance(n, ast.If) and "__main__" in ast.unparse(n.test))]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").startswith("gan_course")):
                target = (node.module or "").removeprefix("gan_course").lstrip(".")
                if target:
                    graph[mod].add(target.split(".")[0])
                    private += [f"{mod}: from {target} import {a.name}" for a in node.names
                                if a.name.startswith("_")]
                else:
                    graph[mod] |= {a.name for a in node.names}
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr.startswith("_") \
                    and not node.attr.startswith("__") and node.value.id in gan_course._SUBMODULES \
                    and node.value.id != mod:
                private.append(f"{mod}: {node.value.id}.{node.attr}")
    return graph, private


def test_no_import_cycle_and_no_private_names_across_modules():
    graph, private = _imports()
    assert private == []
    # depth-first search for a cycle among the package's modules
    state = {}

    def visit(m, path):
        state[m] = "open"
        for n in graph.get(m, ()):
            assert state.get(n) != "open", f"import cycle: {' -> '.join(path + [n])}"
            if n not in state:
                visit(n, path + [n])
        state[m] = "done"

    for m in graph:
        if m not in state:
            visit(m, [m])
