"""What the long-running commands write to disk, in one place: atomic writes, clear read errors,
and the mode-collapse lab's on-disk format.

* Atomic writes (``write_json``, ``save_npy``, ``save_npz``, ``save_torch``): the data go to a
  temporary file in the same folder, which is then renamed over the target (``os.replace``), so
  an interrupted write leaves either the old file or the new one, never half of one.
* Reads (``read_json``, ``load_npz``, ``load_torch``): a missing or damaged file raises
  ``AssetError`` naming the file and the command that remakes it.
* ``assets_path`` / ``guard_output``: an output folder is checked before any work (it must be a
  folder we can write to), and a shipped folder under ``assets/`` is overwritten only when asked.
* The lab's format (``python -m gan_course.lab``):

  - ``precompute`` writes ``grid.npz`` (per grid run: ``samples`` (S, 500, 2) float16, ``field``
    (S, 50, 50) float16 raw D output, ``stats`` (S, 3) float32 = modes covered, high-quality
    fraction, reverse KL; ``steps`` (S,)), ``grid.json`` (``lims``, ``field_n`` and one record per
    run: dataset, loss, knobs, setting, diverged_at, final metrics) and ``results.json`` (one record
    per seed of the shipped 10-seed runs);
  - ``train --out DIR`` writes ``DIR/run.json`` (what the folder holds: dataset, loss, steps and the
    setting without its seed) and per seed ``DIR/seed_S/samples.npy`` (2,500, 2) float32 and
    ``DIR/seed_S/metrics.json``; a run stopped by Ctrl-C is written with ``"partial": true``;
  - ``LabStore``: the grid in memory, for the lab's sliders.
"""
import json
import os
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
LAB_ASSETS = ASSETS / "lab"
LAB_COMMAND = "python -m gan_course.lab precompute --out assets/lab --overwrite-assets"
N_SHOW = 500  # samples kept per snapshot for the picture (metrics use 2,500)
FIELD_N = 50  # D's field is saved on a FIELD_N x FIELD_N grid
LIMS = {"ring8": 3.0, "grid25": 6.0}  # the field's square window [-lim, lim]^2 per dataset


_UMASK = os.umask(0)
os.umask(_UMASK)


class AssetError(OSError):
    """A file the course reads is missing or damaged; the message names it and the command that remakes it."""


# ----------------------------------------------------------------------------------------------
# output folders
# ----------------------------------------------------------------------------------------------
def assets_path(path):
    """True when ``path`` is the shipped ``assets/`` folder or inside it."""
    p = Path(path).resolve()
    return p == ASSETS or ASSETS in p.parents


def guard_output(path, overwrite_assets=False, flag="--overwrite-assets"):
    """Check an output folder before any work; return it as a Path.

    It must be a folder or creatable as one, and writable (a probe file is written and removed).
    A folder inside the shipped ``assets/`` that already holds files is refused unless
    ``overwrite_assets`` (the command line's ``flag``)."""
    p = Path(path)
    for parent in [p, *p.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"output folder {p}: {parent} exists and is not a folder")
            break
    if assets_path(p) and p.is_dir() and any(p.iterdir()) and not overwrite_assets:
        raise ValueError(f"output folder {p} holds the shipped assets; write elsewhere, or pass {flag} "
                         "to remake them in place")
    try:
        p.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=p, prefix=".write-test-")
        os.close(fd)
        os.remove(probe)
    except OSError as e:
        raise ValueError(f"cannot write to output folder {p}: {e.strerror or e}") from None
    return p


# ----------------------------------------------------------------------------------------------
# atomic writes
# ----------------------------------------------------------------------------------------------
@contextmanager
def _atomic(path, suffix):
    """Yield a temporary path next to ``path``; on success rename it over ``path``, else remove it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; the file gets the usual permissions
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(path, obj, indent=1):
    """Write ``obj`` as JSON to ``path`` atomically."""
    with _atomic(path, ".json") as tmp:
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=indent)


def save_npy(path, array):
    """``np.save`` to ``path`` atomically."""
    with _atomic(path, ".npy") as tmp:
        with open(tmp, "wb") as f:
            np.save(f, array)


def save_npz(path, **arrays):
    """``np.savez_compressed`` to ``path`` atomically."""
    with _atomic(path, ".npz") as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)


def save_torch(path, obj):
    """``torch.save`` to ``path`` atomically."""
    import torch

    with _atomic(path, ".pt") as tmp:
        torch.save(obj, tmp)


# ----------------------------------------------------------------------------------------------
# reads that name the file
# ----------------------------------------------------------------------------------------------
def _damaged(path, remake, e):
    return AssetError(f"{path} is damaged or not the expected format ({type(e).__name__}: {e}); "
                      f"remake it with `{remake}`")


def _missing(path, remake):
    return AssetError(f"{path} is missing; make it with `{remake}`")


def read_json(path, remake):
    path = Path(path)
    if not path.is_file():
        raise _missing(path, remake)
    try:
        return json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as e:
        raise _damaged(path, remake, e) from None


def load_npz(path, remake, keys=()):
    """All arrays of an ``.npz`` file as a dict (read now, so a damaged file fails here)."""
    path = Path(path)
    if not path.is_file():
        raise _missing(path, remake)
    try:
        with np.load(path) as z:
            out = {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise _damaged(path, remake, e) from None
    absent = [k for k in keys if k not in out]
    if absent:
        raise AssetError(f"{path} lacks the arrays {absent}; remake it with `{remake}`")
    return out


def load_torch(path, remake):
    """``torch.load(path, map_location='cpu', weights_only=True)``, naming the file when it fails."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise _missing(path, remake)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, ValueError, zipfile.BadZipFile) as e:
        raise _damaged(path, remake, e) from None


# ----------------------------------------------------------------------------------------------
# the lab: the shipped grid and results
# ----------------------------------------------------------------------------------------------
def finite_or_none(v):
    """JSON has no inf: a reverse KL with no high-quality sample is written as null."""
    return float(v) if np.isfinite(v) else None


def write_lab_grid(out, grid_runs, lims, command=LAB_COMMAND):
    """``grid.npz`` + ``grid.json`` from the grid runs of ``lab.precompute`` (dicts with samples, field,
    stats, steps, dataset, loss, knobs, setting, diverged_at, final)."""
    out = Path(out)
    save_npz(out / "grid.npz", samples=np.stack([r["samples"] for r in grid_runs]),
             field=np.stack([r["field"] for r in grid_runs]),
             stats=np.array([r["stats"] for r in grid_runs], np.float32),
             steps=np.stack([r["steps"] for r in grid_runs]))
    write_json(out / "grid.json", dict(command=command, lims=lims, field_n=FIELD_N,
                                       runs=[{k: r[k] for k in ("dataset", "loss", "knobs", "setting", "diverged_at",
                                                                "final")} for r in grid_runs]))


def write_lab_results(out, results, width, depth, batch_size, seconds, command=LAB_COMMAND):
    """``results.json``: one record per seed of the shipped runs."""
    write_json(Path(out) / "results.json", dict(command=command, width=width, depth=depth, batch_size=batch_size,
                                                results=results, seconds=seconds))


def load_results(folder=LAB_ASSETS):
    """The shipped results (``results.json``) as {(loss, dataset): [one dict per seed]}."""
    path = Path(folder) / "results.json"
    data = read_json(path, LAB_COMMAND)
    out = {}
    try:
        for r in data["results"]:
            out.setdefault((r["loss"], r["dataset"]), []).append(r)
    except (KeyError, TypeError) as e:
        raise AssetError(f"{path} lacks the expected fields ({e}); remake it with `{LAB_COMMAND}`") from None
    return out


PAPER_PENALTY = ASSETS / "paper_penalty"
PAPER_PENALTY_COMMAND = "python scripts/paper_penalty.py --dataset DATASET --seeds 0 1 2 --out assets/paper_penalty"


def load_paper_penalty(folder=PAPER_PENALTY):
    """The WGAN-GP runs at the paper's lambda = 10 (``scripts/paper_penalty.py``) as {dataset: [one dict per
    seed]}, each dict the seed's *final* snapshot (``seed``, ``step``, ``modes_covered``, ``n_modes``,
    ``hq_fraction``, ``reverse_kl``) plus ``setting``; datasets not run are absent. Also returns the
    files' headers as {dataset: dict} (command, steps, penalty_weight, cpu_seconds)."""
    folder = Path(folder)
    runs, headers = {}, {}
    for path in sorted(folder.glob("*.json")):
        data = read_json(path, PAPER_PENALTY_COMMAND)
        try:
            runs[data["dataset"]] = [dict(seed=r["seed"], setting=r["setting"], **r["stats"][-1]) for r in data["runs"]]
            headers[data["dataset"]] = {k: v for k, v in data.items() if k != "runs"}
        except (KeyError, TypeError, IndexError) as e:
            raise AssetError(f"{path} lacks the expected fields ({e}); remake it with `{PAPER_PENALTY_COMMAND}`") from None
    if not runs:
        raise AssetError(f"no results in {folder}; make them with `{PAPER_PENALTY_COMMAND}`")
    return runs, headers


def knob_key(dataset, loss, lr, n_critic, penalty_weight, noise_sigma):
    """The lookup key of a lab run: its dataset, loss and slider values (rounded to 4 digits)."""
    pw = None if loss != "wgan-gp" else float(f"{penalty_weight:.4g}")
    return (dataset, loss, float(f"{lr:.4g}"), int(n_critic), pw, float(f"{noise_sigma:.4g}"))


def setting_key(dataset, loss, setting):
    return knob_key(dataset, loss, setting.lr_d, setting.n_critic, setting.penalty_weight, setting.noise_sigma)


class LabStore:
    """Saved runs: ``key -> dict(steps (S,), samples (S, n, 2), field (S, 50, 50), stats (S, 3))``,
    stats columns: modes covered, high-quality fraction, reverse KL. ``defaults[(dataset, loss)]`` is
    the key of the loss's tuned setting (the grid run without knob changes)."""

    def __init__(self, lims=None, field_n=FIELD_N):
        self.runs, self.lims, self.field_n, self.defaults = {}, dict(lims or LIMS), field_n, {}

    @classmethod
    def load(cls, folder=LAB_ASSETS):
        folder = Path(folder)
        meta = read_json(folder / "grid.json", LAB_COMMAND)
        arrays = load_npz(folder / "grid.npz", LAB_COMMAND, keys=("samples", "field", "stats", "steps"))
        samples, field, stats, steps = (arrays[k] for k in ("samples", "field", "stats", "steps"))
        try:
            store = cls(meta["lims"], meta["field_n"])
            if len(meta["runs"]) != len(samples):
                raise ValueError(f"{len(meta['runs'])} runs in grid.json but {len(samples)} in grid.npz")
            for i, run in enumerate(meta["runs"]):
                s = run["setting"]
                key = knob_key(run["dataset"], run["loss"], s["lr_d"], s["n_critic"], s["penalty_weight"],
                               s["noise_sigma"])
                store.runs[key] = dict(steps=steps[i], samples=samples[i], field=field[i], stats=stats[i])
                if not run.get("knobs") and s.get("seed", 0) == 0:
                    store.defaults[(run["dataset"], run["loss"])] = key
        except (KeyError, TypeError, ValueError) as e:
            raise AssetError(f"the lab grid in {folder} is inconsistent ({e}); remake it with `{LAB_COMMAND}`") from None
        return store

    def add(self, result):
        """Add one result of ``lab.train`` (one seed)."""
        key = setting_key(result["dataset"], result["loss"], result["setting"])
        self.runs[key] = dict(steps=result["steps"], samples=result["samples"][:, :N_SHOW].astype(np.float16),
                              field=result["field"].astype(np.float16),
                              stats=np.array([[s.modes_covered, s.hq_fraction, s.reverse_kl] for s in result["stats"]],
                                             np.float32))
        if result.get("tuned") and result["setting"].seed == 0:
            self.defaults[(result["dataset"], result["loss"])] = key
        return key

    def get(self, key):
        return self.runs.get(key)

    def default_run(self, dataset, loss):
        """The saved run of ``loss`` at its tuned defaults (seed 0) on ``dataset``."""
        key = self.defaults.get((dataset, loss))
        return None if key is None else self.get(key)


# ----------------------------------------------------------------------------------------------
# the lab: one `train --out DIR` folder
# ----------------------------------------------------------------------------------------------
RUN_JSON = "run.json"


def run_description(dataset, loss, steps, setting_dict, width, depth, batch_size):
    """What a `train --out DIR` folder holds, seeds aside: two runs may share DIR only if these agree."""
    s = {k: v for k, v in setting_dict.items() if k != "seed"}
    return dict(dataset=dataset, loss=loss, steps=int(steps), setting=s, width=width, depth=depth,
                batch_size=batch_size)


def claim_run_folder(out, description, allow_mixed=False):
    """Check (before training) that ``out`` may hold runs of ``description``: a folder of another setting
    is refused unless ``allow_mixed``; record the description in ``out/run.json``. Returns the seeds
    already saved there."""
    out = Path(out)
    path = out / RUN_JSON
    if path.exists():
        old = read_json(path, "delete the folder and run `python -m gan_course.lab train ...` again")
        if old != description and not allow_mixed:
            diff = sorted(k for k in set(old) | set(description) if old.get(k) != description.get(k))
            if "setting" in diff:
                diff.remove("setting")
                diff += [f"setting.{k}" for k in sorted(set(old["setting"]) | set(description["setting"]))
                         if old["setting"].get(k) != description["setting"].get(k)]
            raise ValueError(f"output folder {out} holds runs of another setting (differs in {', '.join(diff)}); "
                             "use another --out folder, or pass --mix-settings to keep both (each seed's "
                             "metrics.json records its own setting)")
        if old != description:
            description = dict(description, mixed=True)
    elif any(out.glob("seed_*")) and not allow_mixed:
        raise ValueError(f"output folder {out} holds seed folders of unknown settings (no {RUN_JSON}); use another "
                         "--out folder, or pass --mix-settings")
    write_json(path, description)
    return sorted(int(p.name[5:]) for p in out.glob("seed_*") if p.name[5:].isdigit())


def write_seed(out, seed, samples, record):
    """``out/seed_S/samples.npy`` then ``metrics.json``, each atomically (metrics last: a folder with
    metrics.json is complete)."""
    d = Path(out) / f"seed_{seed}"
    d.mkdir(parents=True, exist_ok=True)
    save_npy(d / "samples.npy", np.asarray(samples, np.float32))
    write_json(d / "metrics.json", record)
    return d
