"""Tuning sweep behind the lab's defaults (gan_course/lab.py, DEFAULTS): trains configs x seeds as one batch.

    PYTHONPATH=$PWD python scripts/lab_sweep.py DATASET WIDTH BATCH STEPS NSEEDS 'CONFIGS_JSON' [LATENT_DIM]

CONFIGS_JSON is a list of ``batched.Setting`` fields without the seed; all configs must share a cost
(n_critic, penalty or not, spectral norm, clipping, optimizer, betas). For example, the run behind
hinge + SN's 20,000 steps (6 minutes on one CPU core):

    PYTHONPATH=$PWD python scripts/lab_sweep.py grid25 64 256 20000 4 \\
        '[{"loss": "hinge", "n_critic": 5, "spectral_norm": true, "lr_d": 2e-3, "lr_g": 2e-3, "lr_decay": true}]'

A config's ``g_ema`` changes only which generator is sampled (the moving average of its weights), not
the training, so two configs that differ in it alone compare the plain and the averaged generator of
the same runs, as behind the defaults' g_ema = 0.999.

Seeds 10.. are used (the shipped results use 0-9). At four snapshots it prints, per config, mean / min
modes covered, mean / min high-quality share, the share of near misses (3 to 6 std from the nearest
centre) and the mean reverse KL of the mode histogram, over the seeds.
"""
import json
import sys
import time

import numpy as np

from gan_course import batched, metrics, toys


def main(dataset, width, batch, steps, nseeds, configs, latent_dim=2):
    toy = getattr(toys, dataset)()
    seeds = range(10, 10 + nseeds)
    settings = [batched.Setting(seed=s, **{**c, "betas": tuple(c.get("betas", (0.5, 0.9)))})
                for c in configs for s in seeds]
    snaps = tuple(range(steps // 4, steps + 1, steps // 4))
    t = time.time()
    res = batched.train_batched(settings, toy, steps, width=width, batch_size=batch, latent_dim=latent_dim,
                                snapshot_steps=snaps, progress=False)
    for i, config in enumerate(configs):
        for step in snaps:
            xs = res.snapshots[step]["samples"][i * nseeds:(i + 1) * nseeds]
            st = [metrics.mode_stats_for(x, toy) for x in xs]
            dist = [np.sqrt(((x[:, None] - toy.centres[None]) ** 2).sum(-1)).min(1) / toy.std for x in xs]
            m, hq = [s.modes_covered for s in st], [s.hq_fraction for s in st]
            print(f"{dataset} w{width} b{batch} z{latent_dim} {config} step {step}: modes {np.mean(m):.2f} (min {min(m)}), "
                  f"HQ {100 * np.mean(hq):.1f}% (min {100 * min(hq):.1f}), "
                  f"near miss {100 * np.mean([((d >= 3) & (d < 6)).mean() for d in dist]):.1f}%, "
                  f"reverse KL {np.mean([s.reverse_kl for s in st]):.3f}", flush=True)
    print(f"{dataset}: {time.time() - t:.0f} s, diverged at {res.diverged_at}")


if __name__ == "__main__":
    if len(sys.argv) not in (7, 8):
        sys.exit(__doc__)
    main(sys.argv[1], *map(int, sys.argv[2:6]), json.loads(sys.argv[6]), *map(int, sys.argv[7:]))
