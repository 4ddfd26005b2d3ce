# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 07 · Mode-collapse lab
#
# Six GAN losses and their knobs on the 8-Gaussian ring and the 25-Gaussian grid, trained as
# batches of independent models, with a lab that shows saved runs at once and trains any other setting
# live while you watch (several side by side in compare mode): with their tuned defaults WGAN-GP and
# hinge + SN find every mode of both toys on every one of 10 seeds, the non-saturating GAN drops grid
# modes on every seed, and each target of the published table is printed as met or not met. About
# 30 s on a CPU (saved runs load from `assets/lab/`).

# %% slideshow={"slide_type": "skip"}
import json
import statistics
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

import gan_course as gc
from gan_course import lab, widgets
from gan_course.batched import Setting, train_batched

gc.plotting.course_style()  # the course's figure sizes and fonts
gc.solutions.fold_outputs()  # a solution's output stays folded until opened
device = gc.device.default_device()
gc.device.seed_everything(0)
RETRAIN = False  # True: remake assets/lab, 52 min on 2 CPU cores (as does the command
# `python -m gan_course.lab precompute --out assets/lab --overwrite-assets --workers 2`)
if RETRAIN:
    lab.precompute(overwrite_assets=True)
store = widgets.LabStore.load()
shipped = lab.load_results()  # {(loss, dataset): one dict per seed}
print(f"{len(store.runs)} saved settings in the lab grid; {sum(map(len, shipped.values()))} saved runs for the table; "
      f"device here: {device}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Many GANs at once
#
# The lab needs many small runs: every loss, several knob values, ten seeds each. The $K$ models of
# a batch keep their own weights, stacked as $W \in \mathbb{R}^{K \times d_{in} \times d_{out}}$, and a
# layer is one batched product $x_k W_k + b_k$ for all $k$ (`torch.baddbmm`). The batch's loss is
# $\sum_k L_k$: model $k$'s gradient comes from its own term only, and Adam's state is elementwise,
# so each model keeps its own moments, learning rate, loss, penalty weight, noise level and random
# streams. Claim: **model $k$ of a batch follows exactly the run it would have alone** (in float64,
# where rounding does not compound).

# %%
torch.set_default_dtype(torch.float64)  # Adam keeps its step in the default dtype
pair = [Setting("nonsaturating", seed=1, lr_d=1e-3, lr_g=1e-3, n_critic=1, betas=(0.5, 0.999)),
        Setting("hinge", seed=2, lr_d=3e-4, lr_g=1e-4, n_critic=1, noise_sigma=0.1, betas=(0.5, 0.999))]
res = train_batched(pair, gc.toys.ring8(), 30, width=32, depth=2, batch_size=64, device="cpu", progress=False)
gap = []
for k, s in enumerate(pair):
    G, D = gc.batched.init_pair(s.seed, width=32, depth=2)  # nets.Generator / nets.Discriminator
    gc.training.train_gan(G, D, gc.toys.ring8(), steps=30, batch_size=64, lr_d=s.lr_d, lr_g=s.lr_g, betas=s.betas,
                          n_critic=1, loss=s.loss, noise_sigma=s.noise_sigma or None, seed=s.seed, device="cpu",
                          progress=False)
    solo = [p for m in (G.net, D.net) for layer in m if isinstance(layer, torch.nn.Linear)
            for p in (layer.weight.detach(), layer.bias.detach())]
    ours = [p for w, b in res.G.model(k) + res.D.model(k) for p in (w, b)]
    gap.append(max((a - b).abs().max().item() for a, b in zip(solo, ours)))
torch.set_default_dtype(torch.float32)
print("max |batched - solo| weight difference per model:", [f"{g:.1e}" for g in gap])
assert max(gap) < 1e-10, f"a batched model left its solo run: {gap}"

# %% [markdown]
# What batching buys depends on the hardware: on a GPU a small MLP leaves the device idle, so a batch
# of $K$ models costs about what one costs; on a CPU the arithmetic of $K$ models is about $K$ times
# one, and batching saves only Python overhead. The precomputed grid below was trained in batches.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The lab
#
# Pick a dataset and a loss; the knobs start at the tuned defaults of that loss. The canvas draws
# the generated samples (orange) over the discriminator's field ($D(x)$ for the minimax and
# non-saturating GANs, the raw score for the others), the mode centres, and curves of the mode
# metrics of chapter 5 against the generator step (modes covered, % high quality = within $3\sigma$
# of a centre). A setting saved in `assets/lab/` shows at once, and the *snapshot* slider scrubs
# through it. **Any other setting trains live** in a background thread of the kernel (the widgets stay
# responsive), up to 12 frames a second.

# %% [markdown] slideshow={"slide_type": "subslide"}
# While it trains, an arrow on each sample shows where the generator's gradient pushes it
# ($-\nabla_x$ of G's loss), the *manifold* view draws the image of a $17 \times 17$ latent grid under
# $G$ as a warped grid, and the curves add the D and G losses. **play**, **pause**, **one step** (one
# generator update with its critic updates) and **reset** drive it; moving any knob restarts from step
# 0, and every frame is labelled with the setting it shows. *feature matching* and *minibatch
# discrimination* add the tricks of chapter 09 (never saved, so always live). The checkboxes above the
# canvas switch each view on and off. **compare** trains several settings at once as one batched
# model with a shared step and draws them side by side: the six losses at their defaults, four
# learning rates of the chosen loss, or (for a GPU) four losses times four learning rates. The canvas is an anywidget: the kernel sends each frame as a few
# float32 arrays and the browser draws them (the last section gives the measured frame rate, slowdown
# and key-press latency).

# %% slideshow={"slide_type": "subslide"}
view = widgets.LabView(store, device=device)
view.widget

# %% [markdown] slideshow={"slide_type": "slide"}
# A slider move over saved runs only looks up saved numbers (float16 samples and a $50 \times 50$
# float16 field) and sends them to the canvas, so every move of the snapshot slider shows a new
# frame at once; the cell prints how long the kernel's side of a move takes here (timings are
# checked in the test suite, not in a notebook).

# %%
wall, cpu, shown = [], [], []
for i in list(range(lab.N_SNAPSHOTS)) * 2:
    t0, c0 = time.perf_counter(), time.process_time()
    view.step.value = i if view.step.value != i else (i + 1) % lab.N_SNAPSHOTS
    wall.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
    shown.append((view.canvas.frame_id, view.canvas.meta["step"]))
view.step.value = lab.N_SNAPSHOTS - 1
print(f"slider move: median {1e3 * statistics.median(cpu):.1f} ms CPU, {1e3 * statistics.median(wall):.1f} ms wall")
assert all(a[0] != b[0] and a[1] != b[1] for a, b in zip(shown, shown[1:])), "a slider move sent no new frame"

# %% [markdown] slideshow={"slide_type": "subslide"}
# A setting outside the saved grid trains live. Below, WGAN-GP with 2 critic steps, which is not saved
# (the cell checks): the knob change starts a run at step 0 in the background, **pause** stops it, and **one step** advances it by exactly one generator step; the
# canvas's frame is labelled with the knobs' setting.

# %%
view.loss.value, view.dataset.value = "wgan-gp", "ring8"
view.n_critic.value = 2
assert store.get(view.key()) is None, "this setting is saved: pick another"
time.sleep(2.0)  # training in the background; this cell only waits
view.engine.pause()
assert view.engine.wait_idle()
t = view.engine.run.step_count
view.one_step()
assert view.engine.wait_idle()
f = view.live_frame
print(f"{f.labels[0]}: generator step {f.step} after one step from {t}, {f.steps_per_s:.0f} steps/s, "
      f"{int(f.modes[0, -1])}/8 modes so far")
assert f.step == t + 1 and "n_critic 2" in f.labels[0] and view.canvas.meta["labels"] == f.labels
view.use_defaults()  # back to the saved run of WGAN-GP's defaults
assert view.source == "saved"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Six losses, side by side
#
# The final snapshot of every loss at its defaults (seed 0 of the saved grid).

# %% slideshow={"slide_type": "subslide"}
final = {}
for ds in lab.DATASETS:
    toy, lim = lab.dataset(ds), lab.LIMS[ds]
    fig, axes = plt.subplots(2, 3, figsize=(9, 6.6))
    for ax, loss in zip(axes.flat, lab.LOSS_NAMES):
        run = store.default_run(ds, loss)
        f, lo, hi, label = widgets.display_field(run["field"][-1], loss)
        im = ax.imshow(f, origin="lower", extent=(-lim, lim, -lim, lim), cmap="RdBu_r", vmin=lo, vmax=hi)
        gc.plotting.colorbar(ax, im, label)  # the colours mean D(x), an LS score or a critic value
        ax.scatter(*run["samples"][-1].astype(np.float32).T, s=9, zorder=3, **gc.plotting.SAMPLE_STYLE)
        ax.scatter(*toy.centres.T, marker="x", s=30, lw=1.2, c="black", zorder=2)
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[])
        final[ds, loss] = run["stats"][-1]
        ax.set_title(f"{loss}\n{int(final[ds, loss][0])}/{toy.n_modes} modes, {100 * final[ds, loss][1]:.0f}% HQ",
                     fontsize="medium")
    fig.suptitle(f"{ds}, final snapshot, seed 0: generated samples (yellow), mode centres (x)")
    plt.show()

# %% slideshow={"slide_type": "subslide"}
assert all(np.isfinite(final[ds, loss][:2]).all() for ds in lab.DATASETS for loss in lab.LOSS_NAMES)
m, hq, _ = final["ring8", "wgan-gp"]
print(f"ring8, WGAN-GP (seed 0): {m:.0f}/8 modes, {100 * hq:.1f}% high quality")
assert m == 8, f"WGAN-GP covers {m:.0f}/8 ring modes"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Scrubbing through training
#
# Modes covered at each saved step (seed 0), for every loss on both toys: the picture behind the
# snapshot slider. Coverage is not monotone: a GAN can find a mode and lose it again. WGAN-GP and
# hinge + SN are drawn from the moving average of their generator's weights (see below): early in a
# run, while the learning rate is large, it mixes generators far apart, and its samples can miss
# modes that the live generator already covers (compare the live and averaged generators of the same
# runs in the equal-schedule section below).

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(9, 4.4), sharey=True, layout="constrained")
for ax, ds in zip(axes, lab.DATASETS):
    for loss in lab.LOSS_NAMES:
        run = store.default_run(ds, loss)
        steps = np.asarray(run["steps"])  # runs differ in length (2,000 to 20,000 steps): share of each run
        ax.plot(steps / steps[-1], run["stats"][:, 0], "o-", ms=4, label=f"{loss} ({steps[-1]:,} steps)")
    ax.set(xlabel="share of the run's generator steps", ylabel="modes covered", title=f"{ds} (seed 0)")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize="small")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Against the published table
#
# The defaults over 10 seeds (`assets/lab/results.json`), beside the published numbers of `docs/DESIGN.md`
# (VEEGAN Table 1; PacGAN Table 1; 2,500 samples, high quality within 3 std).

# %% slideshow={"slide_type": "subslide"}
recipe = {"wgan-gp": "WGAN-GP, lambda 1, lr 3e-3 -> 0, 20k steps, averaged G",
          "wgan-gp-paper": "WGAN-GP, lambda 10 (paper), lr 3e-3 -> 0, 20k steps, averaged G",
          "hinge-sn": "hinge + SN, lr 2e-3 -> 0, 20k steps, averaged G",
          "nonsaturating": "non-saturating, lr 1e-3, 2k steps, live G"}
paper, _ = gc.store.load_paper_penalty()  # scripts/paper_penalty.py: lambda 10, the rest as the lab's WGAN-GP
rows = {loss: (shipped.get((loss, "ring8"), []), shipped.get((loss, "grid25"), [])) for loss in ("wgan-gp", "hinge-sn", "nonsaturating")}
rows["wgan-gp-paper"] = (paper.get("ring8", []), paper.get("grid25", []))
print(gc.metrics.toy_table([("ours: " + recipe[k], *rows[k]) for k in ("wgan-gp", "wgan-gp-paper", "hinge-sn", "nonsaturating")]))
s_gp, s_sn, s_ns = (lab.make_setting(k) for k in ("wgan-gp", "hinge-sn", "nonsaturating"))
assert all(r["setting"]["penalty_weight"] == 10.0 and r["setting"]["lr_g"] == s_gp.lr_g and r["setting"]["g_ema"] == s_gp.g_ema
           for runs in paper.values() for r in runs), "labels"
assert len(paper["grid25"]) >= 3 and all(r["modes_covered"] < 25 and r["hq_fraction"] < 0.1 for r in paper["grid25"])
assert (s_gp.penalty_weight, s_gp.lr_g, s_gp.lr_decay, s_gp.g_ema, lab.default_steps("wgan-gp")) == (1.0, 3e-3, True, 0.999, 20000)
assert (s_sn.lr_g, s_sn.lr_decay, s_sn.g_ema, lab.default_steps("hinge-sn")) == (2e-3, True, 0.999, 20000)
assert (s_ns.lr_g, s_ns.lr_decay, s_ns.g_ema, lab.default_steps("nonsaturating")) == (1e-3, False, 0.0, 2000), "labels"

# %% [markdown] slideshow={"slide_type": "subslide"}
# The targets for the well-regularised losses: all 8 ring modes on every seed, $\geq 24.5$ of 25 grid
# modes on average, $\geq 95\%$ high-quality samples. The tuned defaults (width 64, minibatch 256,
# 20,000 generator steps with learning rates decaying linearly to 0) cover every mode of both toys
# on every seed; the published rows come from other architectures, scales and budgets, so this is not a
# comparison at equal budget, and each row is labelled with its recipe. The second of our rows changes only
# WGAN-GP's $\lambda$ to the paper's 10 (`scripts/paper_penalty.py`, grid25 seeds 0-2; ring8 not run): on
# the grid it then reaches only 12-17 modes with 1.6-3.6% high-quality samples on every seed, its samples
# spread over the square rather than settled on the modes (chapter 05), so the $\lambda = 1$ row's result
# rests on that departure from the paper. The share of high-quality samples is
# the hard part; chapter 05 tests where the misses lie (`gc.bridges`: far misses lie on bridges between
# neighbouring modes). Both losses sample from a **moving average of the generator's weights**,
# $\theta_{avg} \leftarrow 0.999\,\theta_{avg} + 0.001\,\theta$ after each generator step (Yazıcı et al.
# 2019; `Setting.g_ema`), which averages the last thousand or so steps and does not change training. Its
# effect is measured below on the equal-schedule runs, where seeds 0-1 were also saved without it. The
# tuning history is recorded in `assets/lab/sweeps.md`. The check below prints each target as met or not met.

# %% slideshow={"slide_type": "subslide"}
def check(name, ok, value):
    print(f"{'met    ' if ok else 'NOT met'}  {name}: {value}")
    return ok

met = {}
for loss in ("wgan-gp", "hinge-sn"):
    ring, grid = shipped[loss, "ring8"], shipped[loss, "grid25"]
    assert len(ring) == len(grid) == 10, "the table needs 10 seeds per setting"
    met[loss, "ring"] = check(f"{loss}: every ring mode on every seed", min(r["modes_covered"] for r in ring) == 8,
                              [r["modes_covered"] for r in ring])
    met[loss, "grid"] = check(f"{loss}: >= 24.5 grid modes on average", np.mean([r["modes_covered"] for r in grid]) >= 24.5,
                              f"{np.mean([r['modes_covered'] for r in grid]):.1f}")
    for ds, rs in (("ring8", ring), ("grid25", grid)):
        hq = np.mean([r["hq_fraction"] for r in rs])
        met[loss, ds + " hq"] = check(f"{loss}: >= 95% high quality on {ds}", hq >= 0.95, f"{100 * hq:.1f}%")
for loss in ("wgan-gp", "hinge-sn"):
    assert min(r["modes_covered"] for r in shipped[loss, "grid25"]) == 25, f"{loss} missed a grid mode on some seed"
not_met = [f"{loss} {what}" for (loss, what), ok in met.items() if not ok]
print("not met:", not_met or "none")
assert not not_met, f"targets not met: {not_met}"

# %% [markdown]
# What did not close the gap, recorded in `assets/lab/sweeps.md`: instance noise (constant or
# annealed to 0), other learning rates and Adam betas, a separate critic learning rate, an
# 8-dimensional latent, a deeper generator, and wider networks (width 128 helped the grid a little,
# at 3 to 3.4 times the CPU time). Nor is the average a cure on its own: after 6,000 steps, when the
# learning rate is still large over the steps it averages, it did not help, and an average over
# ~10,000 steps ($\beta = 0.9999$) mixes generators too far apart and its samples collapse.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Does the non-saturating GAN drop modes at an equal schedule?** Its lab default (2,000 steps, constant
# learning rate, live generator) is not a fair baseline: it stops far short of the regularised losses'
# 20,000 steps, and its scattered, unconverged samples say nothing about collapse. So
# `scripts/equal_budget.py` gives it their schedule: 20,000 generator steps, the learning rate decaying
# linearly to 0, samples from the moving average of G's weights ($\beta = 0.999$); its own Adam and one D
# step per G step (so fewer D updates than the critics' 5). Seeds 0-5 on grid25, loaded from
# `assets/equal_budget/results.json`. Why the modes go missing is measured in the next section.

# %% slideshow={"slide_type": "subslide"}
eb = json.loads((Path(lab.ASSETS).parent / "equal_budget" / "results.json").read_text())
avg = [r for r in eb["runs"] if r["kind"] == "averaged"]
for r in eb["runs"]:
    f = r["stats"][-1]
    print(f"seed {r['seed']} ({r['kind']} G): {f['modes_covered']}/25 modes, {100 * f['hq_fraction']:.1f}% high quality")
modes = [r["stats"][-1]["modes_covered"] for r in avg]
hq = np.mean([r["stats"][-1]["hq_fraction"] for r in avg])
print(f"averaged G, {len(avg)} seeds: mean {np.mean(modes):.1f} of 25 modes, {100 * hq:.1f}% high quality")
assert eb["steps"] == 20000 and all(r["setting"]["lr_decay"] and r["setting"]["g_ema"] == 0.999 for r in avg)
assert hq > 0.8, "the samples should have converged onto modes (mostly high quality)"
assert max(modes) < 25, f"a non-saturating run covered the whole grid at the equal schedule: {modes}"
live = {r["seed"]: r["stats"][-1]["hq_fraction"] for r in eb["runs"] if r["kind"] == "live"}
for sd, v in live.items():
    print(f"seed {sd}: live G {100 * v:.1f}% high quality, averaged G {100 * avg[sd]['stats'][-1]['hq_fraction']:.1f}%")
assert all(avg[sd]["seed"] == sd and abs(v - avg[sd]["stats"][-1]["hq_fraction"]) < 0.01 for sd, v in live.items())

# %% [markdown]
# At the equal schedule the samples are converged (most are high quality) and still no seed covers all
# 25 grid modes: the non-saturating GAN drops modes here, where WGAN-GP and hinge + SN, with 5 critic steps
# per G step, cover every mode on every seed. The average of G's weights is not what makes the difference
# for this loss: on seeds 0-1 the live generator of the same runs is within one point of the averaged one's
# high-quality share (printed above).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why the modes stay missing: D and G's gradient, measured
#
# The usual explanation is that "D saturates". For the non-saturating loss the generator minimises
# $\mathrm{softplus}(-D(x))$ at its samples (D the raw logit), so a fake $x$ moves along
#
# $$-\nabla_x\,\mathrm{softplus}(-D(x)) = \sigma(-D(x))\,\nabla_x D(x) \qquad (1)$$
#
# (Goodfellow et al. 2014, Sec. 3): uphill on D, and the factor $\sigma(-D)$ vanishes only where D
# already calls $x$ real. The saved final D and averaged G of each equal-schedule seed
# (`assets/equal_budget/weights.npz`) let us measure this, with `gc.dropped_modes.probe`: D at the mode
# centres the generator covers and at those it misses, D along every segment from a covered mode to an
# uncovered neighbour, and where Eq. (1) carries the fakes if D is held fixed (400 steps of size 0.01;
# a thought experiment, since in training D moves too and G moves its samples through its weights).

# %% slideshow={"slide_type": "subslide"}
grid = gc.toys.grid25()
saved = [r for r in gc.dropped_modes.load_equal_budget() if r["kind"] == "averaged"]
probes = []
for r in saved:
    fakes = gc.dropped_modes.generator_samples(r["G"], r["seed"])  # the 2,500 samples of results.json
    p = gc.dropped_modes.probe(gc.dropped_modes.logit_fn(r["D"]), fakes, grid)
    probes.append(p)
    prof = p.profiles
    print(f"seed {r['seed']}: {p.covered.sum():2d} modes covered | sigmoid(D): uncovered centres {p.sigmoid_uncovered:.3f}, "
          f"covered centres {p.sigmoid_covered:.2f}, fakes {p.fake_sigmoid:.2f} | {len(p.pairs)} covered-uncovered "
          f"neighbours, dip below both ends on {100 * p.valley_share:.0f}% (lowest logit {prof.min(1).mean():.1f}) | "
          f"frozen-D flow: {100 * p.flow_to_covered:.1f}% of fakes to covered modes, {100 * p.flow_to_uncovered:.1f}% to uncovered")

# %% slideshow={"slide_type": "subslide"}
k = min(range(len(saved)), key=lambda i: probes[i].covered.sum())  # the seed with the fewest modes
r, p = saved[k], probes[k]
D = gc.dropped_modes.logit_fn(r["D"])
xs = np.linspace(-5.5, 5.5, 221)  # 0.05 apart: the std of a mode
xx, yy = np.meshgrid(xs, xs)
with torch.no_grad():
    field = gc.dropped_modes.sigmoid(D(torch.as_tensor(np.stack([xx.ravel(), yy.ravel()], 1))).numpy()).reshape(xx.shape)
fakes = gc.dropped_modes.generator_samples(r["G"], r["seed"])[:400]
push = gc.dropped_modes.ns_push(D, fakes)
fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.8))
im = ax.imshow(field, origin="lower", extent=(-5.5, 5.5, -5.5, 5.5), cmap="RdBu_r", vmin=0, vmax=1)
gc.plotting.colorbar(ax, im, "sigmoid(D(x))")
ax.scatter(*fakes.T, s=6, zorder=3, **gc.plotting.SAMPLE_STYLE, label="fakes")
ax.quiver(*fakes[::4].T, *push[::4].T, color="black", width=0.004, zorder=4, label="push, Eq. (1)")
ax.scatter(*grid.centres[p.covered].T, marker="x", s=40, c="black", zorder=5, label="covered mode")
ax.scatter(*grid.centres[~p.covered].T, marker="o", s=40, facecolors="none", edgecolors="black", zorder=5,
           label="uncovered mode")
ax.set(xlim=(-5.5, 5.5), ylim=(-5.5, 5.5), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
       title=f"seed {r['seed']}: D and the generator's push")
ax.legend(loc="upper left", fontsize="x-small", framealpha=0.9)
t = np.linspace(0, 1, probes[0].profiles.shape[1])
for q in probes:
    bx.plot(2 * t, q.profiles.T, color="grey", lw=0.5, alpha=0.4)
bx.plot(2 * t, np.concatenate([q.profiles for q in probes]).mean(0), color="C3", lw=2.5,
        label=f"mean over {sum(len(q.pairs) for q in probes)} segments, {len(probes)} seeds")
bx.axhline(0, color="black", lw=0.8, ls=":")
bx.set(xlabel="distance along the segment (0: covered mode, 2: uncovered)", ylabel="D(x) (logit)",
       title="D from a covered mode to an uncovered neighbour")
bx.legend(fontsize="small")
plt.show()

# %%
sig_unc = [q.sigmoid_uncovered for q in probes]
sig_fake = [q.fake_sigmoid for q in probes]
assert len(probes) == 6 and all(q.covered.sum() < 25 for q in probes)
assert min(sig_unc) > 0.99, f"D should be saturated (sure: real) on the uncovered modes: {sig_unc}"
assert all(q.sigmoid_covered < q.sigmoid_uncovered for q in probes)
assert max(sig_fake) < 0.5, f"D is not saturated on the fakes, so Eq. (1) does not vanish there: {sig_fake}"
assert all(q.valley_share == 1.0 for q in probes), "D should dip between every covered mode and its uncovered neighbours"
assert max(q.flow_to_uncovered for q in probes) < 0.05 and min(q.flow_to_covered for q in probes) > 0.9

# %% [markdown] slideshow={"slide_type": "subslide"}
# What the measurement shows, on all 6 seeds:
#
# * **D is saturated on the modes G misses, not on the fakes.** At the uncovered centres $\sigma(D)$ is
#   above 0.99 on average (per seed): D is sure they are real. At the fakes it is 0.23-0.35 on average,
#   so the factor $\sigma(-D)$ of Eq. (1) is 0.65-0.77: the generator's gradient has not vanished.
# * **The gradient points to the modes G already has.** Between every covered mode and every uncovered
#   neighbour D's logit dips, to between $-4.7$ and $-6.2$ on average per seed (it calls the gap fake),
#   before it rises to $+5$ or $+6$ at the uncovered centre. Uphill from a fake leads back to its own
#   mode: with D held fixed, Eq. (1) brings 96-99% of the fakes to covered modes and at most 2% to
#   uncovered ones (the rest end away from every mode). The picture also shows D high over wide empty regions, where there is neither data nor fakes.

# %% [markdown] slideshow={"slide_type": "subslide"}
# So the story "D saturates, so G gets no gradient" (the minimax loss's problem, chapter 2) is not what
# these runs show. G gets a gradient, but a *local* one: an uncovered mode is a peak of D that no fake can
# see across the valley around it, and D, which never sees a fake there, stays sure that it is real.
# Whether the critics of WGAN-GP and hinge + SN avoid such valleys is not measured here.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How fast is the live lab?
#
# `python benchmarks/bench.py --only-live` measures the lab as a learner uses it and records the figures in
# `benchmarks/results/lab_live.json`: in a Jupyter kernel on one torch thread (width 64, minibatch 256,
# the non-saturating GAN on ring8), generator steps/s of headless training against the view drawing
# every frame with every view on, interleaved in the same kernel; and in JupyterLab with headless
# Chromium, the time from a key press on a slider to the first animation frame that shows the new
# setting, over 30 moves (saved and live settings in turn). The engine keeps drawing within 20% of its
# thread's CPU time, so on a busy machine the frame rate drops before training slows further. The
# machine that recorded them was shared (its load average is saved with the figures), which inflates
# every wall-clock number. Recorded there: **10 frames/s** while training, training **14% slower** with
# the view than headless, and a key press to new pixels in **133 ms** median (90-882 ms over 30 moves),
# against a median of 207 ms when each frame was a matplotlib PNG (on the same machine, also loaded).

# %%
bench = json.loads((gc.store.ROOT / "benchmarks" / "results" / "lab_live.json").read_text())
lv, kp = bench["live"], bench["browser"]["summary"]
print(f"frames/s sent while training: {lv['view_frames_per_s']:.1f}; steps/s headless {lv['headless_steps_per_s']:.0f}, "
      f"with the view {lv['view_steps_per_s']:.0f}: {100 * lv['slowdown_wall']:.0f}% slower "
      f"({100 * lv['slowdown_cpu']:.0f}% per CPU second of the kernel); {lv['frame_cpu_ms']:.1f} ms CPU per frame")
print(f"key press to pixels: median {kp['picture_all']['median_ms']:.0f} ms "
      f"({kp['picture_all']['min_ms']:.0f}-{kp['picture_all']['max_ms']:.0f} ms over {kp['picture_all']['n']} moves; "
      f"saved {kp['picture_saved']['median_ms']:.0f} ms, live {kp['picture_live']['median_ms']:.0f} ms); "
      f"the browser drew {kp['browser_frames_per_s']:.1f} frames/s; load average {bench['live']['load_average'][0]:.1f} "
      f"on {bench['machine']['cpu_count']} cores")
assert (round(lv["view_frames_per_s"]), round(100 * lv["slowdown_wall"]), round(kp["picture_all"]["median_ms"]),
        round(kp["picture_all"]["min_ms"]), round(kp["picture_all"]["max_ms"])) == (10, 14, 133, 90, 882), \
    "the text above quotes other figures than benchmarks/results/lab_live.json"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** The reverse KL printed by the lab is $\mathrm{KL}(\hat p \,\|\, U_K) = \log K - H(\hat p)$ over the
# mode histogram $\hat p$ of high-quality samples. Recompute it for the final snapshot of the
# non-saturating GAN on grid25 from its samples with NumPy alone, and compare with the saved value.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
toy = gc.toys.grid25()
run = store.default_run("grid25", "nonsaturating")
x = run["samples"][-1].astype(float)  # the 500 samples kept for the picture (the saved value used 2,500)
d = np.sqrt(((x[:, None] - toy.centres[None]) ** 2).sum(-1))
near, hq = d.argmin(1), d.min(1) < 3 * toy.std
p = np.bincount(near[hq], minlength=25) / hq.sum()
rkl = np.log(25) + np.sum(p[p > 0] * np.log(p[p > 0]))
print(f"reverse KL from 500 samples {rkl:.3f}, saved (2,500 samples) {run['stats'][-1][2]:.3f}")

# %% [markdown]
# **2.** Which single knob of the saved grid helps the non-saturating GAN most on grid25? Look up
# every saved non-saturating setting and print its modes covered.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# Solution
for key, run in sorted(store.runs.items(), key=lambda kv: str(kv[0])):
    if key[:2] == ("grid25", "nonsaturating"):
        print(f"lr {key[2]:g}, n_critic {key[3]}, sigma {key[5]:g}: "
              + widgets.metrics_text(run["stats"][-1], 25))
