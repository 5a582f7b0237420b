"""Alerts after a refresh: open cases about to break a deadline, and reopens that became real.

Both are pure: a canonical event log in, a table out. The clock of a deadline runs as in
:func:`workbench.analysis.check_rules` (from the case's first event, or the first of the
rule's ``start`` activities, to the first resolution or response), measured in the log's
working calendar up to ``as_of`` (the data's "as of" time).
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis import FirstResponseWithin, ResolvedWithin, RuleSet, reopen_events
from workbench.calendar import WorkingCalendar
from workbench.config import StatusMeanings
from workbench.schema import ACTIVITY, CASE_ID, TEAM, TIMESTAMP

__all__ = ["DEADLINE_COLUMNS", "REOPEN_COLUMNS", "deadline_alerts", "new_real_reopens"]

DEADLINE_COLUMNS = ("rule", CASE_ID, TEAM, "started_at", "deadline", "hours_left", "unit")
REOPEN_COLUMNS = (CASE_ID, TEAM, "resolved_at", "reopened_at", "resolved_again_at")


def _targets(rule: ResolvedWithin | FirstResponseWithin, statuses: StatusMeanings) -> tuple[str, ...]:
    if isinstance(rule, ResolvedWithin):
        return tuple(statuses.resolved)
    # as in check_rules: the rule's response activities, else the statuses that answer a ticket
    return tuple(rule.response) or tuple(dict.fromkeys(
        [*statuses.in_progress, *statuses.message_to_user, *statuses.resolved]))


def deadline_alerts(
    events: pd.DataFrame,
    rules: RuleSet,
    *,
    statuses: StatusMeanings,
    calendar: WorkingCalendar,
    as_of: pd.Timestamp,
    horizon_working_hours: float,
) -> pd.DataFrame:
    """Open cases whose deadline falls within the next ``horizon_working_hours`` after ``as_of``.

    Returns
    -------
    pandas.DataFrame
        One row per case and deadline rule (``rule``, ``case_id``, ``team`` holding it now,
        ``started_at``, ``deadline``, ``hours_left`` in the rule's unit of hours: working hours,
        or calendar hours for ``hours`` limits), soonest first. Cases already past the limit are
        violations (see the rule checks), not alerts.
    """
    as_of = pd.Timestamp(as_of).tz_convert("UTC")
    ev = events.sort_values([CASE_ID, TIMESTAMP], kind="stable")
    case = ev[CASE_ID].to_numpy()
    ts = ev[TIMESTAMP]
    holder = ev.groupby(case, sort=False)[TEAM].last() if TEAM in ev.columns else None
    parts = []
    for rule in rules.rules:
        if not isinstance(rule, (ResolvedWithin, FirstResponseWithin)):
            continue
        targets = _targets(rule, statuses)
        if rule.start:
            start = ts.where(ev[ACTIVITY].isin(rule.start)).groupby(case, sort=False).min().dropna()
        else:
            start = ts.groupby(case, sort=False).min()
        hit = ev[ACTIVITY].isin(targets) & (ts >= pd.Series(case, index=ev.index).map(start))
        reached = ts.where(hit).groupby(case, sort=False).min().reindex(start.index)
        start = start[reached.isna()]
        if start.empty:
            continue
        value, unit = rule.limit
        if unit == "hours":
            elapsed = (as_of - start).dt.total_seconds() / 3600
            limit = value
            deadline = start + pd.Timedelta(hours=value)
        else:
            limit = value * calendar.hours_per_day if unit == "working_days" else value
            elapsed = calendar.working_hours_between(start, pd.Series(as_of, index=start.index))
            deadline = calendar.add_working_hours(start, limit)
        left = limit - elapsed
        soon = (left > 0) & (left <= horizon_working_hours)
        if not soon.any():
            continue
        ids = start.index[soon]
        parts.append(pd.DataFrame({
            "rule": rule.describe(),
            CASE_ID: ids.to_numpy(dtype=object),
            TEAM: holder.reindex(ids).to_numpy(dtype=object) if holder is not None else None,
            "started_at": start[soon].to_numpy(),
            "deadline": deadline[soon].to_numpy(),
            "hours_left": left[soon].round(2).to_numpy(),
            "unit": "hours" if unit == "hours" else "working hours",
        }))
    if not parts:
        return pd.DataFrame(columns=list(DEADLINE_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["hours_left", "rule", CASE_ID], ignore_index=True)[list(DEADLINE_COLUMNS)]


def new_real_reopens(events: pd.DataFrame, *, statuses: StatusMeanings, since: pd.Timestamp | None) -> pd.DataFrame:
    """Real reopens (resolved, reopened, resolved again) whose new resolution came after ``since``.

    ``since`` is the previous refresh's data "as of" time; ``None`` lists every real reopen.
    """
    res = reopen_events(events, statuses=statuses)
    real = res[res["real"]]
    if since is not None:
        real = real[real["next_resolved_at"] > pd.Timestamp(since).tz_convert("UTC")]
    out = real.rename(columns={"next_resolved_at": "resolved_again_at"})
    return out[list(REOPEN_COLUMNS)].sort_values(["resolved_again_at", CASE_ID], ignore_index=True)
