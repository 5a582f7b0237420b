"""A trained model with everything needed to use it again: featurizer, estimator, split, target.

:class:`TrainedModel` is what ``workbench train`` produces and what MLflow stores and
gives back by name (:func:`workbench.models.tracking.load_trained_model`).
:func:`build_examples` turns an event log into features, targets and split parts, and
:func:`predict_frame` gives one row per scored prefix of a part (the test part by
default) with the truth and the prediction, for evaluation and the fairness audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import lightgbm as lgb
import numpy as np
import pandas as pd

from workbench.config import StatusMeanings
from workbench.errors import EventLogError
from workbench.features import PrefixFeaturizer, prefix_index
from workbench.models.estimators import RemainingTimeRegressor, ReopenRiskClassifier
from workbench.models.splits import PARTS, Split
from workbench.models.targets import completed_cases, remaining_time, reopen_labels
from workbench.schema import CASE_ID, TIMESTAMP

__all__ = ["Examples", "TrainedModel", "build_examples", "predict_frame"]

Target = Literal["remaining_time", "reopen"]


@dataclass(frozen=True)
class Examples:
    """Features of every event's prefix, the target where it is defined, and the split part."""

    X: pd.DataFrame
    y: pd.Series
    part: pd.Series
    keys: pd.DataFrame  # case_id, prefix_length, timestamp

    def mask(self, *parts: str) -> np.ndarray:
        """Rows that are examples (target known) of the given parts."""
        inside = self.part.isin(parts).fillna(False).to_numpy(dtype=bool)
        return inside & self.y.notna().to_numpy()

    def counts(self) -> dict[str, int]:
        return {p: int(self.mask(p).sum()) for p in PARTS}


def build_examples(
    events: pd.DataFrame,
    *,
    featurizer: PrefixFeaturizer,
    target: Target,
    until: str,
    statuses: StatusMeanings,
    split: Split,
    min_prefix_length: int = 2,
    assume_complete: bool = False,
) -> Examples:
    """Features (from a fitted featurizer), targets and split parts, aligned with ``events``.

    Remaining time: prefixes of at least ``min_prefix_length`` events that end before the
    target event, in cases whose outcome is known (all cases with ``assume_complete``, else
    those whose last event is a closure, when closure labels are configured). Reopen: every
    resolution event whose outcome is known.
    """
    X = featurizer.transform(events)
    keys = prefix_index(events)
    if target == "remaining_time":
        y = remaining_time(events, until=until, statuses=statuses)  # type: ignore[arg-type]
        y[keys["prefix_length"].to_numpy() < min_prefix_length] = np.nan
        if not assume_complete:
            done = completed_cases(events, statuses=statuses)
            y[~events[CASE_ID].isin(done).to_numpy()] = np.nan
    else:
        y = reopen_labels(events, statuses=statuses)
    part = split.assign(events[CASE_ID], events[TIMESTAMP])
    return Examples(X=X, y=y, part=part, keys=keys)


@dataclass(frozen=True)
class TrainedModel:
    """A fitted featurizer and estimator, with the target, split and log settings they belong to."""

    name: str
    target: Target
    until: str
    featurizer: PrefixFeaturizer
    estimator: RemainingTimeRegressor | ReopenRiskClassifier
    split: Split
    statuses: StatusMeanings
    group_attributes: tuple[str, ...] = ()
    min_prefix_length: int = 2
    log_name: str = ""
    assume_complete: bool = False
    version: str | None = None

    @property
    def task(self) -> Literal["regression", "classification"]:
        return "regression" if self.target == "remaining_time" else "classification"

    def examples(self, events: pd.DataFrame) -> Examples:
        return build_examples(
            events, featurizer=self.featurizer, target=self.target, until=self.until,
            statuses=self.statuses, split=self.split, min_prefix_length=self.min_prefix_length,
            assume_complete=self.assume_complete,
        )

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Remaining days (regression) or reopen probability (classification) for feature rows."""
        if isinstance(self.estimator, ReopenRiskClassifier):
            return self.estimator.predict_proba(X)[:, 1]
        return self.estimator.predict(X)

    def to_dict(self) -> dict[str, Any]:
        """Everything but the booster, as JSON-serialisable data (see :meth:`from_dict`)."""
        return {
            "format": 1,
            "name": self.name,
            "target": self.target,
            "until": self.until,
            "featurizer": self.featurizer.to_dict(),
            "estimator": {"class": type(self.estimator).__name__, **self.estimator.to_state()},
            "split": self.split.to_dict(),
            "statuses": self.statuses.model_dump(mode="json"),
            "group_attributes": list(self.group_attributes),
            "min_prefix_length": self.min_prefix_length,
            "log_name": self.log_name,
            "assume_complete": self.assume_complete,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], booster: lgb.Booster, *, version: str | None = None) -> TrainedModel:
        est_state = dict(data["estimator"])
        kind = est_state.pop("class")
        est_cls: Any = {"RemainingTimeRegressor": RemainingTimeRegressor, "ReopenRiskClassifier": ReopenRiskClassifier}[kind]
        return cls(
            name=data["name"],
            target=data["target"],
            until=data["until"],
            featurizer=PrefixFeaturizer.from_dict(data["featurizer"]),
            estimator=est_cls.from_booster(booster, est_state),
            split=Split.from_dict(data["split"]),
            statuses=StatusMeanings.model_validate(data["statuses"]),
            group_attributes=tuple(data.get("group_attributes", ())),
            min_prefix_length=int(data.get("min_prefix_length", 2)),
            log_name=data.get("log_name", ""),
            assume_complete=bool(data.get("assume_complete", False)),
            version=version,
        )


def predict_frame(
    model: TrainedModel,
    events: pd.DataFrame,
    *,
    part: str = "test",
    group_attributes: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """One row per scored prefix of ``part``: truth, prediction and the case's group attributes.

    Columns: ``case_id``, ``prefix_length``, ``timestamp``, ``y_true`` and ``y_pred``
    (remaining days) for a duration model or ``y_proba`` (reopen probability) for a reopen
    model, then one column per group attribute (the value at the prefix's last event).

    Parameters
    ----------
    model : TrainedModel
        E.g. from :func:`workbench.models.tracking.load_trained_model`.
    events : DataFrame
        The canonical log the model was trained on (the split is the stored one).
    part : {"test", "validation", "train"}
    group_attributes : tuple of str, optional
        Default: the log config's group attributes stored with the model.
    """
    if part not in PARTS:
        raise EventLogError(f"part must be one of {list(PARTS)}, got {part!r}")
    groups = tuple(model.group_attributes if group_attributes is None else group_attributes)
    missing = [g for g in groups if g not in events.columns]
    if missing:
        raise EventLogError(f"group attribute(s) {missing} are not columns of the event log")
    ex = model.examples(events)
    mask = ex.mask(part)
    if not mask.any():
        raise EventLogError(
            f"the {part} part of this log has no scored prefix; is it the log model '{model.name}' was trained on?"
        )
    out = ex.keys.loc[mask, [CASE_ID, "prefix_length", TIMESTAMP]].copy()
    out["y_true"] = ex.y[mask].to_numpy()
    column = "y_pred" if model.task == "regression" else "y_proba"
    out[column] = model.predict(ex.X[mask])
    for g in groups:
        out[g] = events.loc[mask, g].to_numpy()
    return out.reset_index(drop=True)
