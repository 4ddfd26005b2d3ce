"""gan_course.solutions: a solution cell's output is folded into a closed <details> element."""
import matplotlib

matplotlib.use("Agg")
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from gan_course import solutions


def test_marker_detection():
    assert solutions.is_solution_source("# Solution\nx = 1")
    assert not solutions.is_solution_source("x = 1  # Solution")


def test_details_holds_text_and_figures():
    from types import SimpleNamespace

    cap = SimpleNamespace(stdout="the answer is <42>\n", stderr="",
                          outputs=[SimpleNamespace(data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
                                   SimpleNamespace(data={"text/plain": "a table"})])
    page = solutions.details_html(cap)
    assert page.startswith("<details>") and "<summary>" in page, "closed until opened"
    assert "the answer is &lt;42&gt;" in page and 'src="data:image/png;base64,iVBORw0KGgo="' in page
    assert "<pre>a table</pre>" in page


@pytest.fixture()
def shell():
    ip = InteractiveShell.instance()
    yield ip
    InteractiveShell.clear_instance()


def test_hook_folds_only_solution_cells(shell):
    solutions.fold_outputs(shell)
    solutions.fold_outputs(shell)  # registering twice adds nothing
    shown = []
    import IPython.display

    real_display = IPython.display.display
    IPython.display.display = lambda obj, **kw: shown.append(obj)
    try:
        with capture_output() as cap:
            shell.run_cell("# Solution\nprint('secret', 6 * 7)")
            shell.run_cell("print('visible')")
            bad = shell.run_cell("# Solution\nassert False, 'wrong'")
    finally:
        IPython.display.display = real_display
    assert len(shown) == 2 and "secret 42" in shown[0].data and "<details>" in shown[0].data
    assert "secret" not in cap.stdout and "visible" in cap.stdout
    assert not bad.success, "a failing solution still fails"
