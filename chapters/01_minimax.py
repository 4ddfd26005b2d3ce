# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 01 · The minimax game and the optimal discriminator $D^*$
#
# For a fixed generator the best discriminator is $D^* = p_{data}/(p_{data}+p_g)$, and against it the
# generator minimises $-\log 4 + 2\,\mathrm{JSD}(p_{data}\|p_g)$; a small 1-D GAN reaches $D = 1/2$, and the
# minimax generator loss saturates where the non-saturating one does not. Runs in about 20 s on a laptop CPU.
#
# Source: Goodfellow et al. (2014), *Generative Adversarial Nets*, Sec. 3-4 and Figure 1; Goodfellow (2016),
# *NIPS 2016 Tutorial*, Sec. 3.2 and exercises 7.1-7.2.

# %% slideshow={"slide_type": "skip"}
import copy
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

import gan_course as gc
from gan_course import gan1d, games, optimal

SEED = 0
gc.plotting.course_style()  # the course's figure sizes and fonts
gc.solutions.fold_outputs()  # a solution's output stays folded until opened
device = gc.device.default_device()
gc.device.seed_everything(SEED)
print("device:", device)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The game
#
# A generator $G$ maps noise $z \sim p_z$ to $x = G(z)$, inducing a density $p_g$; a discriminator $D(x) \in (0, 1)$
# is the probability that $x$ came from the data. They play
# $$\min_G \max_D V(D, G) = \mathbb E_{x\sim p_{data}}\log D(x) + \mathbb E_{z\sim p_z}\log\bigl(1 - D(G(z))\bigr).$$
# For $D$ this is a classification problem: with labels $y = 1$ (real) and $y = 0$ (fake), the binary
# cross-entropy $\ell(D(x), y) = -y\log D(x) - (1-y)\log(1-D(x))$, averaged over the real batch plus averaged over
# the fake batch, is exactly the minibatch estimate of $-V$ (twice the BCE of the pooled, balanced batch).
# So **$D$ maximises $V$ by minimising the BCE** of a real-vs-fake classifier.

# %%
logits_real, logits_fake = torch.randn(64), torch.randn(64) - 1  # any discriminator outputs (logits)
labels = torch.cat([torch.ones(64), torch.zeros(64)])
bce = F.binary_cross_entropy_with_logits(torch.cat([logits_real, logits_fake]), labels)  # mean over 128
minus_v = -(torch.sigmoid(logits_real).log().mean() + (1 - torch.sigmoid(logits_fake)).log().mean())
d_loss = gc.losses.d_loss_minimax(logits_real, logits_fake)
print(f"-V = {minus_v:.6f};  course D loss = {d_loss:.6f};  2 x BCE(balanced batch) = {2 * bce:.6f}")
assert abs(d_loss - minus_v) < 1e-5 and abs(d_loss - 2 * bce) < 1e-5, "D's loss should be the BCE, i.e. -V"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The optimal discriminator
#
# Write $V$ as one integral over $x$: $V = \int p_{data}(x)\log D(x) + p_g(x)\log(1 - D(x))\,dx$. For each $x$ the
# integrand $a\log y + b\log(1 - y)$ ($a, b \ge 0$) is maximised at $y = a/(a+b)$ (set $a/y - b/(1-y) = 0$), so
# $$D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}\qquad\text{(Proposition 1).}$$
# Check it: fix two known 1-D densities, train an MLP $D$ on fresh samples of each by minimising the BCE, and
# compare with $D^*$ where $p_{data} + p_g$ carries 95% of its mass (in the far tails neither density has samples).

# %%
p_data = gc.toys.GaussianMixture1D(means=(-1.5, 1.0), stds=(0.5, 0.7))
p_g = gc.toys.gaussian1d(0.5, 1.2)
x = np.linspace(-5, 5, 1001)
d_star = optimal.optimal_discriminator(p_data, p_g, x)
region = optimal.high_density_region(p_data, p_g, x, mass=0.95)

torch.manual_seed(SEED)
D = gc.nets.Discriminator(data_dim=1, width=32, depth=2)
bce_hist = optimal.train_discriminator(D, p_data, p_g, steps=2000, batch_size=512, lr=2e-3, seed=SEED)
d_fit = optimal.discriminator_probability(D, x)
err = np.abs(d_fit - d_star)[region].max()
print(f"95% region: x in [{x[region].min():.2f}, {x[region].max():.2f}];  max |D - D*| there: {err:.4f}")

# %%
fig, ax = plt.subplots(figsize=(7.5, 3.4))
ax.axvspan(x[region].min(), x[region].max(), color="0.92", label="95% of the mass")
ax.plot(x, p_data.pdf(x), "k:", lw=2, label=r"$p_{data}$")
ax.plot(x, p_g.pdf(x), "g", lw=2, label=r"$p_g$")
ax.plot(x, d_star, color="tab:blue", lw=3, alpha=0.5, label=r"$D^* = p_{data}/(p_{data}+p_g)$")
ax.plot(x, d_fit, "--", color="tab:red", lw=1.5, label="trained MLP $D$")
ax.set_xlabel("x")
ax.set_ylabel("density / D(x)")
ax.legend(fontsize="small", loc="upper right")
plt.show()

# %% slideshow={"slide_type": "subslide"}
assert err < 0.05, f"max |D - D*| = {err:.3f} on the 95% region"
v_fit = optimal.value_function(lambda t: optimal.discriminator_probability(D, t), p_data, p_g, lo=-8, hi=8, n=16001)
c_g = optimal.virtual_criterion(p_data, p_g)
print(f"V(trained D, G) = {v_fit:.4f} <= V(D*, G) = {c_g:.4f};  final BCE = {bce_hist[-200:].mean():.4f} ~ -V(D*, G)")
assert v_fit <= c_g + 1e-9 and c_g - v_fit < 0.01, "D* maximises V and the trained D comes close"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The generator's criterion: $C(G) = -\log 4 + 2\,\mathrm{JSD}$
#
# With $D = D^*$ and $m = (p_{data} + p_g)/2$:
# $$C(G) = V(D^*, G) = \mathbb E_{p_{data}}\log\frac{p_{data}}{2m} + \mathbb E_{p_g}\log\frac{p_g}{2m}
#   = -\log 4 + \mathrm{KL}(p_{data}\|m) + \mathrm{KL}(p_g\|m) = -\log 4 + 2\,\mathrm{JSD}(p_{data}\|p_g).$$
# $\mathrm{JSD} \ge 0$ with equality iff $p_g = p_{data}$, so the global minimum is $C = -\log 4$ at $p_g = p_{data}$
# (Theorem 1). Check the identity by quadrature: $V(D^*, G)$ on one side, the JSD (computed separately) on the other.

# %%
family = {
    "N(0.5, 1.2^2)": p_g,
    "N(-1, 0.3^2)": gc.toys.gaussian1d(-1.0, 0.3),
    "N(3, 0.5^2)": gc.toys.gaussian1d(3.0, 0.5),
    "N(0, 3^2)": gc.toys.gaussian1d(0.0, 3.0),
    "mixture(-2, 2)": gc.toys.GaussianMixture1D((-2.0, 2.0), (0.4, 0.4), (0.3, 0.7)),
    "p_data shifted by 0.3": gc.toys.GaussianMixture1D((-1.2, 1.3), (0.5, 0.7)),
    "p_data itself": p_data,
}
rows = []
for name, q in family.items():
    c, via_jsd = optimal.virtual_criterion(p_data, q), optimal.criterion_from_jsd(p_data, q)
    rows.append((name, c, via_jsd))
    print(f"{name:24s} V(D*,G) = {c:+.9f}   -log4 + 2 JSD = {via_jsd:+.9f}   diff = {abs(c - via_jsd):.1e}")

# %%
worst = max(abs(c - j) for _, c, j in rows)
assert len(rows) >= 5 and worst < 1e-6, f"C(G) and -log 4 + 2 JSD differ by {worst:.2e}"
assert all(c >= -math.log(4) - 1e-9 for _, c, _ in rows), "C(G) >= -log 4"
assert abs(rows[-1][1] + math.log(4)) < 1e-9, "C(G) = -log 4 exactly when p_g = p_data"
print(f"largest difference {worst:.1e};  -log 4 = {-math.log(4):.9f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## $C(G)$ as $p_g$ slides past $p_{data}$
#
# Take $p_g$ = $p_{data}$ shifted by $t$. $C$ is $-\log 4$ at $t = 0$ and climbs to $0 = -\log 4 + 2\log 2$
# once the two stop overlapping: there the JSD is stuck at $\log 2$ whatever $t$ is, a flat criterion that
# chapter 02 shows to be the root of vanishing gradients.

# %%
shifts = np.linspace(-8, 8, 81)
curve = [optimal.virtual_criterion(p_data, gc.toys.GaussianMixture1D((-1.5 + t, 1.0 + t), (0.5, 0.7)), n=20001)
         for t in shifts]
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(shifts, curve, lw=2, label=r"$C(G) = V(D^*, G)$")
ax.axhline(-math.log(4), color="k", ls=":", label=r"$-\log 4$ ($p_g = p_{data}$)")
ax.axhline(0, color="0.5", ls="--", label=r"$0 = -\log 4 + 2\log 2$ (disjoint)")
ax.set_xlabel("shift t of $p_g$ relative to $p_{data}$")
ax.set_ylabel("C(G) (nats)")
ax.legend(fontsize="small")
plt.show()
assert abs(curve[40] + math.log(4)) < 1e-9 and abs(curve[0]) < 1e-3 and abs(curve[-1]) < 1e-3

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Figure 1: a 1-D GAN reaching $D = 1/2$
#
# Now let both players learn. Target $p_{data} = \mathcal N(1, 0.5^2)$; $G$ and $D$ are small MLPs
# (2 hidden layers of 32 LeakyReLU units), $z \sim \mathcal N(0, 1)$. As in the paper's Figure 1 we first train $D$
# against the initial $G$ (panel b), then alternate: 3 $D$ steps per $G$ step, Adam, the non-saturating generator
# loss, learning rate lowered in three phases so the end state settles. The arrows start at equally spaced
# latent quantiles $u = \Phi(z)$ (the paper's uniform $z$ line) and end at $x = G(z)$: where they bunch, $p_g$ is high.

# %%
p_target = gc.toys.gaussian1d(1.0, 0.5)
x1 = np.linspace(-2.0, 3.5, 551)
gc.device.seed_everything(SEED)
G = gc.nets.Generator(latent_dim=1, data_dim=1, width=32, depth=2, activation="leaky_relu", latent="normal")
D = gc.nets.Discriminator(data_dim=1, width=32, depth=2, activation="leaky_relu")
optimal.train_discriminator(D, p_target, G, steps=100, batch_size=512, lr=2e-3, seed=SEED)  # D vs the initial G
G0, D0 = copy.deepcopy(G), copy.deepcopy(D)  # the starting point, kept for the saturation section
frames = [gan1d.figure1_frame(G, D, x1, title="D trained against the initial G (step 0)")]

PHASES = [(800, 2e-3, (50, 100, 200, 400, 800)), (800, 1e-3, (400, 800)), (800, 3e-4, (400, 800))]
done = 0
for i, (steps, lr, snaps) in enumerate(PHASES):  # (G steps, lr_d, snapshot steps); lr_g = lr_d / 2
    hist = gc.training.train_gan(G, D, p_target, steps=steps, batch_size=512, lr_d=lr, lr_g=lr / 2, n_critic=3,
                                 seed=SEED + 10 * (i + 1), progress=False, snapshot_steps=snaps,
                                 snapshot_fn=lambda G, D: gan1d.figure1_frame(G, D, x1))
    gc.checks.stop_if_interrupted(hist)  # Ctrl-C stops every phase, not just this one
    frames += [{**hist.snapshots[s], "title": f"generator step {done + s}"} for s in sorted(hist.snapshots)]
    done += steps
print(f"{done} generator steps, {len(frames)} frames")

# %% slideshow={"slide_type": "subslide"}
anim = gc.plotting.animate_figure1(frames, x1, p_target.pdf(x1), interval=400, density_max=1.3)
gc.plotting.animation_html(anim)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where it ended
#
# At the end $p_g \approx p_{data}$ and $D \approx 1/2$ over the data (Figure 1d). We check both, and that
# $D$ was far from $1/2$ at the start, so the final $1/2$ is the equilibrium and not a discriminator that never learned.

# %%
inside = np.abs(x1 - 1.0) <= 1.96 * 0.5  # where p_data holds 95% of its mass
dev_start = np.abs(frames[0]["d"][inside] - 0.5).max()
dev_end = np.abs(frames[-1]["d"][inside] - 0.5).max()
with torch.no_grad():
    fake = G(G.sample_latent(20_000, torch.Generator(device=device).manual_seed(1), device)).cpu()
w1 = gc.divergences.w1_1d(fake, p_target.sample(20_000, seed=2))
print(f"max |D - 1/2| over the data: {dev_start:.3f} at the start, {dev_end:.3f} at the end")
print(f"G(z): mean {fake.mean():.3f} (target 1), std {fake.std():.3f} (target 0.5); W1(p_g, p_data) = {w1:.3f}")
assert dev_end < 0.1, f"D is {dev_end:.3f} away from 1/2 over the data at the end"
assert dev_start > 0.4 and w1 < 0.1, f"start deviation {dev_start:.3f}, W1 {w1:.3f}"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Saturation: $\log(1 - D(G(z)))$ versus $-\log D(G(z))$
#
# Early on, $D$ rejects the fakes with confidence: $D(G(z)) \approx 0$. With $D = \sigma(a)$ ($a$ the logit), the
# generator's gradient flows through $a$:
# $$\frac{\partial}{\partial a}\log(1 - \sigma(a)) = -D, \qquad \frac{\partial}{\partial a}\bigl(-\log\sigma(a)\bigr) = -(1 - D).$$
# The minimax loss's gradient vanishes with $D(G(z))$; the non-saturating loss, with the same fixed point, keeps a
# gradient near 1 exactly when $G$ is worst (Goodfellow et al. 2014, Sec. 3). To see it, take a poor generator
# (the initial $G$ moved 1 unit further from the data), train a copy of $D$ against it until it rejects the fakes
# with confidence, and measure the generator's gradients by autograd.

# %%
G_poor, D_sharp = copy.deepcopy(G0), copy.deepcopy(D0)
with torch.no_grad():
    G_poor.net[-1].bias -= 1.0  # G_poor(z) = G0(z) - 1
optimal.train_discriminator(D_sharp, p_target, G_poor, steps=400, batch_size=512, lr=2e-3, seed=SEED + 1)
z = G_poor.sample_latent(2000, torch.Generator(device=device).manual_seed(3), device)  # (2000, 1)
logits = D_sharp(G_poor(z)).detach().requires_grad_(True)  # (2000,)
d_gz = torch.sigmoid(logits).detach().cpu().numpy()
grad_logit = {}
for loss in ("minimax", "nonsaturating"):
    (g,) = torch.autograd.grad(gc.losses.get(loss)[1](logits) * len(logits), logits)  # per-sample d loss / d a
    grad_logit[loss] = g.abs().cpu().numpy()
    assert np.allclose(grad_logit[loss], optimal.generator_gradient(d_gz, loss), atol=1e-6), loss
print(f"median D(G(z)) = {np.median(d_gz):.4f}")

# %%
grad_g = {loss: gc.saturation.generator_grad_norm(G_poor, D_sharp, z, loss) for loss in ("minimax", "nonsaturating")}
ratio = grad_g["nonsaturating"] / grad_g["minimax"]
print(f"||grad of G's parameters||: minimax {grad_g['minimax']:.3f}, non-saturating {grad_g['nonsaturating']:.3f} "
      f"(ratio {ratio:.1f})")
assert np.median(d_gz) < 0.01 and ratio > 10, f"median D(G(z)) {np.median(d_gz):.3f}, ratio {ratio:.1f}"

# %% slideshow={"slide_type": "subslide"}
dd = np.logspace(-5, 0, 300)[:-1]
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.axvspan(d_gz.min(), d_gz.max(), color="0.9", label="D(G(z)) of the poor G's samples (dots: autograd)")
ax.loglog(dd, optimal.generator_gradient(dd, "minimax"), color="tab:red",
          label=r"minimax: $|\partial_a \log(1-D)| = D$")
ax.loglog(dd, optimal.generator_gradient(dd, "nonsaturating"), color="tab:green",
          label=r"non-saturating: $|\partial_a(-\log D)| = 1-D$")
for loss, c in (("minimax", "tab:red"), ("nonsaturating", "tab:green")):
    ax.scatter(d_gz[::10], grad_logit[loss][::10], s=8, color=c, edgecolor="k", linewidth=0.3, zorder=3)
ax.set_xlabel("D(G(z))")
ax.set_ylabel("|d loss / d logit|")
ax.legend(fontsize="small", loc="lower right")
plt.show()

# %% [markdown]
# A third generator loss drops the sigmoid altogether: least squares (LSGAN), whose push $|s - c|$ grows again
# past the decision boundary instead of flattening. Chapter 08 draws it beside these two curves, all three
# against $D$'s raw output (the logit $a$ for the sigmoid losses, the score $s$ for least squares).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** Derive $D^*$: show that $f(y) = a\log y + b\log(1-y)$ on $(0, 1)$ with $a, b > 0$ has its maximum at
# $y = a/(a+b)$. Check numerically for a few $(a, b)$.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
# f'(y) = a/y - b/(1-y) = 0  <=>  a(1-y) = b y  <=>  y = a/(a+b);  f''(y) = -a/y^2 - b/(1-y)^2 < 0: a maximum.
from scipy.optimize import minimize_scalar

for a, b in [(1.0, 1.0), (0.3, 2.0), (5.0, 0.1)]:
    res = minimize_scalar(lambda y: -(a * math.log(y) + b * math.log1p(-y)), bounds=(1e-9, 1 - 1e-9), method="bounded")
    print(f"a = {a}, b = {b}: numerical argmax {res.x:.6f}, a/(a+b) = {a / (a + b):.6f}")
    assert abs(res.x - a / (a + b)) < 1e-5

# %% [markdown]
# **2.** The game $V(x, y) = xy$ (NIPS 2016 tutorial, exercise 7.2): player $x$ minimises, $y$ maximises; the only
# equilibrium is $(0, 0)$. Run simultaneous gradient steps from $(1, 0)$. Do they converge? Compare with
# alternating steps ($y$ moves after seeing the new $x$) and with a tiny step (close to the continuous flow).

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
lr = 0.1
sim = games.gradient_play(1.0, 0.0, lr=lr, steps=150)
alt = games.gradient_play(1.0, 0.0, lr=lr, steps=150, alternating=True)
flow = games.gradient_play(1.0, 0.0, lr=0.001, steps=6283)  # ~ one turn of the continuous-time circle
r = games.radius(sim)
print(f"simultaneous: radius {r[0]:.3f} -> {r[-1]:.3f} after 150 steps, {games.winding(sim):.2f} turns")
print(f"alternating: radius stays in [{games.radius(alt).min():.3f}, {games.radius(alt).max():.3f}]")
# each simultaneous step multiplies the radius by exactly sqrt(1 + lr^2): a spiral outwards
assert np.allclose(r, games.simultaneous_radius(1.0, lr, 150), rtol=1e-9) and np.all(np.diff(r) > 0)
assert np.ptp(games.alternating_invariant(alt, lr)) < 1e-9 and games.radius(alt).max() < 1.1
assert abs(games.radius(flow)[-1] - 1) < 0.01, "small steps: nearly a circle"
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.plot(*sim.T, label="simultaneous: spirals out")
ax.plot(*alt.T, label="alternating: bounded orbit")
ax.plot(*flow.T, "k:", label="tiny steps: circle")
ax.plot(0, 0, "r*", ms=12, label="equilibrium")
ax.set_xlabel("x (minimiser)")
ax.set_ylabel("y (maximiser)")
ax.set_aspect("equal")
ax.legend(fontsize="small")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3.** Push $p_g$ (the shifted $p_{data}$) far away: $t = 5, 10, 20$. What does $C(G)$ tend to, and what does
# that say about the generator's gradient once the supports stop overlapping? (Chapter 02 picks this up.)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
for t in [5.0, 10.0, 20.0]:
    q = gc.toys.GaussianMixture1D((-1.5 + t, 1.0 + t), (0.5, 0.7))
    c, js = optimal.virtual_criterion(p_data, q), gc.divergences.js_divergence(p_data, q)
    print(f"t = {t:4.1f}: C(G) = {c:+.2e}, JSD = {js:.9f} (log 2 = {math.log(2):.9f})")
assert abs(c) < 1e-6
# C(G) -> 0 and JSD -> log 2: the criterion is flat in t, so its derivative (G's gradient) is ~ 0.
