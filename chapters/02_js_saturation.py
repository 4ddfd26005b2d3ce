# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · JS saturation on disjoint manifolds
#
# When the data and the generator live on thin sets that do not overlap, the Jensen–Shannon
# divergence is stuck at $\log 2$, the optimal discriminator is perfect, and the original
# generator loss has no gradient left; the $-\log D$ fix brings the gradient back but drops modes.
#
# Run time: about a minute on a laptop CPU.

# %% slideshow={"slide_type": "skip"}
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import gan_course as gc

gc.plotting.course_style()  # the course's figure sizes and fonts
gc.solutions.fold_outputs()  # a solution's output stays folded until opened
device = gc.device.default_device()
gc.device.seed_everything(0)
print("device:", device)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Parallel lines: four distances, one picture
#
# Arjovsky et al. (2017), Example 1: $Z \sim U[0,1]$, $P_0$ is the law of $(0, Z)$ and
# $P_\theta$ the law of $(\theta, Z)$. Neither has a density on $\mathbb{R}^2$, but both have one
# with respect to $\mu = (\delta_0 + \delta_\theta) \otimes \text{Leb}[0,1]$, so every divergence is
# a sum over the two lines of a 1-D integral (`gc.manifolds.product_divergences`). For $\theta \ne 0$:
#
# $$\mathrm{JSD}(P_0\|P_\theta) = \log 2,\qquad \mathrm{KL}(P_0\|P_\theta) = +\infty,\qquad
# \mathrm{TV}(P_0, P_\theta) = 1,\qquad W_1(P_0, P_\theta) = |\theta|.$$
#
# Only $W_1$ (exact optimal transport between quantile points of the two lines) says how far apart they are.

# %% slideshow={"slide_type": "subslide"}
thetas = np.round(np.linspace(-1, 1, 41), 10)
div = [gc.manifolds.parallel_lines_divergences(t, n_w1=100) for t in thetas]
js, tv, w1 = (np.array([d[k] for d in div]) for k in ("js", "tv", "w1"))
kl = np.array([d["kl"] for d in div])
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(thetas, js, "o-", ms=3, label="JSD (nats)")
ax.plot(thetas, tv, "s-", ms=3, label="TV")
ax.plot(thetas, w1, "^-", ms=3, label="$W_1$")
kl_shown = np.where(np.isinf(kl), 1.9, kl)
ax.plot(thetas, kl_shown, "x", color="tab:red", label=r"KL ($+\infty$ drawn at the top)")
ax.axhline(math.log(2), color="0.5", ls=":", lw=1)
ax.text(-1, math.log(2) + 0.03, r"$\log 2$", color="0.4")
ax.set_xlabel(r"$\theta$ (distance between the lines)")
ax.set_ylabel("divergence / distance")
ax.set_ylim(-0.05, 2.0)
ax.legend(loc="lower right", fontsize="small")
ax.set_title(r"$P_0$ against $P_\theta$")
plt.show()

# %% slideshow={"slide_type": "subslide"}
off = thetas != 0
print(f"max |JSD - log 2| over theta != 0: {np.abs(js[off] - math.log(2)).max():.2e}")
print(f"max |W1 - |theta||: {np.abs(w1 - np.abs(thetas)).max():.2e}")
assert np.abs(js[off] - math.log(2)).max() < 1e-6, "JSD should be log 2 for every theta != 0"
assert abs(js[~off][0]) < 1e-12 and abs(tv[~off][0]) < 1e-12, "at theta = 0 the laws coincide"
assert np.all(np.isinf(kl[off])) and np.allclose(tv[off], 1, atol=1e-9), "KL = inf and TV = 1 when disjoint"
assert np.abs(w1 - np.abs(thetas)).max() < 1e-6, "W1 should be |theta|"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why disjoint supports are the rule
#
# A generator $G: \mathbb{R}^k \to \mathbb{R}^d$ with $k < d$ maps its latent space onto a set of
# dimension at most $k$: the image of a smooth map has measure zero in $\mathbb{R}^d$. Real data
# also concentrate near a low-dimensional set. Two such sets meet, if at all, in a set of measure
# zero under both (Arjovsky & Bottou 2017, Sec. 2.1), so a perfect discriminator exists.
#
# Below: the data are the segment $P_0$; a randomly initialised MLP generator with a
# **1-D latent** draws a curve in $\mathbb{R}^2$ that even crosses the segment. The fraction of
# generated points within $\varepsilon$ of the data support falls in proportion to $\varepsilon$:
# the shared part has no mass.

# %% slideshow={"slide_type": "subslide"}
torch.manual_seed(2)
G_curve = gc.nets.Generator(latent_dim=1, data_dim=2, width=64, depth=2, activation="tanh", latent="uniform")
with torch.no_grad():
    G_curve.net[-1].weight *= 6  # a visibly bent curve
    z = G_curve.sample_latent(20_000, torch.Generator().manual_seed(0))  # (N, 1)
    x_gen = (G_curve(z) - G_curve(torch.zeros(1, 1)) + torch.tensor([0.0, 0.5])).numpy()  # (N, 2)
dist = gc.manifolds.distance_to_segment(x_gen, [0, 0], [0, 1])
eps = np.logspace(-4, 0, 9)
frac = gc.manifolds.fraction_within(dist, eps)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6))
a1.plot([0, 0], [0, 1], color="black", lw=3, label=r"data support $P_0$")
a1.scatter(x_gen[::20, 0], x_gen[::20, 1], s=2, c="orange", label="G(z), 1-D latent")
a1.set_xlabel("$x_1$"), a1.set_ylabel("$x_2$"), a1.set_aspect("equal"), a1.legend(fontsize="small")
a2.loglog(eps, np.maximum(frac, 1e-6), "o-", label="fraction of G(z) within $\\varepsilon$")
a2.loglog(eps, frac[4] * eps / eps[4], "k:", label=r"$\propto \varepsilon$")
a2.set_xlabel(r"$\varepsilon$"), a2.set_ylabel("fraction of generated samples"), a2.legend(fontsize="small")
plt.show()

# %% slideshow={"slide_type": "subslide"}
f = dict(zip(eps, frac))
print(f"min distance to data support: {dist.min():.2e}; within 1e-1: {f[1e-1]:.4f}, 1e-2: {f[1e-2]:.4f}, "
      f"1e-3: {f[1e-3]:.4f}")
assert f[1e-3] < 0.01 and f[1e-3] / f[1e-1] < 0.05, "the overlap should shrink in proportion to epsilon"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The vanishing gradient (Arjovsky & Bottou 2017, Figure 2)
#
# Hold $G$ fixed with support disjoint from the data (a curve around $x_1 = 1$, data on $x_1 = 0$),
# train $D$ from scratch with cross-entropy, and after every $D$ update measure
# $\|\nabla_\theta\|$ of the two generator losses on a fresh batch:
#
# * minimax: $\mathbb{E}_z \log(1 - D(G(z)))$; its gradient is $-D(G(z))\,\nabla_\theta \mathrm{logit}$,
#   which goes to zero as $D(G(z)) \to 0$ (Theorem 2.4);
# * non-saturating: $-\mathbb{E}_z \log D(G(z))$; its gradient is $-(1 - D(G(z)))\,\nabla_\theta\mathrm{logit}$,
#   and grows as $D$ sharpens (Theorem 2.6).
#
# Arjovsky & Bottou also find the $-\log D$ gradient's *variance* growing (their Figure 3, on images).
# Here $G$ is fixed and smooth, and the batch-to-batch spread stays small; the trouble shows once $G$
# follows such large steps: see the mode hopping below.

# %%
real_line = gc.toys.parallel_lines(0.0)


def fixed_generator(seed):
    torch.manual_seed(seed)
    G = gc.nets.Generator(latent_dim=1, data_dim=2, width=64, depth=2, latent="uniform")
    with torch.no_grad():
        G.net[-1].bias += torch.tensor([1.0, 0.5])  # support near x1 = 1, far from the data line
    return G


torch.manual_seed(0)
D = gc.nets.Discriminator(2, width=128, depth=3)
run = gc.saturation.gradient_under_training_d(fixed_generator(0), D, real_line, d_steps=1500,
                                              batch_size=128, lr_d=2e-3, seed=0, device=device)

# %% slideshow={"slide_type": "subslide"}
it = np.arange(1, len(run["minimax"]) + 1)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6))
a1.semilogy(it, run["minimax"], label=r"minimax $\log(1 - D(G(z)))$")
a1.semilogy(it, run["nonsaturating"], label=r"non-saturating $-\log D(G(z))$", alpha=0.8)
a1.set_xlabel("discriminator iterations"), a1.set_ylabel(r"$\|\nabla_\theta L_G\|$")
a1.legend(fontsize="small"), a1.set_title("generator gradient norm, G fixed")
a2.semilogy(it, run["d_fake"], color="tab:red", label=r"mean $D(G(z))$")
a2.semilogy(it, run["d_loss"], color="0.3", label="D's cross-entropy")
a2.set_xlabel("discriminator iterations"), a2.legend(fontsize="small"), a2.set_title("D becomes perfect")
plt.show()

# %% slideshow={"slide_type": "subslide"}
drop = run["minimax"][0] / run["minimax"][-20:].mean()
ns_growth = run["nonsaturating"][-20:].mean() / run["nonsaturating"][0]
ns_cv = run["nonsaturating"][-200:].std() / run["nonsaturating"][-200:].mean()
print(f"minimax gradient: {run['minimax'][0]:.2e} -> {run['minimax'][-20:].mean():.2e} (falls {drop:.0f}x)")
print(f"-log D gradient: {run['nonsaturating'][0]:.2e} -> {run['nonsaturating'][-20:].mean():.2e} "
      f"(grows {ns_growth:.0f}x; batch-to-batch spread over the last 200 iterations {100 * ns_cv:.1f}%)")
assert drop >= 1e3, f"the minimax gradient should fall by 3 orders of magnitude, fell {drop:.0f}x"
assert ns_growth > 10, f"the -log D gradient should grow as D sharpens, grew {ns_growth:.1f}x"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the $-\log D$ loss optimises
#
# With the optimal $D^* = p_r / (p_r + p_g)$, $\mathrm{KL}(p_g\|p_r) = \mathbb{E}_{p_g}\log\frac{1-D^*}{D^*}$
# and $\mathbb{E}_{p_r}\log D^* + \mathbb{E}_{p_g}\log(1-D^*) = 2\,\mathrm{JSD} - 2\log 2$ give
#
# $$\mathbb{E}_{p_g}[-\log D^*] = \mathrm{KL}(p_g\|p_r) - 2\,\mathrm{JSD}(p_g\|p_r) + 2\log 2 + \mathbb{E}_{p_r}[\log D^*],$$
#
# and the last term does not depend on $G$'s parameters when $D^*$ is held fixed, so the
# generator follows $\nabla_\theta[\mathrm{KL}(p_g\|p_r) - 2\,\mathrm{JSD}(p_g\|p_r)]$ (Theorem 2.5).
# Two bad signs: the JSD enters with a **minus** (pushing $p_g$ away from $p_r$), and the
# *reverse* KL barely charges for missing modes but heavily charges for fake samples off the data.
# Check by quadrature on a two-mode 1-D mixture (chapter 00's setting):

# %%
p_data = gc.toys.GaussianMixture1D((-1.0, 1.0), (0.3, 0.3))
candidates = {"one mode: N(1, 0.3²)": gc.toys.gaussian1d(1.0, 0.3),
              "covering: N(0, Var p_data)": gc.toys.gaussian1d(0.0, math.sqrt(p_data.variance()))}
terms = {}
for name, p_g in candidates.items():
    d = gc.saturation.nonsaturating_decomposition(p_data, p_g, -6, 6)
    rhs = d["kl"] - 2 * d["jsd"] + d["log4"] + d["e_data_log_d"]
    terms[name] = (d["kl"] - 2 * d["jsd"], gc.divergences.kl_divergence(p_data, p_g, -6, 6))
    print(f"{name:28s} E[-log D*] = {d['expected']:.5f} = {rhs:.5f};  KL(g||r) - 2 JSD = {terms[name][0]:.3f};"
          f"  forward KL(r||g) = {terms[name][1]:.3f}")
    assert abs(d["expected"] - rhs) < 1e-6, "the decomposition should hold to quadrature accuracy"
(one_ns, one_fwd), (cov_ns, cov_fwd) = terms.values()
assert one_ns < cov_ns and one_fwd > cov_fwd, "-log D prefers dropping a mode; maximum likelihood does not"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mode dropping on the ring
#
# Train with the $-\log D$ loss on ring8 (8 Gaussians, radius 2, std 0.02: *before* gan_toy.py's
# division by 1.414) for 1,500 steps on 3 seeds. Every 250 steps, measure on 2,500 samples the
# shared mode metrics (`gc.metrics`): modes covered, % high-quality (within 3 std of a centre),
# and the reverse KL of the mode histogram to uniform (0 = balanced, $\log 8 = 2.08$ = one mode).

# %%
ring = gc.toys.ring8()
check_steps = tuple(range(250, 1501, 250))
ns_runs = {}
for seed in (0, 1, 2):
    torch.manual_seed(seed)
    G, D = gc.nets.Generator(2, 2), gc.nets.Discriminator(2)
    ns_runs[seed] = gc.training.train_gan(G, D, ring, steps=1500, loss="nonsaturating", seed=seed,
                                          snapshot_steps=check_steps, n_snapshot=gc.metrics.N_EVAL,
                                          progress=False, device=device)
stats = {s: [gc.metrics.mode_stats_for(h.snapshots[t]["samples"], ring) for t in check_steps]
         for s, h in ns_runs.items()}
real_stats = gc.metrics.mode_stats_for(ring.sample(gc.metrics.N_EVAL, seed=0), ring)
print("real data:", real_stats)
for s in stats:
    print(f"seed {s}, step 1500:", stats[s][-1])

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(2, 2, figsize=(9, 7.6))
axes = axes.ravel()
for ax, (s, h) in zip(axes, ns_runs.items()):
    gc.plotting.samples_over_field(ax, h.snapshots[1500]["samples"][:1000], real=ring.sample(500, seed=1),
                                   centres=ring.centres, lims=(-2.6, 2.6), title=f"seed {s}: {stats[s][-1].modes_covered}/8 modes")
    ax.get_legend().remove()
axes[0].legend(loc="center", fontsize="small", markerscale=2)
for s in stats:
    axes[3].plot(check_steps, [m.modes_covered for m in stats[s]], "o-", label=f"seed {s}")
axes[3].axhline(8, color="0.5", ls=":")
axes[3].set_xlabel("generator step"), axes[3].set_ylabel("modes covered (of 8)"), axes[3].legend(fontsize="small")
axes[3].set_ylim(0, 8.5)
plt.show()

# %% [markdown]
# The generator hops: modes appear and vanish between checkpoints, and the mode histogram stays far
# from uniform (compare the real data's reverse KL). The later chapters' trainers fix this.

# %% slideshow={"slide_type": "subslide"}
for s in stats:
    low = min(m.modes_covered for m in stats[s][1:])
    print(f"seed {s}: fewest modes after step 500: {low}/8; final reverse KL {stats[s][-1].reverse_kl:.3f} "
          f"(real data {real_stats.reverse_kl:.3f}); final HQ {100 * stats[s][-1].hq_fraction:.1f}%")
    assert low < 8, f"seed {s}: expected the -log D generator to drop a mode at some checkpoint"
    assert stats[s][-1].reverse_kl > 20 * real_stats.reverse_kl, f"seed {s}: mode histogram should be unbalanced"
assert real_stats.modes_covered == 8 and real_stats.hq_fraction > 0.97

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** Slide the line along itself instead: $Q_s$ = law of $(0, Z + s)$. Compute JSD, TV and
# $W_1$ between $P_0$ and $Q_s$ for $s \in [0, 1.5]$ with `gc.manifolds.product_divergences`.
# When is JSD informative here, and why? (Hint: the supports overlap for $s < 1$.)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
def shifted(s):
    return lambda a, y: np.where((a == 0) & (y >= s) & (y <= 1 + s), 1.0, 0.0)


for s in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5):
    d = gc.manifolds.product_divergences(shifted(0.0), shifted(s), [0.0], y_lo=0.0, y_hi=2.5, n=25_001)
    print(f"s = {s:4.2f}: JSD = {d['js']:.4f} (log 2 = {math.log(2):.4f}), TV = {d['tv']:.3f}, W1 = {s:.2f}")
# JSD = s log 2 and TV = s while the supports overlap (s < 1); both saturate once they stop overlapping.
# Only W1 = s keeps growing.

# %% [markdown]
# **2.** For one sample, the minimax and the non-saturating gradients point the same way and
# differ by the factor $D/(1-D)$ evaluated at $G(z)$. Check this against the run above: plot
# the ratio of the two recorded gradient norms against $\text{mean}\,D(G(z))$.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
ratio = run["minimax"] / run["nonsaturating"]
odds = run["d_fake"] / (1 - run["d_fake"])
fig, ax = plt.subplots(figsize=(4.5, 3.5))
ax.loglog(odds, ratio, ".", ms=2, label="measured")
ax.loglog(odds, odds, "k:", label="$D/(1-D)$")
ax.set_xlabel(r"mean $D(G(z)) / (1 - \text{mean}\,D(G(z)))$"), ax.set_ylabel("minimax / non-saturating norm")
ax.legend(fontsize="small")
plt.show()
print(f"median of ratio / odds over the last 500 iterations: {np.median(ratio[-500:] / odds[-500:]):.2f}")
# Not exactly 1: the factor varies from sample to sample, and a mean of products is not a product of means.
