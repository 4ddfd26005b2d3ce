"""Test-run plumbing shared by the unit tests and the chapters under nbval.

* Times each chapter notebook and enforces the course budget (docs/DESIGN.md, Budgets: 150 s a chapter),
  printing a table of chapter timings at the end.
* Keeps what nbval executed: when a chapter's last cell has run, the notebook with its
  outputs is written to build/executed/NN_name.ipynb, so the site test (tests/test_site.py)
  checks the real pages without executing every chapter a second time.
* Adds one item per chapter after its cells, "site page", that builds the chapter's page as
  `make site` does and checks it (tests/test_site.py); with ``--dist loadfile`` it runs on the
  same worker as the cells, right after them.
"""
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
EXECUTED = ROOT / "build" / "executed"
CHAPTER_BUDGET_S = 150.0
_chapter_seconds = defaultdict(float)


def _is_cell(item):
    return type(item).__name__ == "IPyNbCell"


class ChapterPage(pytest.Item):
    """The chapter's page of the static site, checked right after the chapter's last cell ran
    (same notebook, so the same xdist worker under --dist loadfile)."""

    def runtest(self):
        from tests.test_site import check_chapter_page

        check_chapter_page(Path(str(self.fspath)).stem)

    def reportinfo(self):
        return self.fspath, 0, f"{Path(str(self.fspath)).name}: site page"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if type(collector).__name__ == "IPyNbFile" and report.passed and report.result:
        report.result.append(ChapterPage.from_parent(collector, name="site page"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    start = time.perf_counter()
    yield
    if _is_cell(item):  # keep what nbval executed
        item.cell.outputs = list(item.test_outputs or [])
        item.parent._gan_course_seconds = getattr(item.parent, "_gan_course_seconds", 0.0) + time.perf_counter() - start


def pytest_runtest_teardown(item, nextitem):
    if _is_cell(item) and (nextitem is None or not _is_cell(nextitem) or nextitem.parent is not item.parent):
        import nbformat

        nb = item.parent.nb
        nb.metadata["gan_course"] = {"seconds": getattr(item.parent, "_gan_course_seconds", float("nan"))}
        EXECUTED.mkdir(parents=True, exist_ok=True)
        tmp = EXECUTED / f".{Path(str(item.fspath)).name}.{os.getpid()}"
        nbformat.write(nb, tmp)
        tmp.replace(EXECUTED / Path(str(item.fspath)).name)


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
    out = os.environ.get("GAN_COURSE_TIMINGS")
    if out:
        Path(out).write_text(json.dumps(dict(_chapter_seconds), indent=2))


def pytest_sessionfinish(session, exitstatus):
    over = {n: round(s, 1) for n, s in _chapter_seconds.items() if s > CHAPTER_BUDGET_S}
    if over and session.exitstatus == 0:
        print(f"\nchapters over the {CHAPTER_BUDGET_S:.0f} s budget: {over}")
        session.exitstatus = 1
