"""Time each chapter notebook under nbval and enforce the course budget (COURSE.md: 150 s a chapter)."""
from collections import defaultdict
from pathlib import Path

CHAPTER_BUDGET_S = 150.0
_chapter_seconds = defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _chapter_seconds[Path(path).name] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _chapter_seconds:
        return
    terminalreporter.section("chapter timings (nbval, wall seconds)")
    for name, s in sorted(_chapter_seconds.items()):
        flag = "  OVER BUDGET" if s > CHAPTER_BUDGET_S else ""
        terminalreporter.write_line(f"{name:45s} {s:7.1f} s{flag}")


def pytest_sessionfinish(session, exitstatus):
    over = {n: s for n, s in _chapter_seconds.items() if s > CHAPTER_BUDGET_S}
    if over and session.exitstatus == 0:
        print(f"\nchapters over the {CHAPTER_BUDGET_S:.0f} s budget: {over}")
        session.exitstatus = 1
