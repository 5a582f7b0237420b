"""Question 2: do tickets land with the right team the first time?

For each resolved ticket, the *first assigned team* is the first team after first
line that got the ticket (first line itself when the ticket never left it), and the
*resolving team* is the team holding the ticket at its last resolution. The ticket
was routed right the first time when the two are the same. A ticket forwarded to a
wrong team and sent back, or forwarded although first line solved it in the end, is
*misrouted*.

Ping-pong: a team sequence A -> B -> A (the ticket went back to a team it had just
left); counted per occurrence, per ticket and per (A, B) pair.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis._common import (
    check_events,
    first_team_fallback,
    require_statuses,
    require_teams,
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
from workbench.analysis._segments import visits
from workbench.config import StatusMeanings
from workbench.schema import ACTIVITY, CASE_ID, TEAM

__all__ = ["routing", "routing_tables", "routing_from_tables"]

_TITLE = "Do tickets land with the right team the first time?"


def routing(events: pd.DataFrame, *, statuses: StatusMeanings) -> QuestionResult:
    """First-time-right routing and ping-pong.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical event log with a ``team`` column.
    statuses : StatusMeanings
        Needs ``resolved``; uses ``first_line_team`` (``None``: each ticket's first team).

    Returns
    -------
    QuestionResult
        ``table``: per first assigned team, tickets, right first time, misrouted and the
        share. ``extra["tickets"]``: one row per ticket; ``extra["pingpong"]``: per (A, B)
        pair. Figures with case ids: ``first_time_right``, ``misrouted`` (grouped by the
        first assigned team), ``pingpong`` (grouped by ``"A -> B"``), ``forwarded``.
    """
    require_statuses(statuses, "resolved", question="the routing question")
    ev = check_events(events, columns=(TEAM,), what="the routing question")
    require_teams(ev, what="the routing question")
    return routing_from_tables(combine_case_tables([routing_tables(ev, statuses=statuses)]), statuses=statuses)


def routing_tables(events: pd.DataFrame, *, statuses: StatusMeanings) -> CaseTables:
    """The per-case tables of :func:`routing` for a set of whole cases: ``tickets`` (one row per
    ticket) and ``pingpong`` (one row per A -> B -> A occurrence). The caller checks that the
    whole log has teams."""
    resolved = require_statuses(statuses, "resolved", question="the routing question")
    ev = check_events(events, columns=(TEAM,), what="the routing question")
    vis = visits(ev, statuses=statuses, column=TEAM)
    return CaseTables(frames={"tickets": _per_ticket(ev, vis, statuses=statuses, resolved=resolved),
                              "pingpong": _pingpong_occurrences(vis)})


def routing_from_tables(tables: CaseTables, *, statuses: StatusMeanings) -> QuestionResult:
    """Answer :func:`routing` from the per-case tables of the whole log (see :func:`routing_tables`)."""
    tickets = tables.frames["tickets"]
    pairs, pp_links = _pingpong(tables.frames["pingpong"])
    done = tickets[tickets["resolved"]]
    ftr = done[done["first_time_right"].astype(bool)]
    mis = done[~done["first_time_right"].astype(bool)]
    fwd = done[done["forwarded"]]
    by_team = (
        done.groupby("first_team", sort=True)
        .agg(tickets=(CASE_ID, "size"), first_time_right=("first_time_right", "sum"))
        .reset_index()
    )
    by_team["first_time_right"] = by_team["first_time_right"].astype("int64")
    by_team["misrouted"] = by_team["tickets"] - by_team["first_time_right"]
    by_team["first_time_right_share"] = by_team["first_time_right"] / by_team["tickets"]
    by_team.insert(1, "is_first_line", by_team["first_team"] == statuses.first_line_team)

    n_done = len(done)
    share = len(ftr) / n_done if n_done else float("nan")
    fwd_share = float(fwd["first_time_right"].astype(bool).mean()) if len(fwd) else float("nan")
    pp_tickets = tickets.loc[tickets["pingpong"] > 0, CASE_ID]
    rows = [
        ("tickets", len(tickets), "tickets"),
        ("resolved_tickets", n_done, "tickets"),
        ("first_time_right", len(ftr), "tickets"),
        ("first_time_right_share", share, "share"),
        ("misrouted", len(mis), "tickets"),
        ("forwarded_tickets", len(fwd), "tickets"),
        ("forwarded_first_time_right_share", fwd_share, "share"),
        ("pingpong_tickets", len(pp_tickets), "tickets"),
        ("pingpong_occurrences", int(tickets["pingpong"].sum()), "occurrences"),
    ]
    links = [
        case_links("first_time_right", ftr[CASE_ID], ftr["first_team"]),
        case_links("misrouted", mis[CASE_ID], mis["first_team"]),
        case_links("forwarded", fwd[CASE_ID], fwd["first_team"]),
        pp_links,
    ]
    who = "first line or the first team it was forwarded to" if statuses.first_line_team else "its first team"
    headline = (
        f"{len(ftr)} of {n_done} resolved tickets ({percent(share)}) were resolved by {who}; "
        f"of the {len(fwd)} forwarded tickets {percent(fwd_share)} went to the right team first; "
        f"{len(mis)} misrouted; {len(pp_tickets)} tickets ping-ponged between teams (A -> B -> A)."
    )
    return question_result("routing", _TITLE, headline, rows, by_team, links,
                           extra={"tickets": tickets, "pingpong": pairs}, notes=first_team_fallback(statuses))


def _per_ticket(ev: pd.DataFrame, vis: pd.DataFrame, *, statuses: StatusMeanings, resolved: tuple[str, ...]
                ) -> pd.DataFrame:
    vis = vis[vis["holder"].notna()]
    first_team_of_case = vis.groupby(CASE_ID, sort=False)["holder"].first()
    if statuses.first_line_team is not None:
        fl = pd.Series(statuses.first_line_team, index=first_team_of_case.index)
    else:
        fl = first_team_of_case
    away = vis[vis["holder"].to_numpy() != vis[CASE_ID].map(fl).to_numpy()]
    first_routed = away.groupby(CASE_ID, sort=False)["holder"].first()

    holder = team_per_event(ev, statuses=statuses).to_numpy()
    is_res = ev[ACTIVITY].isin(resolved).to_numpy()
    res_rows = np.flatnonzero(is_res)
    last_res = pd.Series(holder[res_rows], index=ev[CASE_ID].to_numpy()[res_rows]).groupby(level=0, sort=False).last()

    cases = pd.Index(ev[CASE_ID].unique(), name=CASE_ID)
    out = pd.DataFrame(index=cases)
    out["first_line"] = fl.reindex(cases)
    out["forwarded"] = first_routed.reindex(cases).notna()
    out["first_team"] = first_routed.reindex(cases).where(out["forwarded"], out["first_line"])
    out["resolving_team"] = last_res.reindex(cases)
    out["resolved"] = cases.isin(last_res.index)
    right = (out["first_team"] == out["resolving_team"]) & out["resolving_team"].notna()
    out["first_time_right"] = right.where(out["resolved"], other=pd.NA).astype("boolean")
    counts = vis.groupby(CASE_ID, sort=False)
    out["teams"] = counts["holder"].nunique().reindex(cases).fillna(0).astype("int64")
    out["handovers"] = (counts.size().reindex(cases).fillna(1) - 1).clip(lower=0).astype("int64")
    pp = _pingpong_mask(vis)
    out["pingpong"] = pd.Series(pp.astype("int64"), index=vis[CASE_ID].to_numpy()).groupby(level=0).sum() \
        .reindex(cases).fillna(0).astype("int64")
    return out.reset_index()


def _pingpong_mask(vis: pd.DataFrame) -> np.ndarray:
    """True at visit i when visit i+2 of the same ticket is with the same team."""
    case = vis[CASE_ID].to_numpy()
    holder = vis["holder"].to_numpy(dtype="object")
    n = len(vis)
    mask = np.zeros(n, dtype=bool)
    if n > 2:
        mask[:-2] = (case[2:] == case[:-2]) & (holder[2:] == holder[:-2])
    return mask


def _pingpong_occurrences(vis: pd.DataFrame) -> pd.DataFrame:
    """One row per A -> B -> A occurrence: ``case_id``, ``team_a``, ``team_b``."""
    vis = vis[vis["holder"].notna()].reset_index(drop=True)
    idx = np.flatnonzero(_pingpong_mask(vis))
    return pd.DataFrame(
        {
            CASE_ID: vis[CASE_ID].to_numpy()[idx],
            "team_a": vis["holder"].to_numpy()[idx],
            "team_b": vis["holder"].to_numpy()[idx + 1] if len(idx) else np.array([], dtype=object),
        }
    )


def _pingpong(occ: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    pairs = (
        occ.groupby(["team_a", "team_b"], sort=True)
        .agg(occurrences=(CASE_ID, "size"), tickets=(CASE_ID, "nunique"))
        .reset_index()
        .sort_values(["tickets", "team_a", "team_b"], ascending=[False, True, True], ignore_index=True)
    )
    links = case_links("pingpong", occ[CASE_ID], occ["team_a"] + " -> " + occ["team_b"]) if len(occ) else \
        case_links("pingpong", [])
    return pairs, links
