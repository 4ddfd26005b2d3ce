"""Tuning sweep for the lab's defaults: python scripts/lab_sweep.py DATASET FAMILY WIDTH BATCH STEPS NSEEDS

Trains every config of FAMILY x NSEEDS seeds (10..) as one batch and prints, at 6 snapshots,
mean / min modes covered and mean / min high-quality fraction per config."""
import sys
import time

from gan_course import batched, metrics, toys
from gan_course.batched import Setting

dataset, fam, width, B, steps, nseeds = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])
toy = getattr(toys, dataset)()
seeds = range(10, 10 + nseeds)  # the shipped results use seeds 0-9
A = (0.5, 0.9)
fams = {
    "gp": [dict(loss="wasserstein", n_critic=5, penalty_weight=10.0, lr_d=lr, lr_g=lr, lr_decay=True, betas=A)
           for lr in (1e-3, 3e-4)],
    "gp2": [dict(loss="wasserstein", n_critic=2, penalty_weight=10.0, lr_d=lr, lr_g=lr, lr_decay=True, betas=A)
            for lr in (1e-3, 3e-4)],
    "sn": [dict(loss="hinge", n_critic=1, spectral_norm=True, lr_d=lr, lr_g=lr, lr_decay=True, betas=A)
           for lr in (1e-3, 3e-4)],
    "ns": [dict(loss="nonsaturating", n_critic=1, lr_d=lr, lr_g=lr, betas=(0.5, 0.999)) for lr in (1e-3, 3e-4)],
}[fam]
settings = [Setting(seed=s, **f) for f in fams for s in seeds]
snaps = tuple(range(steps // 6, steps + 1, steps // 6))
t = time.time()
res = batched.train_batched(settings, toy, steps, width=width, batch_size=B, snapshot_steps=snaps, progress=False,
                            device="cpu")
for i, f in enumerate(fams):
    for step in snaps:
        st = [metrics.mode_stats_for(res.snapshots[step]["samples"][i * nseeds + j], toy) for j in range(nseeds)]
        m, hq = [s.modes_covered for s in st], [s.hq_fraction for s in st]
        print(f"{dataset} {fam} w{width} b{B} lr {f['lr_d']:g} step {step}: modes {sum(m) / len(m):.1f} "
              f"(min {min(m)}), HQ {100 * sum(hq) / len(hq):.1f}% (min {100 * min(hq):.1f})", flush=True)
print(dataset, fam, "seconds", round(time.time() - t), "diverged", res.diverged_at, flush=True)
