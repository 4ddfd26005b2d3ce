"""Mark every chapter's cells for the two ways it is shown: as a notebook and as slides.

    .venv/bin/python scripts/mark_slides.py chapters/*.ipynb     # `make notebooks` runs it

* Exercise solutions (code cells tagged ``solution``) start collapsed, code AND output: the code
  by ``jupyter={"source_hidden": true}``, the output by a first line ``# Solution``, which
  gan_course.solutions recognises when the cell runs and folds what it prints and draws into a
  closed ``<details>`` element, so Run All does not show the answer. They are also left out of the
  slides (``slide_type: skip``). nbval still runs them.
* Plumbing (the chapter's first code cell: imports, device, seeding, the figure style) is left
  out of the slides too; it still runs in the notebook and before the slides are rendered.
* Slides that fit (``--fit``): every slide of the executed chapter is rendered (reveal.js, as
  `make slides` does) and measured in Chromium, outputs included; where a slide is taller than
  the screen, the cell that would overflow it opens a sub-slide. tests/test_site.py measures
  every slide of every chapter the same way after the chapter ran under nbval.

    .venv/bin/python scripts/mark_slides.py --fit build/executed chapters/*.ipynb && make notebooks

The notebook is rewritten in place (nbformat); `make notebooks` then writes the .py from it.
"""
import copy
import subprocess
import sys
from pathlib import Path

SOLUTION_MARKER = "# Solution"  # = gan_course.solutions.MARKER (tests/test_chapter_structure.py checks)
MAX_SLIDE_LINES = 32  # source lines on one slide; the figure a cell draws shows below it
HIDDEN = ("skip", "notes")


def slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def is_solution(cell):
    return "solution" in cell.metadata.get("tags", [])


def is_plumbing(nb, index):
    """The first code cell of a chapter: imports and set-up, shown in the notebook only."""
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    return index == first


def slides(nb):
    """The chapter's slides: lists of cells ('skip' and 'notes' cells are not shown)."""
    out = []
    for cell in nb.cells:
        kind = slide_type(cell)
        if kind in HIDDEN:
            continue
        if kind in ("slide", "subslide") or not out:
            out.append([])
        out[-1].append(cell)
    return out


def lines(cell):
    return len(cell.source.splitlines())


def cells_to_break(nb):
    """Indices of cells that should open a sub-slide so no slide exceeds MAX_SLIDE_LINES."""
    breaks, current = [], 0
    for i, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind in HIDDEN:
            continue
        if kind in ("slide", "subslide"):
            current = lines(cell)
        elif current + lines(cell) > MAX_SLIDE_LINES and current > 0:
            breaks.append(i)
            current = lines(cell)
        else:
            current += lines(cell)
    return breaks


def set_slide_type(cell, kind):
    cell.metadata.setdefault("slideshow", {})["slide_type"] = kind


def mark_notebook(nb):
    """Set the metadata described in the module docstring on ``nb`` (in place); returns ``nb``."""
    nb.metadata.pop("jupytext", None)  # jupytext.toml holds the pairing; JupyterLab's save drops this key
    for i, cell in enumerate(nb.cells):
        if is_solution(cell):
            # the code starts collapsed; the output is folded by gan_course.solutions, whose marker
            # is the first line (JupyterLab unfolds outputs_hidden cells whenever they run)
            jupyter = cell.metadata.setdefault("jupyter", {})
            jupyter["source_hidden"] = True
            jupyter.pop("outputs_hidden", None)
            if not cell.source.lstrip().startswith(SOLUTION_MARKER):
                cell.source = f"{SOLUTION_MARKER}\n{cell.source}"
        if cell.cell_type == "code" and (is_solution(cell) or is_plumbing(nb, i)):
            if slide_type(cell) in ("slide", "subslide"):  # the next shown cell opens the slide instead
                nxt = next((c for c in nb.cells[i + 1:] if slide_type(c) not in HIDDEN), None)
                if nxt is not None and slide_type(nxt) == "-":
                    set_slide_type(nxt, slide_type(cell))
            set_slide_type(cell, "skip")
    return nb


def fit_breaks(measured, limit):
    """Cell ids that should open a sub-slide so that no measured slide is taller than ``limit``.

    ``measured``: slides as measured (dicts with ``cells`` = [[cell id, height in px], ...]). A cell
    taller than the slide on its own cannot be split: it gets a slide of its own."""
    breaks = []
    for slide in measured:
        used = 0.0
        for k, (cell_id, height) in enumerate(slide["cells"]):
            if k > 0 and used + height > limit:
                breaks.append(cell_id)
                used = 0.0
            used += height
    return breaks


def fit(executed_dir, path):
    """Add the sub-slide breaks that the measured slides of ``path`` need; returns how many.
    The outputs are those of ``executed_dir``/NN_name.ipynb (an nbval or site run), matched by cell id."""
    import importlib.util
    import tempfile

    import nbformat

    spec = importlib.util.spec_from_file_location("build_site", Path(__file__).with_name("build_site.py"))
    build_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_site)
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    ran = {c.get("id"): c for c in nbformat.read(Path(executed_dir) / path.name, as_version=4).cells}
    shown = copy.deepcopy(nb)
    for c in shown.cells:
        if c.cell_type == "code" and c.get("id") in ran:
            c.outputs = ran[c.id].get("outputs", [])
    shown.metadata.setdefault("gan_course", {})["name"] = path.stem
    with tempfile.TemporaryDirectory() as tmp:
        measured, _ = build_site.measure_slides(build_site.slides_html(shown, Path(tmp)))
    ids = set(fit_breaks(measured, build_site.SLIDE_HEIGHT - build_site.SLIDE_MARGIN))
    for c in nb.cells:
        if c.get("id") in ids:
            set_slide_type(c, "subslide")
    if ids:
        nbformat.write(nb, path)
        # the .py is the source: write the breaks into it too, or `make notebooks` would drop them
        subprocess.run([sys.executable, "-m", "jupytext", "-q", "--to", "py:percent", str(path)], check=True)
    return len(ids)


def mark(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    mark_notebook(nb)
    if nbformat.writes(nb) != before:
        nbformat.write(nb, path)
        return True
    return False


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fit"]:
        for p in sys.argv[3:]:
            print(f"{p}: {fit(sys.argv[2], p)} sub-slide breaks added")
        sys.exit(0)
    for p in sys.argv[1:]:
        if mark(Path(p)):
            print(f"{p}: marked")
