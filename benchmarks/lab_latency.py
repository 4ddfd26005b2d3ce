"""Key press to pixels in the lab, measured in a real browser (JupyterLab + headless Chromium).

    .venv/bin/python benchmarks/lab_latency.py            # prints the figures, writes nothing
    .venv/bin/python benchmarks/bench.py --only-live       # with the kernel benchmark -> results/lab_live.json

Runs chapter 07 in a private JupyterLab (tests/browser_lab.py), focuses the noise-σ slider of the
non-saturating GAN and presses ArrowRight / ArrowLeft in turn: σ 0.05 is not saved (it trains live),
σ 0 is saved. For each press, timed in the page (performance.now): the time from the keydown event
to the first animation frame in which the canvas shows the new setting's label, and to the first one
showing its picture (a saved snapshot, or the live run's first frame with samples). Then, while the
unsaved setting trains, the frames the browser draws per second and the steps it shows.
"""
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import browser_lab as B  # noqa: E402


def summary(ms):
    ms = sorted(ms)
    return dict(median_ms=statistics.median(ms), min_ms=ms[0], max_ms=ms[-1], n=len(ms),
                p90_ms=ms[int(0.9 * (len(ms) - 1))])


def key_to_pixels(moves=30, watch_s=6.0, pause_s=0.4):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as work, B.jupyter_lab(work) as (url, token), sync_playwright() as p:
        browser = p.chromium.launch(**B.LAUNCH)
        page = browser.new_page(viewport={"width": 1500, "height": 1250})
        page.set_default_timeout(60_000)
        try:
            B.open_lab(page, url, token, PlaywrightTimeout)
            page.locator(".widget-dropdown:has(label:text-is('loss')) select").first.select_option("nonsaturating")
            page.wait_for_function("sel => document.querySelector(sel).dataset.label.includes('nonsaturating')",
                                   arg=B.CANVAS)
            handle = B.slider(page, "noise σ")
            handle.focus()
            rows = []
            for i in range(moves):
                key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                B.arm_latency(page)
                page.keyboard.press(key)
                r = B.read_latency(page)
                rows.append(dict(key=key, label_ms=r["label"], picture_ms=r["picture"], source=r["source"],
                                 label=r["new"]))
                time.sleep(pause_s)
            # frames drawn per second while the unsaved setting trains
            if rows[-1]["source"] != "live":
                B.arm_latency(page)
                page.keyboard.press("ArrowRight")
                B.read_latency(page)
            time.sleep(1.0)
            B.start_recording(page)
            time.sleep(watch_s)
            frames = B.stop_recording(page)
            page.locator("button:has-text('pause')").first.click()
        finally:
            browser.close()
    span_ms = frames[-1]["t"] - frames[0]["t"] if len(frames) > 1 else float("nan")
    out = dict(rows=rows, summary={
        "picture_all": summary([r["picture_ms"] for r in rows]),
        "picture_saved": summary([r["picture_ms"] for r in rows if r["source"] == "saved"]),
        "picture_live": summary([r["picture_ms"] for r in rows if r["source"] == "live"]),
        "label_all": summary([r["label_ms"] for r in rows]),
        "browser_frames_per_s": (len(frames) - 1) / span_ms * 1e3,
        "browser_steps_per_s": (frames[-1]["step"] - frames[0]["step"]) / span_ms * 1e3},
        load_average=os.getloadavg(), cpu_count=os.cpu_count(),
        conditions="JupyterLab + headless Chromium (--disable-gpu) on this machine; kernel on one torch thread")
    return out


if __name__ == "__main__":
    res = key_to_pixels(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
    print(json.dumps(res["summary"], indent=2), "load", res["load_average"])
