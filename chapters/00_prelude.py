# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 00 · Prelude: what a generative model learns
#
# Maximum likelihood minimises the forward divergence $\mathrm{KL}(p_{data}\,\|\,p_{model})$, which covers
# every mode (a single Gaussian fit lands *between* two modes); the reverse divergence
# $\mathrm{KL}(p_{model}\,\|\,p_{data})$ seeks one mode and drops the other. Runs in about 10 s on a laptop CPU.
#
# Source: Goodfellow (2016), *NIPS 2016 Tutorial: Generative Adversarial Networks*, Sec. 2.1 (maximum
# likelihood as KL) and Sec. 3.2.5 (the choice of divergence).

# %% slideshow={"slide_type": "skip"}
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import gan_course as gc
from gan_course import likelihood

gc.plotting.course_style()  # the course's figure sizes and fonts
gc.solutions.fold_outputs()  # a solution's output stays folded until opened
device = gc.device.default_device()
gc.device.seed_everything(0)
print("device:", device)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The data: two modes
#
# A generative model sees samples of an unknown $p_{data}$ and produces a distribution $p_{model}$.
# Our $p_{data}$ is a 1-D mixture with a closed-form density, so every divergence below can be
# computed exactly by quadrature:
# $$p_{data}(x) = 0.4\,\mathcal N(x; -2, 0.6^2) + 0.6\,\mathcal N(x; 2, 0.6^2).$$
# The model family is deliberately too small: one Gaussian $q_\theta = \mathcal N(\mu, \sigma^2)$,
# $\theta = (\mu, \sigma)$. Which Gaussian is "best" depends on the divergence we minimise.

# %%
p_data = gc.toys.GaussianMixture1D(means=(-2.0, 2.0), stds=(0.6, 0.6), weights=(0.4, 0.6))
x = np.linspace(-5, 5, 1001)
samples = p_data.sample(20_000, seed=0).numpy().ravel().astype(float)  # (20000,)

fig, ax = plt.subplots(figsize=(7, 3))
ax.hist(samples, bins=120, density=True, color="0.8", label="20,000 samples")
ax.plot(x, p_data.pdf(x), "k:", lw=2, label=r"$p_{data}$")
ax.set_xlabel("x")
ax.set_ylabel("density")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Maximum likelihood is forward KL
#
# Maximum likelihood picks $\theta$ maximising $\frac1N\sum_i \log q_\theta(x_i)$, a sample estimate of
# $\mathbb E_{p_{data}}\log q_\theta$. Since
# $$\mathrm{KL}(p_{data}\,\|\,q_\theta) = \mathbb E_{p_{data}}\!\left[\log p_{data} - \log q_\theta\right]
#   = -H(p_{data}) - \mathbb E_{p_{data}} \log q_\theta ,$$
# and the entropy $H(p_{data})$ does not depend on $\theta$, the average negative log-likelihood (NLL) estimates
# $\mathrm{KL}(p_{data}\|q_\theta) + H(p_{data})$ for **every** $\theta$. Check it on a grid of $(\mu, \sigma)$: NLL from
# the samples, KL and $H$ by quadrature; the gap, in units of the NLL's standard error, is pure sampling noise.

# %%
mus, sigmas = np.linspace(-3, 3, 41), np.exp(np.linspace(np.log(0.3), np.log(4), 40))
H = likelihood.entropy(p_data)
nll, se = np.array([[likelihood.nll_with_standard_error(samples, m, s) for m in mus] for s in sigmas]).transpose(2, 0, 1)
fkl = np.array([[likelihood.forward_kl(p_data, m, s, entropy_p=H) for m in mus] for s in sigmas])  # (40, 41)
z = (nll - fkl - H) / se
print(f"H(p_data) = {H:.4f} nats;  NLL - KL ranges over {(nll - fkl).min():.3f} .. {(nll - fkl).max():.3f}")
print(f"largest |NLL - KL - H| / standard error over {z.size} grid points: {np.abs(z).max():.2f}")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plt.subplots(figsize=(7, 3.2))
for j, c in zip([10, 20, 30], ["tab:red", "tab:purple", "tab:blue"]):
    ax.plot(mus, nll[j], "o", color=c, ms=3, label=rf"NLL of samples, $\sigma$ = {sigmas[j]:.2f}")
    ax.plot(mus, fkl[j] + H, "-", color=c, lw=1, label=r"KL$(p_{data}\|q)$ + $H(p_{data})$" if j == 10 else None)
ax.set_xlabel(r"$\mu$")
ax.set_ylabel("average NLL (nats)")
ax.set_ylim(0, 16)
ax.legend(fontsize="small")
plt.show()

# %%
assert np.abs(z).max() < 4, f"NLL - KL differs from H(p) by {np.abs(z).max():.2f} standard errors"
mu_ml, sigma_ml = likelihood.max_likelihood_fit(samples)
fwd = likelihood.forward_kl_fit(p_data)
print(f"maximum likelihood: mu = {mu_ml:.3f}, sigma = {sigma_ml:.3f}")
print(f"argmin KL(p || q):  mu = {fwd.mu:.3f}, sigma = {fwd.sigma:.3f}, KL = {fwd.kl:.3f} nats")
assert abs(mu_ml - fwd.mu) < 0.05 and abs(sigma_ml - fwd.sigma) < 0.05, "ML should match the forward-KL fit"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The forward fit covers both modes
#
# For a Gaussian $q$, $\mathbb E_{p}\log q = -\tfrac12\log(2\pi\sigma^2) - \frac{\mathrm{Var}_p + (\mathbb E_p x - \mu)^2}{2\sigma^2}$,
# so the minimiser of the forward KL matches moments: $\mu = \mathbb E_p x = 0.4$ and
# $\sigma^2 = \mathrm{Var}_p = 4.2$. The integrand $p\log(p/q)$ explodes wherever $p > 0$ but $q \approx 0$, so $q$
# must put mass on *both* modes: it stretches over them and its peak lands in the valley between them, where the
# data are rare.

# %%
p_at_peak = p_data.pdf(np.array([fwd.mu]))[0]
print(f"forward fit peak at mu = {fwd.mu:.3f}; p_data there = {p_at_peak:.4f} "
      f"(vs max p_data = {p_data.pdf(x).max():.3f})")
assert -2 < fwd.mu < 2, f"forward fit mu = {fwd.mu:.3f} is not between the modes"
assert p_at_peak < 0.05 * p_data.pdf(x).max(), "the forward fit's peak should sit in the valley"
assert fwd.sigma > 3 * 0.6, f"sigma = {fwd.sigma:.3f}: the fit should be much wider than one mode"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reverse KL seeks a mode
#
# The reverse divergence swaps the roles:
# $$\mathrm{KL}(q_\theta\,\|\,p_{data}) = -H(q_\theta) - \mathbb E_{q_\theta}\log p_{data}, \qquad H(q_\theta) = \tfrac12\log(2\pi e\sigma^2).$$
# Now $q$ pays heavily for putting mass where $p_{data} \approx 0$ (the valley) and nothing for missing a mode.
# No closed form: `likelihood.reverse_kl_fit` computes $\mathbb E_q \log p_{data}$ by quadrature and minimises over
# $(\mu, \log\sigma)$ with BFGS, started once at each mode.

# %%
fits = likelihood.reverse_kl_fits(p_data)  # best first
for f in fits:
    print(f"reverse-KL local minimum: mu = {f.mu:+.3f}, sigma = {f.sigma:.3f}, KL(q||p) = {f.kl:.4f} nats")
print(f"-log 0.6 = {-math.log(0.6):.4f}, -log 0.4 = {-math.log(0.4):.4f}")
rev = fits[0]
assert abs(rev.mu - 2.0) < 0.05 and abs(rev.sigma - 0.6) < 0.05, \
    f"best reverse fit ({rev.mu:.3f}, {rev.sigma:.3f}) is not the heavier mode"
assert abs(fits[1].mu + 2.0) < 0.05, "the second local minimum should sit on the other mode"
assert abs(rev.kl + math.log(0.6)) < 0.01, f"KL = {rev.kl:.4f} should be close to -log 0.6"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The two landscapes
#
# Forward KL (left) has one basin, at the moment-matched Gaussian. Reverse KL (right) has one basin per mode:
# which mode a mode-seeking learner settles on depends on where it starts, and it never pays for the mode it drops.

# %%
rkl = np.array([[likelihood.reverse_kl(p_data, m, s) for m in mus] for s in sigmas])
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
for ax, z, name in [(axes[0], fkl, r"forward $\mathrm{KL}(p\|q)$"), (axes[1], rkl, r"reverse $\mathrm{KL}(q\|p)$")]:
    cs = ax.contourf(mus, sigmas, np.log10(z), levels=25, cmap="viridis")
    fig.colorbar(cs, ax=ax, label=r"$\log_{10}$ KL (nats)")
    ax.set_yscale("log")
    ax.set_yticks([0.3, 0.6, 1, 2, 4], ["0.3", "0.6", "1", "2", "4"])
    gc.plotting.no_minor_labels(ax.yaxis)
    ax.set_xlabel(r"$\mu$")
    ax.set_title(name)
axes[0].plot(fwd.mu, fwd.sigma, "w*", ms=14, label="forward fit")
axes[1].plot([f.mu for f in fits], [f.sigma for f in fits], "r*", ms=14, label="reverse-KL minima")
axes[0].set_ylabel(r"$\sigma$")
for ax in axes:
    ax.legend(loc="upper left", fontsize="small")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Side by side
#
# Mass-covering versus mode-seeking, on the data (compare the tutorial's figure on the two KL directions).

# %%
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.plot(x, p_data.pdf(x), "k:", lw=2, label=r"$p_{data}$")
ax.plot(x, fwd.pdf(x), color="tab:orange", lw=2, label=r"argmin KL$(p_{data}\|q)$ = maximum likelihood")
ax.plot(x, rev.pdf(x), color="tab:green", lw=2, label=r"argmin KL$(q\|p_{data})$")
ax.set_xlabel("x")
ax.set_ylabel("density")
ax.legend(fontsize="small")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where the GAN's divergence sits
#
# With the optimal discriminator a GAN's generator minimises $2\,\mathrm{JSD}(p_{data}\|q) - \log 4$ (chapter 01),
# where
# $$\mathrm{JSD}(p\|q) = \tfrac12\,\mathrm{KL}(p\,\|\,m) + \tfrac12\,\mathrm{KL}(q\,\|\,m), \qquad m = \tfrac12(p + q).$$
# Both terms compare with the midpoint mixture $m$, not with each other, so JSD is not a blend of the two
# directions above: it is finite and at most $\log 2$ even where one density vanishes. Which fit does it prefer
# here? Minimise it over $(\mu, \log\sigma)$ (Nelder–Mead, quadrature on $[-10, 10]$) from three starts: the
# forward fit and each mode.

# %%
from scipy.optimize import minimize

q_fwd = gc.toys.gaussian1d(fwd.mu, fwd.sigma)
m_mix = gc.toys.GaussianMixture1D(means=(-2.0, 2.0, fwd.mu), stds=(0.6, 0.6, fwd.sigma), weights=(0.2, 0.3, 0.5))
by_def = gc.divergences.js_divergence(p_data, q_fwd, lo=-10, hi=10, n=20_001)
by_kl = 0.5 * (gc.divergences.kl_divergence(p_data, m_mix, lo=-10, hi=10, n=20_001)
               + gc.divergences.kl_divergence(q_fwd, m_mix, lo=-10, hi=10, n=20_001))
print(f"JSD at the forward fit: {by_def:.6f}; (KL(p||m) + KL(q||m)) / 2 = {by_kl:.6f}")
assert abs(by_def - by_kl) < 1e-6, "JSD should equal the mean of the two KLs to the midpoint mixture"


def jsd_to(theta, p=p_data):
    return gc.divergences.js_divergence(p, gc.toys.gaussian1d(theta[0], math.exp(theta[1])), lo=-10, hi=10, n=4001)


jsd_fits = {}
for name, start in {"from the forward fit": (fwd.mu, math.log(fwd.sigma)), "from the mode at +2": (2.0, math.log(0.6)),
                    "from the mode at -2": (-2.0, math.log(0.6))}.items():
    r = minimize(jsd_to, start, method="Nelder-Mead")
    jsd_fits[name] = (r.x[0], math.exp(r.x[1]), r.fun)
    print(f"JSD minimum {name}: mu = {r.x[0]:+.3f}, sigma = {math.exp(r.x[1]):.3f}, JSD = {r.fun:.4f} nats")

# %% [markdown]
# JSD has three local minima: a broad covering one and a narrow one on each mode. The lowest is the covering
# fit, so on this toy the GAN's divergence, minimised exactly, would *not* drop a mode.

# %% slideshow={"slide_type": "subslide"}
(cov_mu, cov_sigma, cov_j), (hi_mu, _, hi_j), (lo_mu, _, lo_j) = jsd_fits.values()
assert cov_sigma > 1.5 and abs(hi_mu - 2) < 0.1 and abs(lo_mu + 2) < 0.1, "three distinct local minima expected"
assert cov_j < hi_j < lo_j, f"JSD's lowest minimum should be the covering fit: {cov_j:.4f}, {hi_j:.4f}, {lo_j:.4f}"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why a GAN course starts here
#
# * A model with too little capacity must *choose*: spread over all the data (forward KL: mass in the valleys)
#   or sit on some modes and ignore the rest (reverse KL: **dropped modes**).
# * The divergence does not settle which a GAN does. JSD, above, prefers the covering fit on this toy, and
#   Goodfellow's tutorial (Sec. 3.2.5) notes that GANs trained on a forward-KL-like cost still produce few
#   modes: it blames the training procedure (simultaneous gradient steps, a discriminator that is never
#   optimal) rather than the choice of divergence.
# * One generator loss does lean towards reverse KL: with the optimal $D$, the popular non-saturating loss
#   follows $\mathrm{KL}(p_g\|p_{data}) - 2\,\mathrm{JSD}$ (Arjovsky & Bottou 2017; chapter 02). The rest of the
#   course measures mode dropping in trained GANs and what fixes it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** Move the modes closer: $p = 0.4\,\mathcal N(-d/2, 0.6^2) + 0.6\,\mathcal N(d/2, 0.6^2)$. For which
# separations $d$ does the reverse-KL fit still pick a single mode? (Start BFGS at each mode.)

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
for d in [1.0, 2.0, 2.5, 3.0, 4.0]:
    p_d = gc.toys.GaussianMixture1D((-d / 2, d / 2), (0.6, 0.6), (0.4, 0.6))
    fs = likelihood.reverse_kl_fits(p_d)
    print(f"d = {d}: minima at " + ", ".join(f"(mu {f.mu:+.2f}, sigma {f.sigma:.2f})" for f in fs))
# d <= 2.5: both starts reach one wide Gaussian (a single basin); from d = 3 a narrow minimum on a mode appears
one = gc.toys.GaussianMixture1D((-0.5, 0.5), (0.6, 0.6), (0.4, 0.6))
a, b = likelihood.reverse_kl_fits(one)
assert abs(a.mu - b.mu) < 1e-3, "close modes: a single reverse-KL minimum"

# %% [markdown]
# **2.** Fit $(\mu, \log\sigma)$ by gradient descent on the average NLL of the samples with `torch.optim.Adam`,
# as a deep generative model would, and compare with the closed-form maximum-likelihood fit.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
xs = torch.tensor(samples)
theta = torch.zeros(2, dtype=torch.float64, requires_grad=True)  # (mu, log sigma)
opt = torch.optim.Adam([theta], lr=0.05)
for _ in range(1500):
    mu, log_s = theta
    loss = (log_s + 0.5 * math.log(2 * math.pi) + 0.5 * ((xs - mu) / log_s.exp()) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"Adam: mu = {theta[0].item():.4f}, sigma = {theta[1].exp().item():.4f}")
print(f"closed form: mu = {mu_ml:.4f}, sigma = {sigma_ml:.4f}")
assert abs(theta[0].item() - mu_ml) < 1e-3 and abs(theta[1].exp().item() - sigma_ml) < 1e-3

# %% [markdown]
# **3.** Make the modes unequal: weights $(w, 1 - w)$ for $w \in \{0.4, 0.25, 0.15\}$. Minimise JSD from the same
# three starts (`jsd_to(theta, p)` above). When does its lowest minimum move from the covering fit to the
# heavier mode?

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
best = {}
for w in (0.4, 0.25, 0.15):
    p_w = gc.toys.GaussianMixture1D((-2.0, 2.0), (0.6, 0.6), (w, 1 - w))
    f_w = likelihood.forward_kl_fit(p_w)
    ends = [minimize(jsd_to, st, args=(p_w,), method="Nelder-Mead")
            for st in [(f_w.mu, math.log(f_w.sigma)), (2.0, math.log(0.6)), (-2.0, math.log(0.6))]]
    r = min(ends, key=lambda e: e.fun)
    best[w] = (r.x[0], math.exp(r.x[1]))
    print(f"w = {w}: lowest JSD {r.fun:.4f} at mu = {r.x[0]:+.3f}, sigma = {math.exp(r.x[1]):.3f}")
assert best[0.4][1] > 1.5 and abs(best[0.25][0] - 2) < 0.1 and abs(best[0.15][0] - 2) < 0.1
# With w = 0.4 the covering fit wins; by w = 0.25 the heavier mode does: JSD sits between the two KL directions,
# and which way it leans depends on the data. Forward KL covers for every w; reverse KL always picks a mode.
