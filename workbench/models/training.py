"""Train, tune and evaluate one model from a training config (pure: no files, no MLflow).

:func:`train_model` splits the log, fits the featurizer on the training cases, tunes
LightGBM with Optuna on the validation part, fits the final model, and evaluates it
once on the test part beside a baseline (mean remaining time per prefix length, or
the base rate). :mod:`workbench.models.tracking` logs the result to MLflow.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
import pandas as pd

from workbench.config import LogConfig
from workbench.errors import EventLogError
from workbench.features import PrefixFeaturizer, advance_prefixes, sorted_events
from workbench.models.bundle import Examples, TrainedModel, build_examples
from workbench.models.config import TrainingConfig
from workbench.models.estimators import MeanByPrefixLength, RemainingTimeRegressor, ReopenRiskClassifier
from workbench.models.metrics import classification_metrics, mae_by_prefix_length, regression_metrics
from workbench.models.splits import Split, holdout_split, temporal_split
from workbench.models.targets import completed_cases, end_statuses
from workbench.models.tuning import TuningResult, tune
from workbench.schema import CASE_ID, TIMESTAMP

__all__ = ["NEAR_CHANCE_AUC", "SMALL_TRAINING_SHARE", "TrainingResult", "fingerprint", "make_featurizer", "make_split",
           "small_training_part", "train_model", "training_cautions", "with_snapshots"]

#: A training part with fewer examples than this share of the test part's leaves the model little to
#: learn from (a temporal split of a log whose cases are long compared with its span does this).
SMALL_TRAINING_SHARE = 0.25
#: A reopen model whose test AUC is below this ranks cases barely better than chance (0.5).
NEAR_CHANCE_AUC = 0.6


@dataclass(frozen=True)
class TrainingResult:
    """A trained model with its evaluation, tuning study and the facts needed to track it."""

    model: TrainedModel
    metrics: dict[str, float]
    per_prefix: pd.DataFrame | None
    importance: pd.DataFrame
    tuning: TuningResult | None
    params: dict[str, Any]
    counts: dict[str, int]
    input_example: pd.DataFrame
    fingerprint: dict[str, str]
    seconds: float

    @property
    def cautions(self) -> tuple[str, ...]:
        """What a user must know before acting on this model's predictions (plain lines; empty: nothing)."""
        return training_cautions(self.counts, self.metrics, split_kind=self.model.split.kind)


def small_training_part(counts: dict[str, int]) -> bool:
    """Fewer training examples than :data:`SMALL_TRAINING_SHARE` of the test examples."""
    return counts.get("train", 0) < SMALL_TRAINING_SHARE * counts.get("test", 0)


def training_cautions(counts: dict[str, int], metrics: dict[str, float], *, split_kind: str) -> tuple[str, ...]:
    """The model is no better than its baseline on the test part, or learned from a small training part."""
    out = []
    train, test = counts.get("train", 0), counts.get("test", 0)
    if small_training_part(counts):
        why = (" (a temporal split keeps for training only the cases that end before the test period starts, "
               "and this log's cases are long compared with its span); try split: {kind: holdout}, or a smaller "
               "max_case_days") if split_kind == "temporal" else "; give the training part a larger share"
        out.append(f"only {train:,} training examples against {test:,} test examples{why}")
    if "test_mae" in metrics and "baseline_mae" in metrics and not metrics["test_mae"] < metrics["baseline_mae"]:
        out.append(f"the model is no better than the baseline on the test part (mean absolute error "
                   f"{metrics['test_mae']:.2f} vs {metrics['baseline_mae']:.2f} days): do not act on its predictions")
    if "test_auc" in metrics and metrics["test_auc"] < NEAR_CHANCE_AUC:
        out.append(f"the model ranks cases barely better than chance (AUC {metrics['test_auc']:.2f}; 0.5 is chance)")
    return tuple(out)


def fingerprint(events: pd.DataFrame, log_config: LogConfig, config: TrainingConfig) -> dict[str, str]:
    """SHA-256 of the event log's content and of the two configs (paths left out)."""
    data = hashlib.sha256(pd.util.hash_pandas_object(events, index=False).to_numpy().tobytes())
    data.update(",".join(map(str, events.columns)).encode())
    log_json = log_config.model_dump_json(exclude={"source": {"path"}})
    cfg_json = config.model_dump_json(exclude={"log"})
    return {
        "data_sha256": data.hexdigest(),
        "config_sha256": hashlib.sha256((log_json + cfg_json).encode()).hexdigest(),
    }


def make_split(events: pd.DataFrame, *, config: TrainingConfig, log_config: LogConfig) -> Split:
    """The split named in the config, over the cases whose outcome is known."""
    if config.assume_complete or log_config.complete_cases:
        done = pd.Index(events[CASE_ID].unique())
    else:
        done = completed_cases(events, statuses=log_config.statuses)
    s = config.split
    if s.kind == "holdout":
        return holdout_split(events[events[CASE_ID].isin(done)], fractions=s.holdout_fractions)
    return temporal_split(
        events, test_fraction=s.test_fraction, validation_fraction=s.validation_fraction,
        max_case_days=s.max_case_days, max_case_quantile=s.max_case_quantile, cases=done,
    )


def make_featurizer(*, config: TrainingConfig, log_config: LogConfig) -> PrefixFeaturizer:
    """The prefix featurizer for this log: its attributes (no person ids), end statuses and calendar."""
    excluded = set(log_config.person_columns)
    if not config.features.include_staff_attributes:
        excluded |= set(log_config.staff_attributes)
    case_attrs = tuple(a for a in log_config.case_attributes if a not in excluded)
    event_attrs = tuple(a for a in log_config.event_attributes if a not in excluded and a not in case_attrs)
    f = config.features
    return PrefixFeaturizer(
        case_attributes=case_attrs,
        event_attributes=event_attrs,
        top_activities=f.top_activities,
        max_categories=f.max_categories,
        include_resource=f.include_resource,
        end_activities=end_statuses(log_config.statuses),
        idle_timeout_days=f.idle_timeout_days,
        recent_window_days=f.recent_window_days,
        calendar=log_config.calendar if f.use_calendar else None,
    )


def _estimator(config: TrainingConfig, params: dict[str, Any], categorical: tuple[str, ...]) -> Any:
    common = {"categorical_features": categorical, "random_state": config.seed, "n_jobs": config.n_jobs}
    if config.task == "regression":
        return RemainingTimeRegressor(**{**common, **params})
    return ReopenRiskClassifier(**{**common, "calibration": config.calibration, **params})


def train_model(
    events: pd.DataFrame,
    *,
    config: TrainingConfig,
    log_config: LogConfig,
    on_trial: Callable[[optuna.trial.FrozenTrial], None] | None = None,
) -> TrainingResult:
    """Split, featurize, tune on validation, fit, and evaluate once on the test part."""
    started = time.perf_counter()
    split = make_split(events, config=config, log_config=log_config)
    train_events = events[events[CASE_ID].astype(str).isin(split.cases["train"])]
    featurizer = make_featurizer(config=config, log_config=log_config).fit(train_events)
    ex = build_examples(
        events, featurizer=featurizer, target=config.target, until=config.until,
        statuses=log_config.statuses, split=split, min_prefix_length=config.min_prefix_length,
        assume_complete=config.assume_complete or log_config.complete_cases,
    )
    counts = ex.counts()
    for part, n in counts.items():
        if n == 0:
            raise EventLogError(
                f"the {part} part has no example for target '{config.target}' (examples per part: {counts}); "
                "use a longer log or other split fractions"
            )
    tr, va, te = ex.mask("train"), ex.mask("validation"), ex.mask("test")
    cats = featurizer.categorical_features_
    k = config.features.snapshots if config.task == "regression" else 0
    seeds = np.random.SeedSequence(config.seed).spawn(3)
    X_tr, y_tr = with_snapshots(ex, tr, events, featurizer, k=k, rng=np.random.default_rng(seeds[0]))
    X_va, y_va = with_snapshots(ex, va, events, featurizer, k=k, rng=np.random.default_rng(seeds[1]))

    tuning: TuningResult | None = None
    params: dict[str, Any] = {}
    if config.budget.trials != 0:
        tuning = tune(
            X_tr, y_tr, X_va, y_va, task=config.task,
            base_params={"categorical_features": cats, "n_jobs": config.n_jobs},
            n_trials=config.budget.trials, timeout=config.budget.seconds, seed=config.seed, on_trial=on_trial,
        )
        params = dict(tuning.best_params)
        rounds = tuning.best_iteration
    else:
        probe = _estimator(config, {}, cats).fit(X_tr, y_tr, eval_set=(X_va, y_va))
        rounds = probe.best_iteration_

    estimator, fit_rows = _fit_final(config, params, rounds, cats, ex, tr, va, (X_tr, y_tr, X_va, y_va))
    model = TrainedModel(
        name=config.name, target=config.target, until=config.until, featurizer=featurizer,
        estimator=estimator, split=split, statuses=log_config.statuses,
        group_attributes=tuple(log_config.group_attributes), min_prefix_length=config.min_prefix_length,
        log_name=log_config.name, assume_complete=config.assume_complete or log_config.complete_cases,
    )
    metrics, per_prefix = _evaluate(model, ex, fit_rows, te, va)
    if config.task == "regression":  # the test cases seen at a moment between two events, as open cases are
        X_te, y_te = with_snapshots(ex, te, events, featurizer, k=1, rng=np.random.default_rng(seeds[2]),
                                    keep_events=False)
        if len(y_te):
            metrics.update(regression_metrics(y_te.to_numpy(), model.predict(X_te), prefix="test_as_of_"))
    run_params = {
        "target": config.target, "until": config.until, "log": log_config.name, "seed": config.seed,
        "budget_trials": config.budget.trials, "budget_seconds": config.budget.seconds,
        "min_prefix_length": config.min_prefix_length, "final_rounds": estimator.best_iteration_,
        "n_features": len(featurizer.feature_names_out_),
        **{f"examples_{k}": v for k, v in counts.items()},
        **split.summary(),
        **{f"model_{k}": v for k, v in params.items()},
    }
    if tuning is not None:
        metrics.update({k: float(v) for k, v in tuning.summary().items() if isinstance(v, (int, float))})
    return TrainingResult(
        model=model, metrics=metrics, per_prefix=per_prefix, importance=estimator.importance_frame(),
        tuning=tuning, params=run_params, counts=counts, input_example=ex.X[tr].head(5),
        fingerprint=fingerprint(events, log_config, config), seconds=time.perf_counter() - started,
    )


def with_snapshots(
    ex: Examples, rows: np.ndarray, events: pd.DataFrame, featurizer: PrefixFeaturizer, *, k: int,
    rng: np.random.Generator, keep_events: bool = True,
) -> tuple[pd.DataFrame, pd.Series]:
    """The example rows ``rows``, plus ``k`` snapshots of each: the prefix seen at a random moment
    before the case's next event, with the features moved on to it and the target counted from it.

    Prefixes whose next event has the same timestamp get no snapshot. ``keep_events=False``
    returns the snapshots only.
    """
    X, y = ex.X[rows], ex.y[rows]
    if k == 0:
        return X, y
    ordered = sorted_events(events)
    nxt = ordered.groupby(CASE_ID, sort=False)[TIMESTAMP].shift(-1).loc[events.index]
    times = ex.keys[TIMESTAMP][rows].reset_index(drop=True)
    gap = ((nxt[rows].reset_index(drop=True) - times).dt.total_seconds() / 3600.0).fillna(0.0).to_numpy()
    usable = np.flatnonzero(gap > 0)
    base = times.iloc[usable].reset_index(drop=True)
    parts_X, parts_y = ([X], [y]) if keep_events else ([], [])
    for _ in range(k):
        idle_h = rng.random(len(usable)) * gap[usable]
        at = base + pd.to_timedelta(idle_h, unit="h")
        parts_X.append(advance_prefixes(featurizer, X.iloc[usable], times=base, moments=at))
        parts_y.append(y.iloc[usable] - idle_h / 24.0)
    if not parts_X:
        return X.iloc[:0], y.iloc[:0]
    return pd.concat(parts_X, ignore_index=True), pd.concat(parts_y, ignore_index=True)


def _fit_final(
    config: TrainingConfig, params: dict[str, Any], rounds: int, cats: tuple[str, ...],
    ex: Examples, tr: np.ndarray, va: np.ndarray, sets: tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series],
) -> tuple[Any, np.ndarray]:
    """The final model: refit on train+validation (regression) or fit on train and calibrate on validation."""
    fixed = {**params, "n_estimators": max(int(rounds), 1), "early_stopping_rounds": None}
    X_tr, y_tr, X_va, y_va = sets
    if config.task == "regression":
        rows = (tr | va) if config.refit_on_validation else tr
        X_fit, y_fit = (pd.concat([X_tr, X_va], ignore_index=True), pd.concat([y_tr, y_va], ignore_index=True)) \
            if config.refit_on_validation else (X_tr, y_tr)
        if config.refit_on_validation:
            fixed["n_estimators"] = max(round(rounds * len(X_fit) / max(len(X_tr), 1)), 1)
        return _estimator(config, fixed, cats).fit(X_fit, y_fit), rows
    est = _estimator(config, fixed, cats)
    est.fit(ex.X[tr], ex.y[tr], calibration_set=(ex.X[va], ex.y[va]))
    return est, tr


def _evaluate(
    model: TrainedModel, ex: Examples, fit_rows: np.ndarray, te: np.ndarray, va: np.ndarray
) -> tuple[dict[str, float], pd.DataFrame | None]:
    y_test = ex.y[te].to_numpy()
    pred = model.predict(ex.X[te])
    if model.task == "regression":
        baseline = MeanByPrefixLength().fit(ex.X[fit_rows], ex.y[fit_rows]).predict(ex.X[te])
        metrics = {**regression_metrics(y_test, pred, prefix="test_"),
                   **regression_metrics(y_test, baseline, prefix="baseline_")}
        if not fit_rows[va].all():
            metrics.update(regression_metrics(ex.y[va].to_numpy(), model.predict(ex.X[va]), prefix="validation_"))
        per_prefix = mae_by_prefix_length(ex.X.loc[te, "prefix_length"].to_numpy(), y_test, pred, baseline)
        return metrics, per_prefix
    rate = float(ex.y[fit_rows].mean())
    metrics = {**classification_metrics(y_test, pred, prefix="test_"),
               **classification_metrics(y_test, np.full(len(y_test), rate), prefix="baseline_")}
    return metrics, None
