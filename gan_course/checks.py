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


def betas(name, value):
    """Raise ValueError unless ``value`` is Adam's (beta1, beta2), two numbers in [0, 1) (Kingma & Ba 2015)."""
    try:
        b1, b2 = value
        ok = all(not isinstance(b, bool) and isinstance(b, numbers.Real) and 0 <= b < 1 for b in (b1, b2))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{name} must be Adam's (beta1, beta2), two numbers in [0, 1), got {value!r}")
    return tuple(value)


def nonneg_number(name, value):
    """Raise ValueError unless ``value`` is a finite number >= 0 (a noise std, a penalty weight...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return value


def steps_within(name, values, steps):
    """Raise ValueError unless ``values`` is a collection of integers in 0..steps (snapshot steps)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a tuple of integer steps in 0..{steps}, e.g. (0, {steps}); got {values!r}")
    for s in values:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise ValueError(f"{name} must hold integer steps, got {s!r}")
        if not 0 <= s <= steps:
            raise ValueError(f"{name}: step {s} is outside 0..{steps}")
    return tuple(int(s) for s in values)


def device(value):
    """Raise ValueError unless ``value`` is None or a torch device that exists here ('cpu', 'cuda', 'cuda:0')."""
    if value is None:
        return None
    try:
        d = torch.device(value)
    except (RuntimeError, TypeError):
        raise ValueError(f"not a torch device: {value!r} (use 'cpu' or 'cuda')") from None
    if d.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {value!r} was asked for but no GPU is visible (use 'cpu')")
    if d.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device {value!r} is not supported here (use 'cpu' or 'cuda')")
    return value


# ----------------------------------------------------------------------------------------------
# the one failure policy of every training loop
# ----------------------------------------------------------------------------------------------
class TrainingDiverged(RuntimeError):
    """A loss or a weight became NaN or infinite. The message names the network and the step."""


def first_nonfinite(values):
    """Index of the first NaN/inf entry of a 1-D tensor, or None."""
    bad = (~torch.isfinite(values)).nonzero()
    return None if len(bad) == 0 else int(bad[0, 0])


def finite_losses(network, values, hint="lower the learning rate or add a penalty", step_name="generator step"):
    """Raise ``TrainingDiverged`` naming ``network`` and the (1-based) step of the first NaN/inf in
    ``values``, the per-step losses of that network so far (a 1-D tensor)."""
    bad = first_nonfinite(values)
    if bad is not None:
        raise TrainingDiverged(f"the {network}'s loss became {values[bad].item()} at {step_name} {bad + 1}; {hint}")


def finite_weights(net, network, step, hint="lower the learning rate or add a penalty", step_name="generator step"):
    """Raise ``TrainingDiverged`` naming ``network``, the parameter and the step if a weight of ``net`` is NaN/inf."""
    for pname, p in net.named_parameters():
        if not torch.isfinite(p).all():
            raise TrainingDiverged(f"the {network}'s weight {pname!r} became NaN/inf by {step_name} {step}; {hint}")


# ----------------------------------------------------------------------------------------------
# argparse types shared by the course's command lines (lab_cli, image_gans)
# ----------------------------------------------------------------------------------------------
def arg_number(cast, ok, what):
    """An argparse type: ``cast(v)`` if it satisfies ``ok``, else a clear 'must be <what>' error."""
    import argparse

    def parse(v):
        try:
            x = cast(v)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {v!r}")
        if not ok(x):
            raise argparse.ArgumentTypeError(f"must be {what}, got {v!r}")
        return x

    return parse


def device_arg(v):
    """An argparse type for a torch device (``device``'s checks, as an argparse error)."""
    import argparse

    try:
        return device(v)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


def stop_if_interrupted(history):
    """Raise ``KeyboardInterrupt`` if ``history`` (a ``training.History``) says its run was interrupted.

    ``training.train_gan`` catches Ctrl-C and returns the history so far; a loop over several runs
    calls this after each one, so that one Ctrl-C stops the whole loop (and the notebook cell), not
    just the current run. Returns ``history`` otherwise."""
    if getattr(history, "interrupted", False):
        raise KeyboardInterrupt("interrupted: stopping the loop over runs (the finished runs are kept)")
    return history


def restore_ctrl_c():
    """Make Ctrl-C (SIGINT) raise ``KeyboardInterrupt`` in this process even if it was started with SIGINT
    ignored, as a shell starts a background job and pytest-xdist its workers' children; the command lines
    call it first, so that an interrupt always reaches their save-what-you-have handlers. Main thread only."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
