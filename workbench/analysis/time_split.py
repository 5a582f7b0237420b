"""Question 4: how long is a ticket with the user, and how long with us?

Each ticket's elapsed time (first to last event) is cut at its events, and each
interval (one event to the next) goes to one bucket:

- ``waiting_on_user``: the ticket's status is a ``statuses.waiting_on_user`` label;
- ``first_line``: with the first-line team;
- ``partner_teams``: with any other team;
- ``blocked_other``: a ``statuses.blocked`` label (waiting on a supplier, the post, ...)
  or no team known;
- ``after_resolution``: after a resolution or a closing event, until the ticket is
  reopened or closed (with neither the desk nor, strictly, the user).

The status holds until the next event that is not a mail to the user (an agent's
reminder does not end the wait; the user's reply does). Every bucket is given in
calendar hours and, with a calendar, in working hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis._common import (
    case_position,
    check_events,
    optional_statuses,
    require_statuses,
    team_per_event,
)
from workbench.analysis._result import QuestionResult, case_links, concat_links, summary_frame
from workbench.calendar import WorkingCalendar
from workbench.config import StatusMeanings
from workbench.schema import ACTIVITY, CASE_ID, TEAM, TIMESTAMP

__all__ = ["time_split", "BUCKETS"]

_TITLE = "How long is a ticket with the user, and how long with us?"
#: The buckets, in report order.
BUCKETS: tuple[str, ...] = ("waiting_on_user", "first_line", "partner_teams", "blocked_other", "after_resolution")


def time_split(
    events: pd.DataFrame,
    *,
    statuses: StatusMeanings,
    calendar: WorkingCalendar | None = None,
) -> QuestionResult:
    """Split each ticket's elapsed time into waiting on user, first line, partner teams and other.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical event log (a ``team`` column is used when present).
    statuses : StatusMeanings
        Needs ``waiting_on_user``; uses ``blocked``, ``resolved``, ``closed``,
        ``message_to_user`` and ``first_line_team`` (``None``: each ticket's first team).
    calendar : WorkingCalendar, optional
        Adds the ``*_working_hours`` columns.

    Returns
    -------
    QuestionResult
        ``table``: one row per ticket with ``elapsed_hours`` and ``<bucket>_hours`` (and
        ``*_working_hours``). ``extra["buckets"]``: totals and shares per bucket. Figures
        with case ids: tickets with time in each bucket (``waiting_on_user``, ...).
    """
    waiting = require_statuses(statuses, "waiting_on_user", question="the time-with-the-user question")
    ev = check_events(events, what="the time-with-the-user question")
    intervals = _intervals(ev, statuses=statuses, waiting=waiting)
    table = _per_ticket(ev, intervals, calendar)
    buckets = _bucket_totals(table, with_working=calendar is not None)

    total = table["elapsed_hours"].sum()
    share_user = table["waiting_on_user_hours"].sum() / total if total else float("nan")
    rows = [
        ("tickets", len(table), "tickets"),
        ("elapsed_hours", float(total), "hours"),
        ("waiting_on_user_share", float(share_user), "share"),
        ("tickets_waiting_on_user", int((table["waiting_on_user_hours"] > 0).sum()), "tickets"),
        ("median_ticket_waiting_on_user_share", float(table["waiting_on_user_share"].median()), "share"),
    ]
    for b in BUCKETS[1:]:
        rows.append((f"{b}_share", float(table[f"{b}_hours"].sum() / total) if total else float("nan"), "share"))
    if calendar is not None:
        wtotal = table["elapsed_working_hours"].sum()
        rows.append(("waiting_on_user_working_share",
                     float(table["waiting_on_user_working_hours"].sum() / wtotal) if wtotal else float("nan"), "share"))
    summary = summary_frame(rows)
    cases = concat_links(
        [case_links(b, table.loc[table[f"{b}_hours"] > 0, CASE_ID]) for b in BUCKETS]
    )
    with_us = sum(table[f"{b}_hours"].sum() for b in ("first_line", "partner_teams"))
    headline = (
        f"Of {total:,.0f} ticket-hours, {_pct(share_user)} were spent waiting on the user and "
        f"{_pct(with_us / total if total else float('nan'))} with us "
        f"(first line {_pct(_share(table, 'first_line', total))}, partner teams "
        f"{_pct(_share(table, 'partner_teams', total))}); {_pct(_share(table, 'blocked_other', total))} "
        f"blocked or without a team, {_pct(_share(table, 'after_resolution', total))} resolved awaiting "
        f"reopening or closure."
    )
    if calendar is not None:
        w = buckets.set_index("bucket")
        headline += f" In working hours: {_pct(w.loc['waiting_on_user', 'working_share'])} waiting on the user."
    notes = () if statuses.first_line_team else (
        "no 'statuses.first_line_team' mapped: each ticket's first team is taken as its first line",
    )
    return QuestionResult(
        question="time_split",
        title=_TITLE,
        headline=headline,
        summary=summary,
        table=table,
        cases=cases,
        extra={"buckets": buckets},
        notes=notes,
    )


def _intervals(ev: pd.DataFrame, *, statuses: StatusMeanings, waiting: tuple[str, ...]) -> pd.DataFrame:
    """One row per event that has a next event in its case: the bucket and the interval."""
    n = len(ev)
    act = ev[ACTIVITY]
    case = ev[CASE_ID].to_numpy()
    first, last = case_position(ev)
    # the status in force: the last event at or before i that is not a mail to the user
    to_user = act.isin(optional_statuses(statuses, "message_to_user")).to_numpy()
    pos = pd.Series(np.where(to_user, np.nan, np.arange(n, dtype="float64")))
    state = pos.groupby(case, sort=False).ffill().to_numpy()
    state = np.where(np.isnan(state), np.arange(n), state).astype("int64")
    state_act = act.to_numpy()[state]

    if TEAM in ev.columns:
        holder = team_per_event(ev, statuses=statuses).to_numpy(dtype="object")
    else:
        holder = np.full(n, None, dtype=object)
    if statuses.first_line_team is not None:
        fl = np.full(n, statuses.first_line_team, dtype=object)
    else:
        first_holder = pd.Series(holder).groupby(case, sort=False).transform("first")
        fl = first_holder.to_numpy(dtype="object")

    is_wait = _isin(state_act, waiting)
    is_done = _isin(state_act, optional_statuses(statuses, "resolved", "closed"))
    is_blocked = _isin(state_act, optional_statuses(statuses, "blocked"))
    no_team = pd.isna(holder)
    is_fl = ~no_team & (holder == fl)
    bucket = np.select(
        [is_wait, is_done, is_blocked | no_team, is_fl],
        ["waiting_on_user", "after_resolution", "blocked_other", "first_line"],
        default="partner_teams",
    )
    ts = ev[TIMESTAMP]
    rows = np.flatnonzero(~last)
    return pd.DataFrame(
        {
            CASE_ID: case[rows],
            "bucket": bucket[rows],
            "start": ts.to_numpy()[rows],
            "end": ts.to_numpy()[rows + 1],
        }
    ).assign(start=lambda d: pd.to_datetime(d["start"], utc=True), end=lambda d: pd.to_datetime(d["end"], utc=True))


def _per_ticket(ev: pd.DataFrame, intervals: pd.DataFrame, calendar: WorkingCalendar | None) -> pd.DataFrame:
    cases = pd.Index(ev[CASE_ID].unique(), name=CASE_ID)
    iv = intervals.assign(hours=(intervals["end"] - intervals["start"]).dt.total_seconds() / 3600)
    if calendar is not None:
        iv["working_hours"] = calendar.working_hours_between(iv["start"], iv["end"]).to_numpy()
    out = pd.DataFrame(index=cases)
    value_cols = ["hours"] + (["working_hours"] if calendar is not None else [])
    pivot = iv.pivot_table(index=CASE_ID, columns="bucket", values=value_cols, aggfunc="sum", fill_value=0.0)
    for col in value_cols:
        suffix = "hours" if col == "hours" else "working_hours"
        parts = []
        for b in BUCKETS:
            key = (col, b)
            series = pivot[key] if key in pivot.columns else pd.Series(0.0, index=pivot.index)
            out[f"{b}_{suffix}"] = series.reindex(cases).fillna(0.0).astype("float64")
            parts.append(out[f"{b}_{suffix}"])
        out[f"elapsed_{suffix}"] = sum(parts) if parts else 0.0
    out["waiting_on_user_share"] = np.where(
        out["elapsed_hours"] > 0, out["waiting_on_user_hours"] / out["elapsed_hours"].where(out["elapsed_hours"] > 0),
        np.nan,
    )
    first_cols = ["elapsed_hours"] + [f"{b}_hours" for b in BUCKETS] + ["waiting_on_user_share"]
    rest = [c for c in out.columns if c not in first_cols]
    return out[first_cols + rest].reset_index()


def _bucket_totals(table: pd.DataFrame, *, with_working: bool) -> pd.DataFrame:
    total = table["elapsed_hours"].sum()
    rows = []
    for b in BUCKETS:
        h = table[f"{b}_hours"]
        row = {"bucket": b, "hours": float(h.sum()), "share": float(h.sum() / total) if total else np.nan,
               "tickets": int((h > 0).sum()), "median_ticket_hours": float(h[h > 0].median()) if (h > 0).any()
               else np.nan}
        if with_working:
            w = table[f"{b}_working_hours"]
            wt = table["elapsed_working_hours"].sum()
            row["working_hours"] = float(w.sum())
            row["working_share"] = float(w.sum() / wt) if wt else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _isin(values: np.ndarray, labels: tuple[str, ...]) -> np.ndarray:
    return np.isin(values, np.array(labels, dtype=object)) if labels else np.zeros(len(values), dtype=bool)


def _share(table: pd.DataFrame, bucket: str, total: float) -> float:
    return float(table[f"{bucket}_hours"].sum() / total) if total else float("nan")


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.1f}%"
