"""Hyper-parameter tuning with Optuna on the validation part only.

:func:`tune` runs a seeded TPE search over LightGBM's main parameters. Each trial
trains on the training part with early stopping on the validation part, reports the
validation error every few boosting rounds so the median pruner can stop bad trials
early, and returns the best validation error. The test part is never seen here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

import optuna
import pandas as pd

from workbench.errors import ConfigError
from workbench.models.estimators import RemainingTimeRegressor, ReopenRiskClassifier

__all__ = ["PruningCallback", "TuningResult", "search_space", "tune"]

Task = Literal["regression", "classification"]


@dataclass(frozen=True)
class TuningResult:
    """The outcome of a search: best parameters, best validation score and the study."""

    best_params: dict[str, Any]
    best_value: float
    best_iteration: int
    metric: str
    n_trials: int
    n_complete: int
    n_pruned: int
    seconds: float
    study: optuna.Study

    def summary(self) -> dict[str, Any]:
        """Plain numbers for tracking."""
        return {
            "tuning_metric": self.metric,
            "tuning_best_value": self.best_value,
            "tuning_best_iteration": self.best_iteration,
            "tuning_trials": self.n_trials,
            "tuning_complete": self.n_complete,
            "tuning_pruned": self.n_pruned,
            "tuning_seconds": round(self.seconds, 2),
        }

    def trials_frame(self) -> pd.DataFrame:
        """One row per trial: number, state, value, parameters, duration."""
        frame = self.study.trials_dataframe(attrs=("number", "value", "state", "params", "duration", "user_attrs"))
        if "duration" in frame.columns:
            frame["duration"] = frame["duration"].dt.total_seconds()
        return frame


class PruningCallback:
    """LightGBM callback: report the validation metric to an Optuna trial and prune when told.

    Reports every ``interval`` boosting rounds; raises :class:`optuna.TrialPruned` when the
    trial's pruner says the trial is worse than the others at the same round.
    """

    def __init__(self, trial: optuna.Trial, *, metric: str, interval: int = 10) -> None:
        self.trial = trial
        self.metric = metric
        self.interval = interval

    def __call__(self, env: Any) -> None:
        step = env.iteration + 1
        if step % self.interval:
            return
        for name, metric, value, _ in env.evaluation_result_list:
            if name == "validation" and metric == self.metric:
                self.trial.report(float(value), step=step)
                if self.trial.should_prune():
                    raise optuna.TrialPruned(f"pruned at round {step} ({metric} {value:.4f})")
                return


def search_space(trial: optuna.Trial, task: Task) -> dict[str, Any]:
    """The parameters tried: learning rate, tree size, leaf size, sampling, regularisation."""
    params: dict[str, Any] = {
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 7, 255, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 300, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.3, 1.0),
        "reg_alpha": trial.suggest_float("reg_alpha", 1e-3, 10.0, log=True),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
    }
    if task == "regression":
        params["objective"] = trial.suggest_categorical("objective", ["l1", "huber", "l2"])
    else:
        params["is_unbalance"] = trial.suggest_categorical("is_unbalance", [False, True])
    return params


def tune(
    X_train: pd.DataFrame,
    y_train: Any,
    X_val: pd.DataFrame,
    y_val: Any,
    *,
    task: Task,
    base_params: dict[str, Any] | None = None,
    n_trials: int | None = 50,
    timeout: float | None = None,
    seed: int = 0,
    n_startup_trials: int = 10,
    max_rounds: int = 2000,
    on_trial: Callable[[optuna.trial.FrozenTrial], None] | None = None,
) -> TuningResult:
    """Search LightGBM parameters with Optuna's TPE sampler and the median pruner.

    Parameters
    ----------
    X_train, y_train, X_val, y_val
        The training and validation parts (the test part must not be passed).
    task : {"regression", "classification"}
        Regression minimises the validation MAE; classification the validation log loss.
    base_params : dict, optional
        Fixed estimator parameters (e.g. ``categorical_features``, ``n_jobs``).
    n_trials, timeout : int or None, float or None
        The budget: stop after this many trials and/or seconds (at least one must be set).
    seed : int
        Seeds the sampler and every trial's model, so the search is reproducible.
    on_trial : callable, optional
        Called after each finished trial (for progress output at the edge).
    """
    if n_trials is None and timeout is None:
        raise ConfigError("the tuning budget needs trials and/or seconds; set budget.trials or budget.seconds")
    if n_trials is not None and n_trials < 1:
        raise ConfigError(f"budget.trials must be at least 1, got {n_trials}")
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"budget.seconds must be positive, got {timeout}")
    if task not in ("regression", "classification"):
        raise ConfigError(f"task must be 'regression' or 'classification', got {task!r}")
    metric = "l1" if task == "regression" else "binary_logloss"
    fixed = dict(base_params or {})
    fixed.update(n_estimators=max_rounds, early_stopping_rounds=50, random_state=seed)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup_trials)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=50, interval_steps=10)
    study = optuna.create_study(direction="minimize", sampler=sampler, pruner=pruner)

    def objective(trial: optuna.Trial) -> float:
        params = {**fixed, **search_space(trial, task)}
        callback = PruningCallback(trial, metric=metric)
        if task == "regression":
            model = RemainingTimeRegressor(**params)
        else:
            model = ReopenRiskClassifier(**{**params, "calibration": None})
        model.fit(X_train, y_train, eval_set=(X_val, y_val), callbacks=[callback])
        trial.set_user_attr("best_iteration", int(model.best_iteration_))
        score = model.booster_.best_score.get("validation", {}).get(metric)
        if score is None:
            raise ConfigError(f"LightGBM did not report the validation {metric}")
        return float(score)

    callbacks = [lambda study, trial: on_trial(trial)] if on_trial is not None else None
    started = time.perf_counter()
    study.optimize(objective, n_trials=n_trials, timeout=timeout, callbacks=callbacks, catch=())
    seconds = time.perf_counter() - started
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        raise ConfigError(
            "no tuning trial finished within the budget; raise budget.seconds or budget.trials"
        )
    best = study.best_trial
    return TuningResult(
        best_params=dict(best.params),
        best_value=float(cast(float, best.value)),  # a finished trial has a value
        best_iteration=int(best.user_attrs.get("best_iteration", max_rounds)),
        metric=metric,
        n_trials=len(study.trials),
        n_complete=len(complete),
        n_pruned=sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials),
        seconds=seconds,
        study=study,
    )
