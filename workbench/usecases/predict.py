"""Use cases: train (tune, evaluate once) a prediction model, and score the open cases of a log.

Tracking a trained model in MLflow is an edge (:func:`workbench.usecases.writers.track_training`);
these functions compute only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import optuna
import pandas as pd

from workbench.config import LogConfig
from workbench.models import TrainedModel, TrainingConfig, TrainingResult, train_model
from workbench.models import score_open_cases as score_with_models

__all__ = ["ScoredCases", "tuning_budget", "train_predictor", "score_open_cases"]

RankBy = Literal["remaining", "reopen"]


@dataclass(frozen=True)
class ScoredCases:
    """The ranked at-risk list: one row per open case, with the reasons behind each score.

    ``open_rule`` says how "open" was decided when the log config maps no closing status (the
    training cases' last activities stand in for them); ``None`` when the statuses or
    ``complete_cases`` decided.
    """

    at_risk: pd.DataFrame
    models: tuple[TrainedModel, ...]
    rank_by: RankBy = "remaining"
    open_rule: str | None = None


def tuning_budget(
    config: TrainingConfig,
    *,
    trials: int | None = None,
    seconds: float | None = None,
    replace_whole_budget: bool = False,
    seed: int | None = None,
) -> TrainingConfig:
    """``config`` with its tuning budget (and seed) overridden.

    With ``replace_whole_budget`` (the pipeline's rule) a trial count replaces the whole
    budget, its time limit too unless ``seconds`` is given, so the same seed gives the same
    model on any machine; otherwise each given value overrides only its own field.
    """
    if replace_whole_budget and trials is not None:
        budget = config.budget.model_copy(update={"trials": trials, "seconds": seconds})
    else:
        update: dict[str, object] = {}
        if trials is not None:
            update["trials"] = trials
        if seconds is not None:
            update["seconds"] = seconds
        budget = config.budget.model_copy(update=update) if update else config.budget
    changes: dict[str, object] = {"budget": budget}
    if seed is not None:
        changes["seed"] = seed
    return config.model_copy(update=changes)


def train_predictor(
    events: pd.DataFrame,
    config: TrainingConfig,
    log_config: LogConfig,
    *,
    on_trial: Callable[[optuna.trial.FrozenTrial], None] | None = None,
) -> TrainingResult:
    """Split the log, tune LightGBM with Optuna on the validation part, fit, and evaluate once on the test part.

    ``on_trial`` is called after each tuning trial (front ends show progress with it).
    """
    return train_model(events, config=config, log_config=log_config, on_trial=on_trial)


def score_open_cases(
    events: pd.DataFrame,
    models: Sequence[TrainedModel],
    *,
    top_features: int = 3,
    rank_by: RankBy = "remaining",
    as_of: pd.Timestamp | None = None,
    complete_cases: bool = False,
) -> ScoredCases:
    """Score every case open at ``as_of`` (default: the log's last event) with the duration and/or
    reopen ``models``; rank them by ``rank_by``. ``complete_cases``: the log holds finished cases only."""
    scored = score_with_models(events, models=list(models), top_features=top_features, rank_by=rank_by,
                               as_of=as_of, complete_cases=complete_cases)
    rule = None
    if models and not models[0].statuses.closed and not complete_cases:
        ends = sorted(models[0].featurizer.end_activities_)
        shown = ", ".join(ends[:5]) + (f" and {len(ends) - 5} more" if len(ends) > 5 else "")
        rule = (f"the log config maps no closing status (statuses.closed), so a case counts as open when its last "
                f"activity is not one the training cases ended with ({shown}); map statuses.closed, or set "
                "complete_cases: true for an extract of finished cases")
    return ScoredCases(at_risk=scored, models=tuple(models), rank_by=rank_by, open_rule=rule)
