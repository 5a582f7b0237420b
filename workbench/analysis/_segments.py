"""Team visits ("segments"): the runs of consecutive events a ticket spends with one team.

A ticket arrives at a team with the first event carrying that team and leaves it at
the first event carrying another team, or at its first resolution during the visit,
whichever comes first. A visit that ends with neither is ``closed`` (a closing event
ends it) or still ``open``. The same code segments by person (the ``resource``
column) for per-person output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis._common import case_position, fill_index, optional_statuses, team_per_event
from workbench.config import StatusMeanings
from workbench.schema import ACTIVITY, CASE_ID, TEAM, TIMESTAMP

__all__ = ["visits"]


def visits(events: pd.DataFrame, *, statuses: StatusMeanings, column: str = TEAM) -> pd.DataFrame:
    """One row per visit of a ticket to a team (or person, with ``column="resource"``).

    ``events`` must be sorted by case and time (see ``check_events``). Columns:
    ``case_id``, ``visit_no`` (0-based), ``holder`` (team or person), ``prev_holder``,
    ``next_holder``, ``arrived_at``, ``left_at``, ``left_by`` (``handover``, ``resolved``,
    ``closed``, ``open``), ``hours`` (arrival to leaving, NaN when open),
    ``sent_back`` (see below), ``n_events``, ``first_row`` (row of the first event).

    ``sent_back``: the visit contains a ``statuses.sent_back`` event after its first
    event, or the next visit starts with one. With no ``sent_back`` status mapped, a
    visit counts as sent back when the ticket next goes back to the team it came from.
    """
    case = events[CASE_ID].to_numpy()
    act = events[ACTIVITY]
    ts = events[TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")
    first, _ = case_position(events)
    if column != TEAM and TEAM in events.columns:
        # a person holds the ticket only within a team visit: a handover to another team ends it
        team_change = _changes(team_per_event(events, statuses=statuses).to_numpy(dtype="object"), first)
        codes, names = pd.factorize(events[column], sort=False)
        valid = codes >= 0
        passive = optional_statuses(statuses, "closed", "message_from_user")
        if passive:
            valid &= ~act.isin(passive).to_numpy()
        team_last = np.r_[team_change[1:], True]
        src = fill_index(valid, team_change, team_last, backward=False)
        labels = np.append(np.asarray(names, dtype=object), [None])
        holder = pd.Series(labels[np.where(src >= 0, codes[np.maximum(src, 0)], len(labels) - 1)], dtype="object")
    else:
        holder = team_per_event(events, statuses=statuses, column=column)
    hv = holder.to_numpy(dtype="object")
    change = _changes(hv, first)
    visit_id = np.cumsum(change) - 1
    starts = np.flatnonzero(change)
    n = len(starts)

    is_res = act.isin(optional_statuses(statuses, "resolved")).to_numpy()
    is_closed = act.isin(optional_statuses(statuses, "closed")).to_numpy()
    is_sent_back = act.isin(optional_statuses(statuses, "sent_back")).to_numpy()

    vcase = case[starts]
    same_case_next = np.zeros(n, dtype=bool)
    same_case_next[:-1] = vcase[1:] == vcase[:-1]
    same_case_prev = np.zeros(n, dtype=bool)
    same_case_prev[1:] = vcase[1:] == vcase[:-1]

    arrived = ts[starts]
    nat = np.iinfo("int64").min
    next_arrival = np.full(n, nat)
    next_arrival[:-1] = arrived[1:]
    first_res = _first_per_visit(ts, is_res, visit_id, n)
    first_close = _first_per_visit(ts, is_closed, visit_id, n)

    left_at = np.full(n, nat)
    left_by = np.full(n, "open", dtype=object)
    handover = same_case_next
    left_at[handover] = next_arrival[handover]
    left_by[handover] = "handover"
    has_close = (first_close != nat) & ~handover
    left_at[has_close] = first_close[has_close]
    left_by[has_close] = "closed"
    has_res = first_res != nat
    left_at[has_res] = first_res[has_res]
    left_by[has_res] = "resolved"

    holders = hv[starts]
    prev_holder = np.full(n, None, dtype=object)
    prev_holder[same_case_prev] = holders[np.flatnonzero(same_case_prev) - 1]
    next_holder = np.full(n, None, dtype=object)
    next_holder[same_case_next] = holders[np.flatnonzero(same_case_next) + 1]

    if statuses.sent_back:
        inside = is_sent_back & ~change  # a sent-back event after the visit's first event
        sb_inside = np.bincount(visit_id[inside], minlength=n) > 0
        starts_with_sb = is_sent_back[starts]
        sb_next = np.zeros(n, dtype=bool)
        sb_next[:-1] = starts_with_sb[1:] & same_case_next[:-1]
        sent_back = sb_inside | sb_next
    else:
        sent_back = same_case_next & same_case_prev & _eq(next_holder, prev_holder)

    visit_no = np.arange(n) - np.maximum.accumulate(np.where(~same_case_prev, np.arange(n), 0))
    hours_ = np.where(left_at == nat, np.nan, (left_at - arrived) / 3.6e12)
    out = pd.DataFrame(
        {
            CASE_ID: vcase,
            "visit_no": visit_no.astype("int64"),
            "holder": holders,
            "prev_holder": prev_holder,
            "next_holder": next_holder,
            "arrived_at": pd.to_datetime(arrived, utc=True),
            "left_at": pd.to_datetime(left_at.view("datetime64[ns]"), utc=True),
            "left_by": left_by,
            "hours": hours_,
            "sent_back": sent_back,
            "n_events": np.bincount(visit_id, minlength=n).astype("int64"),
            "first_row": starts.astype("int64"),
        }
    )
    return out


def _changes(holder: np.ndarray, first: np.ndarray) -> np.ndarray:
    """True where a new run starts: a case's first event or a change of holder (missing is a holder too)."""
    key = np.where(pd.isna(holder), "\x00<none>", holder).astype("object")
    change = first.copy()
    change[1:] |= key[1:] != key[:-1]
    return change


def _first_per_visit(ts: np.ndarray, mask: np.ndarray, visit_id: np.ndarray, n: int) -> np.ndarray:
    """Earliest ``ts`` of the masked events of each visit (int64 NaT sentinel when none)."""
    out = np.full(n, np.iinfo("int64").min)
    if mask.any():
        vid = visit_id[mask]
        vals = ts[mask]
        # events are time-sorted, so the first masked event per visit is the earliest
        uniq, first_idx = np.unique(vid, return_index=True)
        out[uniq] = vals[first_idx]
    return out


def _eq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality where a missing value equals nothing."""
    sa, sb = pd.Series(a, dtype="object"), pd.Series(b, dtype="object")
    return (sa.notna() & sb.notna() & (sa == sb)).to_numpy(dtype=bool)
