"""Give every chapter slides that fit: insert sub-slide breaks where a slide would overflow.

    .venv/bin/python scripts/mark_slides.py chapters/*.py && make notebooks

Cells are grouped into slides as reveal.js and RISE do: a cell whose slideshow type is
'slide' or 'subslide' opens a new one. Walking a chapter top to bottom, a cell without a
slideshow type that would push the current slide past ``MAX_SLIDE_LINES`` source lines gets
``slideshow={"slide_type": "subslide"}`` in its ``# %%`` header (the .py is the source).
"""
import json
import re
import sys
from pathlib import Path

MAX_SLIDE_LINES = 32  # source lines on one slide; the figure a cell draws shows below it


def slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def slides(nb):
    """The chapter's slides: lists of cells ('skip' and 'notes' cells are not shown)."""
    out = []
    for cell in nb.cells:
        kind = slide_type(cell)
        if kind in ("skip", "notes"):
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
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide"):
            current = lines(cell)
        elif current + lines(cell) > MAX_SLIDE_LINES and current > 0:
            breaks.append(i)
            current = lines(cell)
        else:
            current += lines(cell)
    return breaks


def mark(path):
    import jupytext

    path = Path(path)
    nb = jupytext.read(path)
    breaks = set(cells_to_break(nb))
    if not breaks:
        return 0
    text = path.read_text().splitlines(keepends=True)
    headers = [k for k, l in enumerate(text) if l.startswith("# %%")]
    # jupytext cells: any text before the first '# %%' (after the YAML header) is not a cell here
    assert len(headers) == len(nb.cells), f"{path}: {len(headers)} '# %%' lines for {len(nb.cells)} cells"
    meta = 'slideshow=' + json.dumps({"slide_type": "subslide"})
    for i in breaks:
        k = headers[i]
        text[k] = re.sub(r"^(# %%( \[markdown\])?)", lambda m: m.group(1) + " " + meta, text[k], count=1)
    path.write_text("".join(text))
    return len(breaks)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"{p}: {mark(p)} sub-slide breaks added")
