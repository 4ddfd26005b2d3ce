"""Why a generator leaves modes out: D and G's gradient at covered and uncovered modes (chapter 07).

For the non-saturating GAN (Goodfellow et al. 2014, Sec. 3) the generator minimises
L_G = E_z softplus(-D(G(z))) = -E log sigmoid(D(G(z))), with D the raw logit. At a fake sample x the
loss pushes x along

    -grad_x softplus(-D(x)) = sigmoid(-D(x)) grad_x D(x),                                   (1)

uphill on D, scaled by sigmoid(-D(x)), which goes to 0 only where D already calls x real. Given a
trained D and samples of G on a mixture toy, ``probe`` measures

* D's output at every mode centre, split into covered and uncovered modes (covered as in
  ``metrics.mode_stats``: the nearest centre of at least one high-quality sample), and sigmoid(D)
  there: near 1 means D is saturated, sure the point is real;
* D's logit along every segment from a covered mode to an uncovered neighbour: a *valley* is a
  point on the segment lower than both ends, so a sample climbing D from the covered end must
  first go downhill;
* where the gradient (1) would carry the fakes if D stood still: plain gradient descent of
  softplus(-D(x)) on each fake (``gradient_flow``), and the share that ends high quality at an
  uncovered mode.

``load_equal_budget`` reads the non-saturating runs of ``scripts/equal_budget.py``
(``assets/equal_budget/weights.npz``) as plain (W, b) lists; ``generator_samples`` redraws the
averaged generator's samples at the snapshots' latents (a torch generator seeded seed + 2, as
``batched`` does), so the covered modes are those of ``results.json``.
"""
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import metrics

EQUAL_BUDGET = Path(__file__).resolve().parent.parent / "assets" / "equal_budget"


def mlp(params, x):
    """ReLU MLP: x (N, in) -> (N, out), layer i computing x @ W_i + b_i; params [(W (in, out), b (1, out))]."""
    for i, (w, b) in enumerate(params):
        x = x @ w + b
        if i < len(params) - 1:
            x = torch.relu(x)
    return x


def logit_fn(params):
    """D as a function of points: x (N, 2) tensor -> (N,) raw logits."""
    return lambda x: mlp(params, x)[:, 0]


def load_equal_budget(folder=EQUAL_BUDGET, dtype=torch.float64):
    """The saved equal-schedule runs: a list of dicts with ``seed``, ``kind`` (averaged / live), ``D`` and
    ``G`` (the generator that was sampled: the average for averaged runs, G itself for live ones) as
    [(W, b)] lists of ``dtype`` tensors, and ``stats`` (the final metrics of results.json)."""
    folder = Path(folder)
    info = json.loads((folder / "results.json").read_text())
    w = np.load(folder / "weights.npz")
    depth = sum(1 for f in w.files if f.startswith("D_w"))

    def params(name, k):
        return [(torch.tensor(w[f"{name}_w{i}"][k], dtype=dtype), torch.tensor(w[f"{name}_b{i}"][k], dtype=dtype))
                for i in range(depth)]

    return [dict(seed=r["seed"], kind=r["kind"], D=params("D", k), G=params("G_ema" if r["kind"] == "averaged" else "G", k),
                 stats=r["stats"][-1]) for k, r in enumerate(info["runs"])]


def generator_samples(G, seed, n=metrics.N_EVAL, latent_dim=2):
    """(n, 2) samples of G at the snapshots' fixed latents: z ~ N(0, I) from a CPU torch generator
    seeded ``seed + 2`` (``batched.BatchedGAN``'s stream), drawn in float32."""
    z = torch.randn((n, latent_dim), generator=torch.Generator().manual_seed(int(seed) + 2))
    with torch.no_grad():
        return mlp(G, z.to(G[0][0].dtype)).numpy()


def ns_push(D, x):
    """Eq. (1): -grad_x softplus(-D(x)) at points x (N, 2), as an (N, 2) array; D maps (N, 2) -> (N,)."""
    x = torch.as_tensor(np.asarray(x, float)).requires_grad_(True)
    (g,) = torch.autograd.grad(torch.nn.functional.softplus(-D(x)).sum(), x)
    return -g.numpy()


def gradient_flow(D, x, steps=400, lr=0.01):
    """Gradient descent of softplus(-D) on each point of x (N, 2) with D held fixed: x <- x + lr * Eq. (1)."""
    x = np.asarray(x, float).copy()
    for _ in range(steps):
        x = x + lr * ns_push(D, x)
    return x


def neighbour_pairs(centres, covered, tol=1.01):
    """(i, j) index pairs with i covered, j uncovered and |c_i - c_j| within ``tol`` of the smallest spacing."""
    c = np.asarray(centres, float)
    d = np.sqrt(((c[:, None] - c[None]) ** 2).sum(-1))
    spacing = d[d > 0].min()
    near = (d > 0) & (d <= tol * spacing)
    return [(i, j) for i in range(len(c)) for j in range(len(c)) if near[i, j] and covered[i] and not covered[j]]


def segment_profiles(D, centres, pairs, n=41):
    """(P, n) logits of D at n evenly spaced points from centre i (t = 0) to centre j (t = 1) of each pair."""
    c = np.asarray(centres, float)
    t = np.linspace(0, 1, n)[:, None]
    if not pairs:
        return np.zeros((0, n))
    pts = np.concatenate([c[i] + t * (c[j] - c[i]) for i, j in pairs])
    with torch.no_grad():
        return D(torch.as_tensor(pts)).numpy().reshape(len(pairs), n)


def sigmoid(v):
    return 1 / (1 + np.exp(-np.asarray(v, float)))


@dataclass(frozen=True)
class Probe:
    covered: np.ndarray  # (K,) bool, modes covered by the samples
    centre_logit: np.ndarray  # (K,) D at every mode centre
    fake_sigmoid: float  # mean sigmoid(D) at the fake samples
    pairs: list  # (covered i, uncovered neighbour j)
    profiles: np.ndarray  # (P, n) D along each pair's segment, covered end first
    flow_to_uncovered: float  # share of fakes the frozen-D flow brings to an uncovered mode (high quality)
    flow_to_covered: float  # ... to a covered mode

    @property
    def sigmoid_covered(self):
        return float(sigmoid(self.centre_logit[self.covered]).mean())

    @property
    def sigmoid_uncovered(self):
        return float(sigmoid(self.centre_logit[~self.covered]).mean())

    @property
    def valley_share(self):
        """Share of covered -> uncovered segments whose lowest logit is below both ends."""
        if len(self.profiles) == 0:
            return float("nan")
        p = self.profiles
        return float(np.mean(p.min(1) < np.minimum(p[:, 0], p[:, -1])))


def probe(D, samples, toy, n_flow=1000, flow_steps=400, flow_lr=0.01):
    """Measure D and Eq. (1) on a mixture toy (see the module docstring). ``samples`` (N, 2) decide which
    modes are covered; the flow moves the first ``n_flow`` of them."""
    x = np.asarray(samples, float)
    st = metrics.mode_stats_for(x, toy)
    covered = np.array(st.counts) > 0
    with torch.no_grad():
        centre_logit = D(torch.as_tensor(np.asarray(toy.centres, float))).numpy()
        fake_sig = float(sigmoid(D(torch.as_tensor(x)).numpy()).mean())
    pairs = neighbour_pairs(toy.centres, covered)
    end = gradient_flow(D, x[:n_flow], flow_steps, flow_lr)
    d = np.sqrt(((end[:, None] - np.asarray(toy.centres)[None]) ** 2).sum(-1))
    nearest = d.argmin(1)
    hq = d[np.arange(len(end)), nearest] < 3 * toy.std
    return Probe(covered, centre_logit, fake_sig, pairs, segment_profiles(D, toy.centres, pairs),
                 float(np.mean(hq & ~covered[nearest])), float(np.mean(hq & covered[nearest])))
