"""Every chapter has a title slide and at least two exercises whose solutions start collapsed, code and
output; the marks of scripts/mark_slides.py (solutions, plumbing left out of the slides) are current.
That every slide fits on screen, outputs included, is measured in the browser (tests/test_site.py)."""
import importlib.util
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.py"))
spec = importlib.util.spec_from_file_location("mark_slides", ROOT / "scripts" / "mark_slides.py")
mark_slides = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mark_slides)
slide_type = mark_slides.slide_type


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_title_slide(src):
    first = jupytext.read(src).cells[0]
    assert first.cell_type == "markdown" and slide_type(first) == "slide", "the first cell is the title slide"
    assert first.source.lstrip().startswith("# "), "the title slide starts with a '# ' heading"


def test_solution_marker_is_the_packages():
    from gan_course import solutions

    assert mark_slides.SOLUTION_MARKER == solutions.MARKER


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_solution_outputs_fold(src):
    """The set-up cell turns the folding on (gan_course.solutions.fold_outputs)."""
    first_code = next(c for c in jupytext.read(src).cells if c.cell_type == "code")
    assert "gc.solutions.fold_outputs()" in first_code.source


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_marks_are_current(src):
    """`make notebooks` has run scripts/mark_slides.py: marking again changes nothing."""
    nb = jupytext.read(src.with_suffix(".ipynb"))
    before = [dict(c.metadata) for c in nb.cells]
    mark_slides.mark_notebook(nb)
    assert [dict(c.metadata) for c in nb.cells] == before, f"run `make notebooks` to mark {src.stem}"


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_plumbing_and_solutions_stay_off_the_slides(src):
    nb = jupytext.read(src)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert slide_type(first_code) == "skip", "the set-up cell (imports) is not shown on the slides"
    for c in nb.cells:
        if "solution" in c.metadata.get("tags", []):
            assert slide_type(c) == "skip", "solutions are not shown on the slides"


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_with_collapsed_solutions(src):
    cells = jupytext.read(src).cells
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 2, f"{src.stem} needs at least two exercises with solutions"
    for c in solutions:
        assert c.cell_type == "code", "solutions are code cells (nbval runs them)"
        assert c.metadata.get("jupyter", {}).get("source_hidden") is True, "solutions start collapsed"
        assert c.source.startswith(mark_slides.SOLUTION_MARKER + "\n"), "the marker that folds the output"
