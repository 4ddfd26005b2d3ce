"""Critics trained long against a fixed "generator" (data plus unit noise): Gulrajani et al. 2017, Fig. 1a.

As in the authors' gan_toy.py: the toys scaled as there (ring / 1.414, grid / 2.828, swiss roll / 7.5;
``critic_shape.gan_toy_scaled``), the generator held at real data + N(0, I), batch 256, critics of 3
hidden ReLU layers; clipping: c = 0.01 with RMSProp 5e-5; gradient penalty: lambda = 0.1 (gan_toy.py's
value for the toys) with Adam 1e-4, betas (0.5, 0.9). Differences: width 128 instead of 512 and
STEPS critic updates instead of 100,000 (the CPU budget); the recorded estimate E_r f - E_g f shows
whether each critic has stopped improving.

Writes ``assets/critics/critics.pt`` (state dicts) and ``assets/critics/history.json``:

    python scripts/critic_surfaces.py --out assets/critics
"""
import argparse
import json
import time
from pathlib import Path

import torch

import gan_course as gc
from gan_course.critic_shape import gan_toy_scaled

TOYS = ("ring8", "grid25", "swissroll")
METHODS = {"clipping": dict(clip=0.01, optimizer="rmsprop", lr=5e-5),
           "gradient penalty": dict(penalty=gc.penalties.gradient_penalty, penalty_weight=0.1, lr=1e-4,
                                    betas=(0.5, 0.9))}
WIDTH, DEPTH, STEPS = 128, 3, 10000


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="assets/critics")
    p.add_argument("--steps", type=int, default=STEPS)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    states, hist = {}, {}
    t0 = time.process_time()
    for name in TOYS:
        toy, _, _ = gan_toy_scaled(name)
        fake = gc.wgan.NoisyData(toy, 1.0)
        for m, kw in METHODS.items():
            torch.manual_seed(0)
            f = gc.nets.Discriminator(2, width=WIDTH, depth=DEPTH)
            h = gc.wgan.train_critic(f, toy, fake, steps=args.steps, batch_size=256, seed=0, device="cpu",
                                     record_every=50, **kw)
            states[f"{name}/{m}"] = f.state_dict()
            hist[f"{name}/{m}"] = dict(steps=h.steps.tolist(), estimate=h.estimate.tolist())
            print(f"{name} {m}: estimate {h.estimate[-10:].mean():.4f} ({time.process_time() - t0:.0f} s CPU)")
    torch.save(states, out / "critics.pt")
    json.dump(dict(command="python scripts/critic_surfaces.py --out assets/critics", width=WIDTH, depth=DEPTH,
                   steps=args.steps, batch_size=256, methods={m: {k: (v if isinstance(v, (int, float, tuple, str))
                                                                      else v.__name__) for k, v in kw.items()}
                                                              for m, kw in METHODS.items()},
                   cpu_seconds=time.process_time() - t0, history=hist), open(out / "history.json", "w"), indent=1)


if __name__ == "__main__":
    main()
