"""Train WGAN-GP on the ring8 and grid25 toys over several seeds; save samples and mode metrics.

Makes ``assets/wgan_gp_toys.npz`` (2,500 samples and a 50x50 critic map per run, float16) and
``assets/wgan_gp_toys.json`` (the settings and gc.metrics numbers per run), which chapter 05 loads.

    # remake the shipped result: each run trains for the number of steps recorded in the JSON
    PYTHONPATH=$PWD python scripts/train_wgan_gp_toys.py --replay assets/wgan_gp_toys.json
    # a fresh result: a fixed number of steps, or as many as fit in --seconds per run
    PYTHONPATH=$PWD python scripts/train_wgan_gp_toys.py --steps 20000 --jobs 6
    PYTHONPATH=$PWD python scripts/train_wgan_gp_toys.py --steps 200 --out /tmp/smoke   # a smoke test

Each (toy, seed) run is its own process (``--jobs`` at a time); every run uses the single-model
trainer ``gan_course.training.train_gan`` with the WGAN-GP settings of Gulrajani et al. (2017),
n_critic 5 and Adam with the toy script's betas (0.5, 0.9), and the toy script's (gan_toy.py)
lambda = 0.1 ("smaller lambda seems to help for toy tasks"); lr ``--lr`` (1e-3 to fit the budget),
batch 256, MLPs with 3 hidden ReLU layers of ``--width`` units, on the CPU by default.

The shipped assets were made on a 16-core CPU machine, 6 runs in parallel, with ``--seconds 75``:
1,583 to 1,893 generator steps per run (recorded per run in the JSON). That is far shorter than
the paper's toy runs (100,000 steps), which is why the grid is not fully covered.
"""
import signal
import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np


def run_one(toy_name, seed, args):
    import torch

    import gan_course as gc

    torch.set_num_threads(args.threads)
    steps = args.replay_steps.get(f"{toy_name}_seed{seed}", args.steps) if args.replay_steps else args.steps
    if args.seconds:  # stop after this many seconds: train_gan returns what it has on KeyboardInterrupt
        def stop(*_):
            raise KeyboardInterrupt

        signal.signal(signal.SIGALRM, stop)
        signal.alarm(int(args.seconds))
    device = args.device or str(gc.device.default_device())
    toy = getattr(gc.toys, toy_name)()
    torch.manual_seed(seed)
    G = gc.nets.Generator(2, 2, args.width, 3)
    D = gc.nets.Discriminator(2, args.width, 3)
    config = gc.wgan.wgan_gp_config(steps=steps, batch_size=256, lr_d=args.lr, lr_g=args.lr, betas=(0.5, 0.9),
                                    penalty_weight=args.lam, seed=seed, device=device, progress=False, check_every=100)
    hist = gc.training.train_gan(G, D, toy, config)
    signal.alarm(0)
    with torch.no_grad():
        gen = torch.Generator(device=device).manual_seed(10_000 + seed)
        samples = G(G.sample_latent(gc.metrics.N_EVAL, gen, device)).cpu().numpy()
    lim = 3 if toy_name == "ring8" else 6
    _, _, field = gc.plotting.field_on_grid(D, (-lim, lim), 50, transform="none")
    stats = gc.metrics.mode_stats_for(samples, toy)
    return dict(toy=toy_name, seed=seed, steps=int(len(hist.steps)), seconds=hist.seconds, device=device, modes_covered=stats.modes_covered,
                n_modes=stats.n_modes, hq_fraction=stats.hq_fraction, reverse_kl=stats.reverse_kl,
                final_d_loss=float(hist.d_loss[-1])), samples, field


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--toys", nargs="+", default=["ring8", "grid25"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--lam", type=float, default=0.1, help="gradient penalty weight lambda")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seconds", type=float, default=None, help="stop each run after this many seconds")
    ap.add_argument("--replay", default=None, help="a JSON written by this script: rerun each run for its recorded steps")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--jobs", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1, help="torch threads per run")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "assets" / "wgan_gp_toys"))
    args = ap.parse_args()
    args.replay_steps = None
    if args.replay:
        old = json.loads(Path(args.replay).read_text())
        args.replay_steps = {f"{r['toy']}_seed{r['seed']}": r["steps"] for r in old["runs"]}
        for k in ("width", "lam", "lr"):
            setattr(args, k, old["settings"][k])
        args.seconds = None
        runs = [(r["toy"], r["seed"]) for r in old["runs"]]
    else:
        runs = [(t, s) for t in args.toys for s in args.seeds]
    start = time.time()
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run_one, *zip(*runs), [args] * len(runs)))
    arrays, meta = {}, []
    for info, samples, field in results:
        key = f"{info['toy']}_seed{info['seed']}"
        arrays[f"{key}_samples"] = samples.astype(np.float16)
        arrays[f"{key}_field"] = field.astype(np.float16)
        meta.append(info)
        print(f"{key}: modes {info['modes_covered']}/{info['n_modes']}, HQ {100 * info['hq_fraction']:.1f}%, "
              f"reverse KL {info['reverse_kl']:.3f}, {info['seconds']:.0f} s on {info['device']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out.with_suffix(".npz"), **arrays)
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "jobs", "threads", "replay", "replay_steps")}
    settings.update(optimizer="adam", betas=[0.5, 0.9], n_critic=5, batch_size=256, depth=3,
                    eval_samples=2500, wall_seconds=time.time() - start)
    out.with_suffix(".json").write_text(json.dumps({"settings": settings, "runs": meta}, indent=1))


if __name__ == "__main__":
    main()
