"""Every chapter has a title slide, slides that fit, and at least two exercises with collapsed solutions."""
import importlib.util
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.py"))
spec = importlib.util.spec_from_file_location("mark_slides", ROOT / "scripts" / "mark_slides.py")
mark_slides = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mark_slides)
slides, slide_type, MAX_SLIDE_LINES = mark_slides.slides, mark_slides.slide_type, mark_slides.MAX_SLIDE_LINES


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_title_slide(src):
    first = jupytext.read(src).cells[0]
    assert first.cell_type == "markdown" and slide_type(first) == "slide", "the first cell is the title slide"
    assert first.source.lstrip().startswith("# "), "the title slide starts with a '# ' heading"


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_no_slide_overflows(src):
    for i, s in enumerate(slides(jupytext.read(src))):
        n = sum(len(c.source.splitlines()) for c in s)
        assert n <= MAX_SLIDE_LINES, (f"slide {i} of {src.stem} has {n} lines (max {MAX_SLIDE_LINES}): "
                                      f"{s[0].source[:60]!r}; run scripts/mark_slides.py or split the cell")


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_with_collapsed_solutions(src):
    cells = jupytext.read(src).cells
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 2, f"{src.stem} needs at least two exercises with solutions"
    for c in solutions:
        assert c.cell_type == "code", "solutions are code cells (nbval runs them)"
        assert c.metadata.get("jupyter", {}).get("source_hidden") is True, "solutions start collapsed"
