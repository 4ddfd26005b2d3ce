"""The course site and the slides: built offline, navigable, and every slide fits on screen.

* After each chapter ran under nbval, the "site page" item that conftest.py adds calls
  ``check_chapter_page``: the chapter's figures are there, its links to other chapters exist,
  and its reveal.js slides (as `make slides` writes them, outputs included) are measured in
  Chromium: no slide is taller than the screen.
* ``test_site_builds_offline`` builds the Sphinx site (scripts/build_site.py) for chapter 00 and
  checks navigation, search, previous/next links, formulas, hidden solutions and that no page
  loads anything from another site. `make site` builds the same for every chapter.
"""
import importlib.util
import re
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
build_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_site)
EXECUTED = ROOT / "build" / "executed"  # where conftest.py keeps what nbval ran
NO_NPM = shutil.which("npm") is None and not (build_site.NPM / "installed.json").exists()
# a reference to another site from a page: <script src>, <link href>, <img src>, <iframe src>, CSS
# @import or url(), a JS module import
REMOTE = re.compile(r"""(?:<(?:script|link|img|iframe|source|audio|video)\b[^>]*?\b(?:src|href)\s*=\s*["']?"""
                    r"""|@import\s+(?:url\()?["']?|url\(["']?|import\(\s*["'])(?:https?:)?//""", re.I)


def count_images(nb):
    return sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if "image/png" in o.get("data", {}))


def remote_references(folder):
    """(file, excerpt) for every reference to another site in the .html/.css files under ``folder``."""
    found = []
    for f in list(folder.rglob("*.html")) + list(folder.rglob("*.css")):
        text = f.read_text(errors="replace")
        found += [(f.relative_to(folder), text[m.start():m.end() + 60]) for m in REMOTE.finditer(text)]
    return found


def check_chapter_page(chapter, tmp=None):
    """Run by the "site page" item that conftest.py adds after each chapter's cells."""
    import tempfile

    if NO_NPM:
        pytest.skip("npm fetches reveal.js and MathJax once (scripts/ensure_chromium.sh installs it)")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium to measure the slides (scripts/ensure_chromium.sh installs it)")
    executed = EXECUTED / f"{chapter}.ipynb"
    src = ROOT / "chapters" / f"{chapter}.py"
    assert executed.exists() and executed.stat().st_mtime >= src.stat().st_mtime, "the chapter was not executed"
    nb = nbformat.read(executed, as_version=4)
    assert count_images(nb) >= 1, f"{chapter} produced no figure"
    for c in nb.cells:
        if c.cell_type == "markdown":
            for target in re.findall(r"\]\((?:\./)?(\d\d_[A-Za-z0-9_]+)\.(?:ipynb|py|md)", c.source):
                assert target in CHAPTERS, f"{chapter} links to a chapter that does not exist: {target}"
    nb.metadata.setdefault("gan_course", {})["name"] = chapter
    with tempfile.TemporaryDirectory() as tmp:
        page = build_site.slides_html(nb, Path(tmp))
        assert remote_references(Path(tmp)) == [], "the slides load something from another site"
        slides, errors = build_site.measure_slides(page)
    assert not errors, f"the slides raised JavaScript errors: {errors[:3]}"
    assert len(slides) >= 3
    tall = [(s["h"], s["v"], round(s["height"]), s["text"][:40]) for s in slides
            if s["height"] > build_site.SLIDE_HEIGHT]
    assert not tall, (f"slides taller than {build_site.SLIDE_HEIGHT} px (h, v, height, start): {tall}; "
                      f"run scripts/mark_slides.py --fit build/executed chapters/{chapter}.ipynb && make notebooks")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_index_line(chapter):
    """The index shows a title and a one-line 'what it proves' for every chapter."""
    title, summary = build_site.chapter_summary(nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4))
    assert title[:2] == chapter[:2], f"the title should start with the chapter number: {title!r}"
    assert len(summary) > 20, f"{chapter} needs a one-line summary under its title"


def test_remote_reference_check_catches_a_cdn(tmp_path):
    (tmp_path / "a.html").write_text('<script src="https://cdn.example.org/x.js"></script>'
                                     '<link rel="stylesheet" href="//fonts.example.org/f.css">')
    (tmp_path / "b.css").write_text("@import url(https://fonts.example.org/css?family=Lato);")
    (tmp_path / "ok.html").write_text('<a href="https://arxiv.org/abs/1406.2661">paper</a><script src="_static/x.js">')
    assert len(remote_references(tmp_path)) == 3


@pytest.mark.skipif(NO_NPM, reason="npm fetches MathJax and the widget manager once")
def test_site_builds_offline(tmp_path):
    """`make site` on one chapter: navigation, search, previous/next, formulas, hidden solutions, no CDN."""
    out = tmp_path / "site"
    build_site.build(out, workers=1, only=["00_prelude"])
    pages = {p.name for p in out.glob("*.html")}
    assert {"index.html", "00_prelude.html", "lab.html", "search.html"} <= pages
    assert (out / "searchindex.js").exists(), "the search runs from the site's own index"
    assert "prelude" in (out / "searchindex.js").read_text().lower()
    chapter = (out / "00_prelude.html").read_text()
    assert 'href="index.html"' in chapter and "lab.html" in chapter, "the sidebar links every page"
    assert re.search(r'class="[^"]*prev-next', chapter) and 'href="lab.html"' in chapter, "previous/next links"
    assert re.search(r'<script[^>]+src="_static/mathjax/tex-chtml-full.js', chapter), "MathJax is served locally"
    assert (out / "_static" / "mathjax" / "tex-chtml-full.js").exists()
    assert chapter.count("data:image/png") + chapter.count('src="_images/') >= 3, "the figures are on the page"
    n_solutions = sum("solution" in c.metadata.get("tags", [])
                      for c in nbformat.read(ROOT / "chapters" / "00_prelude.ipynb", as_version=4).cells)
    assert chapter.count("<details") >= n_solutions, "each solution is folded away until opened"
    assert remote_references(out) == [], "a page loads something from another site"
    lab_page = (out / "lab.html").read_text()
    assert 'src="_static/lab_view.html"' in lab_page, "the lab page hosts the saved-runs viewer"
    view = (out / "_static" / "lab_view.html").read_text()
    assert "const DATA = " in view and "<canvas" in view, "the viewer carries its numbers and draws them itself"
    assert not (tmp_path / "jupyter_execute").exists(), "the build leaves no copy of the notebooks beside the site"


def test_a_live_widget_becomes_the_saved_runs_viewer_on_the_site():
    """The static page cannot draw an anywidget (it needs the kernel): its output is replaced by a note
    and the saved-runs viewer; plain ipywidgets stay as they were left."""
    nb = nbformat.v4.new_notebook()
    view = lambda i: nbformat.v4.new_output("display_data", data={build_site.WIDGET_VIEW: {"model_id": i}, "text/plain": "w"})
    nb.cells = [nbformat.v4.new_code_cell("lab", outputs=[view("box")]), nbformat.v4.new_code_cell("s", outputs=[view("slider")])]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {
        "box": {"model_module": "@jupyter-widgets/controls", "state": {"children": ["IPY_MODEL_inner"]}},
        "inner": {"model_module": "@jupyter-widgets/controls", "state": {"children": ["IPY_MODEL_canvas"]}},
        "canvas": {"model_module": "anywidget", "state": {}},
        "slider": {"model_module": "@jupyter-widgets/controls", "state": {}}}}}
    assert build_site.replace_live_widgets(nb) == 1
    first, second = nb.cells[0].outputs[0].data, nb.cells[1].outputs[0].data
    assert build_site.WIDGET_VIEW not in first and "_static/lab_view.html" in first["text/html"]
    assert build_site.WIDGET_VIEW in second
