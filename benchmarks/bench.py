"""Measured speed of the course's training against a plain PyTorch loop (issue 7).

    make bench                        # CPU (and CUDA too when a GPU is visible)
    .venv/bin/python benchmarks/bench.py --device cuda --skip-chapters --out benchmarks/results/gpu.json

In one run, side by side:
* steps/s of the course's single-model trainer (gan_course.training.train_gan) against the
  reference loop of benchmarks/reference.py, for the non-saturating GAN and WGAN-GP on ring8
  at widths 64, 128 and 512;
* model-steps/s of the batched trainer (gan_course.batched) at K in {1, 4, 16, 64} against
  K sequential reference loops;
* the time of every chapter under nbval;
* the lab's slider redraw latency (reading saved results);
* time to quality (``--time-to-quality``): for each lab preset, each lab loss's defaults and the reference
  loops at the published toy settings, the seconds of one thread until the samples first cover every mode
  and reach 90% and 95% high quality (median and worst over seeds), and a plot of high quality against
  seconds (benchmarks/results/time_to_quality_<dataset>.png).
It prints a table and writes JSON with the machine, device and torch version.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import gan_course as gc  # noqa: E402
from reference import reference_gan, reference_wgan_gp  # noqa: E402

WIDTHS = (64, 128, 512)
KS = (1, 4, 16, 64)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def rate(fn, steps, device, repeats=5):
    """Best steps/s over ``repeats`` timed runs of ``fn(steps)`` after one short warm-up."""
    fn(max(steps // 10, 5))
    best = 0.0
    for _ in range(repeats):
        sync(device)
        t = time.perf_counter()
        fn(steps)
        sync(device)
        best = max(best, steps / (time.perf_counter() - t))
    return best


def course_single(loss, width, device):
    ring = gc.toys.ring8()
    if loss == "wgan-gp":
        kw = dict(loss="wasserstein", n_critic=5, penalty=gc.penalties.gradient_penalty, penalty_weight=10.0,
                  lr_d=1e-4, lr_g=1e-4, betas=(0.5, 0.9))
    else:
        kw = dict(loss="nonsaturating", lr_d=1e-4, lr_g=1e-4, betas=(0.5, 0.999))

    def run(steps):
        torch.manual_seed(0)
        G, D = gc.nets.Generator(2, 2, width, 3), gc.nets.Discriminator(2, width, 3)
        gc.training.train_gan(G, D, ring, steps=steps, batch_size=256, progress=False, device=str(device), **kw)

    return run


def bench_single(device, quick):
    rows = []
    for loss, ref in (("nonsaturating", reference_gan), ("wgan-gp", reference_wgan_gp)):
        for width in WIDTHS:
            steps = (40 if loss == "wgan-gp" else 150) if quick else (150 if loss == "wgan-gp" else 600)
            if device.type == "cpu" and width == 512:
                steps //= 3
            r_ref = rate(lambda n: ref(n, width, device), steps, device)
            r_course = rate(course_single(loss, width, device), steps, device)
            rows.append(dict(loss=loss, width=width, reference_steps_per_s=r_ref, course_steps_per_s=r_course,
                             ratio=r_course / r_ref))
            print(f"  single {loss:14s} width {width:4d}: reference {r_ref:8.1f} steps/s, course {r_course:8.1f}"
                  f" steps/s, ratio {r_course / r_ref:.2f}", flush=True)
    return rows


def batched_run(K, width, device, batch):
    """K non-saturating GANs on ring8 as one batch (gan_course.batched), seeds 0..K-1."""
    settings = [gc.batched.Setting("nonsaturating", seed=k, lr_d=1e-4, lr_g=1e-4, betas=(0.5, 0.999), n_critic=1)
                for k in range(K)]
    ring = gc.toys.ring8()

    def run(steps):
        gc.batched.train_batched(settings, ring, steps, width=width, batch_size=batch, device=device, progress=False,
                                 n_snapshot=16)

    return run


def bench_batched(device, quick, width=64, batches=(256, 128)):
    """Model-steps/s of K models trained as one batch against K sequential reference loops,
    at the lab's minibatch 256 (gan_course.lab.BATCH) and at 128."""
    rows = []
    steps = 60 if quick else 200
    for batch in batches:
        r_ref = rate(lambda n: reference_gan(n, width, device, batch=batch), steps, device)
        for K in KS:
            r_b = rate(batched_run(K, width, device, batch), steps, device)
            # K sequential reference loops do r_ref model-steps per second in total
            rows.append(dict(K=K, width=width, batch=batch, sequential_model_steps_per_s=r_ref,
                             batched_model_steps_per_s=K * r_b, speedup=K * r_b / r_ref))
            print(f"  batched K={K:3d} width {width} batch {batch}: sequential {r_ref:8.1f} model-steps/s, "
                  f"batched {K * r_b:9.1f} model-steps/s, speed-up {K * r_b / r_ref:5.1f}x", flush=True)
    return rows


def bench_chapters():
    """Wall seconds of each chapter under nbval, two at a time as in `make test`."""
    out = ROOT / "test-artifacts" / "bench_chapter_timings.json"
    out.parent.mkdir(exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg", "GAN_COURSE_TIMINGS": str(out)}
    cmd = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "--nbval-lax", "-q",
           "-p", "no:cacheprovider", "chapters"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    total = time.perf_counter() - t
    times = json.loads(out.read_text()) if out.exists() else {}
    for name, s in sorted(times.items()):
        print(f"  chapter {name:40s} {s:6.1f} s", flush=True)
    return dict(per_chapter_s=times, total_wall_s=total, passed=proc.returncode == 0)


def bench_slider(moves=27):
    """Wall and CPU milliseconds of a lab redraw from the shipped results (a step-slider move)."""
    import statistics

    view = gc.widgets.LabView(gc.widgets.LabStore.load(), device="cpu")
    n = view.step.max + 1
    wall, cpu = [], []
    for i in range(moves):
        t, c = time.perf_counter(), time.process_time()
        view.step.value = (view.step.value + 1) % n
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return dict(median_wall_ms=1e3 * statistics.median(wall), median_cpu_ms=1e3 * statistics.median(cpu),
                max_wall_ms=1e3 * max(wall), moves=moves)


LIVE_KERNEL_CODE = r"""
import json, time, statistics, torch
import gan_course as gc
from gan_course import live, widgets

def window(eng, seconds, frames=lambda: 0):
    time.sleep(1.0)  # warm up
    s0, f0, t0, c0 = eng.run.step_count, frames(), time.perf_counter(), time.process_time()
    time.sleep(seconds)
    s1, f1, t1, c1 = eng.run.step_count, frames(), time.perf_counter(), time.process_time()
    return dict(steps_per_s=(s1 - s0) / (t1 - t0), frames_per_s=(f1 - f0) / (t1 - t0),
                steps_per_cpu_s=(s1 - s0) / (c1 - c0), kernel_cpu_share=(c1 - c0) / (t1 - t0))

def headless(seconds):
    eng = live.LiveEngine(None, fps=0, device=DEVICE)
    eng.configure(live.Panel("ring8", "nonsaturating"), play=True)
    out = window(eng, seconds)
    eng.close()
    return out

def view(seconds):
    v = widgets.LabView(widgets.LabStore.load(), device=DEVICE)
    v.loss.value = "nonsaturating"  # the saved defaults; trained live below, every view on
    v.canvas.views = {k: True for k in v.canvas.views}
    v.train_live()
    display(v.widget)
    out = window(v.engine, seconds, lambda: v.canvas.frame_id)
    out["frame_bytes"] = sum(len(getattr(v.canvas, k)) for k in ("samples", "field", "push", "manifold", "curves"))
    e = v.engine  # the worker thread's CPU seconds, drawing (building and sending frames) against training
    out["worker_draw_share"] = e.draw_cpu_s / (e.draw_cpu_s + e.train_cpu_s)
    out["frame_cpu_ms"] = 1e3 * e.draw_cpu_s / max(e.frames_sent, 1)
    out["step_cpu_ms"] = 1e3 * e.train_cpu_s / max(e.run.step_count, 1)
    v.engine.close()
    return out

rows = {"headless": [], "view": []}
for _ in range(ROUNDS):  # interleaved, so that a change of the machine's load hits both
    rows["headless"].append(headless(SECONDS))
    rows["view"].append(view(SECONDS))
print("RESULT" + json.dumps(rows))
"""


def bench_live(device="cpu", seconds=5.0, rounds=2):
    """The live lab in a real Jupyter kernel on one torch thread (width 64, minibatch 256, the non-saturating
    GAN on ring8), its messages read by a client as a browser would: generator steps/s of headless training
    (``live.LiveEngine`` without a view) against the ``LabView`` drawing every view (field, samples, arrows,
    manifold, curves) at its frame rate, interleaved ``rounds`` times in the same kernel; frames/s sent.
    The slowdown is given per wall second and per CPU second of the kernel (on a busy machine the wall
    figure also carries the other jobs' load)."""
    import queue
    import statistics

    from jupyter_client.manager import start_new_kernel

    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT))
    out = []
    try:
        code = f"DEVICE, SECONDS, ROUNDS = {device!r}, {seconds!r}, {rounds!r}\n" + LIVE_KERNEL_CODE
        msg_id = kc.execute(code)
        n_msgs, deadline = 0, time.monotonic() + rounds * 2 * (seconds + 30) + 60
        while time.monotonic() < deadline:
            try:
                msg = kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            n_msgs += 1  # comm messages (the frames) are read and dropped, as a frontend would read them
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                raise RuntimeError("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                break
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    text = "".join(out)
    rows = json.loads(text.split("RESULT", 1)[1].splitlines()[0])
    med = lambda kind, key: statistics.median(r[key] for r in rows[kind])
    h, v = med("headless", "steps_per_s"), med("view", "steps_per_s")
    hc, vc = med("headless", "steps_per_cpu_s"), med("view", "steps_per_cpu_s")
    return dict(headless_steps_per_s=h, view_steps_per_s=v, view_frames_per_s=med("view", "frames_per_s"),
                slowdown_wall=1 - v / h, slowdown_cpu=1 - vc / hc, headless_steps_per_cpu_s=hc,
                view_steps_per_cpu_s=vc, worker_draw_share=med("view", "worker_draw_share"),
                frame_cpu_ms=med("view", "frame_cpu_ms"), step_cpu_ms=med("view", "step_cpu_ms"), frame_bytes=rows["view"][0]["frame_bytes"], rounds=rows,
                seconds_each=seconds, iopub_messages=n_msgs, load_average=os.getloadavg(),
                conditions="one torch thread in a Jupyter kernel; client drains iopub (no browser)")


# ----------------------------------------------------------------------------------------------
# time to quality (issue 15): seconds of one thread to every mode, 90% and 95% high quality
# ----------------------------------------------------------------------------------------------
TTQ_LEVELS = (("all_modes", None), ("hq90", 0.90), ("hq95", 0.95))


def ttq_recipes():
    """name -> how to train it: the lab's presets, each lab loss's defaults, the published toy settings."""
    lab = gc.lab
    out = {f"preset {p}": ("preset", p) for p in lab.PRESETS}
    out.update({f"{loss} defaults": ("loss", loss) for loss in lab.LOSS_NAMES if loss not in ("wgan-gp", "hinge-sn")})
    # wgan-gp and hinge-sn defaults are the tuned presets
    out["reference WGAN-GP (gan_toy.py: width 512, lambda 0.1, 5 critic steps, lr 1e-4)"] = ("reference", "wgan-gp")
    out["reference GAN (non-saturating, width 512, lr 1e-4)"] = ("reference", "gan")
    return out


def _first_reach(trace, n_modes):
    """First seconds at which a trace [(seconds, step, modes, hq)] covers every mode / covers every mode with
    90% / 95% high quality. The levels need every mode: the high-quality share alone is a precision, and a
    generator collapsed onto grid25's centre mode (0, 0), as a fresh one nearly is, scores 100% with 1 mode."""
    out = {}
    for name, level in TTQ_LEVELS:
        hit = [t for t, _, m, hq in trace if m == n_modes and (level is None or hq >= level)]
        out[name] = hit[0] if hit else None
    return out


def ttq_row(dataset, recipe, runs, cap_s, n_modes):
    """One recipe's row: each run's first reach of every level and the median and worst over the runs
    ("worst" is None when a run never got there; the median counts such a run as never)."""
    import statistics

    row = dict(dataset=dataset, recipe=recipe, seeds=[r["seed"] for r in runs], cap_s=cap_s, runs=[])
    for r in runs:
        row["runs"].append({**r, **_first_reach(r["trace"], n_modes)})
    for level, _ in TTQ_LEVELS:
        v = [r[level] for r in row["runs"]]
        med = statistics.median([x if x is not None else float("inf") for x in v])
        row[f"{level}_median_s"] = None if med == float("inf") else med
        row[f"{level}_worst_s"] = None if None in v else max(v)
        row[f"{level}_reached"] = sum(x is not None for x in v)
    return row


def ttq_course(dataset, kind, name, seed, device, cap_s=None):
    """One course run (alone, K = 1), scored on 2,500 samples about 40 times over its schedule; the clock is
    the CPU time of the training steps only (scoring excluded). Stops early once every mode and 95% high
    quality are reached, or after ``cap_s`` CPU seconds of training (the recipe's schedule is unchanged: its
    learning rate still decays over the full ``steps``)."""
    lab = gc.lab
    toy = lab.dataset(dataset)
    if kind == "preset":
        r = lab.recipe(name, dataset)
        setting, steps, net = gc.lab.preset_setting(name, dataset, seed), r.steps, (r.width, r.depth, r.batch_size,
                                                                                   r.latent_dim)
    else:
        setting, steps, net = lab.make_setting(name, seed), lab.default_steps(name), (lab.WIDTH, lab.DEPTH, lab.BATCH, 2)
    every = max(10, steps // 40 // 10 * 10)
    gan = gc.batched.BatchedGAN([setting], toy, steps, *net, device=device, n_snapshot=gc.metrics.N_EVAL)
    n_modes, spent, trace = toy.centres.shape[0], 0.0, []

    def score():
        st = gc.lab.stats_of(gan.snapshot()["samples"][0], toy)
        trace.append((spent, gan.t, st.modes_covered, st.hq_fraction))
        return st.modes_covered == n_modes and st.hq_fraction >= 0.95

    score()
    while gan.t < steps:
        c0 = time.process_time()
        for _ in range(min(every, steps - gan.t)):
            gan.step()
        spent += time.process_time() - c0
        if score() or (cap_s is not None and spent > cap_s):
            break
    return trace, n_modes


class _Cap(Exception):
    pass


def ttq_reference(dataset, which, seed, device, cap_s):
    """A reference loop (benchmarks/reference.py) at the published toy settings, probed every 100 steps
    (the probe's own time excluded) until ``cap_s`` CPU seconds of training."""
    toy = gc.lab.dataset(dataset)
    z = torch.randn(gc.metrics.N_EVAL, 2, generator=torch.Generator().manual_seed(seed + 2)).to(device)
    trace, spent = [], [0.0]
    c0 = time.process_time()

    def probe(step, G):
        t = time.process_time() - c0 - spent[0]
        p0 = time.process_time()
        with torch.no_grad():
            st = gc.lab.stats_of(G(z).cpu().numpy(), toy)
        trace.append((t, step, st.modes_covered, st.hq_fraction))
        spent[0] += time.process_time() - p0
        if t > cap_s or st.hq_fraction >= 0.95 and st.modes_covered == toy.centres.shape[0]:
            raise _Cap

    try:
        if which == "wgan-gp":
            reference_wgan_gp(10**7, 512, device, seed=seed, lam=0.1, data=toy, probe=probe)
        else:
            reference_gan(10**7, 512, device, seed=seed, data=toy, probe=probe)
    except _Cap:
        pass
    return trace, toy.centres.shape[0]


def bench_time_to_quality(device, datasets=("ring8", "grid25"), seeds=(0, 1, 2), recipes=None, cap_s=300,
                          plot_dir=None):
    """Seconds of one thread (CPU time; wall time on an idle core) to each level, per recipe and dataset:
    every run trains alone; median and worst over ``seeds`` (None: not reached, worst counts it as never)."""
    table = ttq_recipes()
    names = [n for n in table if recipes is None or any(r in n for r in recipes)]
    rows = []
    for ds in datasets:
        for name in names:
            kind, what = table[name]
            per_seed = []
            for seed in seeds:
                if kind == "reference":
                    trace, n_modes = ttq_reference(ds, what, seed, device, cap_s)
                else:
                    trace, n_modes = ttq_course(ds, kind, what, seed, device, cap_s)
                per_seed.append(dict(seed=seed, final_modes=trace[-1][2], final_hq=trace[-1][3], run_s=trace[-1][0],
                                     trace=[[round(t, 3), st, m, round(hq, 4)] for t, st, m, hq in trace]))
            row = ttq_row(ds, name, per_seed, cap_s, n_modes)
            row.update(date=time.strftime("%Y-%m-%d %H:%M:%S %Z"), load_average=round(os.getloadavg()[0], 2))
            rows.append(row)
            f = lambda v: "  never" if v is None else f"{v:7.1f}"
            print(f"  ttq {ds:6s} {name[:44]:44s} modes {f(row['all_modes_median_s'])}/{f(row['all_modes_worst_s'])}"
                  f"  90% {f(row['hq90_median_s'])}/{f(row['hq90_worst_s'])}  95% {f(row['hq95_median_s'])}/"
                  f"{f(row['hq95_worst_s'])} s (median/worst of {len(seeds)})", flush=True)
        if plot_dir is not None:
            plot_time_to_quality([r for r in rows if r["dataset"] == ds], Path(plot_dir) / f"time_to_quality_{ds}.png")
    return rows


def merge_ttq_rows(old, new):
    """Time-to-quality rows: ``new`` replaces the rows of ``old`` with the same dataset and recipe, the
    rest of ``old`` is kept (two datasets may be measured by two processes, one per core)."""
    key = lambda r: (r["dataset"], r["recipe"])
    fresh = {key(r) for r in new}
    return [r for r in old if key(r) not in fresh] + list(new)


def ttq_markdown(rows, dataset):
    """The README's table of one dataset's time-to-quality rows (seconds; "never": not within the run)."""
    f = lambda v: "never" if v is None else f"{v:.0f}"
    out = ["| recipe | all modes: median / worst s | 90% HQ: median / worst s | 95% HQ: median / worst s "
           "| end of each run: step, CPU s, modes, HQ |", "|---|---|---|---|---|"]
    for r in rows:
        if r["dataset"] != dataset:
            continue
        ends = "; ".join(f"seed {x['seed']}: {x['trace'][-1][1]}, {x['run_s']:.0f} s, {x['final_modes']}, "
                         f"{100 * x['final_hq']:.1f}%" for x in r["runs"])
        out.append(f"| {r['recipe']} | " + " | ".join(f"{f(r[f'{k}_median_s'])} / {f(r[f'{k}_worst_s'])}"
                                                       for k, _ in TTQ_LEVELS) + f" | {ends} |")
    return "\n".join(out)


def plot_time_to_quality(rows, path):
    """Modes covered and high-quality share against CPU seconds, one line per recipe (the rows of one
    dataset): at each time, the median over seeds of each run's latest score (a run that stopped, at 95%
    with every mode or at the cap, keeps its last score; a dot marks where the median run ended). Two
    panels, because the share alone is a precision: a collapsed generator can score high on it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    ds = rows[0]["dataset"]
    n_modes = gc.lab.dataset(ds).n_modes
    ends = [x["trace"][-1][0] for r in rows for x in r["runs"]]
    grid = np.geomspace(0.3, max(ends) * 1.05, 400)
    fig, (ax_m, ax_q) = plt.subplots(2, 1, figsize=(11, 9), sharex=True, height_ratios=[1, 1.6])
    for i, r in enumerate(rows):
        curves = {2: [], 3: []}
        for x in r["runs"]:
            tr = np.array(x["trace"], dtype=float)
            idx = np.searchsorted(tr[:, 0], grid, side="right") - 1  # the latest score at or before each time
            for col in curves:
                curves[col].append(np.where(idx >= 0, tr[np.clip(idx, 0, None), col], np.nan))
        end = np.median([x["trace"][-1][0] for x in r["runs"]])
        keep = grid <= end
        ref, preset = r["recipe"].startswith("reference"), r["recipe"].startswith("preset")
        style = dict(ls="--" if ref else "-", lw=2.4 if preset else 1.6, color=f"C{i % 10}")
        for ax, col, scale in ((ax_m, 2, 1), (ax_q, 3, 100)):
            med = scale * np.median(curves[col], 0)
            ax.plot(grid[keep], med[keep], label=r["recipe"] if ax is ax_q else None, **style)
            ax.plot(grid[keep][-1:], med[keep][-1:], "o", color=style["color"], ms=5)
    target = 60 if ds == "ring8" else 180
    for ax in (ax_m, ax_q):
        ax.axvline(target, color="C3", ls=":", lw=1)
        ax.grid(alpha=0.3, which="both")
    ax_m.axhline(n_modes, color="k", ls=":", lw=1)
    ax_m.set(ylabel=f"modes covered (of {n_modes})", ylim=(0, n_modes + 1))
    ax_q.axhline(95, color="k", ls=":", lw=1)
    ax_q.axhline(90, color="gray", ls=":", lw=1)
    ax_q.text(grid[0], 95.5, "95%", fontsize=10)
    ax_q.text(grid[0], 90.5, "90%", fontsize=10, color="gray")
    ax_q.text(target * 1.03, 3, f"{target} s target", color="C3", fontsize=10)
    cap = rows[0].get("cap_s")
    ax_m.set_title(f"{ds}: median over seeds {rows[0]['seeds']}, each run alone on one thread"
                   + (f", stopped at {cap:.0f} s" if cap else ""))
    ax_q.set(xscale="log", xlabel="CPU seconds of one thread (training only)",
             ylabel="high-quality samples (%)", ylim=(0, 100))
    ax_q.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"  wrote {path}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--out", type=Path, default=None, help="JSON file (default benchmarks/results/<device>.json)")
    ap.add_argument("--skip-chapters", action="store_true", help="do not time the chapters under nbval")
    ap.add_argument("--quick", action="store_true", help="fewer steps (a smoke test, not for the README)")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch CPU threads (default: gan_course.device.set_threads, one unless GAN_COURSE_THREADS)")
    ap.add_argument("--time-to-quality", action="store_true", help="also measure time to quality (long)")
    ap.add_argument("--only-time-to-quality", action="store_true", help="measure time to quality alone")
    ap.add_argument("--ttq-seeds", type=int, default=3, help="seeds 0..N-1 for time to quality (default 3)")
    ap.add_argument("--ttq-datasets", nargs="+", default=["ring8", "grid25"], choices=["ring8", "grid25"])
    ap.add_argument("--ttq-recipes", nargs="+", default=None, help="substrings of recipe names (default all)")
    ap.add_argument("--only-live", action="store_true",
                    help="measure the live lab alone (frames/s, slowdown, key press to pixels in Chromium); "
                         "writes benchmarks/results/lab_live.json")
    ap.add_argument("--ttq-cap", type=float, default=300.0,
                    help="CPU seconds of training after which a run stops (default 300)")
    ap.add_argument("--ttq-report", type=Path, default=None, metavar="JSON",
                    help="print the time-to-quality tables of a results file as Markdown, redraw its plots, stop")
    args = ap.parse_args(argv)
    if args.ttq_report is not None:
        rows = json.loads(args.ttq_report.read_text())["time_to_quality"]["rows"]
        rows = [{**ttq_row(r["dataset"], r["recipe"], r["runs"], r.get("cap_s"), gc.lab.dataset(r["dataset"]).n_modes),
                 **{k: r[k] for k in ("date", "load_average") if k in r}} for r in rows]  # levels as defined now
        for ds in dict.fromkeys(r["dataset"] for r in rows):
            print(f"\n{ds}\n\n{ttq_markdown(rows, ds)}")
            plot_time_to_quality([r for r in rows if r["dataset"] == ds],
                                 ROOT / "benchmarks" / "results" / f"time_to_quality_{ds}.png")
        return rows
    if args.device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda but no CUDA device is visible")
    gc.device.set_threads(args.threads)
    device = torch.device(args.device)
    result = dict(machine=dict(platform=platform.platform(), processor=platform.processor(),
                               cpu_count=os.cpu_count(), python=platform.python_version()),
                  device=str(device), device_name=torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
                  torch=torch.__version__, torch_threads=torch.get_num_threads(), quick=args.quick,
                  date=time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    t0 = time.perf_counter()
    print(f"device {result['device_name']}, torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)
    if args.only_live:
        from lab_latency import key_to_pixels

        result["live"] = bench_live(args.device)
        print(f"  live lab in a kernel: {result['live']}", flush=True)
        result["browser"] = key_to_pixels()
        print(f"  key press to pixels: {result['browser']['summary']}", flush=True)
        result["seconds"] = time.perf_counter() - t0
        out = args.out or ROOT / "benchmarks" / "results" / "lab_live.json"
        out.write_text(json.dumps(result, indent=2))
        print(f"wrote {out}")
        return result
    if args.time_to_quality or args.only_time_to_quality:
        result["time_to_quality"] = dict(
            seeds=args.ttq_seeds, cap_s=args.ttq_cap, clock="time.process_time of the one training thread",
            rows=bench_time_to_quality(device, tuple(args.ttq_datasets), tuple(range(args.ttq_seeds)),
                                       args.ttq_recipes, args.ttq_cap, plot_dir=ROOT / "benchmarks" / "results"))
    if not args.only_time_to_quality:
        result["single"] = bench_single(device, args.quick)
        result["batched"] = bench_batched(device, args.quick)
        if device.type == "cpu":
            result["slider_redraw"] = bench_slider()
            print(f"  slider redraw: {result['slider_redraw']}", flush=True)
            result["live"] = bench_live()
            print(f"  live lab: {result['live']}", flush=True)
        if not args.skip_chapters:
            result["chapters"] = bench_chapters()
    result["seconds"] = time.perf_counter() - t0
    out = args.out or ROOT / "benchmarks" / "results" / f"{args.device}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.only_time_to_quality and out.exists():  # keep the file's other measurements and other TTQ rows
        old = json.loads(out.read_text())
        ttq = result["time_to_quality"]
        ttq["rows"] = merge_ttq_rows(old.get("time_to_quality", {}).get("rows", []), ttq["rows"])
        result = {**old, "time_to_quality": ttq,
                  "time_to_quality_machine": {k: result[k] for k in ("machine", "torch", "torch_threads", "date")}}
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out} in {result['seconds']:.0f} s")
    return result


if __name__ == "__main__":
    main()
