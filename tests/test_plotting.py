import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from gan_course import nets, plotting, toys


def test_kde_integrates_to_one_and_recovers_a_gaussian():
    x = toys.gaussian1d(1.0, 0.5).sample(20_000, seed=0).numpy()
    grid = np.linspace(-2, 4, 601)
    k = plotting.kde_1d(x, grid)
    assert np.trapezoid(k, grid) == pytest.approx(1.0, abs=1e-3)
    assert np.abs(k - toys.gaussian1d(1.0, 0.5).pdf(grid)).max() < 0.05


def test_figure1_draws_the_paper_styles():
    fig, ax = plt.subplots()
    x = np.linspace(-3, 3, 50)
    plotting.figure1(ax, x, np.ones(50) * 0.2, np.ones(50) * 0.3, np.ones(50) * 0.5, z=np.linspace(0, 1, 5),
                     x_of_z=np.linspace(-1, 1, 5))
    data, gen, disc = ax.lines[:3]
    assert data.get_color() == "black" and data.get_linestyle() == ":"
    assert gen.get_color() == "green"
    assert disc.get_linestyle() == "--"
    assert len([c for c in ax.texts if c.get_text().strip() in ("z", "x")]) == 2
    assert len(ax.patches) + len([a for a in ax.get_children() if isinstance(a, matplotlib.text.Annotation)]) >= 5
    plt.close(fig)


def test_field_on_grid_matches_direct_evaluation():
    torch.manual_seed(0)
    D = nets.Discriminator(2, 8, 1)
    xs, ys, v = plotting.field_on_grid(D, lims=(-1, 1), n=5)
    with torch.no_grad():
        want = torch.sigmoid(D(torch.tensor([[xs[3], ys[1]]], dtype=torch.float32))).item()
    assert v.shape == (5, 5) and v[1, 3] == pytest.approx(want, rel=1e-5)


def test_samples_over_field_labels_axes():
    fig, ax = plt.subplots()
    D = nets.Discriminator(2, 8, 1)
    plotting.samples_over_field(ax, np.zeros((10, 2)), plotting.field_on_grid(D, n=10), centres=toys.ring8().centres)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    plt.close(fig)


def test_course_style_fits_a_notebook_column():
    """A default figure is at most ~900 px wide and its text at least 11 pt."""
    with matplotlib.rc_context():
        plotting.course_style()
        fig = plt.figure()
        w, _ = fig.get_size_inches() * fig.dpi
        assert w <= 950 and matplotlib.rcParams["xtick.labelsize"] >= 11 and matplotlib.rcParams["font.size"] >= 11
        plt.close(fig)


def test_colorbar_ticks_are_short():
    """At most 6 ticks, all different, none longer than 8 characters."""
    fig, ax = plt.subplots()
    im = ax.imshow(np.linspace(0.0100, 0.0107, 100).reshape(10, 10))
    cb = plotting.colorbar(ax, im, "critic f(x)")
    fig.canvas.draw()
    lo, hi = cb.ax.get_ylim()
    labels = [t.get_text() for t in cb.ax.get_yticklabels() if t.get_text() and lo <= t.get_position()[1] <= hi]
    assert 2 <= len(labels) <= 6 and len(set(labels)) == len(labels), labels
    assert all(len(t.replace("−", "-")) <= 8 for t in labels), labels
    assert cb.ax.get_ylabel() == "critic f(x)"
    plt.close(fig)


def test_animation_html_has_no_cdn_link_but_keeps_the_player():
    import re

    import matplotlib
    matplotlib.use("Agg")
    x = np.linspace(-3, 3, 50)
    frames = [dict(p_g=np.exp(-x ** 2 / 2), d=np.full_like(x, 0.5), title=f"step {i}") for i in range(2)]
    anim = plotting.animate_figure1(frames, x, np.exp(-x ** 2 / 2))
    raw = anim.to_jshtml()
    assert re.search(r"href=\"https?://[^\"]*font-awesome", raw), "matplotlib's player links Font Awesome from a CDN"
    html = plotting.animation_html(anim).data
    assert not re.search(r"(src|href)\s*=\s*[\"'](https?:)?//", html), "a remote reference is left"
    assert "fa fa-play" in html and html.count("<img") >= 1, "the player's buttons and frames stay"
