"""The lab's widget in slide mode: JupyterLab's RISE app (jupyterlab-rise) renders it as a widget.

RISE runs a notebook as reveal.js slides in its own small Jupyter app. With jupyterlab_widgets 3.0.11
or later the widget manager cannot load there (it needs @jupyterlab/console, which that app does not
share), and every widget shows as its text, e.g. ``VBox(children=(...``. pyproject.toml pins the last
manager that loads (3.0.10, with ipywidgets 8.1.2). This test opens a two-slide notebook holding the
lab's view in RISE, runs the view's cell on its slide, and checks that widgets were drawn, not text.
The screenshot goes to test-artifacts/browser/rise_lab.png.
"""
from pathlib import Path

import nbformat
import pytest

from tests.jupyter_server import CHROMIUM, CHROMIUM_ARGS, ROOT, jupyter_lab

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium: `make browser-deps`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARTIFACTS = ROOT / "test-artifacts" / "browser"

LAB_CELL = """import gan_course as gc
view = gc.widgets.LabView(gc.widgets.LabStore.load(), device="cpu")
view.widget"""


def slide_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# The mode-collapse lab", metadata={"slideshow": {"slide_type": "slide"}}),
                nbformat.v4.new_code_cell(LAB_CELL, metadata={"slideshow": {"slide_type": "slide"}})]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, path)


def test_lab_widget_renders_in_rise_slides(tmp_path):
    slide_notebook(tmp_path / "slides.ipynb")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with jupyter_lab(tmp_path) as (url, token), sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if "Shared module" in m.text else None)
        page.goto(f"{url}/rise/slides.ipynb?token={token}")
        page.wait_for_selector(".reveal .slides section", timeout=90_000)
        dialog = page.locator(".jp-Dialog .jp-mod-accept")  # "Select Kernel": the notebook's default
        try:
            dialog.wait_for(timeout=15_000)
            dialog.click()
        except sync_api.TimeoutError:
            pass
        page.keyboard.press("Space")  # to the lab's slide
        page.wait_for_timeout(1500)
        page.click(".present .jp-InputArea-editor")
        page.keyboard.press("Control+Enter")  # run the cell, stay on the slide
        output = page.locator(".present .jp-OutputArea-output")
        output.first.wait_for(timeout=120_000)
        page.wait_for_function("document.querySelectorAll('.present .jupyter-widgets').length > 3", timeout=120_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "rise_lab.png"))
        text = output.first.inner_text()
        browser.close()
    assert "children=" not in text and "VBox(" not in text, f"the widget showed as text: {text[:200]}"
    assert not errors, f"the widget manager did not load in RISE: {errors[:2]}"
