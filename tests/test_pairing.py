"""Each chapters/NN_name.py (the source) and its .ipynb agree cell by cell; notebooks carry no outputs;
a save from JupyterLab (jupytext pairing) writes the .py exactly as committed."""
import json
from pathlib import Path

import jupytext
import pytest

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
SOURCES = sorted(CHAPTERS.glob("[0-9][0-9]_*.py"))


def cells(nb):
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", ()))) for c in nb.cells]


def test_every_chapter_has_both_files():
    notebooks = sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))
    assert SOURCES, "no chapters found"
    assert [p.stem for p in SOURCES] == [p.stem for p in notebooks], "every .py needs its .ipynb and vice versa"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_pair_has_same_cells(src):
    a, b = jupytext.read(src), jupytext.read(src.with_suffix(".ipynb"))
    ca, cb = cells(a), cells(b)
    assert len(ca) == len(cb), f"{src.name}: {len(ca)} cells in .py, {len(cb)} in .ipynb; run `make notebooks`"
    for i, (x, y) in enumerate(zip(ca, cb)):
        assert x == y, f"{src.name}: cell {i} differs between .py and .ipynb; run `make notebooks`"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_notebook_stripped_with_kernelspec(src):
    raw = json.loads(src.with_suffix(".ipynb").read_text())
    assert raw["metadata"].get("kernelspec", {}).get("name") == "python3", "the notebook needs a python3 kernelspec"
    for c in raw["cells"]:
        if c["cell_type"] == "code":
            assert c.get("outputs", []) == [] and c.get("execution_count") is None, "commit notebooks without outputs"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_py_is_what_a_save_writes(src):
    """JupyterLab's jupytext writes the .py from the notebook on every save: with the repository's
    jupytext.toml that text must be the committed .py byte for byte, or opening and saving a chapter
    would modify it (a header with a jupytext version, reordered cell metadata ...)."""
    config = jupytext.config.load_jupytext_configuration_file(str(CHAPTERS.parent / "jupytext.toml"))
    nb = jupytext.read(src.with_suffix(".ipynb"))
    saved = jupytext.writes(nb, fmt="py:percent", config=config)
    assert saved == src.read_text(), f"{src.name} differs from what a save writes; run `make notebooks`"
    assert "jupytext_version" not in saved and "text_representation" not in saved


def test_mutated_pair_is_detected(tmp_path):
    """The comparison really catches drift: change one cell's source in a copy."""
    src = SOURCES[0]
    nb = jupytext.read(src.with_suffix(".ipynb"))
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.source += "\nx = 1"
    assert cells(jupytext.read(src)) != cells(nb)
