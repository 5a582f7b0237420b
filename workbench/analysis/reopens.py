"""Question 3: how many tickets are reopened because they were not really solved?

The desk's rule (seed document): a resolution ("resolved with mail") that is
followed by a reopen **and a new resolution** is a problem -- a *real* reopen. A
reopen that is closed again without a new resolution (a "thanks for the help"
reply) is *harmless* and counted separately.

:func:`reopen_events` is the core: one row per resolution event. The prediction
stage uses it for its reopen labels, so its signature is stable.

When the log config maps no ``statuses.reopened`` label (e.g. BPIC 2013), a reopen
is inferred: the ticket was worked on again after the resolution (any event other
than a closing event or a message), or it was resolved again.
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
from workbench.analysis._result import (
    CaseTables,
    QuestionResult,
    case_links,
    combine_case_tables,
    percent,
    question_result,
)
from workbench.config import StatusMeanings
from workbench.schema import ACTIVITY, CASE_ID, TEAM, TIMESTAMP

__all__ = ["reopen_events", "reopens", "reopens_tables", "reopens_from_tables"]

_TITLE = "How many tickets are reopened because they were not really solved?"


def reopen_events(events: pd.DataFrame, *, statuses: StatusMeanings) -> pd.DataFrame:
    """One row per resolution event, saying whether and how the ticket was reopened after it.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical event log (see :mod:`workbench.schema`).
    statuses : StatusMeanings
        Needs ``resolved``; uses ``reopened`` and ``closed`` when mapped.

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id``, ``resolution_no`` (1, 2, ... within the case), ``resolved_at``,
        ``team`` (the team holding the ticket at the resolution, or missing), ``reopened``
        (the ticket was reopened after this resolution), ``reopened_at``, ``real`` (reopened
        and resolved again: the desk's "resolved followed by resolved"), ``harmless`` (reopened
        and closed without a new resolution), ``next_resolved_at``. Sorted by case and time.
        A resolution that was reopened but is neither real nor harmless belongs to a ticket
        that is still open.

    Raises
    ------
    ConfigError
        When ``statuses.resolved`` is empty.
    """
    resolved = require_statuses(statuses, "resolved", question="the reopen question")
    ev = check_events(events, what="reopen_events")
    act = ev[ACTIVITY]
    case = ev[CASE_ID].to_numpy()
    is_res = act.isin(resolved).to_numpy()
    closed_labels = optional_statuses(statuses, "closed")
    is_closed = act.isin(closed_labels).to_numpy()
    if statuses.reopened:
        is_reopen = act.isin(statuses.reopened).to_numpy()
    else:
        passive = optional_statuses(statuses, "closed", "message_to_user", "message_from_user")
        is_reopen = ~act.isin(passive).to_numpy() & ~is_res

    # every resolution opens a segment that runs to the next resolution of its case
    first, _ = case_position(ev)
    seg = np.cumsum(first | is_res) - 1
    n_seg = int(seg[-1]) + 1 if len(seg) else 0
    ordinal = np.cumsum(is_res) - np.maximum.accumulate(np.where(first, np.cumsum(is_res) - is_res, 0))
    after = ~is_res & (ordinal > 0)  # events that follow a resolution (before the next one)
    ts = ev[TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")
    res_rows = np.flatnonzero(is_res)
    res_seg = seg[res_rows]
    reopen_at = _per_segment(ts, after & is_reopen, seg, n_seg, np.minimum)[res_seg]
    res = pd.DataFrame(
        {
            CASE_ID: case[res_rows],
            "resolution_no": ordinal[res_rows].astype("int64"),
            "resolved_at": _utc(ts[res_rows]),
        }
    )
    if TEAM in ev.columns:
        res[TEAM] = team_per_event(ev, statuses=statuses).to_numpy(dtype="object")[res_rows]
    else:
        res[TEAM] = pd.Series(pd.NA, index=res.index, dtype="object")
    res["reopened_at"] = _utc(reopen_at)
    res_case = case[res_rows]
    has_next = np.zeros(len(res_rows), dtype=bool)
    has_next[:-1] = res_case[1:] == res_case[:-1]
    next_at = np.full(len(res_rows), _NAT)
    next_at[:-1] = np.where(has_next[:-1], ts[res_rows][1:], _NAT)
    res["next_resolved_at"] = _utc(next_at)

    reopened = reopen_at != _NAT
    if not statuses.reopened:
        reopened = reopened | has_next  # resolved again: it was reopened
    real = reopened & has_next
    if closed_labels:
        # a closing event after the reopen, before any new resolution
        last_close = _per_segment(ts, after & is_closed, seg, n_seg, np.maximum)[res_seg]
        harmless = reopened & ~real & (last_close != _NAT) & (last_close >= reopen_at)
    else:
        harmless = reopened & ~real
    res["reopened"] = reopened
    res["real"] = real
    res["harmless"] = harmless
    cols = [CASE_ID, "resolution_no", "resolved_at", TEAM, "reopened", "reopened_at", "real", "harmless",
            "next_resolved_at"]
    return res[cols].reset_index(drop=True)


def reopens(events: pd.DataFrame, *, statuses: StatusMeanings) -> QuestionResult:
    """Answer the reopen question: resolutions, real reopens (count and rates), harmless reopens.

    Figures with case ids: ``resolved`` (tickets with a resolution), ``real_reopen`` and
    ``harmless_reopen`` (tickets with at least one), ``open_after_reopen``.
    """
    ev = check_events(events, what="the reopen question")
    return reopens_from_tables(combine_case_tables([reopens_tables(ev, statuses=statuses)]), statuses=statuses)


def reopens_tables(events: pd.DataFrame, *, statuses: StatusMeanings) -> CaseTables:
    """The per-case tables of :func:`reopens` for a set of whole cases: ``resolutions`` (see
    :func:`reopen_events`) and the count of ``tickets``."""
    ev = check_events(events, what="the reopen question")
    return CaseTables(frames={"resolutions": reopen_events(ev, statuses=statuses)},
                      counts={"tickets": int(ev[CASE_ID].nunique())})


def reopens_from_tables(tables: CaseTables, *, statuses: StatusMeanings) -> QuestionResult:
    """Answer :func:`reopens` from the per-case tables of the whole log (see :func:`reopens_tables`)."""
    table = tables.frames["resolutions"]
    n_res = len(table)
    n_tickets = int(tables.counts["tickets"])
    resolved_tickets = table[CASE_ID].unique()
    real_ids = table.loc[table["real"], CASE_ID].unique()
    harmless_ids = table.loc[table["harmless"], CASE_ID].unique()
    pending = table["reopened"] & ~table["real"] & ~table["harmless"]
    pending_ids = table.loc[pending, CASE_ID].unique()
    n_real = int(table["real"].sum())
    n_harmless = int(table["harmless"].sum())
    rate_res = n_real / n_res if n_res else float("nan")
    rate_ticket = len(real_ids) / len(resolved_tickets) if len(resolved_tickets) else float("nan")
    rows = [
        ("tickets", n_tickets, "tickets"),
        ("resolved_tickets", len(resolved_tickets), "tickets"),
        ("resolutions", n_res, "resolutions"),
        ("real_reopens", n_real, "resolutions"),
        ("real_reopen_tickets", len(real_ids), "tickets"),
        ("real_reopen_rate_per_resolution", rate_res, "share"),
        ("real_reopen_rate_per_ticket", rate_ticket, "share"),
        ("harmless_reopens", n_harmless, "resolutions"),
        ("harmless_reopen_tickets", len(harmless_ids), "tickets"),
        ("reopened_still_open", int(pending.sum()), "resolutions"),
    ]
    links = [
        case_links("resolved", resolved_tickets),
        case_links("real_reopen", real_ids),
        case_links("harmless_reopen", harmless_ids),
        case_links("open_after_reopen", pending_ids),
    ]
    notes: tuple[str, ...] = ()
    if not statuses.reopened:
        notes = (
            "no 'statuses.reopened' mapped: a reopen is inferred when the ticket was worked on or resolved "
            "again after a resolution",
        )
    headline = (
        f"{n_real} real reopens (resolved, reopened and resolved again) of {n_res} resolutions "
        f"({percent(rate_res)}), in {len(real_ids)} of {len(resolved_tickets)} resolved tickets ({percent(rate_ticket)}); "
        f"{n_harmless} harmless reopens were closed again without a new resolution."
    )
    return question_result("reopens", _TITLE, headline, rows, table, links, notes=notes)


_NAT = np.iinfo("int64").min


def _utc(ns: np.ndarray) -> pd.DatetimeIndex:
    return pd.to_datetime(np.asarray(ns, dtype="int64").view("datetime64[ns]"), utc=True)


def _per_segment(ts: np.ndarray, mask: np.ndarray, seg: np.ndarray, n_seg: int, ufunc: np.ufunc) -> np.ndarray:
    """Per segment, the min/max ``ts`` of the masked events (NaT sentinel where none)."""
    fill = np.iinfo("int64").max if ufunc is np.minimum else _NAT
    out = np.full(n_seg, fill, dtype="int64")
    ufunc.at(out, seg[mask], ts[mask])
    out[out == np.iinfo("int64").max] = _NAT
    return out


