"""Per-case outcomes of the historical audit, computed from the canonical event log.

One row per case (index ``case_id``) and one column per outcome; a case where an
outcome is not defined (e.g. no resolution, so no reopen rate) has NaN there and is
left out of that outcome's figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.config import StatusMeanings
from workbench.errors import ConfigError
from workbench.schema import ACTIVITY, CASE_ID, START_TIMESTAMP, TIMESTAMP

__all__ = ["OUTCOMES", "OutcomeActivity", "QueueWait", "case_outcomes"]

#: The built-in outcomes of the historical audit.
OUTCOMES: tuple[str, ...] = ("cycle_time", "reopen_rate", "queue_wait")


@dataclass(frozen=True)
class OutcomeActivity:
    """The share of cases in which an activity happens, e.g. the final decision of a case.

    ``favourable=True`` when it is good for the person (a job offer, a granted loan):
    a group with a lower rate is worse off. ``False`` when it is bad for them (a
    rejection): a higher rate is worse.
    """

    name: str
    activities: tuple[str, ...]
    favourable: bool = True


@dataclass(frozen=True)
class QueueWait:
    """How time waiting in queue is measured: from a ``start`` event to the next ``end`` event.

    Every wait (start -> next end) in a case is added up; an empty ``start`` means
    from the case's first event (time before the first work event). Defaults come
    from the log config's statuses (``assigned`` -> ``in_progress``).
    """

    start: tuple[str, ...] = ()
    end: tuple[str, ...] = ()


def case_outcomes(
    events: pd.DataFrame,
    *,
    outcomes: Sequence[str] = OUTCOMES,
    outcome_activities: Sequence[OutcomeActivity] = (),
    statuses: StatusMeanings | None = None,
    queue_wait: QueueWait | None = None,
    completed_only: bool = True,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Compute each case's outcomes.

    Returns
    -------
    outcomes : pandas.DataFrame
        Index ``case_id`` (order of first appearance); columns ``cycle_time_h``,
        ``reopen_rate`` (1.0 if the case had a real reopen, 0.0 if resolved without),
        ``queue_wait_h``, and one 0/1 column per outcome activity, as requested.
    notes : tuple of str
        Outcomes that were skipped or restricted, and why.
    """
    unknown = [o for o in outcomes if o not in OUTCOMES]
    if unknown:
        raise ConfigError(f"unknown historical outcome(s) {unknown}; choose from {list(OUTCOMES)} "
                          "or declare an outcome activity")
    statuses = statuses or StatusMeanings()
    notes: list[str] = []
    grouped = events.groupby(CASE_ID, sort=False)
    index = pd.Index(grouped.size().index, name=CASE_ID)
    out = pd.DataFrame(index=index)

    completed = pd.Series(True, index=index)
    ending = tuple(statuses.resolved) + tuple(statuses.closed)
    if completed_only and ending:
        completed = events[ACTIVITY].isin(ending).groupby(events[CASE_ID], sort=False).any().reindex(index)
        n_open = int((~completed).sum())
        if n_open:
            notes.append(f"{n_open} cases without a resolved or closed status are still open: they are left out "
                         "of cycle time and outcome-activity rates")

    if "cycle_time" in outcomes:
        first = grouped[TIMESTAMP].min()
        if START_TIMESTAMP in events.columns and events[START_TIMESTAMP].notna().any():
            first = pd.concat([first, grouped[START_TIMESTAMP].min()], axis=1).min(axis=1)
        hours = (grouped[TIMESTAMP].max() - first).dt.total_seconds() / 3600.0
        out["cycle_time_h"] = hours.where(completed)

    if "reopen_rate" in outcomes:
        if not statuses.resolved:
            notes.append("reopen rate skipped: the log config maps no 'resolved' status (statuses.resolved), "
                         "so reopens cannot be told")
        else:
            from workbench.analysis.reopens import reopen_events

            table = reopen_events(events, statuses=statuses)
            real = table.groupby(CASE_ID, sort=False)["real"].any()
            out["reopen_rate"] = real.reindex(index).astype(float)  # NaN: never resolved

    if "queue_wait" in outcomes:
        qw = queue_wait or QueueWait(start=tuple(statuses.assigned), end=tuple(statuses.in_progress))
        if not qw.end:
            notes.append("time waiting in queue skipped: no end status (statuses.in_progress, or queue_wait.end "
                         "in the audit config) says when work starts")
        else:
            out["queue_wait_h"] = _queue_wait_hours(events, qw).reindex(index)
            if not qw.start:
                notes.append("time waiting in queue measured from the case's first event to the first work event")

    for oa in outcome_activities:
        missing = [a for a in oa.activities if not (events[ACTIVITY] == a).any()]
        if len(missing) == len(oa.activities):
            raise ConfigError(
                f"outcome activity '{oa.name}': none of {list(oa.activities)} occurs in the log; check the spelling "
                f"(activities: {sorted(events[ACTIVITY].unique().tolist())[:20]})"
            )
        has = events[ACTIVITY].isin(oa.activities).groupby(events[CASE_ID], sort=False).any().reindex(index)
        out[oa.name] = has.astype(float).where(completed)
    return out, tuple(notes)


def _queue_wait_hours(events: pd.DataFrame, qw: QueueWait) -> pd.Series:
    """Total hours from each start event to the next end event, per case (NaN: no complete wait)."""
    case = events[CASE_ID].to_numpy()
    act = events[ACTIVITY]
    is_end = act.isin(qw.end).to_numpy()
    if qw.start:
        is_start = act.isin(qw.start).to_numpy() & ~is_end
    else:
        is_start = np.r_[True, case[1:] != case[:-1]] & ~is_end
    # segment: events after the previous end of the case, up to and including the next end
    ends_before = pd.Series(is_end.astype(np.int64)).groupby(case, sort=False).cumsum().to_numpy() - is_end
    ts = events[TIMESTAMP]
    frame = pd.DataFrame({"case": case, "seg": ends_before, "start": ts.where(is_start), "end": ts.where(is_end)})
    per_seg = frame.groupby(["case", "seg"], sort=False).agg(start=("start", "min"), end=("end", "min"))
    waits = (per_seg["end"] - per_seg["start"]).dt.total_seconds() / 3600.0
    waits = waits[waits.notna()]
    total = waits.groupby(level=0, sort=False).sum()
    total.index.name = CASE_ID
    return total
