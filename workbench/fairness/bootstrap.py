"""Case-level (cluster) bootstrap of per-group ratio-of-sums statistics and AUC.

Every figure the audits report per group is either a ratio of two weighted sums
(a mean, a rate, a true-positive rate, ...) or an AUC. A bootstrap replicate
resamples *cases* with replacement (all rows of a drawn case come along, so the
several prefixes or resolutions of one case never count as independent), which
is the same as giving each row the number of times its case was drawn as its
weight. Replicate 0 is the original sample (every weight 1).

fairlearn's :class:`~fairlearn.metrics.MetricFrame` computes the point estimates
(see :mod:`workbench.fairness.model`); its own bootstrap resamples rows, not cases,
and costs about 10 ms per replicate and group, so the replicates are computed here,
vectorised. A test pins these figures to MetricFrame's on the original sample.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

__all__ = ["case_codes", "cell_sums", "percentile_interval", "replicate_weights", "weighted_auc"]

#: Replicates per chunk, so a (chunk x rows) weight matrix stays small.
_CHUNK = 100


def case_codes(case_ids: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer code of each row's case (0 .. n_cases - 1) and the number of cases."""
    codes, uniques = _factorize(case_ids)
    return codes, len(uniques)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(values, dtype=object), sort=False)
    return codes.astype(np.int64), np.asarray(uniques)


def replicate_weights(
    row_case: np.ndarray, n_cases: int, *, replicates: int, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Yield row weights, chunk by chunk: the original sample first, then ``replicates`` resamples.

    Each yielded array has shape ``(k, n_rows)``; over all chunks there are
    ``replicates + 1`` rows of weights. A case drawn ``m`` times gives each of its
    rows weight ``m``. The draws consume ``rng`` in a fixed order, so the same seed
    gives the same replicates.
    """
    n_rows = len(row_case)
    yield np.ones((1, n_rows), dtype=np.float64)
    done = 0
    while done < replicates:
        k = min(_CHUNK, replicates - done)
        draws = rng.integers(0, n_cases, size=(k, n_cases))
        offsets = (np.arange(k) * n_cases)[:, None]
        counts = np.bincount((draws + offsets).ravel(), minlength=k * n_cases).reshape(k, n_cases)
        yield counts[:, row_case].astype(np.float64)
        done += k


def cell_sums(weights: np.ndarray, values: np.ndarray, cells: np.ndarray, n_cells: int) -> np.ndarray:
    """Weighted sums of ``values`` per cell for each row of ``weights``: shape ``(k, n_cells)``.

    Rows whose cell is negative (e.g. a missing group) are left out.
    """
    keep = cells >= 0
    rows = np.flatnonzero(keep)
    matrix = sp.csr_matrix(
        (np.asarray(values, dtype=np.float64)[keep], (rows, cells[keep])), shape=(len(cells), n_cells)
    )
    return np.asarray((matrix.T @ weights.T).T)


def weighted_auc(weights: np.ndarray, y_true: np.ndarray, score: np.ndarray) -> np.ndarray:
    """ROC AUC of ``score`` against binary ``y_true`` under each row of ``weights`` (shape ``(k,)``).

    Ties count one half, as in :func:`sklearn.metrics.roc_auc_score`; with integer
    weights the result equals ``roc_auc_score(y_true, score, sample_weight=w)``.
    NaN where a weight row has no positive or no negative.
    """
    order = np.argsort(score, kind="mergesort")
    s = np.asarray(score)[order]
    y = np.asarray(y_true, dtype=np.float64)[order]
    w = weights[:, order]
    if len(s) == 0:
        return np.full(weights.shape[0], np.nan)
    # blocks of tied scores
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    block = np.cumsum(np.r_[True, s[1:] != s[:-1]]) - 1
    neg = w * (1.0 - y)
    pos = w * y
    block_neg = np.add.reduceat(neg, starts, axis=1)
    below = np.cumsum(block_neg, axis=1) - block_neg  # negatives with a strictly lower score
    credit = below[:, block] + 0.5 * block_neg[:, block]
    total_pos = pos.sum(axis=1)
    total_neg = neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (pos * credit).sum(axis=1) / (total_pos * total_neg)
    auc[(total_pos == 0) | (total_neg == 0)] = np.nan
    return auc


def percentile_interval(replicates: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0 of the bootstrap replicates, ignoring NaN.

    Columns where fewer than half the replicates are finite get NaN bounds (the
    statistic is not estimable often enough to trust an interval).
    """
    alpha = (1.0 - confidence) / 2.0
    reps = np.asarray(replicates, dtype=np.float64)
    if reps.ndim == 1:
        reps = reps[:, None]
    finite = np.isfinite(reps)
    ok = finite.sum(axis=0) >= max(1, reps.shape[0] // 2)
    lo = np.full(reps.shape[1], np.nan)
    hi = np.full(reps.shape[1], np.nan)
    if ok.any():
        sub = np.where(finite[:, ok], reps[:, ok], np.nan)
        lo[ok] = np.nanquantile(sub, alpha, axis=0)
        hi[ok] = np.nanquantile(sub, 1.0 - alpha, axis=0)
    return lo, hi
