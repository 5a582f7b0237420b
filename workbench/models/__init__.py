"""LightGBM models for remaining time and reopen risk: splits, tuning, tracking, scoring.

The flow: :func:`train_model` (split the log without leakage, featurize, tune with
Optuna on the validation part, fit, evaluate once on the test part) ->
:func:`log_training_run` (MLflow run, registered model) -> :func:`load_trained_model`
(back by name) -> :func:`score_open_cases` (ranked at-risk list with reasons) and
:func:`predict_frame` (test-part predictions per prefix, for the fairness audit).
"""

from __future__ import annotations

from workbench.models.bundle import Examples, TrainedModel, build_examples, predict_frame
from workbench.models.config import (
    BudgetSettings,
    FeatureSettings,
    SplitSettings,
    TrainingConfig,
    load_training_config,
)
from workbench.models.estimators import MeanByPrefixLength, RemainingTimeRegressor, ReopenRiskClassifier
from workbench.models.metrics import (
    classification_metrics,
    expected_calibration_error,
    mae_by_prefix_length,
    regression_metrics,
)
from workbench.models.scoring import parse_as_of, resolve_as_of, score_open_cases
from workbench.models.splits import Split, holdout_split, temporal_split
from workbench.models.targets import completed_cases, open_cases, remaining_time, reopen_labels
from workbench.models.tracking import LoggedRun, load_trained_model, log_training_run, resolve_tracking_uri
from workbench.models.training import TrainingResult, train_model
from workbench.models.tuning import TuningResult, tune

__all__ = [
    "BudgetSettings",
    "Examples",
    "FeatureSettings",
    "LoggedRun",
    "MeanByPrefixLength",
    "RemainingTimeRegressor",
    "ReopenRiskClassifier",
    "Split",
    "SplitSettings",
    "TrainedModel",
    "TrainingConfig",
    "TrainingResult",
    "TuningResult",
    "build_examples",
    "classification_metrics",
    "completed_cases",
    "expected_calibration_error",
    "holdout_split",
    "load_trained_model",
    "load_training_config",
    "log_training_run",
    "mae_by_prefix_length",
    "open_cases",
    "parse_as_of",
    "predict_frame",
    "regression_metrics",
    "remaining_time",
    "reopen_labels",
    "resolve_as_of",
    "resolve_tracking_uri",
    "score_open_cases",
    "temporal_split",
    "train_model",
    "tune",
]
