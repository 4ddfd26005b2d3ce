"""gan_course: the helper package of the GAN course.

Every chapter does ``import gan_course as gc`` and reaches the modules as attributes
(``gc.toys.ring8()``, ``gc.losses.d_loss_minimax`` ...). Submodules are imported on first use,
so ``import gan_course`` itself does no work: no training, no data, no seeding.
"""
import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "checks", "device", "toys", "divergences", "nets", "losses", "training", "metrics", "plotting",
    "likelihood", "optimal", "games", "gan1d", "manifolds", "saturation", "noise", "smoothing",
    "penalties", "wgan", "spectral", "digits", "classifier", "image_gans", "batched", "lab", "widgets",
    "lsgan", "ebgan", "loss_sensitive", "custom_loop", "sn_theory", "wgan_figure2", "convexity",
}


def __getattr__(name):
    if name in _SUBMODULES or importlib.util.find_spec(f"{__name__}.{name}") is not None:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'gan_course' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
