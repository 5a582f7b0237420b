"""What the models predict: remaining time of a prefix, and whether a resolution is reopened.

Every function returns a :class:`pandas.Series` aligned with the events' index, with
``NaN`` for events that are not a training example (after the target event, a case
that has not reached it yet, an event that is not a resolution).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from workbench.config import StatusMeanings
from workbench.errors import ConfigError
from workbench.features import check_events, sorted_events, time_ns
from workbench.schema import ACTIVITY, CASE_ID, TIMESTAMP

__all__ = [
    "Until",
    "completed_cases",
    "end_statuses",
    "open_cases",
    "remaining_time",
    "reopen_labels",
    "resolution_rows",
]

Until = Literal["end", "resolution", "closure"]
_NS_PER_DAY = 86_400 * 1_000_000_000


def _needs(statuses: StatusMeanings | None, field: str, until: str) -> tuple[str, ...]:
    values = tuple(getattr(statuses, field)) if statuses is not None else ()
    if not values:
        raise ConfigError(
            f"target 'remaining time to {until}' needs statuses.{field} in the log config "
            f"(the activity labels that mean {field}); add them or use until: end"
        )
    return values


def end_statuses(statuses: StatusMeanings | None) -> tuple[str, ...] | None:
    """Labels after which a case is off the desk (resolved or closed), or ``None`` if unknown."""
    if statuses is None:
        return None
    labels = tuple(dict.fromkeys((*statuses.resolved, *statuses.closed)))
    return labels or None


def _ended(events: pd.DataFrame, end_activities: tuple[str, ...]) -> pd.Series:
    """Per case (in order of appearance): whether an end activity is among the events at its last timestamp.

    So a case closed at the same second as another event is closed whichever of the two
    the export lists last.
    """
    ev = sorted_events(events)
    case = ev[CASE_ID]
    at_end = (ev[TIMESTAMP] == ev.groupby(CASE_ID, sort=False)[TIMESTAMP].transform("max")).to_numpy()
    is_end = ev[ACTIVITY].astype(str).isin(end_activities).to_numpy()
    return pd.Series(at_end & is_end, index=ev.index).groupby(case, sort=False).any()


def completed_cases(
    events: pd.DataFrame, *, statuses: StatusMeanings | None = None, complete_cases: bool = False
) -> pd.Index:
    """Cases whose outcome is known: closed at their last timestamp (all cases if no closure label is set,
    or with ``complete_cases``, for an extract of finished cases)."""
    check_events(events)
    ended = _ended(events, tuple(statuses.closed) if statuses is not None else ())
    if complete_cases or statuses is None or not statuses.closed:
        return pd.Index(ended.index)
    return pd.Index(ended.index[ended.to_numpy()])


def open_cases(events: pd.DataFrame, *, end_activities: tuple[str, ...], complete_cases: bool = False) -> pd.Index:
    """Cases still running: no event at the case's last timestamp is one of ``end_activities``.

    With ``complete_cases`` (an extract of finished cases) no case is open.
    """
    check_events(events)
    ended = _ended(events, end_activities)
    if complete_cases:
        return pd.Index(ended.index[:0])
    return pd.Index(ended.index[~ended.to_numpy()])


def remaining_time(
    events: pd.DataFrame, *, until: Until = "end", statuses: StatusMeanings | None = None
) -> pd.Series:
    """Days from each event to the case's target event; ``NaN`` at and after the target event.

    Parameters
    ----------
    until : {"end", "resolution", "closure"}
        ``end``: the case's last event (the published benchmarks); ``resolution``: the
        case's last resolution (so a reopened ticket counts until it is finally resolved);
        ``closure``: the case's last closure.
    statuses : StatusMeanings, optional
        Needed for ``resolution`` and ``closure``.
    """
    check_events(events)
    if until not in ("end", "resolution", "closure"):
        raise ConfigError(f"until must be 'end', 'resolution' or 'closure', got {until!r}")
    ev = sorted_events(events)
    n = len(ev)
    case = pd.factorize(ev[CASE_ID], sort=False)[0]
    times = time_ns(ev[TIMESTAMP])
    pos = np.arange(n)
    if until == "end":
        is_target = np.ones(n, dtype=bool)
    else:
        labels = _needs(statuses, "resolved" if until == "resolution" else "closed", until)
        is_target = ev[ACTIVITY].astype(str).isin(labels).to_numpy()
    # position of the case's last target event (-1: none)
    target_pos = pd.Series(np.where(is_target, pos, -1)).groupby(case, sort=False).transform("max").to_numpy()
    valid = (target_pos >= 0) & (pos < target_pos)
    out = np.full(n, np.nan)
    out[valid] = (times[target_pos[valid]] - times[valid]) / _NS_PER_DAY
    result = pd.Series(out, index=ev.index, name=f"remaining_days_to_{until}")
    return result.loc[events.index]


def resolution_rows(events: pd.DataFrame, *, statuses: StatusMeanings) -> pd.Series:
    """Boolean mask (aligned with ``events``) of the resolution events."""
    if not statuses.resolved:
        raise ConfigError(
            "the reopen model needs statuses.resolved in the log config (the labels that mean resolved)"
        )
    return events[ACTIVITY].astype(str).isin(statuses.resolved)


def reopen_labels(events: pd.DataFrame, *, statuses: StatusMeanings) -> pd.Series:
    """At each resolution event: 1.0 if the ticket was really reopened afterwards, else 0.0.

    The label comes from :func:`workbench.analysis.reopens.reopen_events` (the discovery
    issue's definition: reopened and resolved again). Resolutions of cases that are not
    closed yet are ``NaN`` (their outcome is not known), as are all other events.
    """
    from workbench.analysis.reopens import reopen_events

    check_events(events)
    mask = resolution_rows(events, statuses=statuses)
    table = reopen_events(events, statuses=statuses)
    out = pd.Series(np.nan, index=events.index, name="reopened_real")
    if table.empty or not mask.any():
        return out
    rows = events.loc[mask, [CASE_ID, TIMESTAMP]].copy()
    rows["_row"] = rows.index
    # one label per (case, resolution time); with ties the last resolution event carries it
    rows = rows.drop_duplicates([CASE_ID, TIMESTAMP], keep="last")
    lab = table[[CASE_ID, "resolved_at", "real"]].rename(columns={"resolved_at": TIMESTAMP})
    lab = lab.drop_duplicates([CASE_ID, TIMESTAMP], keep="last")
    merged = rows.merge(lab, on=[CASE_ID, TIMESTAMP], how="inner")
    out.loc[merged["_row"].to_numpy()] = merged["real"].astype(float).to_numpy()
    # in cases not closed yet, the last resolution's outcome is not known yet
    done = completed_cases(events, statuses=statuses)
    pending = mask & ~events[CASE_ID].isin(done)
    if pending.any():
        res = events.loc[pending, [CASE_ID, TIMESTAMP]]
        last_time = res.groupby(CASE_ID)[TIMESTAMP].transform("max")
        out.loc[res.index[(res[TIMESTAMP] == last_time).to_numpy()]] = np.nan
    return out
