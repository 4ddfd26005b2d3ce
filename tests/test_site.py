"""The executed static site: every chapter page contains its figures and links that work.

`make test` runs each chapter under nbval and keeps the executed notebook (conftest.py);
the "site page" item that conftest.py adds after the chapter's cells calls
``check_chapter_page``, which builds that chapter's page exactly as `make site` does
(scripts/build_site.py) and checks it.
"""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
build_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_site)


def count_images(nb):
    return sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if "image/png" in o.get("data", {}))


def check_chapter_page(chapter):
    """Run by the "site page" item that conftest.py adds after each chapter's cells."""
    executed = build_site.EXECUTED / f"{chapter}.ipynb"
    src = ROOT / "chapters" / f"{chapter}.py"
    assert executed.exists() and executed.stat().st_mtime >= src.stat().st_mtime, "the chapter was not executed"
    nb = nbformat.read(executed, as_version=4)
    n_images = count_images(nb)
    assert n_images >= 1, f"{chapter} produced no figure"
    page = build_site.to_html(nb)
    assert page.count("data:image/png;base64,") >= n_images, "a figure is missing from the page"
    for target in re.findall(r'href="(\d\d_[A-Za-z0-9_]+)\.html"', page):
        assert target in CHAPTERS, f"{chapter} links to a chapter that does not exist: {target}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_index_line(chapter):
    """The index shows a title and a one-line 'what it proves' for every chapter."""
    title, summary = build_site.chapter_summary(nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4))
    assert title[:2] == chapter[:2], f"the title should start with the chapter number: {title!r}"
    assert len(summary) > 20, f"{chapter} needs a one-line summary under its title"
