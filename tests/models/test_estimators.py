"""The LightGBM estimators follow the scikit-learn contract and are reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from workbench.errors import ConfigError, EventLogError, NotFittedError
from workbench.models import MeanByPrefixLength, RemainingTimeRegressor, ReopenRiskClassifier
from workbench.models.metrics import classification_metrics, expected_calibration_error


def _data(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "prefix_length": rng.integers(1, 8, n).astype(float),
        "elapsed_hours": rng.exponential(20.0, n),
        "last_activity": rng.integers(0, 4, n).astype(float),
        "noise": rng.normal(size=n),
    })
    y_reg = 2.0 + 0.5 * X["last_activity"].to_numpy() + 0.05 * X["elapsed_hours"].to_numpy() + rng.exponential(0.5, n)
    logit = -2.0 + 1.2 * (X["last_activity"].to_numpy() == 3) + 0.03 * X["elapsed_hours"].to_numpy()
    y_cls = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    return X, y_reg, y_cls


@pytest.mark.parametrize("cls", [RemainingTimeRegressor, ReopenRiskClassifier])
def test_init_stores_params_and_clone_works(cls: type) -> None:
    est = cls(n_estimators=30, learning_rate=0.1, categorical_features=("last_activity",), random_state=3)
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    assert not hasattr(twin, "booster_")


@pytest.mark.parametrize("cls", [RemainingTimeRegressor, ReopenRiskClassifier])
def test_unfitted_model_says_so(cls: type) -> None:
    X, _, _ = _data(50)
    with pytest.raises(NotFittedError, match=f"This {cls.__name__} instance is not fitted yet. Call 'fit'"):
        cls().predict(X)
    with pytest.raises(AttributeError):  # NotFittedError is also an AttributeError, like sklearn's
        cls().predict_contributions(X)


def test_regressor_fits_returns_self_and_beats_the_baseline() -> None:
    X, y, _ = _data()
    est = RemainingTimeRegressor(n_estimators=200, learning_rate=0.1, categorical_features=("last_activity",),
                                 random_state=0)
    assert est.fit(X[:400], y[:400], eval_set=(X[400:500], y[400:500])) is est
    assert est.n_features_in_ == 4 and list(est.feature_names_in_) == list(X.columns)
    assert est.categorical_features_ == ("last_activity",)
    mae = np.abs(est.predict(X[500:]) - y[500:]).mean()
    base = MeanByPrefixLength().fit(X[:500], y[:500])
    assert mae < np.abs(base.predict(X[500:]) - y[500:]).mean()
    contrib = est.predict_contributions(X[500:])
    assert list(contrib.columns) == [*X.columns, "bias"]
    np.testing.assert_allclose(contrib.sum(axis=1), est.booster_.predict(X[500:], num_iteration=est.best_iteration_))
    assert est.importance_frame()["feature"].iloc[0] in ("elapsed_hours", "last_activity")


def test_same_random_state_same_model_other_state_other_model() -> None:
    X, y, _ = _data()
    params = {"n_estimators": 40, "subsample": 0.6, "colsample_bytree": 0.6}
    a = RemainingTimeRegressor(**params, random_state=1).fit(X, y).predict(X)
    b = RemainingTimeRegressor(**params, random_state=1).fit(X, y).predict(X)
    c = RemainingTimeRegressor(**params, random_state=2).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_classifier_calibrates_on_held_out_rows() -> None:
    X, _, y = _data(2000, seed=4)
    est = ReopenRiskClassifier(n_estimators=60, random_state=0)
    est.fit(X[:1200], y[:1200], calibration_set=(X[1200:2000], y[1200:2000]))
    proba = est.predict_proba(X[1600:])
    assert proba.shape == (400, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert est.calibrator_ is not None and est.calibrator_["method"] == "isotonic"  # >= 200 of each class
    assert set(np.unique(est.predict(X[1600:]))) <= {0, 1}
    m = classification_metrics(y[1600:], proba[:, 1])
    assert m["auc"] > 0.6
    # without a calibration set, the last quarter of the training rows calibrates
    own = ReopenRiskClassifier(n_estimators=60, calibration="sigmoid", random_state=0).fit(X[:1600], y[:1600])
    assert own.calibrator_["method"] == "sigmoid"
    raw = ReopenRiskClassifier(n_estimators=60, calibration=None, random_state=0).fit(X[:1600], y[:1600])
    assert raw.calibrator_ is None
    few = ReopenRiskClassifier(n_estimators=60, random_state=0).fit(X[:1200], y[:1200],
                                                                    calibration_set=(X[1200:1400], y[1200:1400]))
    assert few.calibrator_["method"] == "sigmoid"  # "auto" with fewer than 200 of a class


def test_booster_round_trip_gives_the_same_predictions() -> None:
    X, y, yc = _data()
    reg = RemainingTimeRegressor(n_estimators=30, random_state=0).fit(X, y)
    back = RemainingTimeRegressor.from_booster(reg.booster_, reg.to_state())
    np.testing.assert_array_equal(back.predict(X), reg.predict(X))
    cls = ReopenRiskClassifier(n_estimators=30, random_state=0).fit(X, yc)
    again = ReopenRiskClassifier.from_booster(cls.booster_, cls.to_state())
    np.testing.assert_array_equal(again.predict_proba(X), cls.predict_proba(X))


def test_bad_input_and_parameters_get_clear_errors() -> None:
    X, y, yc = _data(100)
    with pytest.raises(ConfigError, match="objective must be one of \\['l1', 'l2', 'huber'\\], got 'mape'"):
        RemainingTimeRegressor(objective="mape").fit(X, y)
    with pytest.raises(ConfigError, match="learning_rate must be in \\(0, 1\\], got 0"):
        RemainingTimeRegressor(learning_rate=0).fit(X, y)
    with pytest.raises(EventLogError, match="y has 1 missing or infinite values"):
        RemainingTimeRegressor().fit(X, np.where(np.arange(100) == 5, np.nan, y))
    with pytest.raises(EventLogError, match="feature columns must be numeric"):
        RemainingTimeRegressor().fit(X.assign(team="a"), y)
    with pytest.raises(EventLogError, match="the training labels hold only class 0"):
        ReopenRiskClassifier(calibration=None).fit(X, np.zeros(100))
    fitted = RemainingTimeRegressor(n_estimators=5).fit(X, y)
    with pytest.raises(EventLogError, match="X lacks 1 feature\\(s\\) the model was trained on"):
        fitted.predict(X.drop(columns="noise"))
    with pytest.raises(ConfigError, match="random_state must be an int"):
        RemainingTimeRegressor(random_state="seven").fit(X, y)  # type: ignore[arg-type]
    assert yc.shape == (100,)


def test_calibration_error_is_zero_for_perfect_calibration() -> None:
    p = np.repeat([0.05, 0.35, 0.75], 100)
    y = np.concatenate([np.r_[np.ones(5), np.zeros(95)], np.r_[np.ones(35), np.zeros(65)],
                        np.r_[np.ones(75), np.zeros(25)]])
    assert expected_calibration_error(y, p) == pytest.approx(0.0)
    assert expected_calibration_error(y, np.full(300, 0.9)) > 0.3
