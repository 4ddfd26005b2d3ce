"""Chapter 03's noise schedules over 10 seeds: writes assets/noise/annealing.json.

For seeds 0-9: ``gan_course.annealing.run_schedules(seed, steps=600, fixed_steps=1800)`` (no noise,
fixed sigma = 0.5, linear 1 -> 0 and the adaptive rule; the fixed schedule also runs on to 1,800
steps). Chapter 03 trains seed 0 live (and checks it against the file) and reads seeds 1-9 from it.

    python scripts/annealing_seeds.py --out assets/noise
"""
import argparse
import json
import time
from pathlib import Path

import torch

from gan_course import annealing


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="assets/noise")
    p.add_argument("--seeds", type=int, default=10)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0, results = time.process_time(), {}
    for seed in range(args.seeds):
        results[seed] = annealing.run_schedules(seed, steps=600, fixed_steps=1800)
        print(f"seed {seed}: " + ", ".join(f"{k} {v['w1'][600]:.3f}" for k, v in results[seed].items())
              + f" ({time.process_time() - t0:.0f} s CPU)", flush=True)
    json.dump(dict(command="python scripts/annealing_seeds.py --out assets/noise", steps=600, fixed_steps=1800,
                   device="cpu", cpu_seconds=time.process_time() - t0, results=results),
              open(out / "annealing.json", "w"), indent=1)


if __name__ == "__main__":
    main()
