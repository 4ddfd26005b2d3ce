"""Every chapter has a title slide, slides that fit, and at least two exercises with collapsed solutions."""
from pathlib import Path

import jupytext
import pytest

CHAPTERS = sorted((Path(__file__).resolve().parents[1] / "chapters").glob("[0-9][0-9]_*.py"))
MAX_SLIDE_LINES = 32  # source lines on one slide (a figure is shown below its cell)


def slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def slides(nb):
    """Group cells into slides as reveal.js / RISE do: 'slide' and 'subslide' open a new one."""
    out = []
    for cell in nb.cells:
        kind = slide_type(cell)
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide") or not out:
            out.append([])
        out[-1].append(cell)
    return out


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_title_slide(src):
    first = jupytext.read(src).cells[0]
    assert first.cell_type == "markdown" and slide_type(first) == "slide", "the first cell is the title slide"
    assert first.source.lstrip().startswith("# "), "the title slide starts with a '# ' heading"


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_no_slide_overflows(src):
    for i, s in enumerate(slides(jupytext.read(src))):
        n = sum(len(c.source.splitlines()) for c in s)
        assert n <= MAX_SLIDE_LINES, f"slide {i} of {src.stem} has {n} lines (max {MAX_SLIDE_LINES}): {s[0].source[:60]!r}"


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_with_collapsed_solutions(src):
    cells = jupytext.read(src).cells
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 2, f"{src.stem} needs at least two exercises with solutions"
    for c in solutions:
        assert c.cell_type == "code", "solutions are code cells (nbval runs them)"
        assert c.metadata.get("jupyter", {}).get("source_hidden") is True, "solutions start collapsed"
