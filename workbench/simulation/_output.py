"""Turning one replication's records into the simulated event log and the per-case table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.schema import ACTIVITY, CASE_ID, LIFECYCLE, RESOURCE, START_TIMESTAMP, TEAM, TIMESTAMP

if TYPE_CHECKING:
    from workbench.simulation._compiled import Compiled

__all__ = ["SimulationRun", "collect"]


@dataclass(frozen=True)
class SimulationRun:
    """One replication's output.

    Attributes
    ----------
    events : pandas.DataFrame
        The simulated event log in the canonical schema (start and end timestamps),
        with the case attribute columns.
    cases : pandas.DataFrame
        One row per case: ``case_id``, ``arrival``, ``end`` (UTC), ``finished``,
        ``cycle_time_h`` (arrival to closure), ``resolution_time_h`` (arrival to the last
        resolving status, or to the end without one), ``work_h``, ``queue_h``, ``delay_h``, ``waiting_time_h``
        (queue + delay), ``waiting_on_user_h``, the case attributes, and ``extra``
        (True for cases added by a volume increase).
    team_usage : pandas.DataFrame
        Per team: ``staff``, ``busy_h`` (working hours a worker held a case) and
        ``available_h`` (staff times working hours) inside the measurement window.
    team_waits : pandas.DataFrame
        Per case and team the case queued at: ``queue_h``, the time it waited for a worker.
    start, window_start, window_end : pandas.Timestamp
        Clock origin and the measurement window (after the warm-up, to the last arrival).
    activity_instances : int
        Number of simulated steps (events).
    """

    events: pd.DataFrame
    cases: pd.DataFrame
    team_usage: pd.DataFrame
    team_waits: pd.DataFrame
    start: pd.Timestamp
    window_start: pd.Timestamp
    window_end: pd.Timestamp
    activity_instances: int


def collect(
    sim: Any,
    model: Any,
    origin: pd.Timestamp,
    arrivals: np.ndarray,
    profiles: np.ndarray,
    extra: np.ndarray,
    w0: float,
    w1: float,
    keep_events: bool,
    prefix: str,
) -> SimulationRun:
    """Build the :class:`SimulationRun` of the engine's finished run state ``sim``."""
    c = sim.c
    n = len(arrivals)
    rec = np.asarray(sim.records, dtype=float).reshape(-1, 8)
    ev_case = rec[:, 0].astype(np.int64)
    ev_node = rec[:, 1].astype(np.int64)
    ev_start, ev_end, ev_res = rec[:, 2], rec[:, 3], rec[:, 4].astype(np.int64)
    ev_queue, ev_delay, ev_user = rec[:, 5], rec[:, 6], rec[:, 7].astype(bool)
    finished = ~np.isnan(sim.end)
    horizon_end = sim.env.now
    end = np.where(finished, sim.end, horizon_end)
    work = np.bincount(ev_case, weights=ev_end - ev_start, minlength=n)
    queue = np.bincount(ev_case, weights=np.maximum(ev_queue, 0.0), minlength=n)
    user = np.bincount(ev_case, weights=np.where(ev_user, ev_delay, 0.0), minlength=n)
    delay = np.bincount(ev_case, weights=np.where(ev_user, 0.0, ev_delay), minlength=n)
    ids = pd.Index([f"{prefix}{k}" for k in range(n)], dtype="string")

    def ts(seconds: np.ndarray) -> pd.Series:
        return origin + pd.to_timedelta(np.asarray(seconds), unit="s")

    attr_frame = _attribute_frame(c, profiles)
    cycle = (end - arrivals) / 3600.0
    # time to resolution: to the case's last resolving status (its end when it has none)
    resolving = np.array(
        [model.activities[n].activity in model.statuses.resolved for n in c.names], dtype=bool
    )
    last_resolved = np.full(n, -np.inf)
    if len(ev_node) and resolving.any():
        m = resolving[ev_node]
        np.maximum.at(last_resolved, ev_case[m], ev_end[m])
    resolution = (np.where(np.isfinite(last_resolved), last_resolved, end) - arrivals) / 3600.0
    cases = pd.DataFrame(
        {
            CASE_ID: ids,
            "arrival": ts(arrivals),
            "end": ts(end),
            "arrival_s": arrivals,
            "end_s": end,
            "finished": finished,
            "cycle_time_h": cycle,
            "resolution_time_h": resolution,
            "work_h": work / 3600.0,
            "queue_h": queue / 3600.0,
            "delay_h": delay / 3600.0,
            "waiting_time_h": (queue + delay) / 3600.0,
            "waiting_on_user_h": user / 3600.0,
            "extra": extra,
        }
    )
    cases = pd.concat([cases, attr_frame], axis=1)
    ev_team = (
        np.asarray(c.node_team, dtype=np.int64)[ev_node] if len(ev_node) else np.empty(0, dtype=np.int64)
    )
    has_team = (ev_team >= 0) & (ev_queue >= 0)
    tw = pd.DataFrame(
        {"case": ev_case[has_team], "team": ev_team[has_team], "queue_h": ev_queue[has_team] / 3600.0}
    )
    tw = tw.groupby(["case", "team"], as_index=False)["queue_h"].sum()
    team_waits = pd.DataFrame(
        {
            CASE_ID: ids[tw["case"].to_numpy()],
            TEAM: np.asarray(c.team_names, dtype=object)[tw["team"].to_numpy()] if len(tw) else [],
            "queue_h": tw["queue_h"].to_numpy(),
        }
    )
    holds = np.asarray(sim.holds, dtype=float).reshape(-1, 3)
    usage = []
    for ti, t in enumerate(c.team_names):
        clock = c.clocks[ti]
        h = holds[holds[:, 0] == ti]
        a, b = np.clip(h[:, 1], w0, w1), np.clip(h[:, 2], w0, w1)
        busy = float((clock.worked_array(b) - clock.worked_array(a)).sum())
        avail = c.staff[ti] * clock.working_between(w0, w1) / 3600.0
        usage.append({TEAM: t, "staff": c.staff[ti], "busy_h": busy / 3600.0, "available_h": avail})
    events = pd.DataFrame()
    if keep_events:
        events = _event_frame(c, ids, ev_case, ev_node, ev_start, ev_end, ev_res, ts, attr_frame)
    return SimulationRun(
        events=events,
        cases=cases,
        team_usage=pd.DataFrame(usage, columns=[TEAM, "staff", "busy_h", "available_h"]),
        team_waits=team_waits,
        start=origin,
        window_start=origin + pd.Timedelta(seconds=w0),
        window_end=origin + pd.Timedelta(seconds=w1),
        activity_instances=len(ev_case),
    )


def _attribute_frame(c: Compiled, profiles: np.ndarray) -> pd.DataFrame:
    data = {}
    for ai, attr in enumerate(c.attributes):
        decode = {k: v for v, k in c.value_codes[ai].items()}
        per_profile = np.array(
            [decode.get(codes[ai]) if codes else None for codes in c.profile_codes], dtype=object
        )
        data[attr] = pd.array(per_profile[profiles], dtype="string")
    return pd.DataFrame(data, index=pd.RangeIndex(len(profiles)))


def _event_frame(c, ids, ev_case, ev_node, ev_start, ev_end, ev_res, ts, attr_frame) -> pd.DataFrame:
    order = np.lexsort((ev_start, ev_end, ev_case))
    ev_case, ev_node, ev_start, ev_end, ev_res = (
        a[order] for a in (ev_case, ev_node, ev_start, ev_end, ev_res)
    )
    acts = np.asarray(c.node_activity, dtype=object)[ev_node]
    teams = np.asarray(c.node_team_name, dtype=object)[ev_node]
    res_names = _resource_names(c, ev_res)
    frame = pd.DataFrame(
        {
            CASE_ID: ids[ev_case],
            ACTIVITY: pd.array(acts, dtype="string"),
            TIMESTAMP: ts(ev_end),
            START_TIMESTAMP: ts(ev_start),
            RESOURCE: pd.array(res_names, dtype="string"),
            TEAM: pd.array(teams, dtype="string"),
            LIFECYCLE: pd.array([pd.NA] * len(ev_case), dtype="string"),
        }
    )
    for col in attr_frame.columns:
        frame[col] = attr_frame[col].to_numpy()[ev_case]
    return frame


def _resource_names(c: Compiled, ev_res: np.ndarray) -> np.ndarray:
    out = np.full(len(ev_res), None, dtype=object)
    first = 0
    for ti, staff in enumerate(c.staff):
        lo, hi = first, first + max(staff, 1)
        mask = (ev_res >= lo) & (ev_res < hi)
        if mask.any():
            out[mask] = np.char.add(f"{c.team_names[ti]} worker ", (ev_res[mask] - lo + 1).astype(str))
        first += max(staff, 1) + 1000
    return out
