"""Question 4: how long is a ticket with the user, and how long with us?

Each ticket's elapsed time -- from its first event to its final resolution (or, for
a ticket still open, to the end of the observation) -- is cut at its events, and
each interval (one event to the next) goes to one bucket:

- ``waiting_on_user``: the ticket's status is a ``statuses.waiting_on_user`` label;
- ``first_line``: with the first-line team;
- ``partner_teams``: with any other team;
- ``blocked_other``: a ``statuses.blocked`` label (waiting on a supplier, the post, ...)
  or no team known;
- ``after_resolution``: resolved, until the ticket was reopened (with
  ``until="last_event"`` also the wait from the final resolution to closure).

The status holds until the next event that is not a mail to the user (an agent's
reminder does not end the wait; the user's reply does). Every bucket is given in
calendar hours and, with a calendar, in working hours.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from workbench.analysis._common import (
    NO_TEAM,
    case_position,
    check_events,
    fill_index,
    first_team_fallback,
    has_teams,
    optional_statuses,
    require_statuses,
    team_per_event,
)
from workbench.analysis._result import (
    CaseTables,
    QuestionResult,
    case_links,
    combine_case_tables,
    percent,
    question_result,
)
from workbench.analysis.reopens import reopen_events
from workbench.calendar import WorkingCalendar
from workbench.config import StatusMeanings
from workbench.errors import ConfigError
from workbench.schema import ACTIVITY, CASE_ID, TEAM, TIMESTAMP

__all__ = ["time_split", "time_split_tables", "time_split_from_tables", "BUCKETS"]

_TITLE = "How long is a ticket with the user, and how long with us?"
#: The buckets, in report order.
BUCKETS: tuple[str, ...] = ("waiting_on_user", "first_line", "partner_teams", "blocked_other", "after_resolution")


def time_split(
    events: pd.DataFrame,
    *,
    statuses: StatusMeanings,
    calendar: WorkingCalendar | None = None,
    until: Literal["resolution", "last_event"] = "resolution",
    as_of: pd.Timestamp | None = None,
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
    until : {"resolution", "last_event"}
        ``"resolution"`` (default): a resolved ticket's time runs from its first event to
        its final resolution (a harmless reopen afterwards does not extend it);
        ``"last_event"``: to its last event (closure), so the wait for closure counts as
        ``after_resolution``.
    as_of : pandas.Timestamp, optional
        The end of the observation (default: the log's latest timestamp). Tickets still
        open (not closed; with ``until="resolution"``: not resolved, or reopened and not
        resolved again) are counted up to it, in the state of their last event.

    Returns
    -------
    QuestionResult
        ``table``: one row per ticket with ``elapsed_hours`` and ``<bucket>_hours`` (and
        ``*_working_hours``). ``extra["buckets"]``: totals and shares per bucket. Figures
        with case ids: tickets with time in each bucket (``waiting_on_user``, ...).
    """
    require_statuses(statuses, "waiting_on_user", question="the time-with-the-user question")
    ev = check_events(events, what="the time-with-the-user question")
    if as_of is None and len(ev):
        as_of = ev[TIMESTAMP].max()
    teams = has_teams(ev)
    tables = time_split_tables(ev, statuses=statuses, calendar=calendar, until=until, as_of=as_of, teams=teams)
    return time_split_from_tables(combine_case_tables([tables]), statuses=statuses, teams=teams)


def time_split_tables(
    events: pd.DataFrame,
    *,
    statuses: StatusMeanings,
    calendar: WorkingCalendar | None = None,
    until: Literal["resolution", "last_event"] = "resolution",
    as_of: pd.Timestamp | None = None,
    teams: bool | None = None,
) -> CaseTables:
    """The per-case table of :func:`time_split` for a set of whole cases: ``tickets`` (one row per ticket).

    For a chunk of a larger log, pass the whole log's ``as_of`` (by default its latest
    timestamp) and ``teams`` (whether any of its events has a team); ``None`` takes them
    from ``events``.
    """
    waiting = require_statuses(statuses, "waiting_on_user", question="the time-with-the-user question")
    ev = check_events(events, what="the time-with-the-user question")
    if teams is None:
        teams = has_teams(ev)
    if not teams:  # one team for everything, so staff time is "with us" instead of "without a team"
        ev = ev.assign(**{TEAM: NO_TEAM})
        statuses = statuses.model_copy(update={"first_line_team": NO_TEAM})
    if until not in ("resolution", "last_event"):
        raise ConfigError(f"until must be 'resolution' or 'last_event', got {until!r}")
    intervals = _intervals(ev, statuses=statuses, waiting=waiting, until=until, as_of=as_of)
    return CaseTables(frames={"tickets": _per_ticket(ev, intervals, calendar)})


def time_split_from_tables(tables: CaseTables, *, statuses: StatusMeanings, teams: bool = True) -> QuestionResult:
    """Answer :func:`time_split` from the per-case table of the whole log (see :func:`time_split_tables`);
    ``teams``: whether any event of the log has a team."""
    table = tables.frames["tickets"]
    with_working = "elapsed_working_hours" in table.columns
    buckets = _bucket_totals(table, with_working=with_working)

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
    if with_working:
        wtotal = table["elapsed_working_hours"].sum()
        rows.append(("waiting_on_user_working_share",
                     float(table["waiting_on_user_working_hours"].sum() / wtotal) if wtotal else float("nan"), "share"))
    links = [case_links(b, table.loc[table[f"{b}_hours"] > 0, CASE_ID]) for b in BUCKETS]
    with_us = sum(table[f"{b}_hours"].sum() for b in ("first_line", "partner_teams"))
    headline = (
        f"Of {total:,.0f} ticket-hours, {percent(share_user)} were spent waiting on the user and "
        f"{percent(with_us / total if total else float('nan'))} with us "
        f"(first line {percent(_share(table, 'first_line', total))}, partner teams "
        f"{percent(_share(table, 'partner_teams', total))}); {percent(_share(table, 'blocked_other', total))} "
        f"blocked or without a team, {percent(_share(table, 'after_resolution', total))} resolved awaiting "
        f"reopening or closure."
    )
    if with_working:
        w = buckets.set_index("bucket")
        headline += f" In working hours: {percent(w.loc['waiting_on_user', 'working_share'])} waiting on the user."
    notes = ((
        "the log has no team column (columns.team): all time with staff is counted as 'first line'",
    ) if not teams else first_team_fallback(statuses))
    return question_result("time_split", _TITLE, headline, rows, table, links, extra={"buckets": buckets},
                           notes=notes)


def _intervals(
    ev: pd.DataFrame,
    *,
    statuses: StatusMeanings,
    waiting: tuple[str, ...],
    until: str,
    as_of: pd.Timestamp | None,
) -> pd.DataFrame:
    """One row per interval (an event to the next, or to the ticket's end): bucket, start, end."""
    n = len(ev)
    act = ev[ACTIVITY]
    case = ev[CASE_ID].to_numpy()
    first, last = case_position(ev)
    # the status in force: the last event at or before i that is not a mail to the user
    to_user = act.isin(optional_statuses(statuses, "message_to_user")).to_numpy()
    state = fill_index(~to_user, first, last, backward=False)
    state = np.where(state >= 0, state, np.arange(n))
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
    order = {b: i for i, b in enumerate(BUCKETS)}
    bucket = np.full(n, order["partner_teams"], dtype="int8")
    bucket[is_fl] = order["first_line"]
    bucket[is_blocked | no_team] = order["blocked_other"]
    bucket[is_done] = order["after_resolution"]
    bucket[is_wait] = order["waiting_on_user"]
    ts = ev[TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")
    end_of_case = _case_end(ev, statuses=statuses, until=until, as_of=as_of, ts=ts, last=last)
    end_each = np.repeat(end_of_case, np.diff(np.r_[np.flatnonzero(first), n]))
    nxt = np.empty(n, dtype="int64")
    nxt[:-1] = ts[1:]
    nxt[last] = end_each[last]
    stop = np.minimum(nxt, end_each)
    keep = stop > ts
    return pd.DataFrame(
        {
            CASE_ID: case[keep],
            "bucket": pd.Categorical.from_codes(bucket[keep], categories=list(BUCKETS)),
            "start": pd.to_datetime(ts[keep].view("datetime64[ns]"), utc=True),
            "end": pd.to_datetime(stop[keep].view("datetime64[ns]"), utc=True),
        }
    )


def _case_end(
    ev: pd.DataFrame, *, statuses: StatusMeanings, until: str, as_of: pd.Timestamp | None, ts: np.ndarray,
    last: np.ndarray,
) -> np.ndarray:
    """Per case (in order of appearance): the instant up to which its time is counted (int64 ns)."""
    last_ts = ts[last]
    horizon = int(ts.max()) if as_of is None else int(pd.Timestamp(as_of).tz_convert("UTC").value)
    closing = optional_statuses(statuses, "closed")
    closed = ev[ACTIVITY].to_numpy()[last]
    is_closed = _isin(closed, closing)
    open_end = np.maximum(last_ts, horizon)
    end = np.where(is_closed, last_ts, open_end)
    if until == "resolution" and statuses.resolved:
        res = reopen_events(ev, statuses=statuses)
        final = res.groupby(CASE_ID, sort=False).tail(1)
        done = final[~(final["reopened"] & ~final["real"] & ~final["harmless"])]
        res_ns = done["resolved_at"].to_numpy(dtype="datetime64[ns]").view("int64")
        res_end = pd.Series(res_ns, index=done[CASE_ID].to_numpy(), dtype="Int64")
        at = res_end.reindex(ev[CASE_ID].to_numpy()[last])
        end = np.where(at.isna().to_numpy(), end, at.to_numpy(dtype="int64", na_value=0))
    return end.astype("int64")


def _per_ticket(ev: pd.DataFrame, intervals: pd.DataFrame, calendar: WorkingCalendar | None) -> pd.DataFrame:
    cases = pd.Index(ev[CASE_ID].unique(), name=CASE_ID)
    iv = intervals.assign(hours=(intervals["end"] - intervals["start"]).dt.total_seconds() / 3600)
    if calendar is not None:
        iv["working_hours"] = calendar.working_hours_between(iv["start"], iv["end"]).to_numpy()
    out = pd.DataFrame(index=cases)
    value_cols = ["hours"] + (["working_hours"] if calendar is not None else [])
    pivot = iv.pivot_table(index=CASE_ID, columns="bucket", values=value_cols, aggfunc="sum", fill_value=0.0,
                           observed=False)
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


