"""WGAN-GP at the paper's penalty weight (lambda = 10) with the lab's tuned recipe otherwise (chapters 05, 07).

The lab's WGAN-GP row (``lab.DEFAULTS["wgan-gp"]``) uses lambda = 1, Adam(0.5, 0.9) at lr 3e-3 decaying
linearly to 0, five critic steps per generator step, 20,000 generator steps and samples from a moving
average of G's weights (beta 0.999). Gulrajani et al. (2017, Alg. 1) use lambda = 10. This script
changes only lambda (``lab.make_setting("wgan-gp", seed, penalty_weight=10)``) and trains each
dataset's seeds as one batch (``lab.train``; model k of a batch follows its solo run, tests/test_batched.py).

Writes, per dataset, ``OUT/<dataset>.json`` (the recipe, and per seed the mode metrics at 9 snapshots)
and ``OUT/<dataset>_samples.npz`` (the final 1,000 samples per seed, float16), read by chapters 05 and
07. Measured cost: 961 s of one CPU core for grid25 seeds 0-2 as one batch, on a busy 2-core machine
(``cpu_seconds`` in the file); ring8 has not been run at this setting.

    python scripts/paper_penalty.py --dataset grid25 --seeds 0 1 2 --out assets/paper_penalty
    python scripts/paper_penalty.py --dataset ring8 --seeds 0 1 2 --out assets/paper_penalty   # not run yet
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch

from gan_course import lab, store

PENALTY = 10.0  # Gulrajani et al. 2017, Alg. 1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", choices=tuple(lab.DATASETS), required=True)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--steps", type=int, default=lab.default_steps("wgan-gp"))
    p.add_argument("--out", default="assets/paper_penalty")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = lab.train(args.dataset, "wgan-gp", args.seeds, steps=args.steps, device="cpu", progress=True,
                     n_snapshots=lab.N_SNAPSHOTS, penalty_weight=PENALTY)
    if runs[0]["partial"]:
        raise SystemExit("interrupted: nothing written")
    rows = [dict(seed=r["setting"].seed, diverged_at=r["diverged_at"], setting=r["setting"].as_dict(),
                 stats=[dict(step=int(t), modes_covered=m.modes_covered, n_modes=m.n_modes, hq_fraction=m.hq_fraction,
                             reverse_kl=store.finite_or_none(m.reverse_kl)) for t, m in zip(r["steps"], r["stats"])])
            for r in runs]
    cmd = f"python scripts/paper_penalty.py --dataset {args.dataset} --seeds {' '.join(map(str, args.seeds))} " \
          f"--out {args.out}"
    json.dump(dict(command=cmd, dataset=args.dataset, loss="wgan-gp", penalty_weight=PENALTY, steps=args.steps,
                   width=lab.WIDTH, depth=lab.DEPTH, batch_size=lab.BATCH, device="cpu",
                   cpu_seconds=runs[0]["cpu_seconds"], runs=rows), open(out / f"{args.dataset}.json", "w"), indent=1)
    np.savez_compressed(out / f"{args.dataset}_samples.npz",
                        samples=np.stack([r["samples"][-1, :1000] for r in runs]).astype(np.float16),  # (K, 1000, 2)
                        seeds=np.array(args.seeds))
    for r in rows:
        print(f"{args.dataset} seed {r['seed']}: {r['stats'][-1]}")
    print(f"done in {runs[0]['cpu_seconds']:.0f} s CPU; wrote {out}")


if __name__ == "__main__":
    main()
