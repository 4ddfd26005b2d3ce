"""Tuning sweep for the lab's defaults (run once on a GPU; results in the report / lab docstring).

python scripts/lab_sweep.py GROUP STEPS OUT_JSON   with GROUP like ring8:gp"""
import json
import sys
import time

import torch

from gan_course import batched, metrics, toys
from gan_course.batched import Setting

group, steps, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
dataset, fam, width = (group.split(":") + ["128"])[:3]
toy = getattr(toys, dataset)()
seeds = range(10, 20)  # the shipped results use seeds 0-9
A = (0.5, 0.9)
fams = {
    "gp": [dict(loss="wasserstein", n_critic=5, penalty_weight=10.0, lr_d=lr, lr_g=lr, lr_decay=dec, betas=A)
           for lr, dec in ((1e-4, False), (3e-4, False), (1e-3, False), (3e-4, True), (1e-3, True))],
    "sn1": [dict(loss="hinge", n_critic=1, spectral_norm=True, lr_d=lr, lr_g=lr, lr_decay=dec, betas=A)
            for lr, dec in ((1e-4, False), (3e-4, False), (1e-3, False), (3e-4, True), (1e-3, True))],
    "sn5": [dict(loss="hinge", n_critic=5, spectral_norm=True, lr_d=lr, lr_g=lr, lr_decay=dec, betas=A)
            for lr, dec in ((3e-4, False), (1e-3, True))],
    "ns": [dict(loss="nonsaturating", n_critic=1, lr_d=lr, lr_g=lr, betas=(0.5, 0.999)) for lr in (1e-4, 1e-3)],
}[fam]
settings = [Setting(seed=s, **f) for f in fams for s in seeds]
snaps = tuple(range(steps // 6, steps + 1, steps // 6))
t = time.time()
res = batched.train_batched(settings, toy, steps, width=int(width), snapshot_steps=snaps, progress=False)
rows = []
for i, f in enumerate(fams):
    for step in snaps:
        st = [metrics.mode_stats_for(res.snapshots[step]["samples"][i * 10 + j], toy) for j in range(10)]
        rows.append(dict(cfg={k: v for k, v in f.items() if k != "betas"}, step=step,
                         modes=[s.modes_covered for s in st], hq=[round(s.hq_fraction, 3) for s in st]))
        r = rows[-1]
        print(group, i, step, sum(r["modes"]) / 10, min(r["modes"]), sum(r["hq"]) / 10, min(r["hq"]), flush=True)
print(group, "seconds", time.time() - t, res.device, "diverged", res.diverged_at)
json.dump(dict(group=group, seconds=time.time() - t, rows=rows), open(out, "w"))
