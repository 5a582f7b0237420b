"""Inter-case features: how many cases are open in the system and in a team at a moment.

A case is *open* after an event unless that event's activity is an end activity, and
(optionally) it stops counting as open once it has been idle for longer than a timeout
(so abandoned cases do not pile up forever). Both rules look only at the past: the
count at time ``t`` uses the events with ``timestamp <= t`` and nothing else, so
truncating the log after ``t`` never changes it.

The counts are computed from a change log: every event adds ``+1`` for the state it
opens and ``-1`` for the state it leaves, and every idle expiry adds a ``-1`` at
``last event + timeout``. A cumulative sum over the time-sorted change log gives the
count after each instant, which is then looked up with a binary search.
"""

from __future__ import annotations

import numpy as np

__all__ = ["open_case_counts"]


def open_case_counts(
    case_codes: np.ndarray,
    times_ns: np.ndarray,
    is_end: np.ndarray,
    team_codes: np.ndarray,
    *,
    idle_timeout_ns: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Open cases in the system and in the event's current team at each event's time.

    Parameters
    ----------
    case_codes : ndarray of int
        Case of each event; events must be sorted by case, then time.
    times_ns : ndarray of int64
        Event times in nanoseconds since the epoch.
    is_end : ndarray of bool
        Whether the event's activity ends the case (the case is not open after it).
    team_codes : ndarray of int
        The case's current team after each event (``-1``: unknown), already carried
        forward within the case.
    idle_timeout_ns : int, optional
        A case idle for longer than this stops counting as open.

    Returns
    -------
    system, team : ndarray of float
        Open cases at each event's time, in the whole system and in the event's team
        (``NaN`` where the team is unknown). Both include the case itself when open.
    """
    n = len(case_codes)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    first = np.ones(n, dtype=bool)
    first[1:] = case_codes[1:] != case_codes[:-1]
    is_open = ~is_end

    prev_open = np.zeros(n, dtype=bool)
    prev_open[1:] = is_open[:-1]
    prev_open[first] = False
    prev_team = np.full(n, -1, dtype=np.int64)
    prev_team[1:] = team_codes[:-1]
    prev_team[first] = -1

    expired_before = np.zeros(n, dtype=bool)
    if idle_timeout_ns is not None:
        gap = np.zeros(n, dtype=np.int64)
        gap[1:] = times_ns[1:] - times_ns[:-1]
        expired_before = prev_open & (gap > idle_timeout_ns)

    # change records: (time, team, delta)
    leave = prev_open & ~expired_before  # the event ends an open state that had not expired
    rec_time = [times_ns[leave], times_ns[is_open]]
    rec_team = [prev_team[leave], team_codes[is_open]]
    rec_delta = [np.full(int(leave.sum()), -1, dtype=np.int64), np.ones(int(is_open.sum()), dtype=np.int64)]
    if idle_timeout_ns is not None:
        last = np.ones(n, dtype=bool)
        last[:-1] = case_codes[:-1] != case_codes[1:]
        next_gap = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        next_gap[:-1] = times_ns[1:] - times_ns[:-1]
        next_gap[last] = np.iinfo(np.int64).max
        expires = is_open & (next_gap > idle_timeout_ns)
        rec_time.append(times_ns[expires] + idle_timeout_ns)
        rec_team.append(team_codes[expires])
        rec_delta.append(np.full(int(expires.sum()), -1, dtype=np.int64))
    r_time = np.concatenate(rec_time)
    r_team = np.concatenate(rec_team)
    r_delta = np.concatenate(rec_delta)

    # system: cumulative count after every instant, looked up at each event's time
    order = np.argsort(r_time, kind="stable")
    s_time = r_time[order]
    s_cum = np.cumsum(r_delta[order])
    idx = np.searchsorted(s_time, times_ns, side="right")
    system = np.where(idx > 0, s_cum[np.maximum(idx - 1, 0)], 0).astype(float)

    # per team: sort by (team, time) and search with a composite key on dense time ranks
    known = r_team >= 0
    team_count = np.full(n, np.nan)
    if known.any():
        all_times = np.concatenate([r_time[known], times_ns])
        uniq = np.unique(all_times)
        width = np.int64(len(uniq) + 1)
        rank_r = np.searchsorted(uniq, r_time[known])
        key_r = r_team[known].astype(np.int64) * width + rank_r
        order_t = np.argsort(key_r, kind="stable")
        key_sorted = key_r[order_t]
        delta_sorted = r_delta[known][order_t]
        team_sorted = r_team[known][order_t]
        cum = np.cumsum(delta_sorted)
        # cumulative sum restarted per team: subtract the running total before each team's block
        block_start = np.ones(len(team_sorted), dtype=bool)
        block_start[1:] = team_sorted[1:] != team_sorted[:-1]
        offset = np.maximum.accumulate(np.where(block_start, np.arange(len(cum)), 0))
        base = (cum - delta_sorted)[offset]
        team_cum = cum - base
        q = team_codes >= 0
        rank_q = np.searchsorted(uniq, times_ns[q])
        key_q = team_codes[q].astype(np.int64) * width + rank_q
        pos = np.searchsorted(key_sorted, key_q, side="right") - 1
        valid = (pos >= 0) & (team_sorted[np.maximum(pos, 0)] == team_codes[q])
        out = np.where(valid, team_cum[np.maximum(pos, 0)], 0).astype(float)
        team_count[q] = out
    return system, team_count



def windowed_mean(
    rec_keys: np.ndarray,
    rec_times: np.ndarray,
    rec_values: np.ndarray,
    q_keys: np.ndarray,
    q_times: np.ndarray,
    window_ns: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and count of the records with the query's key and a time in ``(t - window, t]``.

    Records and queries carry integer keys (``-1`` in a query: no key, result ``NaN``);
    each record becomes known at its time, so a query at ``t`` sees only records up to ``t``.
    """
    n = len(q_keys)
    mean = np.full(n, np.nan)
    count = np.zeros(n)
    if len(rec_keys) == 0 or n == 0:
        return mean, count
    uniq = np.unique(np.concatenate([rec_times, q_times, q_times - window_ns]))
    width = np.int64(len(uniq) + 1)
    key_r = rec_keys.astype(np.int64) * width + np.searchsorted(uniq, rec_times)
    order = np.argsort(key_r, kind="stable")
    key_sorted = key_r[order]
    cum_v = np.concatenate([[0.0], np.cumsum(rec_values[order].astype(float))])
    cum_n = np.arange(len(order) + 1, dtype=float)
    ok = q_keys >= 0
    base = q_keys[ok].astype(np.int64) * width
    hi = np.searchsorted(key_sorted, base + np.searchsorted(uniq, q_times[ok]), side="right")
    lo = np.searchsorted(key_sorted, base + np.searchsorted(uniq, q_times[ok] - window_ns), side="right")
    n_in = cum_n[hi] - cum_n[lo]
    total = cum_v[hi] - cum_v[lo]
    count[ok] = n_in
    with np.errstate(invalid="ignore", divide="ignore"):
        mean[ok] = np.where(n_in > 0, total / np.maximum(n_in, 1), np.nan)
    return mean, count


def recent_outcomes(
    case_codes: np.ndarray,
    times_ns: np.ndarray,
    is_end: np.ndarray,
    activity_codes: np.ndarray,
    *,
    window_ns: int,
) -> dict[str, np.ndarray]:
    """How the process performed recently, from cases that reached an end activity in the window.

    For each event at time ``t`` (only events and ends up to ``t`` are used):

    - ``recent_remaining_hours``: mean time from an event with the same activity to the
      end event that followed it in its case, over ends in ``(t - window, t]``;
    - ``recent_duration_hours``: mean duration (start to end event) of cases with an end in the window;
    - ``recent_ends`` and ``recent_arrivals``: number of end events and of new cases in the window.
    """
    n = len(case_codes)
    first = np.ones(n, dtype=bool)
    first[1:] = case_codes[1:] != case_codes[:-1]
    start_idx = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    ends = np.flatnonzero(is_end)
    counts = ends - start_idx[ends]  # events before each end event in its case
    rec_end = np.repeat(ends, counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    rec_event = start_idx[rec_end] + offsets
    hours = 3_600_000_000_000
    remaining, _ = windowed_mean(
        activity_codes[rec_event], times_ns[rec_end], (times_ns[rec_end] - times_ns[rec_event]) / hours,
        activity_codes, times_ns, window_ns,
    )
    zeros_q = np.zeros(n, dtype=np.int64)
    duration, n_ends = windowed_mean(
        np.zeros(len(ends), dtype=np.int64), times_ns[ends], (times_ns[ends] - times_ns[start_idx[ends]]) / hours,
        zeros_q, times_ns, window_ns,
    )
    starts = np.flatnonzero(first)
    _, arrivals = windowed_mean(
        np.zeros(len(starts), dtype=np.int64), times_ns[starts], np.zeros(len(starts)), zeros_q, times_ns, window_ns,
    )
    return {
        "recent_remaining_hours": remaining,
        "recent_duration_hours": duration,
        "recent_ends": n_ends,
        "recent_arrivals": arrivals,
    }
