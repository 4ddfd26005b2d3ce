"""Browser test: JupyterLab + headless Chromium run the lab chapter and drive its widgets.

Starts JupyterLab on 127.0.0.1 (a free port, a random token, its own config/runtime/workspace
folders) over a temporary folder holding a *copy* of chapters/07_mode_collapse_lab.ipynb, so
nothing is written into the repository. Playwright drives Debian's /usr/bin/chromium (no
browser download): run all cells, change the loss dropdown, move the snapshot slider, and check
that the printed metrics and the picture change. Screenshots go to test-artifacts/browser/.
"""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
NOTEBOOK = ROOT / "chapters" / "07_mode_collapse_lab.ipynb"
ARTIFACTS = ROOT / "test-artifacts" / "browser"

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium: `make browser-deps`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
sync_playwright, PlaywrightTimeout = sync_api.sync_playwright, sync_api.TimeoutError


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    work = tmp_path_factory.mktemp("lab_browser")
    shutil.copy(NOTEBOOK, work / "lab.ipynb")
    token, port = secrets.token_hex(16), free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MPLBACKEND="Agg",
               JUPYTER_CONFIG_DIR=str(work / ".cfg"), JUPYTER_RUNTIME_DIR=str(work / ".rt"),
               JUPYTERLAB_WORKSPACES_DIR=str(work / ".ws"), JUPYTERLAB_SETTINGS_DIR=str(work / ".settings"),
               IPYTHONDIR=str(work / ".ipython"))
    log = open(work / "jupyter.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
                             "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}", "--ServerApp.port_retries=0",
                             f"--ServerApp.root_dir={work}", "--LabApp.news_url=None",
                             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
                            + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
                            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"jupyter lab exited: {(work / 'jupyter.log').read_text()[-2000:]}")
                time.sleep(0.5)
        else:
            raise RuntimeError("jupyter lab did not answer within 60 s")
        yield url, token, work
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_lab_notebook_widgets_respond_in_chromium(jupyter):
    url, token, work = jupyter
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{url}/lab/tree/lab.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            accept = page.locator(".jp-Dialog button.jp-mod-accept")  # "Select Kernel" (Python 3), if asked
            try:
                accept.wait_for(timeout=15_000)
                accept.click()
            except PlaywrightTimeout:
                pass
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            page.click(".lm-MenuBar-itemLabel:text-is('Run')")
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            metrics = page.locator(".widget-html-content:has-text('modes covered')").first
            image = page.locator(".jupyter-widgets.widget-image").first
            metrics.wait_for(timeout=90_000)
            image.wait_for()
            # let the rest of the chapter finish, so that the kernel answers the widgets at once
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
            image.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "1_defaults.png"))
            text0, src0 = metrics.inner_text(), image.get_attribute("src")

            loss = page.locator(".widget-dropdown:has(label:text-is('loss')) select").first
            loss.select_option("nonsaturating")
            page.wait_for_function("([sel, old]) => { const e = document.querySelector(sel); "
                                   "return e && e.innerText !== old && e.innerText.includes('nonsaturating'); }",
                                   arg=[".widget-html-content", text0], timeout=30_000)
            text1, src1 = metrics.inner_text(), image.get_attribute("src")
            page.screenshot(path=str(ARTIFACTS / "2_nonsaturating.png"))
            assert text1 != text0 and src1 != src0, "changing the loss changed neither the metrics nor the picture"

            handle = page.locator(".widget-slider:has(label:text-is('snapshot')) .noUi-handle").first
            handle.focus()
            for _ in range(4):
                page.keyboard.press("ArrowLeft")
            page.wait_for_function("([sel, old]) => { const e = document.querySelector(sel); "
                                   "return e && e.innerText !== old; }", arg=[".widget-html-content", text1],
                                   timeout=30_000)
            text2, src2 = metrics.inner_text(), image.get_attribute("src")
            page.screenshot(path=str(ARTIFACTS / "3_earlier_snapshot.png"))
            assert text2 != text1 and src2 != src1, "moving the step slider changed neither the metrics nor the picture"
            assert "nonsaturating" in text2 and "modes covered" in text2

            # n_critic 2 is not saved: it trains live, and every frame names n_critic 2, never the old setting
            nc = page.locator(".widget-slider:has(label:text-is('n_critic')) .noUi-handle").first
            nc.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("sel => { const e = document.querySelector(sel); "
                                   "return e && e.innerText.includes('live ·') && e.innerText.includes('step'); }",
                                   arg=".widget-html-content", timeout=30_000)
            seen, texts, t_end = set(), [], time.monotonic() + 4
            while time.monotonic() < t_end:
                seen.add(image.get_attribute("src"))
                texts.append(metrics.inner_text())
                time.sleep(0.1)
            page.screenshot(path=str(ARTIFACTS / "4_live_n_critic_2.png"))
            assert len(seen) >= 3, f"only {len(seen)} pictures in 4 s of live training"
            assert all("n_critic 2" in t for t in texts if "live" in t), "a live frame showed another setting"
            assert all("n_critic 1" not in t for t in texts), "the previous setting was still shown"

            page.locator("button:has-text('pause')").first.click()
            time.sleep(1.0)
            src_p, text_p = image.get_attribute("src"), metrics.inner_text()
            time.sleep(1.0)
            assert image.get_attribute("src") == src_p, "frames kept coming after pause"
            step_p = int(text_p.split("step ")[1].split("/")[0])
            page.locator("button:has-text('one step')").first.click()
            page.wait_for_function("([sel, old]) => { const e = document.querySelector(sel); "
                                   "return e && e.innerText !== old; }", arg=[".widget-html-content", text_p],
                                   timeout=30_000)
            text_s = metrics.inner_text()
            page.screenshot(path=str(ARTIFACTS / "5_one_step.png"))
            assert int(text_s.split("step ")[1].split("/")[0]) == step_p + 1, (text_p, text_s)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure.png"))
            raise
        finally:
            browser.close()
