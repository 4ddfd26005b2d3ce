"""Helpers to drive the lab chapter in JupyterLab with headless Chromium (tests/test_browser.py and
benchmarks/lab_latency.py): start a private JupyterLab over a copy of the chapter, open it, run all
cells, and read what the lab's canvas drew (its host element's data-* attributes, set by lab_canvas.js
after each draw)."""
import contextlib
import shutil
from pathlib import Path

from tests import jupyter_server
from tests.jupyter_server import CHROMIUM, CHROMIUM_ARGS, ROOT

NOTEBOOK = ROOT / "chapters" / "07_mode_collapse_lab.ipynb"
CANVAS = ".gan-lab-canvas"
LAUNCH = dict(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def jupyter_lab(work):
    """``jupyter_server.jupyter_lab`` over ``work``, which receives a copy of the lab chapter as lab.ipynb;
    yields (url, token)."""
    shutil.copy(NOTEBOOK, Path(work) / "lab.ipynb")
    with jupyter_server.jupyter_lab(work) as (url, token):
        yield url, token


def open_lab(page, url, token, timeout_error):
    """Open lab.ipynb, run all cells, wait for the canvas's first frame and for the kernel to go idle."""
    page.goto(f"{url}/lab/tree/lab.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    accept = page.locator(".jp-Dialog button.jp-mod-accept")  # "Select Kernel" (Python 3), if asked
    try:
        accept.wait_for(timeout=15_000)
        accept.click()
    except timeout_error:
        pass
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_selector(f"{CANVAS}[data-frame]", timeout=120_000)
    # let the rest of the chapter finish, so that the kernel answers the widgets at once
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=180_000)
    try:  # JupyterLab's "news" notification covers the lower right corner of the screenshots
        page.locator(".Toastify button:text-is('No')").first.click(timeout=2_000)
    except timeout_error:
        pass
    page.locator(CANVAS).first.scroll_into_view_if_needed()


def canvas_state(page):
    """What the canvas drew last: frames drawn, Python's frame id, label, step, source, panels."""
    return page.evaluate("""sel => { const d = document.querySelector(sel).dataset;
        return {frame: +d.frame, id: +d.frameId, label: d.label, step: +d.step, source: d.source,
                panels: +d.panels, curves: d.curves}; }""", CANVAS)


def slider(page, description):
    return page.locator(f".widget-slider:has(label:text-is('{description}')) .noUi-handle").first


def start_recording(page):
    """From now on record every drawn frame (polled each animation frame) into window.__frames."""
    page.evaluate("""sel => { window.__frames = []; window.__rec = true; let last = null;
        const el = document.querySelector(sel);
        const poll = () => { const d = el.dataset;
            if (d.frameId !== last) { last = d.frameId;
                window.__frames.push({t: performance.now(), id: +d.frameId, label: d.label, step: +d.step,
                                      source: d.source, panels: +d.panels}); }
            if (window.__rec) requestAnimationFrame(poll); };
        requestAnimationFrame(poll); }""", CANVAS)


def stop_recording(page):
    return page.evaluate("() => { window.__rec = false; return window.__frames; }")


def arm_latency(page):
    """Time the next key press to the first frame drawn with another label (a new setting) and to the
    first such frame with samples (not the "starting" placeholder); read with ``read_latency``."""
    page.evaluate("""sel => { const el = document.querySelector(sel);
        const r = window.__lat = {t0: null, old: el.dataset.label, label: null, picture: null, source: null};
        document.addEventListener('keydown', () => { r.t0 = performance.now(); }, {once: true, capture: true});
        const poll = () => { const d = el.dataset;
            if (r.t0 !== null && d.label !== r.old) {
                const now = performance.now();
                if (r.label === null) r.label = now - r.t0;
                if (d.source !== 'starting') { r.picture = now - r.t0; r.source = d.source; r.new = d.label; return; }
            }
            requestAnimationFrame(poll); };
        requestAnimationFrame(poll); }""", CANVAS)


def read_latency(page, timeout_ms=30_000):
    page.wait_for_function("() => window.__lat && window.__lat.picture !== null", timeout=timeout_ms)
    return page.evaluate("() => window.__lat")
