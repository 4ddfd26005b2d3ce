"""The lab's canvas renderer: frames streamed to the browser as float32 arrays and drawn there.

``LabCanvas`` is a small anywidget; its ES module (``lab_canvas.js``, shipped inside this package,
nothing loaded from a CDN) draws on one HTML canvas: D/critic field with a colour bar, the samples,
an arrow per sample for the generator's push $-\\nabla_x L_G$, the generator's manifold (the image of
a latent grid, drawn as a warped grid) and curves of the D and G losses, modes covered and % high
quality against the generator step. Each view is switched on and off by a checkbox in the browser
(no round trip to the kernel). The kernel's work per frame is packing arrays into bytes
(``frame_state``): no matplotlib, no PNG, so drawing costs the training thread little.

The state of one frame is a dict of traits: ``meta`` (shapes, labels, colour limits, status text),
``samples`` (K, n, 2), ``field`` (K, m, m) scaled to [0, 1] by ``widgets.display_field``'s limits,
``push`` (K, n, 2), ``manifold`` (K, g * g, 2) and ``curves`` (the concatenation documented in
``pack_curves``), each float32 bytes; ``frame_id`` counts the frames sent.
"""
from pathlib import Path

import anywidget
import numpy as np
import traitlets

ESM = (Path(__file__).with_name("lab_canvas.js")).read_text()
ALL_VIEWS = ("field", "samples", "push", "manifold", "curves")
DEFAULT_VIEWS = {"field": True, "samples": True, "push": True, "manifold": False, "curves": True}
BCE_LOSSES = ("minimax", "nonsaturating")  # D(x) = sigmoid(logit) is a probability


def display_field(field, loss):
    """D's raw output as drawn: (values, colour min, colour max, colour-bar label). For the BCE
    losses D(x) = sigmoid(logit) on [0, 1]; otherwise the raw score between its 2nd and 98th percentiles."""
    f = np.asarray(field, np.float32)
    if loss in BCE_LOSSES:
        return 1 / (1 + np.exp(-np.clip(f, -30, 30))), 0.0, 1.0, "D(x)"
    finite = f[np.isfinite(f)]
    lo, hi = np.percentile(finite, [2, 98]) if finite.size else (0.0, 1.0)
    lo, hi = (lo, hi) if hi > lo else (lo - 1, hi + 1)
    return f, float(lo), float(hi), "D(x) (LS score)" if loss == "least-squares" else "critic f(x)"


def _bytes(a):
    return b"" if a is None else np.ascontiguousarray(a, np.float32).tobytes()


def pack_curves(curve_steps, modes, hq, loss_steps, d_loss, g_loss):
    """One float32 buffer: curve_steps (Tc,), modes (K, Tc), hq (K, Tc) as fractions, loss_steps (Tl,),
    d_loss (K, Tl), g_loss (K, Tl); returns (bytes, Tc, Tl)."""
    parts = [np.ravel(curve_steps), np.ravel(modes), np.ravel(hq), np.ravel(loss_steps), np.ravel(d_loss),
             np.ravel(g_loss)]
    return _bytes(np.concatenate([np.asarray(p, np.float32) for p in parts])), len(curve_steps), len(loss_steps)


def unpack_curves(buf, K, Tc, Tl):
    """Inverse of ``pack_curves`` (what the JS reads), for tests."""
    a = np.frombuffer(buf, np.float32)
    sizes = [Tc, K * Tc, K * Tc, Tl, K * Tl, K * Tl]
    out, o = [], 0
    for n in sizes:
        out.append(a[o:o + n])
        o += n
    cs, m, h, ls, d, g = out
    return cs, m.reshape(K, Tc), h.reshape(K, Tc), ls, d.reshape(K, Tl), g.reshape(K, Tl)


def scaled_field(fields, losses):
    """(K, m, m) raw D outputs -> ((K, m, m) in [0, 1], [[lo, hi]] per panel, colour-bar label of panel 0)."""
    out, clim, label = [], [], None
    for f, loss in zip(fields, losses):
        v, lo, hi, lab = display_field(f, loss)
        out.append(np.clip((np.nan_to_num(v, nan=lo) - lo) / (hi - lo), 0, 1))
        clim.append([float(lo), float(hi)])
        label = label or lab
    return np.stack(out).astype(np.float32), clim, label


def panel_titles(labels):
    """Short per-panel titles for small multiples: the parts of the labels that differ between panels."""
    parts = [lab.split(" · ") for lab in labels]
    if len(parts) == 1:
        return labels
    n = max(map(len, parts))
    differ = [i for i in range(n) if len({p[i] if i < len(p) else "" for p in parts}) > 1]
    if 1 in differ:  # the losses differ: title by loss, plus what differs between panels of one loss
        same_loss = lambda i: any(len({p[i] if i < len(p) else "" for p in parts if p[1] == q[1]}) > 1 for q in parts)
        differ = [1] + [i for i in differ if i != 1 and same_loss(i)]
    return [" · ".join(p[i] for i in differ if i < len(p)) or lab for p, lab in zip(parts, labels)]


def common_heading(labels):
    """The parts shared by every panel's label (the compare mode's heading)."""
    parts = [lab.split(" · ") for lab in labels]
    first = parts[0]
    return " · ".join(x for i, x in enumerate(first) if all(i < len(p) and p[i] == x for p in parts))


def frame_state(frame, centres, status="", heading=None, extra_status=None):
    """The traits of one ``live.Frame`` (every array as float32 bytes). ``centres``: per panel, the
    mode centres (n_modes, 2). ``status``: the line under the heading."""
    K = len(frame.labels)
    field, clim, cbar = (None, [[None, None]] * K, "") if frame.field is None else scaled_field(frame.field, frame.losses)
    Tl = frame.d_loss.shape[1] if frame.d_loss is not None else 0
    loss_steps = frame.loss_steps if Tl else []
    curves, Tc, Tl = pack_curves(frame.curve_steps, frame.modes, frame.hq, loss_steps,
                                 frame.d_loss if Tl else np.zeros((K, 0)), frame.g_loss if Tl else np.zeros((K, 0)))
    mc = [int(frame.modes[k, -1]) if frame.modes.size else 0 for k in range(K)]
    hq = [float(frame.hq[k, -1]) if frame.hq.size else 0.0 for k in range(K)]
    titles = panel_titles(frame.labels)
    state = "done" if frame.done else ("playing" if frame.playing else "paused")
    panel_status = [f"{mc[k]}/{frame.n_modes[k]} modes · {100 * hq[k]:.0f}% HQ"
                    + (" · diverged" if frame.diverged and frame.diverged[k] else "") for k in range(K)]
    rate = f"{frame.steps_per_s:.0f} steps/s · " if frame.playing else ""
    run_status = f"{frame.source} · generator step {frame.step}/{frame.horizon} · {rate}{state}"
    if K == 1:
        run_status += f" · modes covered {mc[0]}/{frame.n_modes[0]} · high quality {100 * hq[0]:.1f}%"
    warn = [f"{titles[k]}: {d}" for k, d in enumerate(frame.diverged or []) if d]
    meta = dict(K=K, n=int(frame.samples.shape[1]), m=0 if field is None else int(field.shape[1]),
                g=0 if frame.manifold is None else int(round(np.sqrt(frame.manifold.shape[1]))),
                lims=[float(v) for v in frame.lims], labels=list(frame.labels), titles=titles,
                heading=heading or (frame.labels[0] if K == 1 else f"compare {K} settings: {common_heading(frame.labels)}"),
                status=(status + " · " if status else "") + run_status, status_text=extra_status or run_status,
                n_modes=[int(v) for v in frame.n_modes], clim=clim, cbar_label=cbar, step=int(frame.step),
                horizon=int(frame.horizon), source=frame.source, state=state, Tc=Tc, Tl=Tl,
                panel_status=panel_status, warning="; ".join(warn),
                centres=[np.round(np.asarray(c, float), 4).tolist() for c in centres])
    return dict(meta=meta, samples=_bytes(frame.samples), field=_bytes(field), push=_bytes(frame.push),
                manifold=_bytes(frame.manifold), curves=curves)


def saved_state(run, i, label, loss, lim, centres, n_modes):
    """The traits of snapshot ``i`` of a saved run (``store.LabStore`` entry): samples, field, and the
    mode curves up to that snapshot (losses are not saved)."""
    field, clim, cbar = scaled_field(run["field"][i:i + 1].astype(np.float32), [loss])
    steps = np.asarray(run["steps"][:i + 1], np.float32)
    stats = np.asarray(run["stats"][:i + 1], np.float32)
    curves, Tc, Tl = pack_curves(steps, stats[None, :, 0], stats[None, :, 1], [], np.zeros((1, 0)), np.zeros((1, 0)))
    step = int(run["steps"][i])
    m, hq, rkl = run["stats"][i]
    text = (f"saved run · generator step {step} (snapshot {i + 1}/{len(run['steps'])}) · modes covered "
            f"{int(m)}/{n_modes} · high quality {100 * hq:.1f}% · reverse KL {rkl:.3f} nats")
    samples = np.asarray(run["samples"][i], np.float32)[None]
    meta = dict(K=1, n=int(samples.shape[1]), m=int(field.shape[1]), g=0, lims=[float(lim)], labels=[label],
                titles=[label], heading=label, status=text, status_text=text, n_modes=[int(n_modes)], clim=clim,
                cbar_label=cbar, step=step, horizon=int(run["steps"][-1]), source="saved", state="saved", Tc=Tc,
                Tl=Tl, panel_status=[""], warning="", centres=[np.asarray(centres, float).round(4).tolist()])
    return dict(meta=meta, samples=_bytes(samples), field=_bytes(field), push=b"", manifold=b"", curves=curves)


def starting_state(labels, lims, centres, n_modes, text="starting…"):
    """A frame with no samples yet, naming the new setting: shown between a knob change and the new run's
    first frame, so that the previous setting's picture never stays under the new knobs."""
    K = len(labels)
    curves, Tc, Tl = pack_curves([], np.zeros((K, 0)), np.zeros((K, 0)), [], np.zeros((K, 0)), np.zeros((K, 0)))
    meta = dict(K=K, n=0, m=0, g=0, lims=[float(v) for v in lims], labels=list(labels), titles=panel_titles(labels),
                heading=labels[0] if K == 1 else f"compare {K} settings: {common_heading(labels)}", status=text,
                status_text=text,
                n_modes=[int(v) for v in n_modes], clim=[[None, None]] * K, cbar_label="", step=0, horizon=0,
                source="starting", state="starting", Tc=Tc, Tl=Tl, panel_status=[""] * K, warning="",
                centres=[np.asarray(c, float).round(4).tolist() for c in centres])
    return dict(meta=meta, samples=b"", field=b"", push=b"", manifold=b"", curves=curves)


class LabCanvas(anywidget.AnyWidget):
    """The canvas view; ``show(state)`` sends one frame's traits as one message."""

    _esm = ESM
    frame_id = traitlets.Int(0).tag(sync=True)
    meta = traitlets.Dict().tag(sync=True)
    samples = traitlets.Bytes(b"").tag(sync=True)
    field = traitlets.Bytes(b"").tag(sync=True)
    push = traitlets.Bytes(b"").tag(sync=True)
    manifold = traitlets.Bytes(b"").tag(sync=True)
    curves = traitlets.Bytes(b"").tag(sync=True)
    views = traitlets.Dict(dict(DEFAULT_VIEWS)).tag(sync=True)

    def show(self, state):
        with self.hold_sync():
            for k, v in state.items():
                setattr(self, k, v)
            self.frame_id += 1
        return self.frame_id
