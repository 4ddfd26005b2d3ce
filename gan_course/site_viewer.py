"""A kernel-free viewer of the lab's saved runs for the static site: one self-contained HTML file.

``write(out_dir)`` writes ``lab_viewer.html``: every loss at its tuned defaults on both toys (seed 0
of ``assets/lab``), each saved snapshot's 500 samples and D's field, with a dataset / loss menu and
a snapshot slider drawn by a few lines of inline JavaScript on a canvas. No kernel, no CDN, no
request of any kind: the numbers are inlined (the field as 8-bit colour indices in base64, scaled as
``widgets.display_field`` scales it; samples rounded to 0.01).
"""
import base64
import json
from pathlib import Path

import numpy as np

from . import lab, widgets

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Mode-collapse lab: saved runs</title>
<style>body{font:16px sans-serif;margin:20px} select,input{font-size:16px} #info{margin:8px 0}</style></head>
<body><h2>Mode-collapse lab: saved runs (no kernel needed)</h2>
<div>dataset <select id="ds"></select> loss <select id="loss"></select>
snapshot <input id="snap" type="range" min="0" max="8" value="8"> <span id="step"></span></div>
<div id="info"></div><canvas id="cv" width="520" height="520"></canvas>
<p>Orange: 500 generated samples; black crosses: mode centres; colour: D(x) for the minimax and
non-saturating GANs, else the critic's raw score between its 2nd and 98th percentiles (blue low, red high).
The live lab (training, gradient arrows, play / pause / step) needs the notebook's kernel.</p>
<script>
const DATA = __DATA__;
const CMAP = __CMAP__;
const $ = id => document.getElementById(id);
for (const d of DATA.datasets) $("ds").add(new Option(d, d));
for (const l of DATA.losses) $("loss").add(new Option(l, l));
function draw() {
  const run = DATA.runs[$("ds").value + "|" + $("loss").value], i = +$("snap").value;
  const cv = $("cv"), c = cv.getContext("2d"), W = cv.width, lim = run.lim, s = run.snaps[i];
  const raw = atob(s.field), n = run.n, img = c.createImageData(n, n);
  for (let r = 0; r < n; r++) for (let q = 0; q < n; q++) {
    const v = raw.charCodeAt((n - 1 - r) * n + q), o = 4 * (r * n + q);
    img.data[o] = CMAP[3 * v]; img.data[o + 1] = CMAP[3 * v + 1]; img.data[o + 2] = CMAP[3 * v + 2]; img.data[o + 3] = 255;
  }
  const off = document.createElement("canvas"); off.width = off.height = n; off.getContext("2d").putImageData(img, 0, 0);
  c.imageSmoothingEnabled = true; c.drawImage(off, 0, 0, W, W);
  const px = x => (x + lim) / (2 * lim) * W, py = y => W - (y + lim) / (2 * lim) * W;
  c.fillStyle = "darkorange";
  for (let k = 0; k < s.x.length; k += 2) { c.fillRect(px(s.x[k]) - 1.5, py(s.x[k + 1]) - 1.5, 3, 3); }
  c.strokeStyle = "black"; c.lineWidth = 1.5;
  for (const [x, y] of run.centres) { c.beginPath(); c.moveTo(px(x) - 5, py(y) - 5); c.lineTo(px(x) + 5, py(y) + 5);
    c.moveTo(px(x) + 5, py(y) - 5); c.lineTo(px(x) - 5, py(y) + 5); c.stroke(); }
  $("step").textContent = "generator step " + s.step;
  $("info").textContent = `${$("ds").value} · ${$("loss").value} · step ${s.step}: modes covered ${s.modes}/${run.n_modes}`
    + ` · high quality ${(100 * s.hq).toFixed(1)}% · ${run.label} (window ±${lim})`;
}
for (const id of ["ds", "loss", "snap"]) $(id).addEventListener("input", draw);
draw();
</script></body></html>"""


def payload(store=None):
    """The inlined data: {datasets, losses, runs: {"ds|loss": {lim, n, n_modes, centres, label, snaps: [...]}}}."""
    store = store if store is not None else widgets.LabStore.load()
    runs = {}
    for ds in lab.DATASETS:
        toy = lab.dataset(ds)
        for loss in lab.LOSS_NAMES:
            run = store.default_run(ds, loss)
            if run is None:
                continue
            snaps = []
            for i, step in enumerate(run["steps"]):
                f, lo, hi, label = widgets.display_field(run["field"][i], loss)
                idx = np.clip(np.round((f - lo) / (hi - lo) * 255), 0, 255).astype(np.uint8)  # (n, n), row i at y_i
                x = np.nan_to_num(np.asarray(run["samples"][i], np.float32), nan=1e3, posinf=1e3, neginf=-1e3)
                snaps.append(dict(step=int(step), field=base64.b64encode(idx.tobytes()).decode(),
                                  x=[round(float(v), 2) for v in x.ravel()], modes=int(run["stats"][i][0]),
                                  hq=round(float(run["stats"][i][1]), 4)))
            runs[f"{ds}|{loss}"] = dict(lim=float(store.lims[ds]), n=int(run["field"].shape[-1]), n_modes=toy.n_modes,
                                        centres=np.round(toy.centres, 3).tolist(), label=label, snaps=snaps)
    return dict(datasets=list(lab.DATASETS), losses=list(lab.LOSS_NAMES), runs=runs)


def page_html(store=None):
    """The viewer as one self-contained HTML string (the course site hosts it on its lab page)."""
    from matplotlib import colormaps

    cmap = (colormaps["RdBu_r"](np.linspace(0, 1, 256))[:, :3] * 255).round().astype(int).ravel().tolist()
    return PAGE.replace("__DATA__", json.dumps(payload(store), separators=(",", ":"))).replace("__CMAP__", json.dumps(cmap))


def write(out_dir, store=None):
    """Write ``out_dir/lab_viewer.html`` (self-contained) and return its path."""
    out = Path(out_dir) / "lab_viewer.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page_html(store), encoding="utf-8")
    return out
