"""The training config: what to predict on which log, how to split, how long to tune.

A training config is a YAML file under ``configs/training/``, read once at the edge by
:func:`load_training_config` into a frozen :class:`TrainingConfig`::

    name: demo-duration            # registered model name in MLflow
    log: ../logs/demo.yaml         # log config, relative to this file
    target: remaining_time         # remaining_time | reopen
    until: resolution              # end | resolution | closure (remaining_time only)
    split: {kind: temporal, test_fraction: 0.2, validation_fraction: 0.2}
    budget: {trials: 30, seconds: 600}
    seed: 42
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from workbench.config import FrozenModel, load_yaml, parse_config

__all__ = ["BudgetSettings", "FeatureSettings", "SplitSettings", "TrainingConfig", "load_training_config"]


class SplitSettings(FrozenModel):
    """How the log is split (see :mod:`workbench.models.splits`)."""

    kind: Literal["temporal", "holdout"] = "temporal"
    test_fraction: float = Field(default=0.2, gt=0, lt=1)
    validation_fraction: float = Field(default=0.2, gt=0, lt=1)
    max_case_days: float | None = Field(default=None, gt=0)
    max_case_quantile: float = Field(default=0.95, gt=0, lt=1)
    holdout_fractions: tuple[float, float, float] = (0.64, 0.16, 0.20)

    @field_validator("holdout_fractions")
    @classmethod
    def _sum_to_one(cls, value: tuple[float, float, float]) -> tuple[float, float, float]:
        if any(v <= 0 for v in value) or abs(sum(value) - 1.0) > 1e-9:
            raise ValueError(f"holdout_fractions must be three positive numbers summing to 1, got {list(value)}")
        return value


class BudgetSettings(FrozenModel):
    """The tuning budget: stop after ``trials`` trials or ``seconds`` seconds, whichever comes first.

    ``trials: 0`` skips tuning and trains LightGBM's defaults with early stopping.
    """

    trials: int | None = Field(default=30, ge=0)
    seconds: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _some_budget(self) -> BudgetSettings:
        if self.trials is None and self.seconds is None:
            raise ValueError("set budget.trials and/or budget.seconds")
        return self


class FeatureSettings(FrozenModel):
    """Prefix feature options (see :class:`workbench.features.PrefixFeaturizer`)."""

    top_activities: int = Field(default=30, ge=0)
    max_categories: int = Field(default=100, ge=1)
    include_resource: bool = False
    include_staff_attributes: bool = False
    idle_timeout_days: float | Literal["auto"] | None = "auto"
    recent_window_days: float | None = Field(default=30.0, gt=0)
    use_calendar: bool = True
    #: remaining-time models: per training prefix, this many extra examples of the case
    #: seen at a random moment before its next event (idle since the last event), so the
    #: model scores open cases as of a moment the way it was trained (0: at events only)
    snapshots: int = Field(default=1, ge=0, le=10)


class TrainingConfig(FrozenModel):
    """Everything ``workbench train`` needs."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=100)
    description: str = ""
    log: Path
    target: Literal["remaining_time", "reopen"]
    until: Literal["end", "resolution", "closure"] = "end"
    split: SplitSettings = SplitSettings()
    budget: BudgetSettings = BudgetSettings()
    features: FeatureSettings = FeatureSettings()
    seed: int = 42
    min_prefix_length: int = Field(default=2, ge=1)
    #: every case in the log is finished (a historical extract): do not drop cases whose
    #: last event is not a closure status
    assume_complete: bool = False
    refit_on_validation: bool = True
    #: probability calibration of the reopen model on the validation part; ``auto``: isotonic
    #: with at least 200 rows of each class, else sigmoid (Platt)
    calibration: Literal["auto", "isotonic", "sigmoid"] = "auto"
    experiment: str = "workbench-prediction"
    n_jobs: int = Field(default=1, ge=1)

    @property
    def task(self) -> Literal["regression", "classification"]:
        return "regression" if self.target == "remaining_time" else "classification"


def load_training_config(path: str | Path) -> TrainingConfig:
    """Read and validate a training config; ``log`` resolves against the config's folder."""
    path = Path(path)
    config = parse_config(TrainingConfig, load_yaml(path), source=f"training config '{path}'")
    if not config.log.is_absolute():
        candidates = [(path.parent / config.log).resolve(), (Path.cwd() / config.log).resolve()]
        chosen = next((c for c in candidates if c.exists()), candidates[0])
        config = config.model_copy(update={"log": chosen})
    return config
