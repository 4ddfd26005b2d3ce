"""gan_course: the helper package of the GAN course.

Every chapter does ``import gan_course as gc`` and reaches the modules as attributes
(``gc.toys.ring8()``, ``gc.losses.d_loss_minimax`` ...).

Submodules are imported on first use. That laziness earns its keep: ``import gan_course`` and the
command lines (``python -m gan_course.lab``) do not pay for matplotlib, ipywidgets, scikit-learn
and the image networks they do not use, and importing does no work (no training, no data, no
seeding). So that laziness cannot hide a broken install until mid-chapter, the package checks
at import that every third-party dependency is installed (a look-up, not an import) and names the
ones that are missing; a misspelt module (``gc.no_such_module``) is an AttributeError naming it.
"""
import importlib
import importlib.util

__version__ = "0.1.0"

_SUBMODULES = {
    "checks", "device", "toys", "densities", "divergences", "nets", "losses", "training", "metrics", "plotting",
    "likelihood", "optimal", "games", "gan1d", "manifolds", "saturation", "noise", "smoothing",
    "penalties", "wgan", "spectral", "digits", "classifier", "image_nets", "image_gans", "batched", "lab",
    "lab_cli", "store", "widgets", "lab_canvas", "live", "site_viewer", "mode_hopping", "bridges", "dropped_modes", "critic_shape", "annealing", "conditional", "tricks", "ml_cost", "taxonomy", "finite_samples", "lsgan", "ebgan", "loss_sensitive", "custom_loop", "sn_theory", "wgan_figure2", "convexity", "solutions", "ring_losses",
}

#: import name -> pip name of each runtime dependency (pyproject.toml's ``dependencies``)
_DEPENDENCIES = {"torch": "torch", "numpy": "numpy", "scipy": "scipy", "matplotlib": "matplotlib",
                 "ipywidgets": "ipywidgets", "anywidget": "anywidget", "sklearn": "scikit-learn", "tqdm": "tqdm"}


def _missing_dependencies():
    return [pip for mod, pip in _DEPENDENCIES.items() if importlib.util.find_spec(mod) is None]


_missing = _missing_dependencies()
if _missing:
    raise ImportError(f"gan_course needs {', '.join(_missing)}, which {'is' if len(_missing) == 1 else 'are'} not "
                      f"installed; run `make setup` or `pip install {' '.join(_missing)}`")


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'gan_course' has no attribute {name!r}; its modules are {', '.join(sorted(_SUBMODULES))}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
