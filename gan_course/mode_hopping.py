"""Is a mode histogram unbalanced, and does it move? Tests against their nulls (chapter 02).

* ``balanced_reverse_kl(n, K, n_sim)``: the null distribution of the reverse KL of the mode histogram,
  KL(p_hat || U_K) = log K - H(p_hat) (PacGAN, Sec. 5), for a *perfectly balanced* generator whose
  n high-quality samples fall on the K modes uniformly at random (a multinomial). With few samples
  it is far from 0: about (K - 1) / (2 n) for large n, and larger for small n.
* ``reverse_kl_p_value(counts, n_sim)``: the chance that such a balanced generator, with the same
  number of high-quality samples, shows a reverse KL at least as large as ``counts``'s (Monte Carlo,
  with the +1 correction so that it is never 0).
* ``homogeneity_p_value(counts_a, counts_b)``: Pearson's chi-square test that two histograms come
  from the same mode shares (modes empty in both are dropped).
* ``hops(counts_by_step, high, low)``: every mode whose share of the high-quality samples falls from
  at least ``high`` to at most ``low`` (or rises from at most ``low`` to at least ``high``) between
  consecutive checkpoints: mass moving between modes, i.e. mode hopping.
"""
import numpy as np
from scipy import stats

from . import checks
from .metrics import kl_to_uniform


def balanced_reverse_kl(n, K, n_sim=20_000, seed=0):
    """(n_sim,) reverse KLs of multinomial(n, uniform over K) histograms."""
    n, K, n_sim = (checks.positive_int(k, v) for k, v in (("n", n), ("K", K), ("n_sim", n_sim)))
    counts = np.random.default_rng(seed).multinomial(n, np.full(K, 1.0 / K), size=n_sim)  # (n_sim, K)
    p = counts / n
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    return np.log(K) + plogp.sum(1)


def reverse_kl_p_value(counts, n_sim=20_000, seed=0):
    """P(balanced generator's reverse KL >= observed) at the same number of high-quality samples."""
    counts = np.asarray(counts, int)
    n = int(counts.sum())
    if n == 0:
        raise ValueError("no high-quality sample: the test needs at least one")
    observed = kl_to_uniform(counts / n)
    null = balanced_reverse_kl(n, len(counts), n_sim, seed)
    return float((1 + np.sum(null >= observed - 1e-12)) / (1 + n_sim))


def homogeneity_p_value(counts_a, counts_b):
    """Chi-square test of homogeneity of two mode histograms (modes empty in both dropped)."""
    table = np.array([counts_a, counts_b], int)
    if table.ndim != 2 or table.shape[0] != 2 or (table < 0).any():
        raise ValueError("counts_a and counts_b must be two count vectors of the same length")
    table = table[:, table.sum(0) > 0]
    if table.shape[1] < 2 or (table.sum(1) == 0).any():
        return 1.0
    return float(stats.chi2_contingency(table, correction=False).pvalue)


def hops(counts_by_step, high=0.15, low=0.02):
    """[(mode, step_a, step_b, share_a, share_b)] for shares crossing from >= high to <= low or back.

    ``counts_by_step``: {step: counts (K,)}, checkpoints in increasing step order."""
    if not 0 <= low < high <= 1:
        raise ValueError(f"need 0 <= low < high <= 1, got {low}, {high}")
    steps = sorted(counts_by_step)
    out = []
    for a, b in zip(steps, steps[1:]):
        ca, cb = (np.asarray(counts_by_step[s], float) for s in (a, b))
        if ca.sum() == 0 or cb.sum() == 0:
            continue
        sa, sb = ca / ca.sum(), cb / cb.sum()
        for k in range(len(sa)):
            if (sa[k] >= high and sb[k] <= low) or (sa[k] <= low and sb[k] >= high):
                out.append((k, a, b, float(sa[k]), float(sb[k])))
    return out
