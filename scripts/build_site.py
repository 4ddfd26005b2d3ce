"""Build the executed static site of the course: one HTML page per chapter plus an index.

    make site                  # = .venv/bin/python scripts/build_site.py
    open _site/index.html

Each chapter is executed (nbconvert/nbclient, no network), converted to HTML with its figures
and animations embedded, and its links to other chapters (``NN_name.ipynb``) rewritten to the
built pages. Formulas render offline with a local copy of MathJax 2 (npm's ``mathjax@2``,
installed once into build/mathjax when npm is present; otherwise the pages load it from its CDN). A notebook already executed by the test run (``build/executed/NN_name.ipynb``,
newer than its source) is reused instead of executing again. The index is the table of
contents: one line per chapter with what it proves and how long it ran.
"""
import argparse
import html
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
EXECUTED = ROOT / "build" / "executed"


def chapter_summary(nb):
    """(title, one-line summary) from the chapter's first markdown cell: '# title' then prose."""
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    title, _, rest = cell.source.strip().partition("\n")
    paragraph = " ".join(rest.strip().split("\n\n")[0].split())
    summary = re.split(r"(?<=[.;])\s", paragraph, maxsplit=1)[0]  # its first sentence
    return title.lstrip("# ").strip(), summary


def execute(src, timeout=900):
    """Execute chapter ``src`` (.ipynb) in chapters/ and return (executed notebook, seconds)."""
    from nbclient import NotebookClient

    cached = EXECUTED / src.name
    py = src.with_suffix(".py")
    if cached.exists() and cached.stat().st_mtime >= max(src.stat().st_mtime, py.stat().st_mtime):
        nb = nbformat.read(cached, as_version=4)
        return nb, float(nb.metadata.get("gan_course", {}).get("seconds", float("nan")))
    nb = nbformat.read(src, as_version=4)
    t = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(CHAPTERS)}}).execute()
    seconds = time.perf_counter() - t
    nb.metadata["gan_course"] = {"seconds": seconds}
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, cached)
    return nb, seconds


MATHJAX_NPM = ROOT / "build" / "mathjax"
# the parts of MathJax 2 that nbconvert's TeX-AMS_CHTML-full configuration loads
MATHJAX_PARTS = ("MathJax.js", "config", "extensions", "jax/input/TeX", "jax/output/CommonHTML", "jax/element",
                 "localization/en", "fonts/HTML-CSS/TeX/woff")
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"


def local_mathjax(out):
    """Copy MathJax 2 next to the pages so formulas render offline; its URL, or None without npm.

    nbconvert's HTML templates configure MathJax 2 and load it from a CDN; the npm registry's
    ``mathjax@2`` is installed once into build/mathjax (an install step, as `make setup` is)."""
    src = MATHJAX_NPM / "node_modules" / "mathjax"
    if not (src / "MathJax.js").exists() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--prefix", str(MATHJAX_NPM), "mathjax@2", "--no-audit", "--no-fund",
                        "--silent"], check=False)
    if not (src / "MathJax.js").exists():
        return None
    for part in MATHJAX_PARTS:
        target = out / "mathjax" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if (src / part).is_dir():
            shutil.copytree(src / part, target, dirs_exist_ok=True)
        else:
            shutil.copy2(src / part, target)
    return "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"


def to_html(nb, mathjax_url=MATHJAX_CDN):
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab", mathjax_url=mathjax_url).from_notebook_node(nb)
    # links between chapters point at the built pages
    return re.sub(r'href="(?:\./)?(\d\d_[A-Za-z0-9_]+)\.(?:ipynb|py)"', r'href="\1.html"', body)


def build_page(src, out, mathjax_url=MATHJAX_CDN):
    nb, seconds = execute(src)
    (out / f"{src.stem}.html").write_text(to_html(nb, mathjax_url))
    title, summary = chapter_summary(nb)
    return dict(name=src.stem, title=title, summary=summary, seconds=seconds)


INDEX = """<!doctype html><html><head><meta charset="utf-8"><title>GAN course</title>
<script src="{mathjax}"></script>
<script type="text/x-mathjax-config">MathJax.Hub.Config({{tex2jax: {{inlineMath: [["$","$"]]}}}});</script>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td{{padding:.3em .8em;vertical-align:top}}</style>
</head><body><h1>Generative Adversarial Networks: an interactive course</h1>
<p>Every page below was executed when the site was built; the run time is that build's.</p>
<table><tr><th>chapter</th><th>what it proves</th><th>run time</th></tr>
{rows}
</table></body></html>
"""


def build(out, workers=2, only=None):
    out.mkdir(parents=True, exist_ok=True)
    sources = [p for p in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb")) if not only or p.stem in only]
    mathjax = local_mathjax(out) or MATHJAX_CDN
    with ProcessPoolExecutor(workers) as pool:
        pages = list(pool.map(build_page, sources, [out] * len(sources), [mathjax] * len(sources)))
    def prose(text):  # markdown emphasis to HTML; end the sentence with a full stop
        text = re.sub(r"\*([^*]+)\*", r"<em>\1</em>", html.escape(text.rstrip(";")))
        return text if text.endswith(".") else text + "."

    rows = "\n".join(
        f'<tr><td><a href="{p["name"]}.html">{html.escape(p["title"])}</a></td><td>{prose(p["summary"])}</td>'
        f'<td style="white-space:nowrap">{p["seconds"]:.0f} s</td></tr>' for p in pages)
    (out / "index.html").write_text(INDEX.format(rows=rows, mathjax=mathjax))
    (out / "pages.json").write_text(json.dumps(pages, indent=2))
    return pages


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "_site")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="chapter names (e.g. 01_minimax); default all")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    pages = build(args.out, args.workers, args.only)
    for p in pages:
        print(f"{p['name']:35s} {p['seconds']:6.1f} s  {p['summary'][:60]}")
    print(f"site in {args.out} built in {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
