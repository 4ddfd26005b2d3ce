// The lab's canvas view (an anywidget ES module, shipped inside gan_course; nothing is loaded from a CDN).
// Python sends each frame as float32 byte arrays plus a small "meta" dict (lab_canvas.frame_state);
// this module draws them on one <canvas>: D's field with a colour bar, the samples, the generator's push
// on each sample, the image of a latent grid under G, and the curves against the generator step.
// Several panels (compare mode) are drawn as small multiples with one set of curves.
// After each draw the host element carries data-frame (frames drawn), data-frame-id (Python's frame
// number), data-label (the panels' settings), data-step and data-source, for tests and latency checks.

const FONT = "14px sans-serif";
const BOLD = "bold 15px sans-serif";
const SMALL = "14px sans-serif";
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                "#17becf", "#ff7f0e", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"];
// RdBu reversed (blue = low, red = high), 11 stops
const RDBU_R = [[5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
                [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31]];
const VIEWS = [["field", "D's field"], ["samples", "samples"], ["push", "G's gradient arrows"],
               ["manifold", "G's manifold (latent grid)"], ["curves", "curves"]];

function lut(t) {
  if (!(t >= 0)) t = 0;  // NaN -> low end
  if (t > 1) t = 1;
  const x = t * (RDBU_R.length - 1), i = Math.min(Math.floor(x), RDBU_R.length - 2), f = x - i;
  const a = RDBU_R[i], b = RDBU_R[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

function f32(view) {  // a DataView / ArrayBuffer / typed array from the kernel -> Float32Array (copied: aligned)
  if (!view) return new Float32Array(0);
  if (view instanceof ArrayBuffer) return new Float32Array(view.slice(0));
  const buf = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  return new Float32Array(buf);
}

function niceTicks(lo, hi, n) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v);
  return out;
}

function fmt(v) {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1000) return String(Math.round(v / 100) / 10) + "k";
  if (a < 1e-2) return v.toExponential(0);
  return String(Math.round(v * 100) / 100);
}

function layout(meta, room) {
  // the panels on top (one large or small multiples), the three charts of curves in a row below;
  // room: the width the notebook leaves (0 = unknown), which may take a column of small multiples away
  const K = meta.K || 1;
  let L;
  if (K === 1) {
    const plot = 400;
    L = {K, cols: 1, rows: 1, plot, left: 62, top: 92, gapx: 0, gapy: 0, width: 62 + plot + 110};
    L.bottom = L.top + plot + 52;
  } else {
    const plot = K <= 4 ? 240 : K <= 9 ? 190 : 160;
    const gapx = K <= 9 ? 36 : 44, gapy = 72;
    let cols = K <= 2 ? K : K <= 4 ? 2 : K <= 9 ? 3 : 4;
    if (room > 0 && cols > 2) cols = Math.max(2, Math.min(cols, Math.floor((room - 70 + gapx) / (plot + gapx))));
    const rows = Math.ceil(K / cols);
    L = {K, cols, rows, plot, left: 50, top: 130, gapx, gapy, width: 50 + cols * plot + (cols - 1) * gapx + 20};
    L.bottom = L.top + rows * (plot + gapy) - gapy + 58;
  }
  L.natural = L.width;  // the panels' own width; below them the three charts need at least 640 px
  L.width = Math.max(L.width, 640);
  L.curvesY = L.bottom + 34;
  L.legendRows = K > 1 ? Math.ceil(K / 3) : 0;
  return L;
}

function curvesHeight(L) { return 34 + 118 + 52 + L.legendRows * 22 + 8; }

function drawAxes(ctx, x0, y0, s, lim, ticks, labels) {
  ctx.strokeStyle = "#333"; ctx.lineWidth = 1; ctx.strokeRect(x0, y0, s, s);
  ctx.fillStyle = "#222"; ctx.font = SMALL;
  const step = lim >= 5 ? 3 : 1.5;
  if (!ticks) return;
  for (let v = -Math.floor(lim / step) * step; v <= lim + 1e-9; v += step) {
    const px = x0 + (v + lim) / (2 * lim) * s, py = y0 + s - (v + lim) / (2 * lim) * s;
    ctx.beginPath(); ctx.moveTo(px, y0 + s); ctx.lineTo(px, y0 + s + 4); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(x0 - 4, py); ctx.lineTo(x0, py); ctx.stroke();
    ctx.textAlign = "center"; ctx.textBaseline = "top"; ctx.fillText(fmt(v), px, y0 + s + 6);
    ctx.textAlign = "right"; ctx.textBaseline = "middle"; ctx.fillText(fmt(v), x0 - 7, py);
  }
  if (labels) {
    ctx.textAlign = "center"; ctx.textBaseline = "top"; ctx.fillText("x\u2081", x0 + s / 2, y0 + s + 24);
    ctx.save(); ctx.translate(x0 - 44, y0 + s / 2); ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle"; ctx.fillText("x\u2082", 0, 0); ctx.restore();
  }
}

function drawPanel(ctx, st, k, x0, y0, s, big) {
  const meta = st.meta, views = st.views, lim = meta.lims[k];
  const X = v => x0 + (v + lim) / (2 * lim) * s, Y = v => y0 + s - (v + lim) / (2 * lim) * s;
  ctx.save();
  ctx.fillStyle = "#fff"; ctx.fillRect(x0, y0, s, s);
  ctx.beginPath(); ctx.rect(x0, y0, s, s); ctx.clip();
  const m = meta.m || 0;
  if (views.field && m && st.field.length >= (k + 1) * m * m) {
    const off = st.off || (st.off = document.createElement("canvas"));
    off.width = m; off.height = m;
    const octx = off.getContext("2d"), img = octx.createImageData(m, m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
      const c = lut(st.field[k * m * m + i * m + j]), p = 4 * ((m - 1 - i) * m + j);  // row i at y_i: flip
      img.data[p] = c[0]; img.data[p + 1] = c[1]; img.data[p + 2] = c[2]; img.data[p + 3] = 255;
    }
    octx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true; ctx.globalAlpha = 0.8;
    ctx.drawImage(off, x0, y0, s, s); ctx.globalAlpha = 1;
  }
  const g = meta.g || 0;
  if (views.manifold && g && st.manifold.length >= (k + 1) * g * g * 2) {
    ctx.strokeStyle = "rgba(20, 110, 40, 0.75)"; ctx.lineWidth = big ? 1.2 : 0.8;
    const P = (a, b) => { const q = 2 * (k * g * g + a * g + b); return [X(st.manifold[q]), Y(st.manifold[q + 1])]; };
    for (let a = 0; a < g; a++) for (const along of [0, 1]) {
      ctx.beginPath();
      for (let b = 0; b < g; b++) { const [px, py] = along ? P(b, a) : P(a, b); b ? ctx.lineTo(px, py) : ctx.moveTo(px, py); }
      ctx.stroke();
    }
  }
  const cs = meta.centres ? meta.centres[k] : null;
  if (cs) {
    ctx.strokeStyle = "#000"; ctx.lineWidth = big ? 2 : 1.5; const r = big ? 5 : 3.5;
    for (const [cx, cy] of cs) {
      const px = X(cx), py = Y(cy);
      ctx.beginPath(); ctx.moveTo(px - r, py - r); ctx.lineTo(px + r, py + r);
      ctx.moveTo(px - r, py + r); ctx.lineTo(px + r, py - r); ctx.stroke();
    }
  }
  const n = meta.n || 0, smp = st.samples;
  if (views.push && n && st.push.length >= (k + 1) * n * 2) {
    // arrows: -dL_G/dx at each sample, scaled so the 95th-percentile arrow is 8% of the window
    const norms = [];
    for (let i = 0; i < n; i++) { const q = 2 * (k * n + i); norms.push(Math.hypot(st.push[q], st.push[q + 1])); }
    const sorted = norms.filter(isFinite).sort((a, b) => a - b);
    const p95 = sorted.length ? sorted[Math.floor(0.95 * (sorted.length - 1))] : 0;
    const scale = p95 > 1e-12 ? 0.08 * 2 * lim / p95 : 0;
    ctx.strokeStyle = big ? "rgba(0, 0, 0, 0.65)" : "rgba(0, 0, 0, 0.45)"; ctx.lineWidth = big ? 1.1 : 0.8;
    const nArrows = Math.min(n, big ? 300 : 150);
    for (let i = 0; i < nArrows; i++) {
      const q = 2 * (k * n + i), x = smp[q], y = smp[q + 1];
      const dx = scale * st.push[q], dy = scale * st.push[q + 1];
      if (!isFinite(x + y + dx + dy)) continue;
      const ax = X(x), ay = Y(y), bx = X(x + dx), by = Y(y + dy);
      const len = Math.hypot(bx - ax, by - ay);
      if (len < 1) continue;
      const ux = (bx - ax) / len, uy = (by - ay) / len, h = Math.min(big ? 5 : 3.5, 0.5 * len);
      ctx.beginPath(); ctx.moveTo(ax, ay); ctx.lineTo(bx, by);
      ctx.moveTo(bx, by); ctx.lineTo(bx - h * ux - 0.6 * h * uy, by - h * uy + 0.6 * h * ux);
      ctx.moveTo(bx, by); ctx.lineTo(bx - h * ux + 0.6 * h * uy, by - h * uy - 0.6 * h * ux);
      ctx.stroke();
    }
  }
  if (views.samples && n) {
    ctx.fillStyle = "rgba(255, 140, 0, 0.85)"; ctx.strokeStyle = "rgba(90, 45, 0, 0.6)"; ctx.lineWidth = 0.5;
    const r = big ? 2.6 : 1.8;
    for (let i = 0; i < n; i++) {
      const q = 2 * (k * n + i), px = X(smp[q]), py = Y(smp[q + 1]);
      if (!isFinite(px) || !isFinite(py)) continue;
      ctx.beginPath(); ctx.arc(px, py, r, 0, 2 * Math.PI); ctx.fill(); if (big) ctx.stroke();
    }
  }
  if (meta.source === "starting") {
    ctx.fillStyle = "rgba(255,255,255,0.75)"; ctx.fillRect(x0, y0, s, s);
    ctx.fillStyle = "#333"; ctx.font = BOLD; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.fillText("starting\u2026", x0 + s / 2, y0 + s / 2);
  }
  ctx.restore();
  drawAxes(ctx, x0, y0, s, lim, true, big);
}

function drawColorbar(ctx, x0, y0, h, lo, hi, label) {
  const w = 16;
  for (let i = 0; i < h; i++) {
    const c = lut(1 - i / (h - 1));
    ctx.fillStyle = `rgb(${c[0] | 0},${c[1] | 0},${c[2] | 0})`; ctx.fillRect(x0, y0 + i, w, 1.5);
  }
  ctx.strokeStyle = "#333"; ctx.strokeRect(x0, y0, w, h);
  ctx.fillStyle = "#222"; ctx.font = SMALL; ctx.textAlign = "left"; ctx.textBaseline = "middle";
  if (lo !== null && hi !== null) {
    for (const v of niceTicks(lo, hi, 4)) {
      const py = y0 + h - (v - lo) / (hi - lo) * h;
      ctx.beginPath(); ctx.moveTo(x0 + w, py); ctx.lineTo(x0 + w + 4, py); ctx.stroke();
      ctx.fillText(fmt(v), x0 + w + 6, py);
    }
  } else {
    ctx.fillText("high", x0 + w + 6, y0 + 8); ctx.fillText("low", x0 + w + 6, y0 + h - 8);
  }
  ctx.save(); ctx.translate(x0 + w + 58, y0 + h / 2); ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center"; ctx.fillText(label, 0, 0); ctx.restore();
}

function drawChart(ctx, x0, y0, w, h, title, series, xmax, ylo, yhi, ylabel, xlabel) {
  // series: [{xs, ys, color, dash}]
  ctx.fillStyle = "#222"; ctx.font = BOLD; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
  ctx.fillText(title, x0, y0 - 4);
  ctx.fillStyle = "#fff"; ctx.fillRect(x0, y0, w, h);
  ctx.strokeStyle = "#333"; ctx.lineWidth = 1; ctx.strokeRect(x0, y0, w, h);
  if (!(yhi > ylo)) { ylo -= 1; yhi += 1; }
  xmax = Math.max(xmax, 1);
  const X = v => x0 + v / xmax * w, Y = v => y0 + h - (v - ylo) / (yhi - ylo) * h;
  ctx.font = SMALL; ctx.fillStyle = "#222";
  for (const v of niceTicks(ylo, yhi, 3)) {
    const py = Y(v);
    ctx.strokeStyle = "#ddd"; ctx.beginPath(); ctx.moveTo(x0, py); ctx.lineTo(x0 + w, py); ctx.stroke();
    ctx.textAlign = "right"; ctx.textBaseline = "middle"; ctx.fillText(fmt(v), x0 - 5, py);
  }
  if (xlabel) {
    for (const v of niceTicks(0, xmax, 3)) {
      ctx.textAlign = "center"; ctx.textBaseline = "top"; ctx.fillText(fmt(v), X(v), y0 + h + 4);
    }
    ctx.fillText(xlabel, x0 + w / 2, y0 + h + 22);
  }
  ctx.save(); ctx.beginPath(); ctx.rect(x0, y0, w, h); ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = 2; ctx.setLineDash(s.dash ? [6, 4] : []);
    ctx.beginPath(); let pen = false;
    for (let i = 0; i < s.xs.length; i++) {
      const y = s.ys[i];
      if (!isFinite(y)) { pen = false; continue; }
      const px = X(s.xs[i]), py = Y(Math.max(ylo - (yhi - ylo), Math.min(yhi + (yhi - ylo), y)));
      pen ? ctx.lineTo(px, py) : ctx.moveTo(px, py); pen = true;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]); ctx.restore();
  if (ylabel) {
    ctx.save(); ctx.translate(x0 - 46, y0 + h / 2); ctx.rotate(-Math.PI / 2); ctx.fillStyle = "#222";
    ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.font = SMALL; ctx.fillText(ylabel, 0, 0); ctx.restore();
  }
}

function robustRange(arrs) {
  const v = [];
  for (const a of arrs) for (const y of a) if (isFinite(y)) v.push(y);
  if (!v.length) return [0, 1];
  v.sort((a, b) => a - b);
  const lo = v[Math.floor(0.02 * (v.length - 1))], hi = v[Math.ceil(0.98 * (v.length - 1))];
  const pad = 0.08 * (hi - lo || 1);
  return [lo - pad, hi + pad];
}

function drawCurves(ctx, st, x0, y0, width, column) {
  // three charts in a row below the panels, or (column) stacked in a column beside them
  const meta = st.meta, K = meta.K, c = st.curves;
  const Tc = meta.Tc || 0, Tl = meta.Tl || 0;
  let o = 0;
  const take = n => { const a = c.subarray(o, o + n); o += n; return a; };
  const cs = take(Tc), modes = [], hq = [];
  for (let k = 0; k < K; k++) modes.push(take(Tc));
  for (let k = 0; k < K; k++) hq.push(Array.from(take(Tc), v => 100 * v));
  const ls = take(Tl), dl = [], gl = [];
  for (let k = 0; k < K; k++) dl.push(take(Tl));
  for (let k = 0; k < K; k++) gl.push(take(Tl));
  // a saved run's curves on the axis of the whole run; a live run's up to its step
  const xmax = Math.max(meta.source === "saved" ? meta.horizon : meta.step || 0, cs.length ? cs[cs.length - 1] : 0, 1);
  const margin = 62, h = 118;
  const w = column ? width - x0 - margin - 24 : Math.floor((width - x0 - 3 * margin - 24) / 3);
  let y = y0;
  const col = k => K === 1 ? "#1f77b4" : COLORS[k % COLORS.length];
  let x = x0 + margin;
  if (Tl > 0) {
    const series = [];
    for (let k = 0; k < K; k++) {
      series.push({xs: ls, ys: dl[k], color: K === 1 ? "#1f77b4" : col(k)});
      series.push({xs: ls, ys: gl[k], color: K === 1 ? "#ff7f0e" : col(k), dash: true});
    }
    const [lo, hi] = robustRange(dl.concat(gl));
    drawChart(ctx, x, y, w, h, K === 1 ? "loss: " : "loss: — D  - - G", series, xmax, lo, hi, "loss", "generator step");
    if (K === 1) {  // the legend words in the lines' colours
      ctx.font = BOLD; ctx.textBaseline = "bottom"; ctx.textAlign = "left";
      const wl = ctx.measureText("loss: ").width;
      ctx.fillStyle = "#1f77b4"; ctx.fillText("— D", x + wl, y - 4);
      ctx.fillStyle = "#ff7f0e"; ctx.fillText("- - G", x + wl + ctx.measureText("— D  ").width, y - 4);
    }
  } else {
    ctx.fillStyle = "#555"; ctx.font = FONT; ctx.textAlign = "left"; ctx.textBaseline = "top";
    ctx.fillText("loss: not kept", x, y + 10); ctx.fillText("for saved runs", x, y + 30);
  }
  if (column) y += h + 66; else x += w + margin;
  const nm = Math.max(...meta.n_modes);
  drawChart(ctx, x, y, w, h, "modes covered", modes.map((ys, k) => ({xs: cs, ys, color: col(k)})), xmax, 0, nm + 0.5,
            "modes", "generator step");
  if (column) y += h + 66; else x += w + margin;
  drawChart(ctx, x, y, w, h, "% high quality", hq.map((ys, k) => ({xs: cs, ys, color: col(k)})), xmax, 0, 100,
            "%", "generator step");
  if (K > 1) {  // legend: one colour per panel
    ctx.font = SMALL; ctx.textBaseline = "middle"; ctx.textAlign = "left";
    const per = column ? 2 : 3, colW = Math.floor((width - x0 - 20) / per);
    for (let k = 0; k < K; k++) {
      const lx = x0 + 20 + (k % per) * colW, ly = y + h + 62 + Math.floor(k / per) * 22;
      ctx.fillStyle = col(k); ctx.fillRect(lx, ly - 3, 20, 6);
      ctx.fillStyle = "#222"; ctx.fillText(meta.titles[k], lx + 26, ly);
    }
  }
}

function drawLegend(ctx, x0, y0, shown) {
  const views = {samples: shown.samples, push: shown.push && shown.hasPush, manifold: shown.manifold && shown.hasManifold};
  ctx.font = SMALL; ctx.textBaseline = "middle"; ctx.textAlign = "left";
  let x = x0;
  const item = (draw, text) => { draw(x, y0); ctx.fillStyle = "#222"; ctx.fillText(text, x + 16, y0); x += 22 + ctx.measureText(text).width + 8; };
  if (views.samples) item((px, py) => { ctx.fillStyle = "rgb(255,140,0)"; ctx.beginPath(); ctx.arc(px + 6, py, 4, 0, 2 * Math.PI); ctx.fill(); }, "generated");
  item((px, py) => { ctx.strokeStyle = "#000"; ctx.lineWidth = 2; ctx.beginPath(); ctx.moveTo(px + 2, py - 4); ctx.lineTo(px + 10, py + 4); ctx.moveTo(px + 2, py + 4); ctx.lineTo(px + 10, py - 4); ctx.stroke(); }, "mode centres");
  if (views.push) item((px, py) => { ctx.strokeStyle = "#000"; ctx.lineWidth = 1.5; ctx.beginPath(); ctx.moveTo(px, py); ctx.lineTo(px + 12, py); ctx.lineTo(px + 8, py - 3); ctx.moveTo(px + 12, py); ctx.lineTo(px + 8, py + 3); ctx.stroke(); }, "\u2212\u2207\u2093 loss of G");
  if (views.manifold) item((px, py) => { ctx.strokeStyle = "rgb(20,110,40)"; ctx.lineWidth = 1.5; ctx.strokeRect(px + 1, py - 5, 10, 10); ctx.beginPath(); ctx.moveTo(px + 6, py - 5); ctx.lineTo(px + 6, py + 5); ctx.moveTo(px + 1, py); ctx.lineTo(px + 11, py); ctx.stroke(); }, "G(latent grid)");
}

function el_layout(st, column) { st.el.dataset.curves = column ? "beside" : "below"; }

function draw(st) {
  const meta = st.meta;
  if (!meta || !meta.K) return;
  // curves beside the panels when the notebook leaves room for them (a wide screen), else below
  const box = st.el.parentElement ? st.el.parentElement.getBoundingClientRect() : null;
  const room = box && box.width > 0 ? box.right - st.el.getBoundingClientRect().left : 0;
  const L = layout(meta, room), canvas = st.canvas, dpr = window.devicePixelRatio || 1;
  const column = st.views.curves && room >= L.natural + 340;
  const colH = 92 + 3 * (118 + 66) + (L.K > 1 ? Math.ceil(L.K / 2) * 22 : 0);
  const width = column ? L.natural + 340 : L.width;
  const height = !st.views.curves ? L.bottom + 8 : column ? Math.max(L.bottom + 8, colH) : L.curvesY + curvesHeight(L);
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
    canvas.style.width = width + "px"; canvas.style.height = height + "px";
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, width, height);
  // header: what is shown (the knobs' setting) and where the run stands
  ctx.fillStyle = "#111"; ctx.font = "bold 17px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "top";
  ctx.fillText(meta.heading || "", 10, 6);
  ctx.font = FONT; ctx.fillStyle = meta.source === "saved" ? "#444" : "#0b5394";
  const words = (meta.status || "").split(" · ");  // wrap the status line at its separators
  let line = "", ly = 30;
  for (const wd of words) {
    const next = line ? line + " · " + wd : wd;
    if (ctx.measureText(next).width > width - 20 && line) { ctx.fillText(line, 10, ly); ly += 19; line = wd; }
    else line = next;
  }
  ctx.fillText(line, 10, ly);
  if (meta.warning) { ctx.fillStyle = "#b00"; ctx.font = BOLD; ctx.fillText(meta.warning, 10, ly + 20); }
  if (L.K === 1) {
    drawPanel(ctx, st, 0, L.left, L.top, L.plot, true);
    if (st.views.field) drawColorbar(ctx, L.left + L.plot + 12, L.top, L.plot, meta.clim[0][0], meta.clim[0][1], meta.cbar_label);
    drawLegend(ctx, L.left, L.top - 14, Object.assign({hasPush: st.push.length > 0, hasManifold: st.manifold.length > 0}, st.views));
  } else {
    for (let k = 0; k < L.K; k++) {
      const c = k % L.cols, r = Math.floor(k / L.cols);
      const x0 = L.left + c * (L.plot + L.gapx), y0 = L.top + r * (L.plot + L.gapy);
      drawPanel(ctx, st, k, x0, y0, L.plot, false);
      ctx.fillStyle = COLORS[k % COLORS.length]; ctx.fillRect(x0, y0 - 35, 12, 12);
      ctx.fillStyle = "#111"; ctx.font = L.K > 9 ? SMALL : BOLD; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
      ctx.fillText(meta.titles[k], x0 + 17, y0 - 22, L.plot + L.gapx - 22);  // at most the panel's width
      ctx.font = SMALL; ctx.fillText(meta.panel_status ? meta.panel_status[k] : "", x0, y0 - 4);
    }
    drawLegend(ctx, L.left, L.top - 58, Object.assign({hasPush: st.push.length > 0, hasManifold: st.manifold.length > 0}, st.views));
    if (st.views.field) {
      ctx.font = SMALL; ctx.fillStyle = "#444"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
      ctx.fillText("field: blue = low, red = high D(x) or critic score (each panel on its own scale)", L.left, L.bottom - 12);
    }
  }
  if (st.views.curves) column ? drawCurves(ctx, st, L.natural, 92, width, true) : drawCurves(ctx, st, 0, L.curvesY, width, false);
  el_layout(st, column);
  st.drawn += 1;
  const el = st.el;
  el.dataset.frame = String(st.drawn);
  el.dataset.frameId = String(st.model.get("frame_id"));
  el.dataset.label = (meta.labels || []).join(" | ");
  el.dataset.step = String(meta.step);
  el.dataset.source = meta.source || "";
  el.dataset.panels = String(L.K);
}

function render({ model, el }) {
  el.classList.add("gan-lab-canvas");
  const bar = document.createElement("div");
  bar.style.cssText = "display:flex;flex-wrap:wrap;gap:14px;font:15px sans-serif;margin:2px 0 4px 6px;";
  const st = {model, el, canvas: document.createElement("canvas"), drawn: 0, pending: false,
              views: Object.assign({}, model.get("views"))};
  for (const [key, text] of VIEWS) {
    const lab = document.createElement("label"), box = document.createElement("input");
    box.type = "checkbox"; box.checked = !!st.views[key]; box.dataset.view = key;
    box.addEventListener("change", () => {
      const v = Object.assign({}, model.get("views")); v[key] = box.checked;
      model.set("views", v); model.save_changes();
    });
    lab.style.cssText = "cursor:pointer;user-select:none;"; lab.append(box, " " + text); bar.append(lab);
    st["box_" + key] = box;
  }
  el.append(bar, st.canvas);
  const schedule = () => {
    if (st.pending) return;
    st.pending = true;
    requestAnimationFrame(() => {
      st.pending = false;
      st.meta = model.get("meta");
      st.views = Object.assign({}, model.get("views"));
      for (const [key] of VIEWS) st["box_" + key].checked = !!st.views[key];
      st.samples = f32(model.get("samples")); st.field = f32(model.get("field"));
      st.push = f32(model.get("push")); st.manifold = f32(model.get("manifold")); st.curves = f32(model.get("curves"));
      draw(st);
    });
  };
  model.on("change:frame_id", schedule);
  model.on("change:views", schedule);
  schedule();
  // redraw when the notebook's width changes (a side panel opened or closed, a slide shown)
  const resize = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => { if (st.meta) schedule(); });
  if (resize) requestAnimationFrame(() => { if (el.parentElement) resize.observe(el.parentElement); });
  return () => {
    model.off("change:frame_id", schedule); model.off("change:views", schedule);
    if (resize) resize.disconnect();
  };
}

export default { render };
