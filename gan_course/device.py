"""Where tensors live, and seeding. CUDA when present, the CPU otherwise; no code edits."""
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
