"""LightGBM models as scikit-learn estimators: remaining time and reopen risk.

Both follow the scikit-learn contract: ``__init__`` only stores parameters, ``fit``
validates its input and returns ``self``, learned attributes end in ``_``, and using
an unfitted model raises :class:`~workbench.errors.NotFittedError`. Both train a
plain :class:`lightgbm.Booster` (``booster_``), so they can be logged with
``mlflow.lightgbm`` and rebuilt with :meth:`from_booster`, and both explain a
prediction with LightGBM's own per-feature contributions (:meth:`predict_contributions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from workbench.errors import ConfigError, EventLogError
from workbench.features import check_is_fitted
from workbench.models._checks import check_X, check_y
from workbench.models.baselines import MeanByPrefixLength
from workbench.models.calibration import apply_calibrator, fit_calibrator

__all__ = ["MeanByPrefixLength", "RemainingTimeRegressor", "ReopenRiskClassifier", "resolve_seed"]

_OBJECTIVES = ("l1", "l2", "huber")


def resolve_seed(random_state: int | np.random.Generator | None) -> int:
    """Turn ``random_state`` into one integer seed for LightGBM (``None``: fresh entropy)."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    if random_state is None:
        return int(np.random.default_rng().integers(0, 2**31 - 1))
    raise ConfigError(f"random_state must be an int, a numpy Generator or None, got {random_state!r}")


class _LightGBMBase(BaseEstimator):
    """Shared LightGBM training for the two estimators (not public)."""

    _metric: str = "l1"

    def _lgb_params(self, seed: int) -> dict[str, Any]:
        return {
            "learning_rate": self.learning_rate,
            "num_leaves": int(self.num_leaves),
            "min_child_samples": int(self.min_child_samples),
            "subsample": float(self.subsample),
            "subsample_freq": 1 if float(self.subsample) < 1.0 else 0,
            "colsample_bytree": float(self.colsample_bytree),
            "reg_alpha": float(self.reg_alpha),
            "reg_lambda": float(self.reg_lambda),
            "max_bin": 255,
            "cat_smooth": 10.0,
            "max_cat_to_onehot": 8,
            "seed": seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": int(self.n_jobs),
            "verbosity": -1,
            "metric": self._metric,
        }

    def _validate_params(self) -> None:
        if not 0 < float(self.learning_rate) <= 1:
            raise ConfigError(f"learning_rate must be in (0, 1], got {self.learning_rate}")
        if int(self.n_estimators) < 1:
            raise ConfigError(f"n_estimators must be at least 1, got {self.n_estimators}")
        if int(self.num_leaves) < 2:
            raise ConfigError(f"num_leaves must be at least 2, got {self.num_leaves}")
        if not 0 < float(self.subsample) <= 1 or not 0 < float(self.colsample_bytree) <= 1:
            raise ConfigError(
                f"subsample and colsample_bytree must be in (0, 1], got {self.subsample} and {self.colsample_bytree}"
            )

    def _train(
        self,
        params: dict[str, Any],
        X: pd.DataFrame,
        y: np.ndarray,
        eval_set: tuple[pd.DataFrame, Any] | None,
        callbacks: Sequence[Callable[..., Any]] | None,
    ) -> None:
        cats = [c for c in (self.categorical_features or ()) if c in X.columns]
        train = lgb.Dataset(X, label=y, categorical_feature=cats, free_raw_data=True)
        valid_sets, cbs = [], list(callbacks or ())
        if eval_set is not None:
            Xv = check_X(eval_set[0], "eval_set X")
            yv = check_y(eval_set[1], len(Xv), "eval_set y")
            valid_sets = [lgb.Dataset(Xv[list(X.columns)], label=yv, reference=train, categorical_feature=cats)]
            if self.early_stopping_rounds:
                cbs.append(lgb.early_stopping(int(self.early_stopping_rounds), verbose=False))
        booster = lgb.train(
            params, train, num_boost_round=int(self.n_estimators), valid_sets=valid_sets or None,
            valid_names=["validation"] if valid_sets else None, callbacks=cbs,
        )
        self.booster_ = booster
        self.best_iteration_ = int(booster.best_iteration) if booster.best_iteration > 0 else int(booster.current_iteration())
        self.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
        self.n_features_in_ = X.shape[1]
        self.categorical_features_ = tuple(cats)

    def _features(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, ("booster_",))
        X = check_X(X, "X")
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise EventLogError(f"X lacks {len(missing)} feature(s) the model was trained on, e.g. {missing[:3]}")
        return X[list(self.feature_names_in_)]

    @property
    def feature_importances_(self) -> np.ndarray:
        """Total gain of each feature (in ``feature_names_in_`` order)."""
        check_is_fitted(self, ("booster_",))
        return self.booster_.feature_importance(importance_type="gain", iteration=self.best_iteration_)

    def importance_frame(self) -> pd.DataFrame:
        """Feature importance (gain and split count), most important first."""
        check_is_fitted(self, ("booster_",))
        frame = pd.DataFrame({
            "feature": list(self.feature_names_in_),
            "gain": self.booster_.feature_importance("gain", iteration=self.best_iteration_),
            "splits": self.booster_.feature_importance("split", iteration=self.best_iteration_),
        })
        total = frame["gain"].sum()
        frame["gain_share"] = frame["gain"] / total if total > 0 else 0.0
        return frame.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)

    def predict_contributions(self, X: Any) -> pd.DataFrame:
        """LightGBM's per-feature contributions (SHAP values) and the ``bias`` column.

        For the regressor they add up to the predicted days; for the classifier to the
        uncalibrated log-odds.
        """
        Xf = self._features(X)
        contrib = self.booster_.predict(Xf, num_iteration=self.best_iteration_, pred_contrib=True)
        return pd.DataFrame(contrib, index=Xf.index, columns=[*self.feature_names_in_, "bias"])

    def _state(self) -> dict[str, Any]:
        return {
            "best_iteration": int(self.best_iteration_),
            "feature_names_in": list(self.feature_names_in_),
            "categorical_features": list(self.categorical_features_),
        }

    def _load_state(self, booster: lgb.Booster, state: dict[str, Any]) -> None:
        self.booster_ = booster
        self.best_iteration_ = int(state["best_iteration"])
        self.feature_names_in_ = np.asarray(state["feature_names_in"], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        self.categorical_features_ = tuple(state["categorical_features"])


class RemainingTimeRegressor(RegressorMixin, _LightGBMBase):
    """LightGBM regression of the remaining time of a case prefix (in the target's unit, days).

    Parameters
    ----------
    objective : {"l1", "l2", "huber"}
        Loss; ``l1`` optimises the mean absolute error directly.
    n_estimators : int
        Maximum boosting rounds (early stopping on ``eval_set`` may stop sooner).
    learning_rate, num_leaves, min_child_samples, subsample, colsample_bytree, reg_alpha, reg_lambda
        LightGBM's usual tree parameters.
    early_stopping_rounds : int or None
        Stop when the validation error has not improved for this many rounds (needs ``eval_set``).
    categorical_features : sequence of str, optional
        Columns holding category codes (e.g. ``PrefixFeaturizer.categorical_features_``).
    random_state : int, numpy Generator or None
    n_jobs : int
        LightGBM threads.
    """

    _metric = "l1"

    def __init__(
        self,
        *,
        objective: str = "l1",
        n_estimators: int = 1000,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 20,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 0.0,
        early_stopping_rounds: int | None = 50,
        categorical_features: Sequence[str] | None = None,
        random_state: int | np.random.Generator | None = None,
        n_jobs: int = 1,
    ) -> None:
        self.objective = objective
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.early_stopping_rounds = early_stopping_rounds
        self.categorical_features = categorical_features
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(
        self,
        X: pd.DataFrame,
        y: Any,
        *,
        eval_set: tuple[pd.DataFrame, Any] | None = None,
        callbacks: Sequence[Callable[..., Any]] | None = None,
    ) -> RemainingTimeRegressor:
        """Fit on features ``X`` and remaining times ``y``; early-stop on ``eval_set``. Returns ``self``."""
        self._validate_params()
        if self.objective not in _OBJECTIVES:
            raise ConfigError(f"objective must be one of {list(_OBJECTIVES)}, got {self.objective!r}")
        X = check_X(X, "X")
        yv = check_y(y, len(X), "y")
        params = self._lgb_params(resolve_seed(self.random_state))
        params["objective"] = self.objective
        self._train(params, X, yv, eval_set, callbacks)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predicted remaining time of each row of ``X`` (never negative)."""
        Xf = self._features(X)
        return np.maximum(self.booster_.predict(Xf, num_iteration=self.best_iteration_), 0.0)

    def to_state(self) -> dict[str, Any]:
        """Learned state besides the booster, as JSON-serialisable data."""
        check_is_fitted(self, ("booster_",))
        return {"params": _jsonable(self.get_params()), **self._state()}

    @classmethod
    def from_booster(cls, booster: lgb.Booster, state: dict[str, Any]) -> RemainingTimeRegressor:
        """Rebuild a fitted regressor from a LightGBM booster and :meth:`to_state`'s output."""
        obj = cls(**_params_from(state["params"]))
        obj._load_state(booster, state)
        return obj


class ReopenRiskClassifier(ClassifierMixin, _LightGBMBase):
    """LightGBM classification of whether a resolved ticket is really reopened, with calibrated probabilities.

    The booster is trained on the training rows and its probabilities are calibrated on
    held-out rows: the ``calibration_set`` passed to :meth:`fit` (the validation part),
    or else the last ``calibration_fraction`` of the training rows (rows are expected in
    time order, so the calibration rows are the most recent).

    Parameters
    ----------
    calibration : {"auto", "isotonic", "sigmoid"} or None
        How probabilities are calibrated (``None``: raw LightGBM probabilities). ``auto``
        uses isotonic regression when the calibration rows hold at least
        ``ISOTONIC_MIN_CLASS`` of each class, else a sigmoid (Platt): isotonic regression
        overfits a few hundred rare positives, which made the demo's calibrated Brier score
        worse than the base rate's.
    calibration_fraction : float
        Share of training rows held out for calibration when no ``calibration_set`` is given.
    is_unbalance : bool
        Weight the rare class up while training (calibration corrects the probabilities).
    Other parameters are as in :class:`RemainingTimeRegressor`.
    """

    _metric = "binary_logloss"

    def __init__(
        self,
        *,
        n_estimators: int = 1000,
        learning_rate: float = 0.05,
        num_leaves: int = 15,
        min_child_samples: int = 20,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 0.0,
        is_unbalance: bool = False,
        calibration: str | None = "auto",
        calibration_fraction: float = 0.25,
        early_stopping_rounds: int | None = 50,
        categorical_features: Sequence[str] | None = None,
        random_state: int | np.random.Generator | None = None,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.is_unbalance = is_unbalance
        self.calibration = calibration
        self.calibration_fraction = calibration_fraction
        self.early_stopping_rounds = early_stopping_rounds
        self.categorical_features = categorical_features
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(
        self,
        X: pd.DataFrame,
        y: Any,
        *,
        eval_set: tuple[pd.DataFrame, Any] | None = None,
        calibration_set: tuple[pd.DataFrame, Any] | None = None,
        callbacks: Sequence[Callable[..., Any]] | None = None,
    ) -> ReopenRiskClassifier:
        """Fit on features ``X`` and 0/1 labels ``y``, then calibrate; returns ``self``."""
        self._validate_params()
        if self.calibration not in ("auto", "isotonic", "sigmoid", None):
            raise ConfigError(f"calibration must be 'auto', 'isotonic', 'sigmoid' or None, got {self.calibration!r}")
        X = check_X(X, "X")
        yv = check_y(y, len(X), "y")
        if not np.isin(yv, (0.0, 1.0)).all():
            raise EventLogError("y must hold 0/1 labels (1 = really reopened)")
        if self.calibration is not None and calibration_set is None:
            if not 0 < float(self.calibration_fraction) < 1:
                raise ConfigError(f"calibration_fraction must be in (0, 1), got {self.calibration_fraction}")
            cut = int(len(X) * (1 - float(self.calibration_fraction)))
            calibration_set = (X.iloc[cut:], yv[cut:])
            X, yv = X.iloc[:cut], yv[:cut]
        if len(np.unique(yv)) < 2:
            raise EventLogError(
                f"the training labels hold only class {int(yv[0]) if len(yv) else '-'}: the reopen model needs "
                "both reopened and not-reopened resolutions; use a longer log"
            )
        params = self._lgb_params(resolve_seed(self.random_state))
        params.update(objective="binary", is_unbalance=bool(self.is_unbalance))
        self._train(params, X, yv, eval_set, callbacks)
        self.classes_ = np.array([0, 1])
        self.calibrator_: dict[str, Any] | None = None
        if self.calibration is not None and calibration_set is not None:
            Xc = check_X(calibration_set[0], "calibration X")
            yc = check_y(calibration_set[1], len(Xc), "calibration y")
            self.calibrator_ = fit_calibrator(self.calibration, self._raw_proba(Xc), yc)
        return self

    def _raw_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.booster_.predict(self._features(X), num_iteration=self.best_iteration_))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities, columns for class 0 (not reopened) and 1 (reopened)."""
        check_is_fitted(self, ("booster_", "classes_"))
        p = apply_calibrator(self.calibrator_, self._raw_proba(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 where the calibrated reopen probability is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def to_state(self) -> dict[str, Any]:
        check_is_fitted(self, ("booster_", "classes_"))
        return {"params": _jsonable(self.get_params()), "calibrator": self.calibrator_, **self._state()}

    @classmethod
    def from_booster(cls, booster: lgb.Booster, state: dict[str, Any]) -> ReopenRiskClassifier:
        obj = cls(**_params_from(state["params"]))
        obj._load_state(booster, state)
        obj.classes_ = np.array([0, 1])
        obj.calibrator_ = state.get("calibrator")
        return obj


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    if out.get("categorical_features") is not None:
        out["categorical_features"] = list(out["categorical_features"])
    if not isinstance(out.get("random_state"), (int, type(None))):
        out["random_state"] = None
    return out


def _params_from(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    if out.get("categorical_features") is not None:
        out["categorical_features"] = tuple(out["categorical_features"])
    return out
