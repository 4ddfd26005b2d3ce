import math

import numpy as np
import pytest

from gan_course import bridges, toys


def test_segments_and_distances_on_the_grid():
    grid = toys.grid25()
    seg = bridges.neighbour_segments(grid.centres)
    assert len(seg) == 2 * 5 * 4  # 4 horizontal links per row, 5 rows, and the same vertically
    x = np.array([[1.0, 0.3], [1.0, 1.0], [5.0, 0.0]])
    assert bridges.distance_to_segments(x, seg) == pytest.approx([0.3, 1.0, 1.0])


def test_bridge_points_and_isotropic_blur():
    grid = toys.grid25()
    rng = np.random.default_rng(0)
    # points halfway along horizontal links, slightly off: every far miss lies on a bridge
    mid = grid.centres[(np.abs(grid.centres[:, 0] - 4) > 1e-9)] + [1.0, 0.0]
    on = mid[rng.integers(len(mid), size=300)] + rng.normal(0, 0.03, (300, 2))
    r = bridges.miss_report(on, grid)
    assert r.far == 300 and r.on_bridge > 0.98 and r.p_value < 1e-10
    # isotropic rings of radius 0.5 around the centres: the observed share matches the null,
    # which is 4 segments x 2 asin(w / r) / (2 pi) around an inner centre (w = 2 std = 0.1)
    k = rng.integers(25, size=3000)
    a = rng.uniform(0, 2 * math.pi, 3000)
    blur = grid.centres[k] + 0.5 * np.stack([np.cos(a), np.sin(a)], 1)
    r = bridges.miss_report(blur, grid)
    assert r.on_bridge == pytest.approx(r.null_on_bridge, abs=0.02) and r.p_value > 0.01
    inner = np.all(np.abs(grid.centres[k]) < 3, 1)
    assert r.null_on_bridge < 4 * 2 * math.asin(0.1 / 0.5) / (2 * math.pi) + 0.01
    assert inner.mean() < 1  # some rings sit at the border, with fewer links
    assert bridges.miss_report(grid.centres, grid).far == 0
