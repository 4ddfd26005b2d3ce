"""Argument checks that turn bad input into one clear sentence instead of a torch stack trace."""
import math
import numbers

import torch


def positive(name, value):
    """Raise ValueError unless ``value`` is a finite number > 0 (a std, a learning rate...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value


def positive_int(name, value):
    """Raise ValueError unless ``value`` is an integer >= 1 (a sample count, k D-steps...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def points(name, x, dim=None):
    """Check that ``x`` is a 2-D batch of points of shape (N, dim); return it as a tensor."""
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x, dtype=torch.get_default_dtype())
    if x.ndim != 2 or (dim is not None and x.shape[1] != dim):
        want = f"(N, {dim})" if dim is not None else "(N, d)"
        raise ValueError(f"{name} must have shape {want}, got {tuple(x.shape)}")
    return x


def stop_if_interrupted(history):
    """Raise ``KeyboardInterrupt`` if ``history`` (a ``training.History``) says its run was interrupted.

    ``training.train_gan`` catches Ctrl-C and returns the history so far; a loop over several runs
    calls this after each one, so that one Ctrl-C stops the whole loop (and the notebook cell), not
    just the current run. Returns ``history`` otherwise."""
    if getattr(history, "interrupted", False):
        raise KeyboardInterrupt("interrupted: stopping the loop over runs (the finished runs are kept)")
    return history
