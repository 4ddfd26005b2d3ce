"""The time-to-quality helpers of benchmarks/bench.py (issue 15)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
bench = pytest.importorskip("bench")


def test_first_reach_is_the_first_snapshot_at_each_level_with_every_mode():
    # (seconds, step, modes covered, HQ share) of a ring8 run; at 2.0 s 93% HQ but a mode is missing
    trace = [(0.0, 0, 0, 0.0), (1.0, 50, 8, 0.5), (2.0, 100, 7, 0.93), (3.0, 150, 8, 0.96), (4.0, 200, 8, 0.97)]
    assert bench._first_reach(trace, 8) == {"all_modes": 1.0, "hq90": 3.0, "hq95": 3.0}
    assert bench._first_reach(trace[:3], 8) == {"all_modes": 1.0, "hq90": None, "hq95": None}
    # a fresh generator collapsed onto grid25's centre mode: 100% high quality, one mode, no level reached
    assert bench._first_reach([(0.0, 0, 1, 1.0)], 25) == {"all_modes": None, "hq90": None, "hq95": None}


def test_row_takes_median_and_worst_over_seeds():
    runs = [dict(seed=s, trace=[(0.0, 0, 0, 0.0), (t, 10, 8, 0.96)]) for s, t in enumerate((5.0, 1.0, 3.0))]
    row = bench.ttq_row("ring8", "r", runs, 60, 8)
    assert row["hq95_median_s"] == 3.0 and row["hq95_worst_s"] == 5.0 and row["hq95_reached"] == 3
    runs[0]["trace"] = [(0.0, 0, 0, 0.0), (5.0, 10, 8, 0.94)]  # seed 0 never reaches 95%
    row = bench.ttq_row("ring8", "r", runs, 60, 8)
    assert row["hq95_median_s"] == 3.0 and row["hq95_worst_s"] is None and row["hq95_reached"] == 2
    runs[1]["trace"] = runs[0]["trace"]  # two of three never: the median is never
    assert bench.ttq_row("ring8", "r", runs, 60, 8)["hq95_median_s"] is None


def test_course_run_stops_at_the_cap_and_keeps_the_schedule():
    trace, n_modes = bench.ttq_course("ring8", "loss", "minimax", 0, "cpu", cap_s=1e-6)
    # scored before training and after the first chunk of steps (2,000 steps / 40 = 50), then capped
    assert n_modes == 8 and [p[1] for p in trace] == [0, 50]
    assert trace[0][0] == 0.0 < trace[1][0]
    assert all(0 <= p[3] <= 1 and 0 <= p[2] <= 8 for p in trace)


def _row(ds, recipe, hq95):
    run = dict(seed=0, final_modes=8, final_hq=0.951, run_s=31.6, trace=[[0.0, 0, 0, 0.0], [31.6, 5500, 8, 0.951]])
    return dict(dataset=ds, recipe=recipe, runs=[run], all_modes_median_s=2.96, all_modes_worst_s=2.96,
                hq90_median_s=14.1, hq90_worst_s=14.1, hq95_median_s=hq95, hq95_worst_s=hq95)


def test_merge_replaces_only_the_rows_measured_again():
    old = [_row("ring8", "a", 30.0), _row("ring8", "b", None), _row("grid25", "a", None)]
    merged = bench.merge_ttq_rows(old, [_row("grid25", "a", 90.0)])
    assert [(r["dataset"], r["recipe"], r["hq95_median_s"]) for r in merged] == [
        ("ring8", "a", 30.0), ("ring8", "b", None), ("grid25", "a", 90.0)]


def test_markdown_table_has_one_line_per_recipe_of_the_dataset():
    md = bench.ttq_markdown([_row("ring8", "preset fast", 31.6), _row("grid25", "x", None)], "ring8").splitlines()
    assert len(md) == 3 and md[2].startswith("| preset fast | 3 / 3 | 14 / 14 | 32 / 32 |")
    assert "seed 0: 5500, 32 s, 8, 95.1%" in md[2]
    assert "never / never" in bench.ttq_markdown([_row("grid25", "x", None)], "grid25")
