# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 04 · The Earth-Mover distance
#
# The Wasserstein-1 distance keeps measuring *how far* two distributions are when their supports
# are disjoint, where JS is stuck at $\log 2$; a Lipschitz critic's value bounds it from below (Kantorovich–Rubinstein
# duality), and training that critic against the generator is the WGAN.
# Runs in about a minute on a laptop CPU.

# %% slideshow={"slide_type": "skip"}
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.optimize import linprog
from scipy.stats import spearmanr

import gan_course as gc

gc.plotting.course_style()  # the course's figure sizes and fonts
gc.solutions.fold_outputs()  # a solution's output stays folded until opened
device = gc.device.default_device()
gc.device.seed_everything(0)
torch.set_num_threads(1)  # tiny models: one thread is fastest and repeatable
T0 = time.perf_counter()
print("device:", device)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Moving earth: transport plans
#
# Think of $P_r$ and $P_g$ as two piles of earth. A **transport plan** $\gamma(x, y)$ says how much
# mass goes from $x$ to $y$; its marginals must be $P_r$ and $P_g$ (the set $\Pi(P_r, P_g)$).
# Moving mass costs distance times mass, and the Earth-Mover (Wasserstein-1) distance is the
# cheapest plan (Arjovsky et al. 2017, Eq. 1):
#
# $$W_1(P_r, P_g) = \inf_{\gamma \in \Pi(P_r, P_g)} \mathbb{E}_{(x, y) \sim \gamma}\, \|x - y\|.$$
#
# For two clouds of $n$ equally weighted points this is a linear program in the $n^2$ numbers
# $\gamma_{ij} \ge 0$ with row and column sums $1/n$. Its optimum is attained at a vertex of that
# polytope, and the vertices are permutation matrices (Birkhoff-von Neumann), so the LP reduces
# to a **linear assignment**: pair every $x_i$ with one $y_j$. That is `gc.divergences.optimal_coupling`.

# %% slideshow={"slide_type": "subslide"}
x = 0.6 * torch.randn(12, 2, generator=torch.Generator().manual_seed(1))  # a blob at the origin
y = gc.toys.ring8().sample(12, seed=2)  # 12 points of the 8-Gaussians ring (radius 2, std 0.02)
w1, perm = gc.divergences.optimal_coupling(x, y)

fig, ax = plt.subplots(figsize=(4.5, 4.5))
for i, j in enumerate(perm):
    ax.plot([x[i, 0], y[j, 0]], [x[i, 1], y[j, 1]], color="0.5", linewidth=1)
ax.scatter(*x.T, c="tab:orange", label="$P_g$: blob", zorder=3)
ax.scatter(*y.T, c="black", label="$P_r$: ring8 points", zorder=3)
ax.set(xlabel="$x_1$", ylabel="$x_2$", title=f"optimal coupling, $W_1$ = {w1:.3f}", aspect="equal")
ax.legend(loc="upper right", fontsize="small")
plt.show()

# %% [markdown]
# The same number from the transport LP itself, solved by `scipy.optimize.linprog` with no
# knowledge of assignments: minimise $\sum_{ij} C_{ij}\gamma_{ij}$ subject to the marginals.

# %% slideshow={"slide_type": "subslide"}
def transport_lp(a, b):
    """Exact W1 between uniform point clouds a (n, d) and b (m, d) by the transport LP."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    n, m = len(a), len(b)
    cost = np.linalg.norm(a[:, None] - b[None], axis=-1)  # C_ij = ||a_i - b_j||, (n, m)
    rows = np.kron(np.eye(n), np.ones(m))  # sum_j gamma_ij = 1/n
    cols = np.kron(np.ones(n), np.eye(m))  # sum_i gamma_ij = 1/m
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]),
                  b_eq=np.r_[np.full(n, 1 / n), np.full(m, 1 / m)], bounds=(0, None), method="highs")
    return res.fun, res.x.reshape(n, m)


w1_lp, plan = transport_lp(x, y)
print(f"assignment: {w1:.10f}   transport LP: {w1_lp:.10f}")
print("non-zero entries in the LP plan:", int((plan > 1e-9).sum()), "of", plan.size)

# %%
assert abs(w1 - w1_lp) < 1e-8, f"assignment {w1} != LP {w1_lp}"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One dimension: sort the samples
#
# On the line the optimal plan never crosses: the $i$-th smallest $x$ goes to the $i$-th smallest
# $y$. So $W_1 = \frac1n\sum_i |x_{(i)} - y_{(i)}|$, which is also the **area between the two CDFs**,
# $W_1 = \int |F_r(t) - F_g(t)|\,dt$. Here: a two-mode mixture against a wide Gaussian.

# %%
p_r, p_g = gc.toys.GaussianMixture1D((-2, 2), (0.5, 0.5)), gc.toys.gaussian1d(0.5, 1.5)
a, b = (d.sample(2000, seed=k).double().numpy().ravel() for d, k in ((p_r, 3), (p_g, 4)))
w1_sorted = np.mean(np.abs(np.sort(a) - np.sort(b)))

t = np.sort(np.r_[a, b])  # both empirical CDFs are constant between consecutive points of t
F_a = np.searchsorted(np.sort(a), t[:-1], side="right") / len(a)
F_b = np.searchsorted(np.sort(b), t[:-1], side="right") / len(b)
w1_cdf_area = np.sum(np.abs(F_a - F_b) * np.diff(t))

grid = np.linspace(-8, 8, 20001)  # and the population value from the exact CDFs
w1_population = gc.divergences.integrate(np.abs(p_r.cdf(grid) - p_g.cdf(grid)), grid)
print(f"sorted samples {w1_sorted:.6f} | area between empirical CDFs {w1_cdf_area:.6f} "
      f"| population (exact CDFs) {w1_population:.4f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
axes[0].step(t[:-1], F_a, where="post", color="black", label="$F_r$ (mixture)")
axes[0].step(t[:-1], F_b, where="post", color="tab:orange", label="$F_g$ (Gaussian)")
axes[0].fill_between(t[:-1], F_a, F_b, step="post", color="tab:blue", alpha=0.3, label=f"area = {w1_cdf_area:.3f}")
axes[0].set(xlabel="x", ylabel="CDF", title="area between the CDFs")
q = np.linspace(0, 1, 2000, endpoint=False) + 1 / 4000
axes[1].plot(q, np.sort(a), color="black", label="sorted $x_{(i)}$ (mixture)")
axes[1].plot(q, np.sort(b), color="tab:orange", label="sorted $y_{(i)}$ (Gaussian)")
axes[1].fill_between(q, np.sort(a), np.sort(b), color="tab:blue", alpha=0.3, label=f"mean gap = {w1_sorted:.3f}")
axes[1].set(xlabel="quantile level i/n", ylabel="x", title="the same area, seen sideways")
for ax in axes:
    ax.legend(fontsize="small")
plt.show()

# %% slideshow={"slide_type": "subslide"}
assert abs(w1_sorted - w1_cdf_area) < 1e-9, f"sorted {w1_sorted} vs CDF area {w1_cdf_area}"
assert abs(w1_sorted - gc.divergences.w1_1d(a, b)) < 1e-12
assert abs(w1_sorted - w1_population) < 0.05 * w1_population, f"sample {w1_sorted:.3f} vs exact {w1_population:.3f}"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The parallel lines again
#
# Chapter 02's example: $P_0$ = law of $(0, Z)$ and $P_\theta$ = law of $(\theta, Z)$, $Z \sim U[0,1]$.
# For $\theta \ne 0$ the supports are disjoint, so $JS = \log 2$ and $KL = \infty$ whatever $\theta$ is.
# Moving every point sideways by $\theta$ is a plan of cost $|\theta|$, and no plan is cheaper
# (each point must travel at least $|\theta|$ horizontally), so $W_1(P_0, P_\theta) = |\theta|$: continuous,
# with gradient $\operatorname{sign}\theta$ pointing home. We check it on samples (600 points a side).

# %% slideshow={"slide_type": "subslide"}
thetas = np.linspace(-1, 1, 11)
p0 = gc.toys.parallel_lines(0.0).sample(600, seed=5)
w1_lines = np.array([gc.divergences.w1_exact(p0, gc.toys.parallel_lines(th).sample(600, seed=6)) for th in thetas])
js_lines = np.where(thetas == 0, 0.0, np.log(2))

fine = np.linspace(-1, 1, 401)
fig, ax = plt.subplots(figsize=(6, 3.4))
ax.plot(fine, np.abs(fine), color="tab:blue", label=r"$W_1 = |\theta|$")
ax.plot(thetas, w1_lines, "o", color="tab:blue", label="$W_1$ from 600 samples (assignment)")
ax.plot(fine, np.where(fine == 0, 0, np.log(2)), color="tab:red", label=r"$JS$ ($\log 2$ for $\theta \neq 0$)")
ax.plot([0], [0], "o", color="tab:red")
ax.set(xlabel=r"$\theta$", ylabel="distance (nats for JS)", title=r"$P_0$ vs $P_\theta$: parallel lines")
ax.legend(fontsize="small")
plt.show()
print(np.c_[thetas, w1_lines].round(3))

# %% slideshow={"slide_type": "subslide"}
err = np.max(np.abs(w1_lines - np.abs(thetas)))
assert err < 0.05, f"max |W1_samples - |theta|| = {err:.3f}"
assert np.all(np.diff(w1_lines[thetas >= 0]) > 0), "W1 must grow with |theta| while JS stays at log 2"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Kantorovich-Rubinstein duality: the critic
#
# The infimum over plans is intractable in high dimension. Its dual is a supremum over functions
# (Arjovsky et al. 2017, Eq. 2):
#
# $$W_1(P_r, P_g) = \sup_{\|f\|_L \le 1} \mathbb{E}_{x \sim P_r} f(x) - \mathbb{E}_{x \sim P_g} f(x).$$
#
# Any 1-Lipschitz $f$ gives a **lower bound**; a neural critic trained to maximise the difference
# approaches $W_1$. Here we keep the slope near 1 with a gradient penalty, $\lambda\,\mathbb{E}(\|\nabla f\| - 1)^2$
# (chapter 05 explains it; we take a stiff $\lambda = 30$, see below), and compare the estimate with the exact $W_1$ (assignment) on the same 1,000 + 1,000 samples,
# for two toy pairs: the ring against $\mathcal N(0, I)$, and the 25-Gaussians grid against $\mathcal N(0, 4I)$
# (a generator that has not learnt the modes yet).

# %%
wide = lambda s: gc.toys.IsotropicMixture2D(f"N(0, {s**2:g} I)", np.zeros((1, 2)), s)
pairs = {"ring8 vs N(0, I)": (gc.toys.ring8(), wide(1.0)), "grid25 vs N(0, 4I)": (gc.toys.grid25(), wide(2.0))}
duality = {}
for i, (name, (p, q)) in enumerate(pairs.items()):
    x_r, x_g = p.sample(1000, seed=10 + i), q.sample(1000, seed=20 + i)
    torch.manual_seed(i)
    f = gc.nets.Discriminator(2, width=128, depth=3)
    gc.wgan.train_critic(f, p, q, steps=600, lr=1e-3, penalty=gc.penalties.gradient_penalty, penalty_weight=30.0,
                         seed=i, device=device)
    est, exact = gc.wgan.critic_w1_estimate(f, x_r, x_g), gc.divergences.w1_exact(x_r, x_g)
    slopes = gc.penalties.input_gradient_norm(f, torch.cat([x_r, x_g]).to(device), create_graph=False).cpu()
    duality[name] = dict(f=f.cpu(), x_r=x_r, x_g=x_g, est=est, exact=exact, slopes=slopes.numpy())
    print(f"{name:20s} critic {est:.3f}  exact W1 {exact:.3f}  ratio {est / exact:.3f}  "
          f"|grad f| at samples: median {slopes.median():.2f}, max {slopes.max():.2f}")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
for ax, (name, r), lim in zip(axes, duality.items(), (3.5, 6)):
    field = gc.plotting.field_on_grid(r["f"], (-lim, lim), 60, transform="none")
    gc.plotting.samples_over_field(ax, r["x_g"][:400], field, real=r["x_r"][:400], field_label="critic f(x)",
                                   title=f"{name}\ncritic {r['est']:.3f} vs exact $W_1$ {r['exact']:.3f}")
plt.show()

# %%
for name, r in duality.items():
    rel = r["est"] / r["exact"] - 1
    assert abs(rel) < 0.15, f"{name}: critic {r['est']:.3f} vs exact {r['exact']:.3f} ({100 * rel:+.1f}%)"
    assert r["est"] < r["exact"], f"{name}: the estimate should sit below the exact W1"

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Why the estimate sits below.** (1) Weak duality: for every 1-Lipschitz $f$,
# $\mathbb{E}_r f - \mathbb{E}_g f \le W_1$, with equality only for an optimal $f$; the critic is one
# function of a restricted family (an MLP) after a few hundred noisy steps, so it stops short.
# (2) The critic was trained on fresh batches, so it estimates the *population* distance, while
# the assignment on 1,000 points also pays for the sampling noise of the two clouds: the
# finite-sample exact $W_1$ is biased upwards. (3) Against these, the penalty is *soft*: scaling an
# optimal $f$ by $k$ gains $(k-1)W_1$ and costs $\lambda (k-1)^2$, so the penalised optimum has slope
# $k = 1 + W_1 / (2\lambda)$ and overshoots by $W_1/(2\lambda)$: under 3% here with $\lambda = 30$, but 10% for
# $W_1 = 2$ with WGAN-GP's $\lambda = 10$ (exercise 2).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## From GAN to WGAN: four changes
#
# Arjovsky et al. (2017, Algorithm 1) turn the GAN into a WGAN with four changes:
#
# | GAN | WGAN |
# |---|---|
# | $D(x) = \sigma(\cdot)$, a probability | critic $f(x)$: no sigmoid |
# | losses with $\log$ | $L_f = \mathbb{E}_g f - \mathbb{E}_r f$, $\;L_G = -\mathbb{E}_g f$: no log |
# | unconstrained $D$ | clip every weight to $[-c, c]$ after each critic step |
# | Adam | RMSProp (no momentum), lr $5\cdot 10^{-5}$, $c = 0.01$, $n_{critic} = 5$, batch 64 |
#
# Clipping makes $f$ $K$-Lipschitz for *some* $K$ set by $c$, the width and the depth, so by duality the
# critic's value $\mathbb{E}_r f - \mathbb{E}_g f$ is a **lower bound** on $K \cdot W_1$: the clipped family is only a
# part of the $K$-Lipschitz functions, so the bound is not attained in general, and its scale is arbitrary; its
# trend is what we use. The defaults are
# `gc.wgan.WGAN_DEFAULTS`; the losses are `gc.losses.d_loss_wasserstein` / `g_loss_wasserstein`.

# %%
print(gc.wgan.WGAN_DEFAULTS)
roll = gc.toys.swissroll()
steps = 600
torch.manual_seed(0)
G, D = gc.nets.Generator(2, 2, width=64, depth=3), gc.nets.Discriminator(2, width=128, depth=3)
config = gc.wgan.wgan_config(steps=steps, snapshot_steps=tuple(range(0, steps + 1, 25)), progress=False, device=device)
# a warm-up: train the critic 1,000 steps against the initial generator (the paper's code instead runs 100
# critic steps per generator step for the first 25 generator steps and at every 500th generator step)
gc.wgan.train_critic(D, roll, lambda n, g: G.sample(n).detach(), steps=1000, batch_size=64, optimizer="rmsprop",
                     lr=5e-5, clip=0.01, device=device)
hist = gc.training.train_gan(G, D, roll, config, snapshot_fn=gc.wgan.w1_tracker(roll, n=500, n_estimate=4000))
snap_steps = np.array(sorted(hist.snapshots))
critic_w = np.array([hist.snapshots[s]["critic_w"] for s in snap_steps])
exact_w = np.array([hist.snapshots[s]["exact_w1"] for s in snap_steps])
print(f"{steps} WGAN steps in {hist.seconds:.1f} s; exact W1 {exact_w[0]:.3f} -> {exact_w[-1]:.3f}")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), gridspec_kw=dict(width_ratios=[1.6, 1]))
ax = axes[0]
ax.plot(snap_steps, critic_w, color="tab:blue", label=r"critic: $\mathbb{E}_r f - \mathbb{E}_g f$")
ax.set(xlabel="generator step", ylabel=r"critic value ($\leq K \cdot W_1$)", title="WGAN (clipping) on the swiss roll")
ax2 = ax.twinx()
ax2.plot(snap_steps, exact_w, color="black", linestyle="--", label="exact $W_1$ (assignment, 500 samples)")
ax2.set_ylabel("exact $W_1$")
ax.legend(loc="upper right", fontsize="small")
ax2.legend(loc="center right", fontsize="small")
gc.plotting.samples_over_field(axes[1], hist.snapshots[steps]["samples"], real=roll.sample(500, seed=0).numpy(),
                               title=f"samples after {steps} steps", lims=(-2.5, 2.5))
plt.show()
rho = spearmanr(critic_w, exact_w).statistic
print(f"Spearman correlation of the critic's estimate with the exact W1 over {len(snap_steps)} snapshots: {rho:.2f}")

# %%
assert exact_w[-1] < 0.6 * exact_w[0], f"exact W1 {exact_w[0]:.3f} -> {exact_w[-1]:.3f}: the generator should close in"
assert rho > 0.7, f"the critic's estimate should track the exact W1 (Spearman {rho:.2f})"
# the bound: K <= product of the layers' spectral norms (ReLU is 1-Lipschitz)
K_bound = math.prod(torch.linalg.matrix_norm(l.weight.detach().cpu(), ord=2).item() for l in gc.wgan.linear_layers(D))
print(f"final critic value {critic_w[-1]:.2e} <= K W1 <= {K_bound:.3f} x {exact_w[-1]:.3f} = {K_bound * exact_w[-1]:.2e}")
assert np.all(critic_w <= K_bound * exact_w), "the clipped critic's value should stay below K * W1"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The bound holds at every snapshot, but $K$ is only known to lie below the product of the spectral
# norms, which is why only the trend of the clipped critic's value means anything. Without the 1,000 critic steps before the first generator step the critic lags behind for the
# first few hundred steps and the two curves disagree there (try it). With it, the estimate falls
# with the true distance, which is why the WGAN paper could use the
# critic's value as a learning curve, something a GAN's discriminator loss cannot give.
# Chapter 05 shows what clipping costs, and a better way to hold the slope at 1.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** For $P = \mathcal N(0, 1)$ and $Q = \mathcal N(\mu, 1)$, show that $W_1(P, Q) = |\mu|$
# (hint: the CDFs are shifted copies, or use the translation plan and $f(x) = x$). Check it with
# sorted samples for a few $\mu$.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
for mu in (0.3, 1.0, 2.5):
    s0 = gc.toys.gaussian1d(0, 1).sample(20000, seed=1)
    s1 = gc.toys.gaussian1d(mu, 1).sample(20000, seed=2)
    print(f"mu = {mu}: W1 from sorted samples = {gc.divergences.w1_1d(s0, s1):.3f}")
# F_Q(t) = F_P(t - mu): the area between them is |mu| (each horizontal slice has width |mu|);
# the plan x -> x + mu costs |mu| and f(x) = x (1-Lipschitz) gives E_Q f - E_P f = mu, so both bounds meet.

# %% [markdown]
# **2.** Train the same critic on the 25-Gaussians grid against the ring ($W_1 \approx 2$) with
# WGAN-GP's $\lambda = 10$ instead of 30. Does the estimate stay below the exact $W_1$? Compare the
# overshoot with the prediction $k = 1 + W_1/(2\lambda)$.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
grid, ring = gc.toys.grid25(), gc.toys.ring8()
torch.manual_seed(0)
f = gc.nets.Discriminator(2, width=128, depth=3)
gc.wgan.train_critic(f, grid, ring, steps=400, lr=1e-3, penalty=gc.penalties.gradient_penalty, penalty_weight=10.0,
                     device=device)
x_r, x_g = grid.sample(1000, seed=1), ring.sample(1000, seed=2)
est, exact = gc.wgan.critic_w1_estimate(f, x_r, x_g), gc.divergences.w1_exact(x_r, x_g)
slopes = gc.penalties.input_gradient_norm(f, torch.cat([x_r, x_g]).to(device), create_graph=False)
print(f"estimate {est:.3f} vs exact {exact:.3f} (ratio {est / exact:.3f}); predicted slope 1 + W1/20 = "
      f"{1 + exact / 20:.3f}, median measured |grad f| {slopes.median():.3f}")
# It overshoots: the soft penalty lets the critic buy value with slope. Only a hard constraint
# (or a stiffer penalty, or dividing by the measured slope) restores the lower bound.

# %% [markdown]
# **3.** With *unequal* sizes (5 points against 7) the optimal plan can no longer be a permutation.
# Solve the LP with `transport_lp` and look at the plan: how many entries are non-zero?

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
a5 = torch.randn(5, 2, generator=torch.Generator().manual_seed(3))
b7 = gc.toys.ring8().sample(7, seed=4)
cost, plan = transport_lp(a5, b7)
print(f"W1 = {cost:.4f}; non-zero entries: {(plan > 1e-9).sum()} (a vertex has at most n + m - 1 = 11)")
print(np.round(35 * plan, 2))  # in units of 1/35: rows sum to 7, columns to 5; mass gets split
print(f"chapter run time: {time.perf_counter() - T0:.0f} s wall, {time.process_time():.0f} s CPU (kernel)")
