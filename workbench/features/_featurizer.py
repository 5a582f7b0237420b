"""The prefix featurizer: one row of features per event, describing the case up to that event.

Row ``i`` of a case is the prefix that ends with the case's ``i``-th event. Its
features use only events with ``timestamp <=`` that event's time (within the case:
only the events up to and including it), so a model trained on them can be applied
to a running case. What is learned in :meth:`PrefixFeaturizer.fit` (vocabularies,
end activities, the idle timeout) comes from the training log only.

Feature groups
--------------
- position and time: ``prefix_length``, ``elapsed_hours``, ``since_last_hours``,
  ``idle_hours`` (0 at the event; the time since it when the prefix is seen later, see
  :func:`workbench.features.advance_prefixes`), ``hour``, ``weekday``, ``start_hour``, ``start_weekday`` and, with a calendar,
  ``working_hours_elapsed``;
- last state: ``last_activity``, ``prev_activity``, ``last_team`` (category codes),
  and the last known value of every case and event attribute;
- aggregations so far: ``count__<activity>``, ``hours_in__<activity>`` for the most
  frequent activities, ``distinct_activities``, ``max_repeats``, ``teams_so_far``,
  ``team_changes``, ``resources_so_far``;
- inter-case: ``open_cases`` in the system and ``open_cases_team`` in the case's
  current team at that moment, and the recent performance of the process (cases that
  ended in the last ``recent_window_days``: time from the same activity to the end,
  case duration, number of ends and of new cases).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from workbench.config import CalendarConfig
from workbench.errors import ConfigError, NotFittedError
from workbench.features._columns import (
    NS_PER_DAY,
    NS_PER_HOUR,
    category_codes,
    check_events,
    sorted_events,
    time_ns,
    unique_names,
    vocabulary,
)
from workbench.features._intercase import open_case_counts, recent_outcomes
from workbench.features._intracase import (
    changes_so_far,
    cumulative_counts,
    cumulative_durations,
    distinct_so_far,
    max_repeats,
)
from workbench.features._learned import is_numeric, learn_end_activities, learn_idle_timeout
from workbench.schema import ACTIVITY, CASE_ID, RESOURCE, TEAM, TIMESTAMP

__all__ = ["PrefixFeaturizer", "check_is_fitted", "prefix_index"]

_FITTED = ("activities_", "categories_", "end_activities_", "feature_names_out_")


def check_is_fitted(estimator: Any, attributes: Sequence[str]) -> None:
    """Raise the sklearn-style :class:`NotFittedError` unless ``attributes`` exist."""
    if not all(hasattr(estimator, a) for a in attributes):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with appropriate "
            "arguments before using this estimator."
        )


def prefix_index(events: pd.DataFrame) -> pd.DataFrame:
    """Case, prefix length and time of every event (the prefix it ends), aligned with ``events``."""
    check_events(events)
    ordered = sorted_events(events)
    length = ordered.groupby(CASE_ID, sort=False).cumcount() + 1
    out = pd.DataFrame(
        {CASE_ID: ordered[CASE_ID], "prefix_length": length.astype("int64"), TIMESTAMP: ordered[TIMESTAMP]},
        index=ordered.index,
    )
    return out.loc[events.index]


class PrefixFeaturizer(TransformerMixin, BaseEstimator):
    """Turn a canonical event log into prefix features, one row per event.

    Parameters
    ----------
    case_attributes : sequence of str
        Case attribute columns (static per case), e.g. ``LogConfig.case_attributes``.
    event_attributes : sequence of str
        Event attribute columns; their last known value in the prefix is used.
    top_activities : int
        How many of the most frequent activities get a count and a time-in-status column.
    max_categories : int
        Categorical columns keep their most frequent values up to this many; others are missing.
    include_resource : bool
        Use the (pseudonymised) resource as a feature. Off by default: staff should not
        feel watched, and per-person features rarely generalise.
    end_activities : sequence of str, optional
        Activities after which a case no longer counts as open (e.g. ``statuses.closed``).
        ``None``: learned in ``fit`` as activities that are the last event in at least
        half of the cases where they occur.
    idle_timeout_days : float, "auto" or None
        A case idle for longer than this no longer counts as open; ``"auto"`` learns the
        99th percentile of within-case gaps in ``fit``; ``None`` disables the timeout.
    recent_window_days : float or None
        Window of the "recent performance" features: over the cases that reached an end
        activity in the last this many days, the mean time from the same activity to the
        end, the mean case duration, the number of ends and of new cases (``None``: off).
        They let the model follow a process that changes over time.
    calendar : CalendarConfig, optional
        Working calendar: adds ``working_hours_elapsed`` and puts hour and weekday in local time.

    Attributes
    ----------
    activities_ : tuple of str
        Activities with count and time-in-status features.
    categories_ : dict of str to tuple of str
        Vocabulary of every categorical column.
    numeric_attributes_ : tuple of str
        Attribute columns treated as numbers.
    end_activities_ : tuple of str
    idle_timeout_ns_ : int or None
    feature_names_out_ : tuple of str
    categorical_features_ : tuple of str
        Output columns holding category codes (for LightGBM's ``categorical_feature``).
    """

    def __init__(
        self,
        *,
        case_attributes: Sequence[str] = (),
        event_attributes: Sequence[str] = (),
        top_activities: int = 30,
        max_categories: int = 100,
        include_resource: bool = False,
        end_activities: Sequence[str] | None = None,
        idle_timeout_days: float | str | None = "auto",
        recent_window_days: float | None = 30.0,
        calendar: CalendarConfig | None = None,
    ) -> None:
        self.case_attributes = case_attributes
        self.event_attributes = event_attributes
        self.top_activities = top_activities
        self.max_categories = max_categories
        self.include_resource = include_resource
        self.end_activities = end_activities
        self.idle_timeout_days = idle_timeout_days
        self.recent_window_days = recent_window_days
        self.calendar = calendar

    # -- fit ------------------------------------------------------------------------------------

    def _attributes(self) -> list[str]:
        seen: list[str] = []
        for col in (*self.case_attributes, *self.event_attributes):
            if col not in seen:
                seen.append(col)
        return seen

    def _check_params(self) -> None:
        if not isinstance(self.top_activities, (int, np.integer)) or self.top_activities < 0:
            raise ConfigError(f"top_activities must be an integer >= 0, got {self.top_activities!r}")
        if not isinstance(self.max_categories, (int, np.integer)) or self.max_categories < 1:
            raise ConfigError(f"max_categories must be an integer >= 1, got {self.max_categories!r}")
        t = self.idle_timeout_days
        if not (t is None or t == "auto" or (isinstance(t, (int, float)) and t > 0)):
            raise ConfigError(f"idle_timeout_days must be a positive number, 'auto' or None, got {t!r}")
        w = self.recent_window_days
        if not (w is None or (isinstance(w, (int, float)) and w > 0)):
            raise ConfigError(f"recent_window_days must be a positive number or None, got {w!r}")
        if self.calendar is not None and not isinstance(self.calendar, CalendarConfig):
            raise ConfigError(f"calendar must be a CalendarConfig or None, got {type(self.calendar).__name__}")

    def fit(self, events: pd.DataFrame, y: object = None) -> PrefixFeaturizer:
        """Learn vocabularies, end activities and the idle timeout from ``events``; return ``self``."""
        self._check_params()
        attrs = self._attributes()
        check_events(events, columns=attrs, what="training log")
        ev = sorted_events(events)
        self.activities_ = vocabulary(ev[ACTIVITY], limit=int(self.top_activities))
        categories: dict[str, tuple[str, ...]] = {
            "last_activity": vocabulary(ev[ACTIVITY], limit=int(self.max_categories)),
        }
        if TEAM in ev.columns:
            categories["last_team"] = vocabulary(ev[TEAM], limit=int(self.max_categories))
        if self.include_resource and RESOURCE in ev.columns:
            categories["last_resource"] = vocabulary(ev[RESOURCE], limit=int(self.max_categories))
        numeric: list[str] = []
        for col in attrs:
            if is_numeric(ev[col]):
                numeric.append(col)
            else:
                categories[col] = vocabulary(ev[col], limit=int(self.max_categories))
        categories["prev_activity"] = categories["last_activity"]
        self.categories_ = categories
        self.numeric_attributes_ = tuple(numeric)

        if self.end_activities is not None:
            self.end_activities_ = tuple(str(a) for a in self.end_activities)
        else:
            self.end_activities_ = learn_end_activities(ev)
        if self.idle_timeout_days is None:
            self.idle_timeout_ns_ = None
        elif self.idle_timeout_days == "auto":
            self.idle_timeout_ns_ = learn_idle_timeout(ev)
        else:
            self.idle_timeout_ns_ = int(float(self.idle_timeout_days) * NS_PER_DAY)

        names = ["prefix_length", "elapsed_hours", "since_last_hours", "idle_hours", "hour", "weekday",
                 "start_hour", "start_weekday"]
        if self.calendar is not None:
            names.append("working_hours_elapsed")
        cat_names = ["last_activity", "prev_activity"]
        if "last_team" in categories:
            cat_names.append("last_team")
        if "last_resource" in categories:
            cat_names.append("last_resource")
        attr_names = [f"attr__{c}" for c in attrs]
        cat_names += [f"attr__{c}" for c in attrs if c not in numeric]
        names += ["last_activity", "prev_activity"] + [n for n in ("last_team", "last_resource") if n in cat_names]
        names += attr_names
        names += ["distinct_activities", "max_repeats"]
        if TEAM in ev.columns:
            names += ["teams_so_far", "team_changes"]
        if RESOURCE in ev.columns:
            names += ["resources_so_far"]
        self.count_names_ = tuple(unique_names(self.activities_, "count__"))
        self.duration_names_ = tuple(unique_names(self.activities_, "hours_in__"))
        names += list(self.count_names_) + list(self.duration_names_)
        names += ["open_cases"] + (["open_cases_team"] if TEAM in ev.columns else [])
        if self.recent_window_days is not None:
            names += ["recent_remaining_hours", "recent_duration_hours", "recent_ends", "recent_arrivals"]
        self.feature_names_out_ = tuple(names)
        self.categorical_features_ = tuple(n for n in names if n in cat_names)
        self.n_features_out_ = len(names)
        return self

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, _FITTED)
        return np.asarray(self.feature_names_out_, dtype=object)

    # -- transform ------------------------------------------------------------------------------

    def transform(self, events: pd.DataFrame) -> pd.DataFrame:
        """Features of every prefix; the result has ``events``' index and float columns."""
        check_is_fitted(self, _FITTED)
        attrs = self._attributes()
        check_events(events, columns=attrs)
        ev = sorted_events(events)
        n = len(ev)
        case_codes = pd.factorize(ev[CASE_ID], sort=False)[0]
        first = np.ones(n, dtype=bool)
        first[1:] = case_codes[1:] != case_codes[:-1]
        ts = ev[TIMESTAMP]
        times = time_ns(ts)
        start_idx = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        start_times = times[start_idx]
        feats: dict[str, np.ndarray] = {}

        feats["prefix_length"] = (np.arange(n) - start_idx + 1).astype(float)
        feats["elapsed_hours"] = (times - start_times) / NS_PER_HOUR
        since = np.zeros(n)
        since[1:] = (times[1:] - times[:-1]) / NS_PER_HOUR
        since[first] = 0.0
        feats["since_last_hours"] = since
        feats["idle_hours"] = np.zeros(n)  # seen at the event itself; see advance_prefixes
        local = ts.dt.tz_convert(self.calendar.timezone) if self.calendar is not None else ts
        hour = (local.dt.hour + local.dt.minute / 60.0).to_numpy(dtype=float)
        weekday = local.dt.weekday.to_numpy(dtype=float)
        feats["hour"], feats["weekday"] = hour, weekday
        feats["start_hour"], feats["start_weekday"] = hour[start_idx], weekday[start_idx]
        if self.calendar is not None:
            from workbench.calendar import WorkingCalendar

            cal = WorkingCalendar.from_config(self.calendar)
            start_ts = ts.iloc[start_idx].set_axis(ev.index)
            feats["working_hours_elapsed"] = cal.working_hours_between(start_ts, ts).to_numpy(dtype=float)

        activity = ev[ACTIVITY].astype("string").reset_index(drop=True)
        feats["last_activity"] = category_codes(activity, self.categories_["last_activity"])
        prev = activity.shift(1)
        prev[first] = pd.NA
        feats["prev_activity"] = category_codes(prev, self.categories_["prev_activity"])
        team_filled = None
        if "last_team" in self.categories_:
            team_filled = _carry(ev[TEAM], case_codes)
            feats["last_team"] = category_codes(team_filled, self.categories_["last_team"])
        if "last_resource" in self.feature_names_out_:
            feats["last_resource"] = category_codes(_carry(ev[RESOURCE], case_codes), self.categories_["last_resource"])
        for col in attrs:
            filled = _carry(ev[col], case_codes)
            if col in self.numeric_attributes_:
                feats[f"attr__{col}"] = pd.to_numeric(filled, errors="coerce").to_numpy(dtype=float)
            else:
                feats[f"attr__{col}"] = category_codes(filled, self.categories_[col])

        feats["distinct_activities"] = distinct_so_far(activity, case_codes)
        feats["max_repeats"] = max_repeats(activity, case_codes)
        if "teams_so_far" in self.feature_names_out_:
            team_raw = ev[TEAM].reset_index(drop=True)
            feats["teams_so_far"] = distinct_so_far(team_raw, case_codes)
            feats["team_changes"] = changes_so_far(_carry(team_raw, case_codes), case_codes, first)
        if "resources_so_far" in self.feature_names_out_:
            feats["resources_so_far"] = distinct_so_far(ev[RESOURCE].reset_index(drop=True), case_codes)
        if self.activities_:
            counts = cumulative_counts(activity, case_codes, self.activities_)
            hours = cumulative_durations(activity, times, case_codes, first, self.activities_)
            for j, name in enumerate(self.count_names_):
                feats[name] = counts[:, j]
            for j, name in enumerate(self.duration_names_):
                feats[name] = hours[:, j]

        is_end = activity.isin(self.end_activities_).to_numpy(dtype=bool)
        if team_filled is not None:
            team_codes = pd.factorize(team_filled, sort=False)[0].astype(np.int64)
        else:
            team_codes = np.full(n, -1, dtype=np.int64)
        system, team = open_case_counts(
            case_codes, times, is_end, team_codes, idle_timeout_ns=self.idle_timeout_ns_
        )
        feats["open_cases"] = system
        if "open_cases_team" in self.feature_names_out_:
            feats["open_cases_team"] = team
        if self.recent_window_days is not None:
            feats.update(recent_outcomes(
                case_codes, times, is_end, pd.factorize(activity, sort=False)[0].astype(np.int64),
                window_ns=int(float(self.recent_window_days) * NS_PER_DAY),
            ))

        out = pd.DataFrame({name: feats[name] for name in self.feature_names_out_}, index=ev.index, dtype=float)
        return out.loc[events.index] if ev is not events else out

    # -- persistence ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Parameters and learned state as plain JSON-serialisable data (see :meth:`from_dict`)."""
        check_is_fitted(self, _FITTED)
        params = self.get_params()
        params["case_attributes"] = list(params["case_attributes"])
        params["event_attributes"] = list(params["event_attributes"])
        if params["end_activities"] is not None:
            params["end_activities"] = list(params["end_activities"])
        if params["calendar"] is not None:
            params["calendar"] = params["calendar"].model_dump(mode="json")
        state = {k: getattr(self, k) for k in (*_FITTED, "numeric_attributes_", "idle_timeout_ns_",
                                               "count_names_", "duration_names_", "categorical_features_")}
        state = {k: ({c: list(v) for c, v in val.items()} if isinstance(val, dict) else
                     (list(val) if isinstance(val, tuple) else val)) for k, val in state.items()}
        return {"params": params, "state": state}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PrefixFeaturizer:
        """Rebuild a fitted featurizer from :meth:`to_dict`'s output."""
        params = dict(data["params"])
        if params.get("calendar") is not None:
            params["calendar"] = CalendarConfig.model_validate(params["calendar"])
        for key in ("case_attributes", "event_attributes"):
            params[key] = tuple(params.get(key, ()))
        if params.get("end_activities") is not None:
            params["end_activities"] = tuple(params["end_activities"])
        obj = cls(**params)
        state = data["state"]
        for key, val in state.items():
            if key == "categories_":
                val = {c: tuple(v) for c, v in val.items()}
            elif isinstance(val, list):
                val = tuple(val)
            setattr(obj, key, val)
        obj.n_features_out_ = len(obj.feature_names_out_)
        return obj


def _carry(values: pd.Series, case_codes: np.ndarray) -> pd.Series:
    """Forward-fill within each case (last known value so far), on a fresh RangeIndex."""
    s = values.reset_index(drop=True).astype("string") if not pd.api.types.is_numeric_dtype(values) \
        else values.reset_index(drop=True)
    return s.groupby(case_codes, sort=False).ffill()
