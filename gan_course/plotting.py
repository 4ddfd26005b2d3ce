"""Figures shared by the chapters.

* ``figure1``: the 1-D picture of Goodfellow et al. (2014), Figure 1: data density black
  dotted, generator density p_g green solid, discriminator D blue dashed, and arrows from
  the latent line z (below) to x = G(z) (above).
* ``animate_figure1``: the same picture over training snapshots (a matplotlib animation).
* ``field_on_grid`` / ``samples_over_field``: 2-D samples drawn over a discriminator or critic field.
* ``course_style``: the one figure style of the course (every chapter calls it in its set-up cell;
  the lab's figure reads the same ``COURSE_RC``): sizes that fit a notebook column and a projector.
"""
import re

import numpy as np
import torch

# A notebook column (JupyterLab, 1280 px screen, file browser open) and a projector both show about
# 900 px of figure without scaling: at 100 dpi a figure is at most FULL_WIDTH inches wide, and text is
# at least 11 pt (~15 px) so that it reads from the back of a room.
DPI = 100
FULL_WIDTH = 9.0  # inches: one figure across the column
HALF_WIDTH = 4.5
COURSE_RC = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.figsize": (FULL_WIDTH, 3.6),
    "figure.autolayout": True,  # tight layout at every draw: titles and labels do not collide
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.framealpha": 0.85,
    "lines.linewidth": 2.0,
    "lines.markersize": 6,
    "axes.grid": False,
    "image.cmap": "viridis",
    "animation.embed_limit": 40.0,  # MB: the chapters' animations embed as JavaScript
}
# Generated samples are drawn in a colour that stands out on every field colour map the course uses.
SAMPLE_STYLE = dict(c="#ffd21f", edgecolors="black", linewidths=0.4)


def course_style():
    """Apply the course's figure style (``COURSE_RC``) to matplotlib; chapters call it once after the
    imports. Also asks the notebook's inline backend for PNGs at that dpi."""
    import matplotlib

    matplotlib.rcParams.update(COURSE_RC)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:  # outside IPython
        pass


def no_minor_labels(axis):
    """Log axes label their decades only (no stray 3x10^0 or 4x10^-1 minor tick labels)."""
    from matplotlib.ticker import NullFormatter

    axis.set_minor_formatter(NullFormatter())


DATA_STYLE = dict(color="black", linestyle=":", linewidth=2, label=r"data $p_{data}$")
GEN_STYLE = dict(color="green", linewidth=2, label=r"generator $p_g$")
DISC_STYLE = dict(color="tab:blue", linestyle="--", linewidth=2, label=r"discriminator $D(x)$")


def kde_1d(samples, grid, bandwidth=None):
    """Gaussian kernel density estimate of 1-D ``samples`` on ``grid`` (Silverman's bandwidth)."""
    s = np.ravel(np.asarray(samples, float))
    if bandwidth is None:
        bandwidth = 1.06 * max(s.std(), 1e-3) * len(s) ** (-1 / 5)
    g = np.asarray(grid, float)[:, None]
    return np.exp(-0.5 * ((g - s) / bandwidth) ** 2).sum(1) / (len(s) * bandwidth * np.sqrt(2 * np.pi))


def figure1(ax, x_grid, p_data, p_g, d, z=None, x_of_z=None, title=None, density_max=None):
    """Draw Goodfellow et al. (2014) Figure 1 on ``ax``.

    ``p_data``, ``p_g`` and ``d`` are values on ``x_grid``; ``z`` and ``x_of_z`` (optional) are a
    few latent points and their images G(z), drawn as arrows from the z line up to the x line."""
    top = density_max or 1.05 * max(np.max(p_data), np.max(p_g), 1.0)
    ax.plot(x_grid, p_data, **DATA_STYLE)
    ax.plot(x_grid, p_g, **GEN_STYLE)
    ax.plot(x_grid, d, **DISC_STYLE)
    z_line, x_line = -0.45 * top, -0.08 * top
    if z is not None:
        z, x_of_z = np.ravel(z), np.ravel(x_of_z)
        lo, hi = x_grid[0], x_grid[-1]
        z_pos = lo + (z - z.min()) / max(np.ptp(z), 1e-9) * (hi - lo) * 0.5 + 0.25 * (hi - lo)
        ax.hlines([z_line, x_line], lo, hi, color="0.3", linewidth=1)
        for a, b in zip(z_pos, x_of_z):
            ax.annotate("", xy=(b, x_line), xytext=(a, z_line),
                        arrowprops=dict(arrowstyle="->", color="0.4", linewidth=0.8))
        ax.text(lo, z_line, "z ", ha="right", va="center")
        ax.text(lo, x_line, "x ", ha="right", va="center")
    ax.set_ylim(z_line - 0.08 * top if z is not None else 0, top)
    ax.set_xlim(x_grid[0], x_grid[-1])
    ax.set_xlabel("x")
    ax.set_ylabel("density / D(x)")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right")
    return ax


def animate_figure1(frames, x_grid, p_data, interval=200, density_max=None):
    """Animate ``frames``: a list of dicts with ``p_g``, ``d`` and optionally ``z``, ``x_of_z``, ``title``.

    ``density_max`` fixes the top of the y axis (default: the highest curve of all frames), so that a
    spiky early p_g does not flatten the later frames. Returns a ``matplotlib.animation.FuncAnimation``;
    in a notebook show it with ``animation_html(anim)``."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots(figsize=(FULL_WIDTH, 3.6))
    top = density_max or 1.05 * max(max(np.max(f["p_g"]) for f in frames), np.max(p_data), 1.0)

    def draw(i):
        ax.clear()
        f = frames[i]
        figure1(ax, x_grid, p_data, f["p_g"], f["d"], f.get("z"), f.get("x_of_z"), f.get("title"), top)

    anim = FuncAnimation(fig, draw, frames=len(frames), interval=interval)
    plt.close(fig)
    return anim


# matplotlib's JavaScript player links Font Awesome (its button icons) from a CDN
_CDN_LINK = re.compile(r"<link\b[^>]*href=[\"'](?:https?:)?//[^\"']*font-awesome[^>]*>", re.I)


def animation_html(anim):
    """``anim`` as matplotlib's JavaScript player (``to_jshtml``), without the player's link to Font
    Awesome on a CDN: the page's own copy draws the buttons (JupyterLab's widget manager ships one;
    the course site and the slides copy theirs from npm), so nothing is loaded from another site."""
    from IPython.display import HTML

    return HTML(_CDN_LINK.sub("", anim.to_jshtml()))


def field_on_grid(D, lims=(-3, 3), n=50, transform="sigmoid"):
    """Evaluate ``D`` on an n x n grid over ``lims`` (a pair, or ((xlo, xhi), (ylo, yhi))).

    Returns ``(xs, ys, values)`` with values of shape (n, n), row i at y = ys[i].
    ``transform``: 'sigmoid' gives D(x) in [0, 1]; 'none' the raw critic value."""
    (xlo, xhi), (ylo, yhi) = (lims, lims) if np.ndim(lims[0]) == 0 else lims
    xs, ys = np.linspace(xlo, xhi, n), np.linspace(ylo, yhi, n)
    xx, yy = np.meshgrid(xs, ys)
    param = next(D.parameters())
    pts = torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=param.dtype, device=param.device)
    with torch.no_grad():
        v = D(pts)
        v = torch.sigmoid(v) if transform == "sigmoid" else v
    return xs, ys, v.reshape(n, n).cpu().numpy()


def colorbar(ax, mappable, label):
    """A colour bar beside ``ax`` with a label and at most 5 ticks, each with just the decimals
    that tell it from its neighbours (no 0.0101, 0.0101, 0.0102 repeats; no 10-digit labels)."""
    import math

    from matplotlib.ticker import FuncFormatter, MaxNLocator

    cb = ax.figure.colorbar(mappable, ax=ax, label=label, fraction=0.046, pad=0.03)
    locator = MaxNLocator(5)
    cb.locator = locator
    lo, hi = cb.ax.get_ylim()
    ticks = [t for t in locator.tick_values(lo, hi) if lo <= t <= hi]
    step = min((b - a for a, b in zip(ticks, ticks[1:])), default=abs(hi - lo) or 1.0)
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    if abs(hi) >= 1e4 or (0 < max(abs(lo), abs(hi)) < 1e-3):
        cb.formatter = FuncFormatter(lambda v, _: f"{v:.2e}")
    else:
        cb.formatter = FuncFormatter(lambda v, _: f"{v:.{decimals}f}")
    cb.update_ticks()
    return cb


def samples_over_field(ax, samples, field=None, real=None, centres=None, title=None, field_label="D(x)", lims=None,
                       legend=True):
    """Scatter generated ``samples`` (N, 2) over a ``field`` = (xs, ys, values) from ``field_on_grid``.

    The field gets a colour bar labelled ``field_label`` (what the colours mean differs per loss); the
    samples are yellow with a dark edge, visible on both ends of the colour map; the legend sits below
    the axes so that it covers no mode."""
    if field is not None:
        xs, ys, v = field
        im = ax.contourf(xs, ys, v, levels=20, cmap="RdBu_r", alpha=0.8)
        colorbar(ax, im, field_label)
        lims = lims or ((xs[0], xs[-1]), (ys[0], ys[-1]))
    if real is not None:
        r = np.asarray(real)
        ax.scatter(r[:, 0], r[:, 1], s=3, c="black", alpha=0.35, label="real")
    s = np.asarray(samples)
    ax.scatter(s[:, 0], s[:, 1], s=9, alpha=0.8, label="generated", zorder=3, **SAMPLE_STYLE)
    if centres is not None:  # under the samples: a tight generated mode covers its centre
        c = np.asarray(centres)
        ax.scatter(c[:, 0], c[:, 1], marker="x", s=40, linewidths=1.2, c="black", label="mode centres", zorder=2)
    if lims is not None:
        (xlo, xhi), (ylo, yhi) = (lims, lims) if np.ndim(lims[0]) == 0 else lims
        ax.set_xlim(xlo, xhi)
        ax.set_ylim(ylo, yhi)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize="small", markerscale=1.5,
                  frameon=False, handletextpad=0.2, columnspacing=0.8)
    return ax
