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
* the lab's slider redraw latency (reading saved results).
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--out", type=Path, default=None, help="JSON file (default benchmarks/results/<device>.json)")
    ap.add_argument("--skip-chapters", action="store_true", help="do not time the chapters under nbval")
    ap.add_argument("--quick", action="store_true", help="fewer steps (a smoke test, not for the README)")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    args = ap.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda but no CUDA device is visible")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    result = dict(machine=dict(platform=platform.platform(), processor=platform.processor(),
                               cpu_count=os.cpu_count(), python=platform.python_version()),
                  device=str(device), device_name=torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
                  torch=torch.__version__, torch_threads=torch.get_num_threads(), quick=args.quick,
                  date=time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    t0 = time.perf_counter()
    print(f"device {result['device_name']}, torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)
    result["single"] = bench_single(device, args.quick)
    result["batched"] = bench_batched(device, args.quick)
    if device.type == "cpu":
        result["slider_redraw"] = bench_slider()
        print(f"  slider redraw: {result['slider_redraw']}", flush=True)
    if not args.skip_chapters:
        result["chapters"] = bench_chapters()
    result["seconds"] = time.perf_counter() - t0
    out = args.out or ROOT / "benchmarks" / "results" / f"{args.device}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out} in {result['seconds']:.0f} s")
    return result


if __name__ == "__main__":
    main()
