"""Tuning sweeps behind the lab's defaults and presets (gan_course/lab.py): configs x seeds, batched.

    PYTHONPATH=$PWD python scripts/lab_sweep.py DATASET WIDTH BATCH STEPS NSEEDS 'CONFIGS_JSON' [LATENT_DIM]
        [--first-seed 10] [--snapshots 4] [--record assets/lab/sweeps.jsonl] [--note TEXT]

CONFIGS_JSON is a list of ``batched.Setting`` fields without the seed. Configs of equal cost
(n_critic, penalties, spectral norm, clipping, optimizer, betas, paired loss) train as one batch
(``batched.train_grid``). For example, the run behind hinge + SN's 20,000 steps (6 minutes on one
CPU core):

    PYTHONPATH=$PWD python scripts/lab_sweep.py grid25 64 256 20000 4 \\
        '[{"loss": "hinge", "n_critic": 5, "spectral_norm": true, "lr_d": 2e-3, "lr_g": 2e-3, "lr_decay": true}]'

A config's ``g_ema`` changes only which generator is sampled (the moving average of its weights), not
the training, so two configs that differ in it alone compare the plain and the averaged generator of
the same runs, as behind the defaults' g_ema = 0.999.

Seeds ``--first-seed``.. are used (default 10; the shipped results use 0-9). At ``--snapshots``
evenly spaced steps it prints, per config, mean / min modes covered, mean / min high-quality share,
the share of near misses (3 to 6 std from the nearest centre) and the mean reverse KL of the mode
histogram, over the seeds. ``--record FILE`` appends one JSON line per config and snapshot (the
config, the step, the per-seed modes and HQ shares, the batch's CPU seconds) to FILE: the lab's
recorded sweeps are ``assets/lab/sweeps.jsonl``, summarised in ``assets/lab/sweeps.md``.
"""
import argparse
import json
import time

import numpy as np
import torch

from gan_course import batched, device, metrics, toys


def main(dataset, width, batch, steps, nseeds, configs, latent_dim=2, first_seed=10, n_snapshots=4, record=None,
         note=""):
    device.set_threads()
    toy = getattr(toys, dataset)()
    seeds = range(first_seed, first_seed + nseeds)
    settings = [batched.Setting(seed=s, **{**c, "betas": tuple(c.get("betas", (0.5, 0.9)))})
                for c in configs for s in seeds]
    snaps = tuple(int(round(steps * (i + 1) / n_snapshots)) for i in range(n_snapshots))
    t, c0 = time.time(), time.process_time()
    done = batched.train_grid(settings, toy, steps, width=width, batch_size=batch, latent_dim=latent_dim,
                              snapshot_steps=snaps, progress=False)
    cpu = time.process_time() - c0
    samples, diverged = [None] * len(settings), [None] * len(settings)
    for idx, res in done:
        for j, i in enumerate(idx):
            samples[i] = {step: res.snapshots[step]["samples"][j] for step in snaps}
            diverged[i] = res.diverged_at[j]
    lines = []
    for i, config in enumerate(configs):
        for step in snaps:
            xs = [np.nan_to_num(samples[i * nseeds + j][step], nan=1e6, posinf=1e6, neginf=-1e6)
                  for j in range(nseeds)]
            st = [metrics.mode_stats_for(x, toy) for x in xs]
            dist = [np.sqrt(((x[:, None] - toy.centres[None]) ** 2).sum(-1)).min(1) / toy.std for x in xs]
            m, hq = [s.modes_covered for s in st], [s.hq_fraction for s in st]
            print(f"{dataset} w{width} b{batch} z{latent_dim} {config} step {step}: modes {np.mean(m):.2f} (min {min(m)}), "
                  f"HQ {100 * np.mean(hq):.1f}% (min {100 * min(hq):.1f}), "
                  f"near miss {100 * np.mean([((d >= 3) & (d < 6)).mean() for d in dist]):.1f}%, "
                  f"reverse KL {np.mean([s.reverse_kl for s in st]):.3f}", flush=True)
            lines.append(dict(dataset=dataset, width=width, batch=batch, latent_dim=latent_dim, steps=steps,
                              step=step, config=config, seeds=list(seeds), modes=m, hq=[round(h, 4) for h in hq],
                              diverged_at=diverged[i * nseeds:(i + 1) * nseeds], note=note))
    print(f"{dataset}: {time.time() - t:.0f} s wall, {cpu:.0f} s CPU ({len(settings)} models, "
          f"{torch.get_num_threads()} thread), diverged at {diverged}")
    if record:
        with open(record, "a") as f:
            for line in lines:
                f.write(json.dumps({**line, "batch_cpu_s": round(cpu, 1), "n_models": len(settings)}) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", choices=["ring8", "grid25"])
    ap.add_argument("width", type=int)
    ap.add_argument("batch", type=int)
    ap.add_argument("steps", type=int)
    ap.add_argument("nseeds", type=int)
    ap.add_argument("configs", type=json.loads)
    ap.add_argument("latent_dim", type=int, nargs="?", default=2)
    ap.add_argument("--first-seed", type=int, default=10)
    ap.add_argument("--snapshots", type=int, default=4)
    ap.add_argument("--record", default=None)
    ap.add_argument("--note", default="")
    a = ap.parse_args()
    main(a.dataset, a.width, a.batch, a.steps, a.nseeds, a.configs, a.latent_dim, a.first_seed, a.snapshots, a.record,
         a.note)
