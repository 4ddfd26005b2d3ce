"""Browser test: JupyterLab + headless Chromium run the lab chapter and drive its widgets.

Starts JupyterLab on 127.0.0.1 (a free port, a random token, its own config/runtime/workspace
folders) over a temporary folder holding a *copy* of chapters/07_mode_collapse_lab.ipynb, so
nothing is written into the repository. Playwright drives Debian's /usr/bin/chromium (no
browser download): run all cells, change the loss, scrub a saved run, move to a setting that is not
saved and watch it train live (every drawn frame names the knobs' setting), pause, one step, switch
views off and on, and compare mode. What the canvas drew is read from its data-* attributes, set by
the widget's JavaScript after each draw. Screenshots go to test-artifacts/browser/.
"""
import time
from pathlib import Path

import pytest

from tests import browser_lab as B

ARTIFACTS = B.ROOT / "test-artifacts" / "browser"

if not Path(B.CHROMIUM).exists():
    pytest.skip(f"{B.CHROMIUM} is missing (install Debian's chromium: `make browser-deps`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
sync_playwright, PlaywrightTimeout = sync_api.sync_playwright, sync_api.TimeoutError


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    work = tmp_path_factory.mktemp("lab_browser")
    with B.jupyter_lab(work) as (url, token):
        yield url, token, work


def wait_state(page, cond, timeout=30_000):
    """Wait until the canvas's last drawn frame satisfies the JS expression ``cond`` over d (its dataset)."""
    page.wait_for_function(f"sel => {{ const e = document.querySelector(sel); if (!e) return false; "
                           f"const d = e.dataset; return {cond}; }}", arg=B.CANVAS, timeout=timeout)
    return B.canvas_state(page)


def test_lab_notebook_widgets_respond_in_chromium(jupyter):
    url, token, work = jupyter
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = lambda name: page.screenshot(path=str(ARTIFACTS / name))
    with sync_playwright() as p:
        browser = p.chromium.launch(**B.LAUNCH)
        page = browser.new_page(viewport={"width": 1500, "height": 1250})
        page.set_default_timeout(60_000)
        try:
            B.open_lab(page, url, token, PlaywrightTimeout)
            s0 = wait_state(page, "d.source === 'saved'")
            shot("1_defaults.png")
            assert "wgan-gp" in s0["label"] and "n_critic 5" in s0["label"], s0

            loss = page.locator(".widget-dropdown:has(label:text-is('loss')) select").first
            loss.select_option("nonsaturating")
            s1 = wait_state(page, "d.label.includes('nonsaturating') && d.source === 'saved'")
            shot("2_nonsaturating.png")
            assert s1["id"] > s0["id"] and "lr 0.001 · n_critic 1" in s1["label"], s1

            B.slider(page, "snapshot").focus()
            for _ in range(4):
                page.keyboard.press("ArrowLeft")
            s2 = wait_state(page, f"+d.step < {s1['step']} && d.source === 'saved'")
            shot("3_earlier_snapshot.png")
            assert "nonsaturating" in s2["label"], s2

            # n_critic 2 is not saved: it trains live; every frame drawn after the first one of the new
            # setting names n_critic 2, never the previous setting
            B.start_recording(page)
            B.slider(page, "n_critic").focus()
            page.keyboard.press("ArrowRight")
            wait_state(page, "d.label.includes('n_critic 2') && d.source === 'live' && +d.step > 0")
            time.sleep(4)
            frames = B.stop_recording(page)
            shot("4_live_n_critic_2.png")
            first_new = next(i for i, f in enumerate(frames) if "n_critic 2" in f["label"])
            after = frames[first_new:]
            assert all("n_critic 2" in f["label"] and "nonsaturating" in f["label"] for f in after), after
            assert all(f["label"] != s2["label"] for f in after), "the previous setting was drawn again"
            live = [f for f in after if f["source"] == "live"]
            assert len({f["step"] for f in live}) >= 10, f"only {len(live)} live frames: {live}"
            steps = [f["step"] for f in live]
            assert steps == sorted(steps) and steps[0] == 0, steps

            page.locator("button:has-text('pause')").first.click()
            time.sleep(1.0)
            sp = B.canvas_state(page)
            time.sleep(1.5)
            assert B.canvas_state(page)["frame"] == sp["frame"], "frames kept coming after pause"
            page.locator("button:has-text('one step')").first.click()
            ss = wait_state(page, f"+d.frameId > {sp['id']}")
            time.sleep(0.5)
            ss = B.canvas_state(page)
            shot("5_one_step.png")
            assert ss["step"] == sp["step"] + 1 and ss["label"] == sp["label"], (sp, ss)

            # views: switch the field off and the manifold on; the canvas redraws without the kernel
            page.locator(f"{B.CANVAS} input[data-view='field']").uncheck()
            page.locator(f"{B.CANVAS} input[data-view='manifold']").check()
            page.wait_for_function(f"sel => +document.querySelector(sel).dataset.frame > {ss['frame'] + 1}",
                                   arg=B.CANVAS)
            shot("6_manifold_no_field.png")
            page.locator(f"{B.CANVAS} input[data-view='field']").check()

            page.locator(".widget-toggle-buttons button:has-text('compare')").first.click()
            sc = wait_state(page, "+d.panels === 6 && d.source === 'live' && +d.step >= 3", timeout=60_000)
            shot("7_compare_six_losses.png")
            assert all(name in sc["label"] for name in ("minimax", "least-squares", "wgan-clip", "hinge-sn")), sc
            preset = page.locator(".widget-dropdown:has(label:text-is('compare')) select").first
            preset.select_option(label="four learning rates (this loss)")
            s4 = wait_state(page, "+d.panels === 4 && d.source === 'live' && +d.step >= 3", timeout=60_000)
            shot("8_compare_four_lrs.png")
            assert s4["label"].count("nonsaturating") == 4 and "lr 0.0001" in s4["label"], s4
            preset.select_option(index=2)  # 16 panels (meant for a GPU): drawn as a 4 x 4 grid
            s16 = wait_state(page, "+d.panels === 16 && d.source === 'live' && +d.step >= 1", timeout=90_000)
            shot("8b_compare_sixteen.png")
            assert s16["label"].count("lr ") == 16, s16
            assert B.canvas_state(page)["curves"] == "below"
            # on a wider screen the curves move beside the panels (the canvas follows the notebook's width)
            page.set_viewport_size({"width": 2100, "height": 1250})
            wait_state(page, "d.curves === 'beside'")
            page.locator(".widget-toggle-buttons button:has-text('one setting')").first.click()
            wait_state(page, "+d.panels === 1 && d.curves === 'beside'")
            shot("9_wide_screen.png")
            page.locator("button:has-text('pause')").first.click()
        except Exception:
            shot("failure.png")
            raise
        finally:
            browser.close()
