"""Telling work from waiting in an event log, step by step.

Every event becomes a *step* with a start and an end. What lies between the previous
step of the case and this one is split into a **delay** outside the team's capacity
(waiting on the user, hand-overs, a team that had a free worker but did not pick the
case up) and **contention** (every worker of the team was busy), which the engine
reproduces by queueing and so must not be counted twice. Three ways to find starts:

- ``recorded``: the log has start timestamps (e.g. paired start/complete events);
- ``status``: the log has one timestamp per status change and the config says which
  statuses mean "in progress": a worker who records several statuses in a row keeps
  the case (the time between is work); a step picked up by a new worker starts when
  it is recorded (the time before it is waiting);
- ``availability``: neither; a worker starts a step when both the case and the worker
  are free (the latest of the case's and the worker's previous events).

All work times are measured in working time of the team's calendar.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.schema import ACTIVITY, CASE_ID, RESOURCE, START_TIMESTAMP, TEAM, TIMESTAMP
from workbench.simulation._clock import WorkClock
from workbench.simulation._workers import WorkerFindings, find_workers, headcount
from workbench.simulation.model import CalendarSpec, node_name

__all__ = ["NOT_NEEDED_VARIANT", "RETURNED_VARIANT", "SENT_BACK_VARIANT", "Steps", "build_steps"]

SENT_BACK_VARIANT = "sent back"
NOT_NEEDED_VARIANT = "sent back: not needed"
RETURNED_VARIANT = "returned"
_EPS = 1e-3


@dataclass
class Steps:
    """The log as steps; ``frame`` has one row per event in case order."""

    frame: pd.DataFrame
    origin: pd.Timestamp
    mode: str
    pools: list[str]
    team_mode: bool
    staff: dict[str, int]
    staff_note: dict[str, str]
    clocks: dict[str, WorkClock]
    default_clock: WorkClock
    workers: WorkerFindings | None = None
    recorded_share: float = 0.0
    away: dict[str, dict[int, int]] | None = None
    #: the users' hours, learned from when their replies come in (None: too few replies)
    users_clock: WorkClock | None = None


def _to_seconds(ts: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    return ((ts - origin) / pd.Timedelta(seconds=1)).to_numpy(dtype=float, na_value=np.nan)


def build_steps(
    events: pd.DataFrame,
    *,
    user_wait_statuses: frozenset[str],
    message_statuses: frozenset[str],
    in_progress: frozenset[str],
    sent_back: frozenset[str],
    calendars: dict[str, CalendarSpec] | None,
    default_calendar: CalendarSpec,
    infer_calendar,
    staff_override: dict[str, int] | None = None,
    non_staff: frozenset[str] = frozenset(),
    detect_non_staff: bool = True,
) -> Steps:
    """Turn canonical events into steps with work, delay and contention (see module docstring)."""
    df = events[
        [c for c in (CASE_ID, ACTIVITY, TIMESTAMP, START_TIMESTAMP, RESOURCE, TEAM) if c in events]
    ].copy()
    for col in (START_TIMESTAMP, RESOURCE, TEAM):
        if col not in df:
            df[col] = pd.NA
    for col in (TIMESTAMP, START_TIMESTAMP):  # a frame built by hand may hold naive or all-missing times
        df[col] = pd.to_datetime(df[col], utc=True)
    df = df.sort_values([CASE_ID, TIMESTAMP], kind="stable").reset_index(drop=True)
    first = df[TIMESTAMP].min()
    if df[START_TIMESTAMP].notna().any():
        first = min(first, df[START_TIMESTAMP].min())
    origin = first.floor("D") - pd.Timedelta(days=1)
    end = _to_seconds(df[TIMESTAMP], origin)
    rec_start = _to_seconds(df[START_TIMESTAMP], origin)
    case = pd.factorize(df[CASE_ID])[0]
    res = df[RESOURCE].astype("string")
    team_mode = bool(df[TEAM].notna().mean() >= 0.5)
    if team_mode:
        pool = df[TEAM].astype("string").groupby(case).ffill().groupby(case).bfill()
    else:
        pool = df[ACTIVITY].astype("string").where(res.notna().groupby(df[ACTIVITY]).transform("mean") > 0)
    act = df[ACTIVITY].astype(str).to_numpy()
    pool_arr = pool.to_numpy(dtype=object, na_value=None)
    workers = find_workers(
        case, pool_arr, res.to_numpy(dtype=object, na_value=None), end, team_mode=team_mode, declared=non_staff,
        detect=detect_non_staff,
    )
    res = pd.Series(workers.resource, dtype="string")
    has_res = res.notna().to_numpy()
    # without a send-back status, a visit that hands the case back to the team it came from
    # (ping-pong) is a send-back; a later visit to a third team makes it a wrong-team visit
    variant = _sent_back_variant(case, pool_arr, act, sent_back) if team_mode else np.full(len(df), None)
    node = np.array(
        [node_name(a, p if team_mode else None, v) for a, p, v in zip(act, pool_arr, variant, strict=True)],
        dtype=object,
    )
    frame = pd.DataFrame(
        {
            "case": case,
            "node": node,
            "activity": act,
            "pool": pool_arr,
            "resource": res.to_numpy(dtype=object, na_value=None),
            "has_res": has_res,
            "end": end,
            "rec_start": rec_start,
        }
    )
    first_in_case = np.r_[True, case[1:] != case[:-1]]
    frame["first"] = first_in_case
    frame["prev_node"] = np.where(first_in_case, None, np.r_[None, node[:-1]])
    frame["prev_end"] = np.where(first_in_case, np.nan, np.r_[np.nan, end[:-1]])
    frame["prev_res"] = np.where(first_in_case, None, np.r_[None, frame["resource"].to_numpy()[:-1]])
    frame["prev_pool"] = np.where(first_in_case, None, np.r_[None, pool_arr[:-1]])
    prev_act = np.where(first_in_case, None, np.r_[None, act[:-1]])
    frame["prev_hard"] = pd.Series(prev_act).isin(user_wait_statuses).to_numpy()
    frame["prev_user"] = pd.Series(prev_act).isin(user_wait_statuses | message_statuses).to_numpy()
    uses = frame.groupby("node")["has_res"].transform("mean").to_numpy() >= 0.5
    uses &= pd.notna(pool_arr)
    frame["uses"] = uses
    frame["prev_uses"] = np.where(first_in_case, False, np.r_[False, uses[:-1]])

    recorded_share = float(np.isfinite(rec_start).mean())
    if recorded_share >= 0.5:
        mode = "recorded"
    elif in_progress and frame["activity"].isin(in_progress).any():
        mode = "status"
    else:
        mode = "availability"

    pools = sorted({p for p, u in zip(pool_arr, uses, strict=True) if u and p is not None})
    cal_for = calendars or {}
    clocks: dict[str, WorkClock] = {}
    pydt = origin.to_pydatetime()
    for p in pools:
        spec = cal_for.get(p) or infer_calendar(frame, p, origin) or default_calendar
        clocks[p] = WorkClock(spec, pydt)
    default_clock = WorkClock(infer_calendar(frame, None, origin) or default_calendar, pydt)
    # a user's reply (an event nobody of a team records, right after a wait on the user) comes in
    # the user's own hours, which are not the team's: a reply at 16:30 waits for the next morning
    reply = frame["prev_hard"].to_numpy() & ~uses
    users_spec = infer_calendar(frame[reply].assign(has_res=True), None, origin) if reply.any() else None
    users_clock = WorkClock(users_spec, pydt) if users_spec is not None else None

    cont = np.zeros(len(frame), dtype=bool)
    start = end.copy()
    if mode == "recorded":
        start = np.where(np.isfinite(rec_start), np.minimum(rec_start, end), np.nan)
        missing = ~np.isfinite(start)
        if missing.any():
            start[missing] = _availability_starts(frame, end)[missing]
    elif mode == "status":
        same = (
            frame["has_res"].to_numpy()
            & (frame["resource"].to_numpy() == frame["prev_res"].to_numpy())
            & (pool_arr == frame["prev_pool"].to_numpy())
            & ~frame["prev_hard"].to_numpy()
            & frame["prev_uses"].to_numpy()
            & uses
        )
        cont = same & ~first_in_case
        start = np.where(cont, frame["prev_end"].to_numpy(), end)
    else:
        start = np.where(uses, _availability_starts(frame, end), end)
    if 0.0 < recorded_share < 0.5:
        # partial start events. At the steps that mostly have them, they are used and the rest
        # of those steps' starts are estimated from availability. Elsewhere a recorded start is
        # used where a worker picked the case up (the estimate above put no work before such a
        # step); a step in which a worker goes on from their own previous step keeps that step's
        # end as its start (the worker held the case in between)
        has = np.isfinite(rec_start)
        node_share = pd.Series(has).groupby(frame["node"].to_numpy()).transform("mean").to_numpy()
        at = (node_share >= 0.5) & uses
        est = _availability_starts(frame, end)
        start = np.where(at, np.where(has, np.minimum(rec_start, end), est), start)
        picked_up = has & uses & ~at & ~cont
        start = np.where(picked_up, np.minimum(rec_start, end), start)
        cont = cont & ~at
    start = np.minimum(start, end)
    frame["start"] = start
    frame["continues"] = cont

    # work, in working time of the pool (elapsed time for steps without staff)
    work = end - start
    w_start = np.full(len(frame), np.nan)
    w_end = np.full(len(frame), np.nan)
    w_prev = np.full(len(frame), np.nan)
    prev_end = frame["prev_end"].to_numpy(dtype=float)
    for p, clock in clocks.items():
        m = (pool_arr == p) & uses
        w_start[m] = clock.worked_array(start[m])
        w_end[m] = clock.worked_array(end[m])
        w_prev[m] = clock.worked_array(np.where(np.isfinite(prev_end[m]), prev_end[m], start[m]))
        work[m] = w_end[m] - w_start[m]
    frame["work"] = np.maximum(work, 0.0)

    # busy intervals of workers -> staff and contention
    staff, note, away, typical = _staff(frame, pools, mode, cont, staff_override, team_mode)
    contention = np.zeros(len(frame))
    acquire = uses & ~cont & ~frame["first"].to_numpy()
    for p, clock in clocks.items():
        m = (pool_arr == p) & acquire
        if not m.any():
            continue
        intervals = _busy_intervals(frame, p, mode, cont)
        # all busy: as many busy as the team's workers present that day (the rest away)
        contention[m] = _all_busy_overlap(intervals, typical[p], clock, prev_end[m], start[m], away.get(p))
    frame["contention"] = contention

    # delays outside capacity, before each step (not for continuations): in calendar time and in
    # working time (the model keeps whichever clock describes a transition more tightly)
    gap = start - prev_end
    delay_work = np.zeros(len(frame))
    prev_user = frame["prev_user"].to_numpy()
    for p in clocks:
        m = (pool_arr == p) & uses
        delay_work[m] = (w_start[m] - w_prev[m]) - contention[m]
    sys_mask = ~uses
    if sys_mask.any():
        delay_work[sys_mask] = _system_working_gap(frame, sys_mask, clocks, default_clock, prev_end, start)
    # the same delay in the users' hours, where it may be a user's reply. The fit (fit_delay) keeps
    # the clock that describes a transition most tightly, but not the team's hours when the log has
    # a share of these events while the team is closed: a closure a rule makes after five working
    # days stays in the team's hours, a user's reply at 16:30 does not
    delay_users = np.full(len(frame), np.nan)
    outside = np.zeros(len(frame), dtype=bool)
    if users_clock is not None:
        a = np.where(np.isfinite(prev_end[reply]), prev_end[reply], start[reply])
        delay_users[reply] = users_clock.worked_array(start[reply]) - users_clock.worked_array(a)
        # which of them came in while the team was closed (the team's hours cannot make those)
        at = start[reply]
        out_r = np.zeros(len(at), dtype=bool)
        for m, clock in _team_clocks(pool_arr[reply], clocks, default_clock):
            out_r[m] = clock.worked_array(at[m] + 60.0) - clock.worked_array(at[m]) < 30.0
        outside[reply] = out_r
    frame["outside_team_hours"] = outside
    no_delay = cont | first_in_case
    # calendar-time delay of a pick-up: the gap less the contention (contention happens in working time)
    gap = np.where(uses & ~prev_user, gap - contention, gap)
    frame["delay_cal"] = np.where(no_delay, 0.0, np.maximum(np.nan_to_num(gap), 0.0))
    frame["delay_work"] = np.where(no_delay, 0.0, np.maximum(np.nan_to_num(delay_work), 0.0))
    frame["delay_users"] = np.where(no_delay & reply, 0.0, np.maximum(delay_users, 0.0))
    # a worker picking a case from the queue waits in working time (the calendar already keeps
    # it out of the nights), unless the case was with the user
    frame["clock_fixed"] = np.where(uses & ~prev_user, "working", "")
    return Steps(
        frame, origin, mode, pools, team_mode, staff, note, clocks, default_clock, workers, recorded_share, away,
        users_clock,
    )


def _sent_back_variant(
    case: np.ndarray, pool: np.ndarray, act: np.ndarray, sent_back: frozenset[str]
) -> np.ndarray:
    """Label every event of a team visit (a run of one team in a case) that ends in a send-back.

    A visit sent back and followed, later in the case, by a visit to a third team (neither
    the one that sent it back nor the one it came from) was a case sent to the *wrong team*
    (``[sent back]``); otherwise the case did not need that team at all
    (``[sent back: not needed]``, e.g. first line forwarded a case it could solve). The
    visit right after a wrong-team visit is labelled ``[returned]``: there the case is sent
    on to the right team, which the routing must remember.
    """
    pool_s = pd.Series(pool, dtype=object).fillna("").to_numpy()
    new_visit = np.r_[True, (case[1:] != case[:-1]) | (pool_s[1:] != pool_s[:-1])]
    visit_id = np.cumsum(new_visit)
    is_sb = pd.Series(act).isin(sent_back).to_numpy()
    visits = (
        pd.DataFrame({"case": case, "team": pool_s, "sb": is_sb})
        .groupby(visit_id, sort=True)
        .agg(case=("case", "first"), team=("team", "first"), sb=("sb", "any"))
    )
    label = np.full(len(visits), None, dtype=object)
    cases = visits["case"].to_numpy()
    teams = visits["team"].to_numpy()
    if not sent_back:
        same_prev = np.r_[False, cases[1:] == cases[:-1]]
        same_next = np.r_[cases[:-1] == cases[1:], False]
        back = np.zeros(len(teams), dtype=bool)
        if len(teams) > 2:
            back[1:-1] = teams[2:] == teams[:-2]  # visit k hands the case back to visit k-1's team
        visits["sb"] = same_prev & same_next & back
    for k in np.flatnonzero(visits["sb"].to_numpy()):
        sender = teams[k - 1] if k > 0 and cases[k - 1] == cases[k] else None
        later = teams[k + 1 :][cases[k + 1 :] == cases[k]]
        wrong = any(t not in (teams[k], sender, "") for t in later)
        label[k] = SENT_BACK_VARIANT if wrong else NOT_NEEDED_VARIANT
        if wrong and k + 1 < len(label) and cases[k + 1] == cases[k] and label[k + 1] is None:
            label[k + 1] = RETURNED_VARIANT
    return label[visit_id - 1]


def _availability_starts(frame: pd.DataFrame, end: np.ndarray) -> np.ndarray:
    """Start = the later of the case's previous end and the worker's previous end (capped at end)."""
    prev_case = frame["prev_end"].to_numpy(dtype=float)
    order = np.lexsort((end, frame["resource"].fillna("").to_numpy(dtype=str)))
    res_sorted = frame["resource"].to_numpy()[order]
    end_sorted = end[order]
    prev_res_end = np.full(len(end), np.nan)
    same = np.r_[False, (res_sorted[1:] == res_sorted[:-1]) & pd.notna(res_sorted[1:])]
    shifted = np.r_[np.nan, end_sorted[:-1]]
    prev_res_end[order] = np.where(same, shifted, np.nan)
    start = np.fmax(prev_case, prev_res_end)
    start = np.where(np.isfinite(start), np.minimum(start, end), end)
    return start


def _staff(
    frame: pd.DataFrame, pools: list[str], mode: str, cont: np.ndarray, override, team_mode: bool = True
) -> tuple[dict, dict, dict, dict]:
    learned = headcount(
        frame["pool"].to_numpy(),
        frame["resource"].to_numpy(),
        frame["end"].to_numpy(),
        pools,
        team_mode=team_mode,
        works=frame["uses"].to_numpy(),
    )
    staff, note, away, typical = {}, {}, {}, {}
    for p in pools:
        staff[p], note[p], away[p], typical[p] = learned[p]
        if override and p in override:
            staff[p] = typical[p] = int(override[p])
            away[p] = {}
            note[p] = f"staff set to {staff[p]} by the user (learned: {note[p]})"
    return staff, note, away, typical


def _busy_intervals(
    frame: pd.DataFrame, pool: str, mode: str, cont: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    m = (frame["pool"].to_numpy() == pool) & frame["uses"].to_numpy()
    if mode != "status":
        return frame["start"].to_numpy()[m], frame["end"].to_numpy()[m]
    # a worker holds the case from the pick-up (or a recorded start) to the last step of the chain
    chain = np.cumsum(~cont)
    sub = pd.DataFrame({"chain": chain[m], "s": frame["start"].to_numpy()[m], "t": frame["end"].to_numpy()[m]})
    g = sub.groupby("chain")
    return g["s"].min().to_numpy(), g["t"].max().to_numpy()


def _all_busy_overlap(
    intervals, staff: int, clock: WorkClock, a: np.ndarray, b: np.ndarray, away: dict[int, int] | None = None
) -> np.ndarray:
    """Working seconds within [a, b] during which every worker present was busy.

    ``away`` maps a day (from the clock origin) to the number of the ``staff`` workers
    away that day: a case waiting while its team's only worker is on leave waits for
    capacity (it queues), not outside it.
    """
    s, e = intervals
    if len(s) == 0 and not away:
        return np.zeros(len(a))
    days = np.array(sorted(away or {}), dtype=float)
    bounds = np.r_[days, days + 1.0] * 86400.0
    real = np.r_[s, e, bounds]
    delta = np.r_[np.ones(len(s)), -np.ones(len(e)), np.zeros(len(bounds))]
    order = np.lexsort((delta, real))  # ends before starts at the same instant
    real, delta = real[order], delta[order]
    times = clock.worked_array(real)
    level = np.cumsum(delta)
    present = np.full(len(real), float(staff))
    if away:
        day = np.floor(real / 86400.0).astype(int)
        present -= np.array([away.get(int(d), 0) for d in day], dtype=float)
    full = (level >= present).astype(float)
    seg = np.diff(times)
    cum = np.r_[0.0, np.cumsum(full[:-1] * seg)]  # all-busy working seconds up to times[k]
    wa = clock.worked_array(np.where(np.isfinite(a), a, b))
    wb = clock.worked_array(b)

    def at(x: np.ndarray) -> np.ndarray:
        k = np.searchsorted(times, x, side="right") - 1
        kc = np.clip(k, 0, len(times) - 1)
        extra = np.where(k >= 0, full[kc] * (x - times[kc]), 0.0)
        return np.where(k >= 0, cum[kc] + extra, 0.0)

    # the last segment's level is 0 after the final end; at() handles x beyond the last time
    return np.clip(at(wb) - at(wa), 0.0, None)


def _team_clocks(
    pools: np.ndarray, clocks: dict[str, WorkClock], default_clock: WorkClock
) -> Iterator[tuple[np.ndarray, WorkClock]]:
    """Per team among ``pools`` (one per event): the events' mask and the team's clock (the default without a team)."""
    keys = pd.Series(pools, dtype=object).fillna("\0").to_numpy()
    for p in set(keys.tolist()):
        yield keys == p, clocks.get(p, default_clock)


def _system_working_gap(frame, mask, clocks, default_clock, prev_end, start) -> np.ndarray:
    out = np.zeros(int(mask.sum()))
    a = prev_end[mask]
    b = start[mask]
    for m, clock in _team_clocks(frame["pool"].to_numpy()[mask], clocks, default_clock):
        aa = np.where(np.isfinite(a[m]), a[m], b[m])
        out[m] = clock.worked_array(b[m]) - clock.worked_array(aa)
    return out
