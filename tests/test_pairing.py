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


def test_executing_a_chapter_in_place_leaves_git_clean(tmp_path):
    """The README's set-up (`make setup` installs the nbstripout filter), then what a learner does:
    run a chapter in JupyterLab and save it, outputs and all. `git status` stays clean.

    The save goes through jupytext's contents manager, as JupyterLab's does, with the course's
    jupyter_lab_config.py (its post-save hook); the chapter runs in place with nbclient."""
    import asyncio
    import shutil
    import subprocess
    import sys

    import nbformat
    from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
    from nbclient import NotebookClient
    from traitlets.config import Config

    root, name = CHAPTERS.parent, "00_prelude"
    (tmp_path / "chapters").mkdir()
    for f in ["jupytext.toml", ".gitattributes", ".gitignore", "jupyter_lab_config.py", "Makefile",
              f"chapters/{name}.py", f"chapters/{name}.ipynb"]:
        shutil.copy2(root / f, tmp_path / f)

    def git(*args):
        return subprocess.run(["git", "-C", str(tmp_path), *args], capture_output=True, text=True, check=True).stdout

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "course")
    bin_dir = Path(sys.executable).parent
    subprocess.run(["make", "-s", "-C", str(tmp_path), "git-filter", f"BIN={bin_dir}"], check=True)
    assert "nbstripout" in git("config", "filter.nbstripout.clean")

    nb = nbformat.read(tmp_path / "chapters" / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(root / "chapters")}}).execute()
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    config = Config()
    exec((root / "jupyter_lab_config.py").read_text(), {"get_config": lambda: config})
    cm = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)(root_dir=str(tmp_path), config=config)
    asyncio.run(cm.save(dict(type="notebook", format="json", content=nb), f"chapters/{name}.ipynb"))

    saved = nbformat.read(tmp_path / "chapters" / f"{name}.ipynb", as_version=4)
    assert any(c.get("outputs") for c in saved.cells if c.cell_type == "code"), "the outputs were saved"
    assert git("status", "--porcelain") == "", "executing and saving a chapter modified the repository"
