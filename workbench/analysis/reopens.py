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
    check_events,
    optional_statuses,
    require_statuses,
    team_per_event,
)
from workbench.analysis._result import QuestionResult, case_links, concat_links, summary_frame
from workbench.config import StatusMeanings
from workbench.schema import ACTIVITY, CASE_ID, TEAM, TIMESTAMP

__all__ = ["reopen_events", "reopens"]

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

    # number every event with the count of resolutions up to and including it
    ordinal = pd.Series(is_res.astype("int32")).groupby(case, sort=False).cumsum().to_numpy()
    after = ~is_res & (ordinal > 0)  # events that follow a resolution (before the next one)
    ts = ev[TIMESTAMP]
    reopen_ts = ts.where(after & is_reopen).groupby([case, ordinal], sort=False).min()
    res_rows = np.flatnonzero(is_res)
    res = pd.DataFrame(
        {
            CASE_ID: case[res_rows],
            "resolution_no": ordinal[res_rows].astype("int64"),
            "resolved_at": ts.to_numpy()[res_rows],
        }
    )
    res["resolved_at"] = pd.to_datetime(res["resolved_at"], utc=True)
    if TEAM in ev.columns:
        res[TEAM] = team_per_event(ev, statuses=statuses).to_numpy()[res_rows]
    else:
        res[TEAM] = pd.Series(pd.NA, index=res.index, dtype="object")
    res_key = pd.MultiIndex.from_arrays([res[CASE_ID].to_numpy(), res["resolution_no"].to_numpy()])
    res["reopened_at"] = reopen_ts.reindex(res_key).to_numpy()
    res["reopened_at"] = pd.to_datetime(res["reopened_at"], utc=True)

    n_res = pd.Series(is_res.astype("int32")).groupby(case, sort=False).transform("sum").to_numpy()[res_rows]
    has_next = res["resolution_no"].to_numpy() < n_res
    next_at = res.groupby(CASE_ID, sort=False)["resolved_at"].shift(-1)
    res["next_resolved_at"] = next_at

    reopened = res["reopened_at"].notna().to_numpy()
    if not statuses.reopened:
        reopened = reopened | has_next  # resolved again: it was reopened
    real = reopened & has_next
    if closed_labels:
        # a closing event after the reopen, before any new resolution
        closed_ts = ts.where(after & is_closed).groupby([case, ordinal], sort=False).max()
        last_close = pd.to_datetime(closed_ts.reindex(res_key).to_numpy(), utc=True)
        closed_after_reopen = (last_close >= res["reopened_at"].to_numpy()) & pd.notna(last_close)
        harmless = reopened & ~real & np.asarray(closed_after_reopen, dtype=bool)
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
    table = reopen_events(ev, statuses=statuses)
    n_res = len(table)
    n_tickets = int(ev[CASE_ID].nunique())
    resolved_tickets = table[CASE_ID].unique()
    real_ids = table.loc[table["real"], CASE_ID].unique()
    harmless_ids = table.loc[table["harmless"], CASE_ID].unique()
    pending = table["reopened"] & ~table["real"] & ~table["harmless"]
    pending_ids = table.loc[pending, CASE_ID].unique()
    n_real = int(table["real"].sum())
    n_harmless = int(table["harmless"].sum())
    rate_res = n_real / n_res if n_res else float("nan")
    rate_ticket = len(real_ids) / len(resolved_tickets) if len(resolved_tickets) else float("nan")
    summary = summary_frame(
        [
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
    )
    cases = concat_links(
        [
            case_links("resolved", resolved_tickets),
            case_links("real_reopen", real_ids),
            case_links("harmless_reopen", harmless_ids),
            case_links("open_after_reopen", pending_ids),
        ]
    )
    notes: tuple[str, ...] = ()
    if not statuses.reopened:
        notes = (
            "no 'statuses.reopened' mapped: a reopen is inferred when the ticket was worked on or resolved "
            "again after a resolution",
        )
    headline = (
        f"{n_real} real reopens (resolved, reopened and resolved again) of {n_res} resolutions "
        f"({_pct(rate_res)}), in {len(real_ids)} of {len(resolved_tickets)} resolved tickets ({_pct(rate_ticket)}); "
        f"{n_harmless} harmless reopens were closed again without a new resolution."
    )
    return QuestionResult(
        question="reopens",
        title=_TITLE,
        headline=headline,
        summary=summary,
        table=table,
        cases=cases,
        notes=notes,
    )


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.1f}%"
