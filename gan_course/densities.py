"""Small helpers shared by the modules that work with densities and samples.

A density argument is an object with ``pdf`` (and optionally ``log_pdf`` and ``bounds``), such as
``toys.GaussianMixture1D``, or a plain function of a NumPy array (then the caller gives ``lo``/``hi``).

* ``as_numpy``: a torch tensor (any device) or array-like as a NumPy array;
* ``quadrature_grid``: the uniform grid on which two densities are integrated;
* ``pdf`` / ``log_pdf``: a density's values on such a grid, as float NumPy arrays.
"""
import numpy as np


def as_numpy(x):
    """A torch tensor (any device) or array-like as a NumPy array."""
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def quadrature_grid(p, q, lo, hi, n):
    """``n`` evenly spaced points on [lo, hi]; a missing end comes from the densities' ``bounds()``."""
    if lo is None or hi is None:
        bounds = [d.bounds() for d in (p, q) if hasattr(d, "bounds")]
        if not bounds:
            raise ValueError("give lo and hi: plain density functions carry no support bounds")
        lo = min(b[0] for b in bounds) if lo is None else lo
        hi = max(b[1] for b in bounds) if hi is None else hi
    if not hi > lo:
        raise ValueError(f"need lo < hi, got lo={lo}, hi={hi}")
    return np.linspace(lo, hi, n)


def pdf(d, x):
    """p(x) of a density object (its ``pdf``) or a plain function, as a float array."""
    return np.asarray(d.pdf(x) if hasattr(d, "pdf") else d(x), float)


def log_pdf(d, x):
    """log p(x): the density's own ``log_pdf`` when it has one (accurate in the tails), else log of ``pdf``."""
    if hasattr(d, "log_pdf"):
        return np.asarray(d.log_pdf(x), float)
    with np.errstate(divide="ignore"):
        return np.log(pdf(d, x))
