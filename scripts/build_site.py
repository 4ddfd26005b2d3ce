"""Build the course site: every chapter executed, rendered by Sphinx (myst-nb, sphinx-book-theme).

    make site                  # = .venv/bin/python scripts/build_site.py
    open _site/index.html      # works from the disk, offline

What the site has: a sidebar with every chapter (found by glob: chapters/NN_name.py), full-text
search, previous/next links, formulas (MathJax 3), figures and animations, widgets drawn from
their saved state, and a page with the lab's saved runs (no kernel needed). Nothing is loaded
from a CDN: MathJax and the widget manager come from the npm registry at build time (installed
once into build/npm, like `make setup` installs Python packages) and are copied into the site.

Each chapter is executed with nbclient (widget state stored) into build/site/executed/; a chapter
whose .py is unchanged (same SHA-256) is not executed again. Sphinx's configuration is site/conf.py.
"""
import argparse
import copy
import hashlib
import html
import importlib
import json
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
BUILD = ROOT / "build" / "site"
EXECUTED = BUILD / "executed"
NPM = ROOT / "build" / "npm"
# JavaScript the site and the slides serve themselves (npm package -> files copied)
NPM_PACKAGES = ["mathjax@3.2.2", "mathjax2@npm:mathjax@2.7.9", "reveal.js@4.0.2", "requirejs@2.3.7",
                "jquery@3.7.1", "font-awesome@4.7.0", "@jupyter-widgets/html-manager@1.0.15"]
# The lab's saved runs as one self-contained HTML page (no kernel): "module:function" returning a
# str of HTML. The live-lab view provides it; until it exists the page says so.
LAB_VIEW = "gan_course.site_viewer:page_html"


def chapter_sources():
    return sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))


def chapter_summary(nb):
    """(title, one-line summary) from the chapter's first markdown cell: '# title' then prose."""
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    title, _, rest = cell.source.strip().partition("\n")
    paragraph = " ".join(rest.strip().split("\n\n")[0].split())
    summary = re.split(r"(?<=[.;])\s", paragraph, maxsplit=1)[0]  # its first sentence
    return title.lstrip("# ").strip(), summary


def source_hash(src):
    return hashlib.sha256(src.with_suffix(".py").read_bytes()).hexdigest()


def execute(src, timeout=900):
    """Execute chapter ``src`` (.ipynb) in chapters/; returns (executed notebook, seconds).

    Reuses build/site/executed/NN_name.ipynb when it was made from the same .py (SHA-256)."""
    from nbclient import NotebookClient

    cached, digest = EXECUTED / src.name, source_hash(src)
    if cached.exists():
        nb = nbformat.read(cached, as_version=4)
        meta = nb.metadata.get("gan_course", {})
        if meta.get("source_sha256") == digest:
            return nb, float(meta.get("seconds", float("nan")))
    nb = nbformat.read(src, as_version=4)
    t = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(CHAPTERS)}}).execute()
    seconds = time.perf_counter() - t
    nb.metadata["gan_course"] = {"seconds": seconds, "source_sha256": digest}
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, cached)
    return nb, seconds


def npm_modules():
    """node_modules with the packages of NPM_PACKAGES (installed once from the npm registry)."""
    modules = NPM / "node_modules"
    marker = NPM / "installed.json"
    if not (marker.exists() and json.loads(marker.read_text()) == NPM_PACKAGES):
        if not shutil.which("npm"):
            raise SystemExit("npm is needed once to fetch MathJax, reveal.js and the widget manager "
                             "(Debian: apt-get install npm); the site then works offline")
        NPM.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(NPM), "--no-audit", "--no-fund", "--silent",
                        *NPM_PACKAGES], check=True)
        marker.write_text(json.dumps(NPM_PACKAGES))
    return modules


def copy_js(static):
    """MathJax 3 and the widget manager into ``static`` (the site's _static folder)."""
    modules = npm_modules()
    shutil.copytree(modules / "mathjax" / "es5", static / "mathjax", dirs_exist_ok=True)
    shutil.copytree(modules / "@jupyter-widgets" / "html-manager" / "dist", static / "html-manager",
                    dirs_exist_ok=True, ignore=shutil.ignore_patterns("*amd*", "*.map"))
    for part in ("css", "fonts"):  # the icons of matplotlib's animation player (plotting.animation_html)
        shutil.copytree(modules / "font-awesome" / part, static / "font-awesome" / part, dirs_exist_ok=True)


# the parts of MathJax 2 that nbconvert's TeX-AMS_CHTML-full configuration loads (the slides)
MATHJAX2_PARTS = ("MathJax.js", "config", "extensions", "jax/input/TeX", "jax/output/CommonHTML", "jax/element",
                  "localization/en", "fonts/HTML-CSS/TeX/woff")
# Slides readable from the back of a room: reveal.js's 'white' theme (its fonts ship with it) at 1280 x 800 with larger text.
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 800
SLIDE_CODE_LINES = 10  # a longer code cell, or one that draws a figure, shows its output only on the slides
SLIDE_MARGIN = 48  # px of a slide that reveal.js keeps around its cells
SLIDE_CSS = """<style>
.reveal .slides { text-align: left; }
.reveal .jp-RenderedMarkdown, .reveal .jp-RenderedHTMLCommon { font-size: 28px; line-height: 1.35; }
.reveal .jp-RenderedHTMLCommon h1 { font-size: 52px; } .reveal .jp-RenderedHTMLCommon h2 { font-size: 42px; }
.reveal .jp-RenderedHTMLCommon h3 { font-size: 34px; }
.reveal .jp-InputArea pre { font-size: 19px; line-height: 1.3; }
.reveal .jp-OutputArea pre { font-size: 18px; line-height: 1.25; max-height: 400px; overflow-y: auto; }
.reveal .jp-RenderedImage img { max-height: 460px; width: auto; }
.reveal .jp-OutputArea:has(.jp-RenderedImage ~ .jp-RenderedImage) img,
.reveal .jp-OutputArea:has(.jp-OutputArea-child ~ .jp-OutputArea-child .jp-RenderedImage) img { max-height: 300px; }
.reveal .jp-OutputArea:has(.jp-OutputArea-child ~ .jp-OutputArea-child ~ .jp-OutputArea-child .jp-RenderedImage) img {
  max-height: 170px; }
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
</style>"""


def slides_html(nb, out):
    """Write ``nb`` (executed) as reveal.js slides to ``out``/NN_name.slides.html, with reveal.js,
    RequireJS, jQuery, MathJax 2 and the widget manager copied next to it: the page loads nothing
    from another site."""
    from nbconvert import SlidesExporter

    modules = npm_modules()
    out.mkdir(parents=True, exist_ok=True)
    reveal = modules / "reveal.js"  # the 'white' theme only: the others import fonts from another site
    for part in ("dist/reveal.js", "dist/reveal.css", "dist/reset.css", "dist/theme/white.css", "plugin/notes"):
        (out / "reveal.js" / part).parent.mkdir(parents=True, exist_ok=True)
        if (reveal / part).is_dir():
            shutil.copytree(reveal / part, out / "reveal.js" / part, dirs_exist_ok=True)
        else:
            shutil.copy2(reveal / part, out / "reveal.js" / part)
    shutil.copytree(reveal / "dist/theme/fonts/source-sans-pro", out / "reveal.js/dist/theme/fonts/source-sans-pro",
                    dirs_exist_ok=True)
    shutil.copy2(modules / "requirejs" / "require.js", out / "require.js")
    shutil.copy2(modules / "jquery" / "dist" / "jquery.min.js", out / "jquery.min.js")
    for part in ("css", "fonts"):
        shutil.copytree(modules / "font-awesome" / part, out / "font-awesome" / part, dirs_exist_ok=True)
    for part in MATHJAX2_PARTS:
        target = out / "mathjax2" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if (modules / "mathjax2" / part).is_dir():
            shutil.copytree(modules / "mathjax2" / part, target, dirs_exist_ok=True)
        else:
            shutil.copy2(modules / "mathjax2" / part, target)
    shutil.copy2(modules / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js", out / "embed-amd.js")
    exporter = SlidesExporter(
        reveal_url_prefix="reveal.js", reveal_theme="white",  reveal_width=str(SLIDE_WIDTH),
        reveal_height=str(SLIDE_HEIGHT), reveal_scroll=False, require_js_url="require.js",
        jquery_url="jquery.min.js", font_awesome_url="font-awesome/css/font-awesome.min.css",
        mathjax_url="mathjax2/MathJax.js?config=TeX-AMS_CHTML-full,Safe", widget_renderer_url="embed-amd.js")
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        draws = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        if cell.cell_type == "code" and (draws or len(cell.source.splitlines()) > SLIDE_CODE_LINES):
            cell.metadata["transient"] = {"remove_source": True}
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</head>", SLIDE_CSS + "\n</head>", 1)
    # nbconvert's loader of mermaid diagrams (none in the course) would import from a CDN: drop it
    body = re.sub(r'<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>', "", body, flags=re.S)
    # reveal.js arrives through RequireJS; expose it so that a test (or the console) can drive it
    body = body.replace("function(Reveal, RevealNotes){", "function(Reveal, RevealNotes){ window.Reveal = Reveal;", 1)
    name = nb.metadata.get("gan_course", {}).get("name", "slides")
    path = out / f"{name}.slides.html"
    path.write_text(body)
    return path


MEASURE_JS = """() => {
  const out = [];
  for (const s of Reveal.getSlides()) {
    const i = Reveal.getIndices(s);
    Reveal.slide(i.h, i.v);
    const cells = [...s.querySelectorAll(':scope > .jp-Cell')].map(c => {
      const st = getComputedStyle(c);
      return [c.id.replace('cell-id=', ''), c.offsetHeight + parseFloat(st.marginTop) + parseFloat(st.marginBottom)];
    });
    out.push({h: i.h, v: i.v, height: s.scrollHeight, cells: cells, text: s.textContent.trim().slice(0, 60)});
  }
  return out;
}"""


def measure_slides(path, browser=None):
    """Rendered height of every slide of ``path`` (slides HTML) and of each cell on it, in CSS px of
    the SLIDE_WIDTH x SLIDE_HEIGHT slide, measured in Chromium with nothing loaded from the network.
    Returns (slides, page errors); slides: dicts with h, v, height, cells = [[cell id, height], ...]."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=browser or shutil.which("chromium") or "/usr/bin/chromium",
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = b.new_page(viewport={"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=60_000)
        page.wait_for_timeout(1000)  # MathJax typesets after load
        slides = page.evaluate(MEASURE_JS)
        b.close()
    return slides, errors


def lab_view_html():
    """The lab's saved runs as self-contained HTML, or None while LAB_VIEW does not exist."""
    module, _, name = LAB_VIEW.partition(":")
    try:
        return getattr(importlib.import_module(module), name)()
    except (ImportError, AttributeError):
        return None


LAB_PAGE = """# The lab's saved runs

{body}
"""


def index_page(pages):
    rows = "\n".join(f"| [{p['title']}]({p['name']}.ipynb) | {p['summary']} | {p['seconds']:.0f} s |" for p in pages)
    toc = "\n".join(p["name"] for p in pages)
    return f"""# Generative Adversarial Networks: an interactive course

Every chapter below was executed when this site was built (the run time is that build's), with
its figures, animations and widgets as they were left; nothing here needs a kernel. To change a
setting and train, open the chapter in JupyterLab (`make lab`).

| chapter | what it proves | run time |
|---|---|---|
{rows}

The mode-collapse lab's saved runs can be browsed without a kernel on [its own page](lab.md).

```{{toctree}}
:hidden:
:caption: Chapters

{toc}
lab
```
"""


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LIVE_ONLY = """<div class="admonition note"><p class="admonition-title">A live view</p>
<p>This widget draws in the browser while the notebook's kernel trains (an anywidget canvas), so a
static page cannot show it. Below: the lab's saved runs, browsable without a kernel
(<a href="lab.html">the lab's page</a>). Open the chapter in JupyterLab to train live.</p></div>
<iframe src="_static/lab_view.html" title="the lab's saved runs" style="width:100%;height:760px;border:0"></iframe>"""


def needs_kernel(state, model_id):
    """True when the widget ``model_id`` (in a notebook's saved widget state) is or holds an anywidget,
    which the static widget manager cannot draw."""
    model = state.get(model_id)
    if model is None:
        return False
    if model.get("model_module") == "anywidget":
        return True
    kids = model.get("state", {}).get("children", [])
    return any(needs_kernel(state, k.removeprefix("IPY_MODEL_")) for k in kids if isinstance(k, str))


def replace_live_widgets(nb):
    """Outputs that show a live-only widget become a note and the saved-runs viewer; returns how many."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view and needs_kernel(state, view["model_id"]):
                out["data"] = {"text/html": LIVE_ONLY, "text/plain": "(a live widget: open the chapter in JupyterLab)"}
                n += 1
    return n


def stage(pages, notebooks, src):
    """Write the Sphinx project (conf.py, index, executed chapters, lab page) into ``src``."""
    if src.exists():
        shutil.rmtree(src)
    (src / "_static").mkdir(parents=True)
    shutil.copy2(ROOT / "site" / "conf.py", src / "conf.py")
    for name, nb in notebooks.items():
        replace_live_widgets(nb)
        for cell in nb.cells:  # solutions stay folded on the site too (myst-nb's <details>)
            if "solution" in cell.metadata.get("tags", []):
                cell.metadata["tags"] = [*cell.metadata["tags"], "hide-cell"]
        nbformat.write(nb, src / f"{name}.ipynb")
    (src / "index.md").write_text(index_page(pages))
    view = lab_view_html()
    if view is None:
        body = "The page of the lab's saved runs is not part of this build yet; chapter 07 shows them in JupyterLab."
    else:
        (src / "_static" / "lab_view.html").write_text(view)
        body = ('```{raw} html\n<iframe src="_static/lab_view.html" title="the lab\'s saved runs" '
                'style="width:100%;height:85vh;border:0"></iframe>\n```\n\n'
                '[Open the saved runs on a page of their own](_static/lab_view.html).')
    (src / "lab.md").write_text(LAB_PAGE.format(body=body))
    copy_js(src / "_static")


def build(out, workers=2, only=None):
    sources = [p for p in chapter_sources() if not only or p.stem in only]
    if workers > 1 and len(sources) > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(execute, sources))
    else:
        results = [execute(s) for s in sources]
    notebooks, pages = {}, []
    for src, (nb, seconds) in zip(sources, results):
        title, summary = chapter_summary(nb)
        notebooks[src.stem] = nb
        pages.append(dict(name=src.stem, title=title, summary=summary, seconds=seconds))
    src = BUILD / "src"
    stage(pages, notebooks, src)
    if out.exists():
        shutil.rmtree(out)
    stray = out.resolve().parent / "jupyter_execute"  # myst-nb's copy of the notebooks, beside the output
    existed = stray.exists()
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", str(workers), str(src), str(out)],
                   check=True)
    if not existed and stray.exists():  # the site does not need it; left in the repo it dirties `git status`
        shutil.rmtree(stray)
    (out / "pages.json").write_text(json.dumps(pages, indent=2))
    return pages


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "_site")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="chapter names (e.g. 00_prelude); default all")
    ap.add_argument("--slides", metavar="CHAPTER", help="only the slides of CHAPTER (e.g. 01_minimax), into OUT/slides")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    if args.slides:
        nb, _ = execute(CHAPTERS / f"{args.slides}.ipynb")
        nb.metadata.setdefault("gan_course", {})["name"] = args.slides
        print(f"slides: open {slides_html(nb, args.out / 'slides')}")
        return
    pages = build(args.out, args.workers, args.only)
    for p in pages:
        print(f"{p['name']:35s} {p['seconds']:6.1f} s  {html.unescape(p['summary'])[:60]}")
    print(f"site in {args.out} built in {time.perf_counter() - t:.0f} s: open {args.out / 'index.html'}")


if __name__ == "__main__":
    sys.exit(main())
