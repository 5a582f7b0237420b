from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from workbench.fairness.bootstrap import cell_sums, percentile_interval, replicate_weights, weighted_auc


def _all_weights(row_case, n_cases, *, replicates, seed):
    return np.vstack(list(replicate_weights(row_case, n_cases, replicates=replicates,
                                            rng=np.random.default_rng(seed))))


def test_replicates_start_with_the_sample_and_resample_whole_cases():
    row_case = np.array([0, 0, 0, 1, 2, 2])
    w = _all_weights(row_case, 3, replicates=250, seed=1)
    assert w.shape == (251, 6)
    assert (w[0] == 1).all()
    # every row of a case gets the same weight, and each replicate draws 3 cases
    assert (w[:, 0] == w[:, 1]).all() and (w[:, 1] == w[:, 2]).all() and (w[:, 4] == w[:, 5]).all()
    assert (w[1:, [0, 3, 4]].sum(axis=1) == 3).all()


def test_replicates_are_reproducible_and_depend_on_the_seed():
    row_case = np.repeat(np.arange(50), 2)
    a = _all_weights(row_case, 50, replicates=30, seed=7)
    b = _all_weights(row_case, 50, replicates=30, seed=7)
    c = _all_weights(row_case, 50, replicates=30, seed=8)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_cell_sums_skip_missing_cells():
    w = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 0.0, 1.0, 3.0]])
    sums = cell_sums(w, np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 1, 1, -1]), 2)
    assert np.allclose(sums, [[1.0, 5.0], [2.0, 3.0]])


def test_weighted_auc_matches_sklearn_with_ties_and_weights():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    score = np.round(rng.normal(y * 0.8, 1.0), 1)  # many ties
    weights = rng.integers(0, 4, size=(5, 300)).astype(float)
    got = weighted_auc(weights, y, score)
    want = [roc_auc_score(y, score, sample_weight=w) for w in weights]
    assert np.allclose(got, want)


def test_weighted_auc_is_nan_without_both_classes():
    assert np.isnan(weighted_auc(np.ones((1, 3)), np.array([1, 1, 1]), np.array([0.1, 0.2, 0.3])))[0]


def test_percentile_interval_needs_enough_finite_replicates():
    reps = np.column_stack([np.arange(100.0), np.r_[np.full(60, np.nan), np.arange(40.0)]])
    lo, hi = percentile_interval(reps, 0.9)
    assert lo[0] == pytest.approx(4.95) and hi[0] == pytest.approx(94.05)
    assert np.isnan(lo[1]) and np.isnan(hi[1])
