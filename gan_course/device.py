"""Where tensors live, seeding, and CPU threads. CUDA when present, the CPU otherwise; no code edits.

Importing this module (every trainer does) sets torch to one intra-op CPU thread: see
``set_threads`` for the measured reason and the ``GAN_COURSE_THREADS`` override."""
import random

import numpy as np
import torch


def default_device():
    """``torch.device('cuda')`` when a GPU is visible, else ``torch.device('cpu')``."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed):
    """Seed Python, NumPy and torch (all devices) so a re-run gives the same numbers."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return seed


#: environment variable that overrides the course's thread count (an integer >= 1, or "auto" for torch's default)
THREADS_ENV = "GAN_COURSE_THREADS"


def set_threads(n=None):
    """Set torch's intra-op CPU threads for toy-scale training: one by default.

    The course's models are small MLPs (width 64-512, minibatch 256): a step is a few milliseconds of
    work, too little to split across threads, and the threads fight over the cores with whatever else
    runs. Measured on the 2-core reference machine with another process busy: 500 steps of the
    non-saturating toy GAN took 11 s with one thread and 32 s and 62 s with two; chapter 03 with
    torch's default (one thread per core) ran its training cell 31 minutes without finishing, and
    217 s with one thread.

    ``n``: threads to use; None reads ``GAN_COURSE_THREADS`` (an integer >= 1, or ``auto`` to keep
    torch's default of one thread per core) and falls back to 1. Returns the thread count in force."""
    import os

    if n is None:
        v = os.environ.get(THREADS_ENV, "").strip().lower()
        if v in ("", "1"):
            n = 1
        elif v == "auto":
            return torch.get_num_threads()
        else:
            try:
                n = int(v)
            except ValueError:
                n = 0
            if n < 1:
                raise ValueError(f"{THREADS_ENV} must be an integer >= 1 or 'auto', got {v!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"threads must be an integer >= 1, got {n!r}")
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


# The policy takes effect as soon as any trainer is imported (they all import this module), in
# chapters, the lab, its command line and scripts alike; GAN_COURSE_THREADS overrides it.
try:
    set_threads()
except ValueError as _err:
    import warnings

    warnings.warn(f"{_err}; using 1 thread")
    set_threads(1)
