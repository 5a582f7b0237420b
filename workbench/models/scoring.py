"""Score the open cases of a log as of a moment: a ranked at-risk list with the reasons behind each score.

Each case open at ``as_of`` (default: the log's last event) is scored on its prefix so
far, seen at ``as_of``: the features are computed on the log up to ``as_of`` (so the
inter-case features see the queues of the time) and the time-dependent ones are moved
on from the case's last event to ``as_of`` (:func:`workbench.features.advance_prefixes`;
the models are trained on such snapshots too). A duration model gives the predicted
remaining days from ``as_of`` and the expected end, never before ``as_of``; a reopen
model gives the probability that a case now resolved will be really reopened (blank
for cases not resolved yet: the model was trained at the moment of resolution). The reasons are LightGBM's own per-feature contributions
(SHAP values): for a duration model in days, for a reopen model in log-odds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench.errors import ConfigError, EventLogError
from workbench.features import PrefixFeaturizer, advance_prefixes, check_events, sorted_events
from workbench.models.bundle import TrainedModel
from workbench.models.targets import open_cases
from workbench.schema import ACTIVITY, CASE_ID, TEAM, TIMESTAMP

__all__ = ["describe_value", "parse_as_of", "resolve_as_of", "score_open_cases", "top_contributions"]

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


def resolve_as_of(events: pd.DataFrame, as_of: object = None) -> pd.Timestamp:
    """The moment of scoring as a UTC timestamp: ``as_of``, or the log's last event when ``None``.

    A naive ``as_of`` is read as UTC (front ends localise it first, see :func:`parse_as_of`).
    """
    if as_of is None:
        return pd.Timestamp(events[TIMESTAMP].max()).tz_convert("UTC")
    moment = pd.Timestamp(as_of)
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def parse_as_of(text: str, *, timezone: str = "UTC") -> pd.Timestamp:
    """Read an ``--as-of`` value: a date (``2024-03-01``, the start of that day) or a date and time,
    in local time of ``timezone`` unless it carries a UTC offset.

    Raises
    ------
    ConfigError
        When ``text`` is not a date.
    """
    try:
        moment = pd.Timestamp(str(text).strip())
    except (ValueError, TypeError):
        raise ConfigError(
            f"as_of {text!r} is not a date; write e.g. 2024-03-01 or '2024-03-01 14:00' (local time)"
        ) from None
    if moment is pd.NaT:
        raise ConfigError(f"as_of {text!r} is not a date; write e.g. 2024-03-01")
    if moment.tzinfo is None:
        moment = moment.tz_localize(timezone, ambiguous=True, nonexistent="shift_forward")
    return moment.tz_convert("UTC")


def _expected_end(model: TrainedModel, as_of: pd.Timestamp, days: np.ndarray) -> pd.Series:
    """``as_of`` plus the predicted days, moved into working time of the model's calendar (if it has one)."""
    end = pd.Series(as_of + pd.to_timedelta(days, unit="D")).dt.round("s")
    calendar = model.featurizer.calendar
    if calendar is None:
        return end
    from workbench.calendar import WorkingCalendar

    return WorkingCalendar.from_config(calendar).add_working_hours(end, 0.0).dt.round("s")


def score_open_cases(
    events: pd.DataFrame,
    *,
    models: Sequence[TrainedModel],
    as_of: object = None,
    complete_cases: bool = False,
    top_features: int = 3,
    rank_by: RankBy = "remaining",
) -> pd.DataFrame:
    """Score every case open as of a moment with the given duration and/or reopen models.

    Parameters
    ----------
    events : DataFrame
        The canonical log, including the open cases (e.g. today's extract).
    models : sequence of TrainedModel
        At most one remaining-time model and one reopen model.
    as_of : timestamp-like, optional
        The moment of scoring (UTC if naive; see :func:`parse_as_of`). Default: the last
        event of the log. Events after it are not seen (the log as it was then); cases
        are open if not closed by then; remaining time and the expected end are counted
        from it, never before it.
    complete_cases : bool
        The log is an extract of finished cases (``LogConfig.complete_cases``): no case is open.
    top_features : int
        How many contributing features to list per case and model.
    rank_by : {"remaining", "reopen"}
        Sort by predicted remaining days or by reopen probability (highest first).

    Returns
    -------
    DataFrame
        One row per open case, ranked: ``rank``, ``case_id``, ``last_activity``, ``team``,
        ``last_event_at``, ``as_of``, ``elapsed_days`` (case start to ``as_of``),
        ``idle_days`` (last event to ``as_of``), then ``predicted_remaining_days`` (from
        ``as_of``), ``predicted_end`` (UTC, in working time of the model's calendar),
        ``predicted_end_date`` (its local date there) and ``remaining_reasons`` (duration
        model) and ``reopen_probability``, ``reopen_reasons`` (reopen model). With a model
        of time to resolution, a case already resolved has 0 days left and no end date.
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
    moment = resolve_as_of(events, as_of)
    seen = events[events[TIMESTAMP] <= moment]
    if seen.empty:
        raise EventLogError(
            f"as_of {moment:%Y-%m-%d %H:%M} UTC is before the log's first event "
            f"({events[TIMESTAMP].min():%Y-%m-%d %H:%M} UTC); choose a later moment"
        )
    reference = models[0]
    closed = tuple(reference.statuses.closed) or reference.featurizer.end_activities_
    ids = open_cases(seen, end_activities=tuple(closed), complete_cases=complete_cases)
    ev = sorted_events(seen)
    last_rows = ev.groupby(CASE_ID, sort=False).tail(1)
    last_rows = last_rows[last_rows[CASE_ID].isin(ids)]
    starts = ev.groupby(CASE_ID, sort=False)[TIMESTAMP].min()
    out = pd.DataFrame({
        CASE_ID: last_rows[CASE_ID].to_numpy(),
        "last_activity": last_rows[ACTIVITY].astype(str).to_numpy(),
        TEAM: last_rows[TEAM].to_numpy() if TEAM in last_rows.columns else pd.NA,
        "last_event_at": last_rows[TIMESTAMP].array,
    }, index=last_rows.index)
    out["as_of"] = moment
    first = pd.Series(starts.reindex(out[CASE_ID].to_numpy()).array, index=out.index)
    out["elapsed_days"] = (moment - first).dt.total_seconds() / 86400.0
    out["idle_days"] = (moment - out["last_event_at"]).dt.total_seconds() / 86400.0
    if out.empty:
        return _finish(out, rank_by, bool(duration), bool(reopen))

    if duration:
        m = duration[0]
        X = m.featurizer.transform(seen).loc[out.index]
        X = advance_prefixes(m.featurizer, X, times=out["last_event_at"], moments=out["as_of"])
        pred = np.maximum(m.predict(X), 0.0)
        out["predicted_remaining_days"] = pred
        out["predicted_end"] = _expected_end(m, moment, pred).array
        if top_features:
            contrib = m.estimator.predict_contributions(X)
            out["remaining_reasons"] = top_contributions(m.featurizer, X, contrib, k=top_features, unit=" d")
        if m.until == "resolution":
            resolved = out["last_activity"].isin(m.statuses.resolved).to_numpy()
            out.loc[resolved, "predicted_remaining_days"] = 0.0
            out.loc[resolved, "predicted_end"] = pd.NaT
            if top_features:
                out.loc[resolved, "remaining_reasons"] = "resolved; waiting for closure"
        zone = m.featurizer.calendar.timezone if m.featurizer.calendar is not None else "UTC"
        out["predicted_end_date"] = out["predicted_end"].dt.tz_convert(zone).dt.strftime("%Y-%m-%d")
    if reopen:
        m = reopen[0]
        out["reopen_probability"] = np.nan
        resolved = out["last_activity"].isin(m.statuses.resolved).to_numpy()
        if resolved.any():
            X = m.featurizer.transform(seen).loc[out.index[resolved]]
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
    for col in ("predicted_remaining_days", "predicted_end", "predicted_end_date", "remaining_reasons") \
            if has_duration else ():
        if col not in out.columns:
            out[col] = pd.Series(dtype="float64")
    for col in ("reopen_probability", "reopen_reasons") if has_reopen else ():
        if col not in out.columns:
            out[col] = pd.Series(dtype="float64") if col == "reopen_probability" else pd.NA
    out = out.sort_values([*keys, CASE_ID], ascending=[False] * len(keys) + [True], na_position="last", kind="stable")
    out = out.reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
