"""The non-saturating GAN on grid25 with the regularised losses' schedule (chapter 07, equal budget).

The lab's non-saturating default runs 2,000 steps at a constant learning rate and samples the live
generator; WGAN-GP and hinge + SN run 20,000 steps with learning rates decaying linearly to 0 and
sample a moving average of G's weights (beta 0.999). This script gives the non-saturating GAN that
same schedule (20,000 generator steps, lr 1e-3 decaying linearly to 0, g_ema 0.999; its own DCGAN
Adam and one D step per G step), over seeds 0-5. Seeds 0-1 are trained a second time with g_ema 0:
the average does not change training, so these twins show the *live* generator of the same runs.

Writes ``assets/equal_budget/results.json`` (mode metrics per seed and snapshot, averaged and
live) and ``assets/equal_budget/weights.npz`` (final D, live G and averaged G of every model, as
stacked float32 weights), read by chapter 07. Run time measured: see ``seconds`` in the file.

    python scripts/equal_budget.py --out assets/equal_budget
"""
import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from gan_course import batched, lab, metrics

DATASET, LOSS, STEPS = "grid25", "nonsaturating", 20000
SEEDS, LIVE_SEEDS = tuple(range(6)), tuple(range(2))


def settings():
    """(setting, kind) for every model: the averaged runs, then their live twins."""
    base = [replace(lab.make_setting(LOSS, s), lr_decay=True, g_ema=0.999) for s in SEEDS]
    live = [replace(lab.make_setting(LOSS, s), lr_decay=True, g_ema=0.0) for s in LIVE_SEEDS]
    return [(s, "averaged") for s in base] + [(s, "live") for s in live]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="assets/equal_budget")
    p.add_argument("--steps", type=int, default=STEPS)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    toy = lab.dataset(DATASET)
    pairs = settings()
    snaps = lab.snapshot_steps(args.steps)
    t0 = time.process_time()
    res = batched.train_batched([s for s, _ in pairs], toy, args.steps, lab.WIDTH, lab.DEPTH, lab.BATCH,
                                device="cpu", snapshot_steps=snaps, n_snapshot=metrics.N_EVAL, progress=True)
    seconds = time.process_time() - t0
    runs = []
    for k, (s, kind) in enumerate(pairs):
        st = [lab.stats_of(res.snapshots[t]["samples"][k], toy) for t in snaps]
        runs.append(dict(seed=s.seed, kind=kind, setting=s.as_dict(), diverged_at=res.diverged_at[k],
                         stats=[dict(step=t, modes_covered=m.modes_covered, hq_fraction=m.hq_fraction,
                                     reverse_kl=lab._finite(m.reverse_kl)) for t, m in zip(snaps, st)]))
    json.dump(dict(command="python scripts/equal_budget.py --out assets/equal_budget", dataset=DATASET, loss=LOSS,
                   steps=args.steps, width=lab.WIDTH, depth=lab.DEPTH, batch_size=lab.BATCH,
                   cpu_seconds=seconds, device="cpu", runs=runs), open(out / "results.json", "w"), indent=1)
    arrays = {}
    for name, net in (("D", res.D), ("G", res.G), ("G_ema", res.G_ema)):
        for i, (w, b) in enumerate(zip(net.weights, net.biases)):
            arrays[f"{name}_w{i}"] = w.detach().float().numpy()  # (K, in, out)
            arrays[f"{name}_b{i}"] = b.detach().float().numpy()  # (K, 1, out)
    arrays["final_samples"] = res.snapshots[snaps[-1]]["samples"][:, :1000].astype(np.float16)  # (K, 1000, 2)
    np.savez_compressed(out / "weights.npz", **arrays)
    print(f"done in {seconds:.0f} s CPU; wrote {out}")


if __name__ == "__main__":
    main()
