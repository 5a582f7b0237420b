"""One check suite for every estimator in workbench.models: scikit-learn's checks where they apply,
and the project's own (seeding is idempotent, a different seed differs, fitting does not mutate its input)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_estimator

from workbench.models.baselines import MeanByPrefixLength
from workbench.models.estimators import RemainingTimeRegressor, ReopenRiskClassifier

ESTIMATORS = {
    "remaining_time": lambda seed=0: RemainingTimeRegressor(n_estimators=20, subsample=0.7,
                                                            colsample_bytree=0.7, random_state=seed),
    "reopen_risk": lambda seed=0: ReopenRiskClassifier(n_estimators=20, subsample=0.7,
                                                       colsample_bytree=0.7, calibration=None, random_state=seed),
    "mean_by_prefix_length": lambda seed=0: MeanByPrefixLength(),
}
SEEDED = ("remaining_time", "reopen_risk")

#: sklearn checks these estimators fail by design or with a known, reported gap (the estimators take
#: a DataFrame of prefix features, so every check that feeds a bare array is not applicable).
KNOWN = {
    "check_estimators_unfitted",  # raises workbench.errors.NotFittedError (not sklearn's, a ValueError)
    "check_positive_only_tag_during_fit", "check_complex_data", "check_estimators_empty_data_messages",
    "check_estimators_nan_inf", "check_estimator_sparse_tag", "check_estimator_sparse_array",
    "check_estimator_sparse_matrix", "check_fit2d_1sample", "check_fit2d_1feature", "check_requires_y_none",
    "check_classifiers_one_label", "check_classifiers_regression_target",
}


def _frame(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "prefix_length": rng.integers(1, 6, n),
        "elapsed_days": rng.exponential(2.0, n),
        "events_open": rng.poisson(3, n).astype(float),
    })
    y = 0.5 * X["elapsed_days"].to_numpy() + X["prefix_length"].to_numpy() + rng.normal(0, 0.3, n)
    yc = (y > np.median(y)).astype(int)
    return X, y, yc


def _target(name: str, y: np.ndarray, yc: np.ndarray) -> np.ndarray:
    return yc if name == "reopen_risk" else y


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_sklearn_checks_that_apply_pass(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(ESTIMATORS[name](), on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"
              and "must be a pandas DataFrame" not in str(r["exception"])}
    passed = {r["check_name"] for r in results if r["status"] == "passed"}
    assert failed <= KNOWN, sorted(failed - KNOWN)
    assert {"check_no_attributes_set_in_init", "check_parameters_default_constructible",
            "check_get_params_invariance", "check_set_params"} <= passed


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_fit_returns_self_and_does_not_mutate_its_input(name: str) -> None:
    X, y, yc = _frame()
    target = _target(name, y, yc)
    X_before, y_before = X.copy(deep=True), target.copy()
    est = ESTIMATORS[name]()
    assert est.fit(X, target) is est
    pd.testing.assert_frame_equal(X, X_before)
    np.testing.assert_array_equal(target, y_before)
    est.predict(X)
    pd.testing.assert_frame_equal(X, X_before)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_seeding_is_idempotent(name: str) -> None:
    X, y, yc = _frame()
    target = _target(name, y, yc)
    first = ESTIMATORS[name](3).fit(X, target).predict(X)
    again = clone(ESTIMATORS[name](3)).fit(X, target).predict(X)
    np.testing.assert_array_equal(first, again)
    est = ESTIMATORS[name](3)
    np.testing.assert_array_equal(est.fit(X, target).predict(X), est.fit(X, target).predict(X))  # refit: same


@pytest.mark.parametrize("name", SEEDED)
def test_another_seed_gives_another_model(name: str) -> None:
    X, y, yc = _frame()
    target = _target(name, y, yc)
    est = ESTIMATORS[name]
    a = est(1).fit(X, target)
    b = est(2).fit(X, target)
    out = "predict_proba" if name == "reopen_risk" else "predict"
    assert not np.array_equal(getattr(a, out)(X), getattr(b, out)(X))
