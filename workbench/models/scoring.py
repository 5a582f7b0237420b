"""Score the open cases of a log: a ranked at-risk list with the reasons behind each score.

Each open case is scored at its latest event (the prefix so far), with the features
computed on the whole log so that the inter-case features see the current queues. A
duration model gives the predicted remaining days (from the latest event) and the
predicted end; a reopen model gives the probability that a case now resolved will be
really reopened (blank for cases not resolved yet: the model was trained at the
moment of resolution). The reasons are LightGBM's own per-feature contributions
(SHAP values): for a duration model in days, for a reopen model in log-odds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench.errors import ConfigError, EventLogError
from workbench.features import PrefixFeaturizer
from workbench.features._columns import check_events, sorted_events
from workbench.models.bundle import TrainedModel
from workbench.models.targets import open_cases
from workbench.schema import ACTIVITY, CASE_ID, TEAM, TIMESTAMP

__all__ = ["describe_value", "score_open_cases", "top_contributions"]

RankBy = Literal["remaining", "reopen"]


def describe_value(featurizer: PrefixFeaturizer, feature: str, value: float) -> str:
    """A readable value of a feature: the label of a category code, or a rounded number."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "missing"
    key = feature.removeprefix("attr__")
    if feature in featurizer.categorical_features_ and key in featurizer.categories_:
        cats = featurizer.categories_[key]
        code = int(value)
        return str(cats[code]) if 0 <= code < len(cats) else "other"
    return f"{value:.4g}"


def top_contributions(
    featurizer: PrefixFeaturizer, X: pd.DataFrame, contributions: pd.DataFrame, *, k: int = 3, unit: str = ""
) -> list[str]:
    """For each row, the ``k`` features with the largest absolute contribution, as readable text."""
    contrib = contributions.drop(columns=["bias"])
    values = contrib.to_numpy()
    names = np.asarray(contrib.columns)
    out = []
    for i in range(len(contrib)):
        order = np.argsort(-np.abs(values[i]), kind="stable")[:k]
        parts = [
            f"{names[j]}={describe_value(featurizer, names[j], float(X.iloc[i][names[j]]))} ({values[i, j]:+.2f}{unit})"
            for j in order
        ]
        out.append("; ".join(parts))
    return out


def score_open_cases(
    events: pd.DataFrame,
    *,
    models: Sequence[TrainedModel],
    top_features: int = 3,
    rank_by: RankBy = "remaining",
) -> pd.DataFrame:
    """Score every open case with the given duration and/or reopen models.

    Parameters
    ----------
    events : DataFrame
        The canonical log, including the open cases (e.g. today's extract).
    models : sequence of TrainedModel
        At most one remaining-time model and one reopen model.
    top_features : int
        How many contributing features to list per case and model.
    rank_by : {"remaining", "reopen"}
        Sort by predicted remaining days or by reopen probability (highest first).

    Returns
    -------
    DataFrame
        One row per open case, ranked: ``rank``, ``case_id``, ``last_activity``, ``team``,
        ``last_event_at``, ``age_days``, then ``predicted_remaining_days``, ``predicted_end``,
        ``remaining_reasons`` (duration model) and ``reopen_probability``, ``reopen_reasons``
        (reopen model).
    """
    check_events(events)
    if not models:
        raise ConfigError("give at least one model to score with (--model NAME)")
    duration = [m for m in models if m.target == "remaining_time"]
    reopen = [m for m in models if m.target == "reopen"]
    if len(duration) > 1 or len(reopen) > 1:
        raise ConfigError("give at most one remaining-time model and one reopen model")
    if rank_by not in ("remaining", "reopen"):
        raise ConfigError(f"rank_by must be 'remaining' or 'reopen', got {rank_by!r}")
    if top_features < 0:
        raise ConfigError(f"top_features must be >= 0, got {top_features}")
    reference = models[0]
    closed = tuple(reference.statuses.closed) or reference.featurizer.end_activities_
    ids = open_cases(events, end_activities=tuple(closed))
    ev = sorted_events(events)
    last_rows = ev.groupby(CASE_ID, sort=False).tail(1)
    last_rows = last_rows[last_rows[CASE_ID].isin(ids)]
    starts = ev.groupby(CASE_ID, sort=False)[TIMESTAMP].min()
    out = pd.DataFrame({
        CASE_ID: last_rows[CASE_ID].to_numpy(),
        "last_activity": last_rows[ACTIVITY].astype(str).to_numpy(),
        TEAM: last_rows[TEAM].to_numpy() if TEAM in last_rows.columns else pd.NA,
        "last_event_at": last_rows[TIMESTAMP].array,
    }, index=last_rows.index)
    first = pd.Series(starts.reindex(out[CASE_ID].to_numpy()).array, index=out.index)
    out["age_days"] = (out["last_event_at"] - first).dt.total_seconds() / 86400.0
    if out.empty:
        return _finish(out, rank_by, bool(duration), bool(reopen))

    if duration:
        m = duration[0]
        X = m.featurizer.transform(events).loc[out.index]
        pred = m.predict(X)
        out["predicted_remaining_days"] = pred
        out["predicted_end"] = (out["last_event_at"] + pd.to_timedelta(pred, unit="D")).dt.round("s")
        if top_features:
            contrib = m.estimator.predict_contributions(X)
            out["remaining_reasons"] = top_contributions(m.featurizer, X, contrib, k=top_features, unit=" d")
        if m.until == "resolution":
            resolved = out["last_activity"].isin(m.statuses.resolved).to_numpy()
            out.loc[resolved, "predicted_remaining_days"] = 0.0
            out.loc[resolved, "predicted_end"] = out.loc[resolved, "last_event_at"]
    if reopen:
        m = reopen[0]
        out["reopen_probability"] = np.nan
        resolved = out["last_activity"].isin(m.statuses.resolved).to_numpy()
        if resolved.any():
            X = m.featurizer.transform(events).loc[out.index[resolved]]
            out.loc[resolved, "reopen_probability"] = m.predict(X)
            if top_features:
                contrib = m.estimator.predict_contributions(X)
                reasons = top_contributions(m.featurizer, X, contrib, k=top_features, unit=" log-odds")
                out["reopen_reasons"] = pd.Series(pd.NA, index=out.index, dtype="object")
                out.loc[resolved, "reopen_reasons"] = reasons
    return _finish(out, rank_by, bool(duration), bool(reopen))


def _finish(out: pd.DataFrame, rank_by: RankBy, has_duration: bool, has_reopen: bool) -> pd.DataFrame:
    keys: list[str] = []
    if rank_by == "reopen" and has_reopen:
        keys = ["reopen_probability"] + (["predicted_remaining_days"] if has_duration else [])
    elif has_duration:
        keys = ["predicted_remaining_days"] + (["reopen_probability"] if has_reopen else [])
    elif has_reopen:
        keys = ["reopen_probability"]
    if rank_by == "reopen" and not has_reopen:
        raise EventLogError("rank_by 'reopen' needs a reopen model")
    for col in ("predicted_remaining_days", "predicted_end", "remaining_reasons") if has_duration else ():
        if col not in out.columns:
            out[col] = pd.Series(dtype="float64")
    for col in ("reopen_probability", "reopen_reasons") if has_reopen else ():
        if col not in out.columns:
            out[col] = pd.Series(dtype="float64") if col == "reopen_probability" else pd.NA
    out = out.sort_values([*keys, CASE_ID], ascending=[False] * len(keys) + [True], na_position="last", kind="stable")
    out = out.reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
