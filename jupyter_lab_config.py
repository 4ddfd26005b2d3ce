"""JupyterLab settings for the course (`make lab` passes this file with --config).

* The file browser lists each chapter once: its notebook. The paired ``NN_name.py`` (the
  jupytext source) is hidden from the listing only; jupytext still reads and writes it.
* After JupyterLab saves a notebook, git's record of that file is refreshed when nbstripout's
  filter finds nothing but outputs changed. Git compares file sizes before it compares contents,
  so a notebook saved with outputs shows as "modified" in `git status` although `git diff` (which
  applies the filter) is empty; ``git add`` of such a file stores the same stripped blob and only
  updates the size and time git keeps. A file whose cells did change is never touched.
"""
import subprocess
from pathlib import Path

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

c.ContentsManager.hide_globs = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~", ".ipynb_checkpoints",
                                "[0-9][0-9]_*.py"]


def refresh_git_index(model, os_path, contents_manager, **kwargs):
    """Post-save hook: ``git add`` a tracked notebook whose stripped content equals git's copy."""
    path = Path(os_path)
    if path.suffix != ".ipynb":
        return
    git = ["git", "-C", str(path.parent)]
    try:
        tracked = subprocess.run(git + ["ls-files", "--error-unmatch", path.name], capture_output=True).returncode == 0
        if tracked and subprocess.run(git + ["diff", "--quiet", "--", path.name]).returncode == 0:
            subprocess.run(git + ["add", "--", path.name], capture_output=True, check=False)
    except OSError:  # no git on this machine: nothing to refresh
        pass


c.FileContentsManager.post_save_hook = refresh_git_index
