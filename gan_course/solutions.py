"""Exercise solutions keep their output folded, also after Run All.

A solution is a code cell whose code is collapsed (cell metadata) and whose first line is
``MARKER``. JupyterLab unfolds a cell's output whenever the cell runs, so folding by metadata
alone shows every answer after Run All. Instead, ``fold_outputs()`` (called once in each
chapter's set-up cell) hooks IPython: while a solution cell runs, its printed text and figures are
captured, and afterwards shown inside one HTML ``<details>`` element, closed until the reader
clicks it. Errors are not captured: a failing solution still fails the cell (and the test run).
"""
import base64
import html

MARKER = "# Solution"
SUMMARY = "Solution output (click to open)"


def is_solution_source(source):
    """True for a cell whose first line is the solution marker."""
    return source.lstrip().startswith(MARKER)


def details_html(captured, summary=SUMMARY):
    """HTML for a ``<details>`` element holding what ``captured`` (IPython's CapturedIO) collected:
    stdout and stderr as text, PNG figures as images, HTML as is, anything else as plain text."""
    parts = []
    if captured.stdout:
        parts.append(f"<pre>{html.escape(captured.stdout)}</pre>")
    if captured.stderr:
        parts.append(f'<pre style="background:#fdd">{html.escape(captured.stderr)}</pre>')
    for out in captured.outputs:
        data = out.data
        if "image/png" in data:
            png = data["image/png"]
            png = png if isinstance(png, str) else base64.b64encode(png).decode()
            parts.append(f'<img src="data:image/png;base64,{png}" style="max-width:100%">')
        elif "text/html" in data:
            parts.append(data["text/html"])
        elif "text/plain" in data:
            parts.append(f"<pre>{html.escape(data['text/plain'])}</pre>")
    body = "\n".join(parts) or "<p>(no output)</p>"
    return f"<details><summary><b>{html.escape(summary)}</b></summary>\n{body}\n</details>"


class _Folder:
    def __init__(self, shell):
        self.shell, self.capture, self.captured = shell, None, None

    def pre_run_cell(self, info):
        from IPython.utils.capture import capture_output

        if is_solution_source(getattr(info, "raw_cell", "") or ""):
            self.capture = capture_output()
            self.captured = self.capture.__enter__()

    def post_run_cell(self, result):
        if self.capture is None:
            return
        from IPython.display import HTML, display

        capture, captured, self.capture = self.capture, self.captured, None
        capture.__exit__(None, None, None)
        display(HTML(details_html(captured)))


def fold_outputs(shell=None):
    """Fold the output of solution cells (see the module docstring); a no-op outside IPython.
    Calling it again does not register the hooks twice."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return None
        shell = get_ipython()
    if shell is None:
        return None
    folder = getattr(shell, "_gan_course_folder", None)
    if folder is None:
        folder = shell._gan_course_folder = _Folder(shell)
        shell.events.register("pre_run_cell", folder.pre_run_cell)
        shell.events.register("post_run_cell", folder.post_run_cell)
    return folder
