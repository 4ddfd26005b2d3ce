"""The time-to-quality helpers of benchmarks/bench.py (issue 15)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
bench = pytest.importorskip("bench")


def test_first_reach_is_the_first_snapshot_at_each_level():
    # (seconds, step, modes covered, HQ share) of a ring8 run
    trace = [(0.0, 0, 0, 0.0), (1.0, 50, 8, 0.5), (2.0, 100, 7, 0.93), (3.0, 150, 8, 0.96), (4.0, 200, 8, 0.97)]
    assert bench._first_reach(trace, 8) == {"all_modes": 1.0, "hq90": 2.0, "hq95": 3.0}
    assert bench._first_reach(trace[:3], 8) == {"all_modes": 1.0, "hq90": 2.0, "hq95": None}


def test_course_run_stops_at_the_cap_and_keeps_the_schedule():
    trace, n_modes = bench.ttq_course("ring8", "loss", "minimax", 0, "cpu", cap_s=1e-6)
    # scored before training and after the first chunk of steps (2,000 steps / 40 = 50), then capped
    assert n_modes == 8 and [p[1] for p in trace] == [0, 50]
    assert trace[0][0] == 0.0 < trace[1][0]
    assert all(0 <= p[3] <= 1 and 0 <= p[2] <= 8 for p in trace)
