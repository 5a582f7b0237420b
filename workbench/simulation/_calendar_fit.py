"""Working calendars learned from the log: the hours of the week in which a team's workers
record events, and the days on which the whole desk was closed (holidays the config does not name).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.stats import poisson

from workbench.schema import CASE_ID, RESOURCE, TEAM, TIMESTAMP
from workbench.simulation._workers import active_in_every_team
from workbench.simulation.model import (
    WEEKDAYS,
    CalendarSpec,
    Weekday,
)

__all__ = ["closed_days", "infer_calendar", "spec_of"]

#: A quarter-hour at the edge of a day's hours is closed when it has at most this share of the
#: events the other working days have in it (scaled to the day's volume) ...
_EDGE_SHARE = 0.2
#: ... and chance would give that few less often than this (Poisson, the other days' rate).
_EDGE_CHANCE = 1e-3


def spec_of(clock) -> CalendarSpec:
    return clock._calendar


def closed_days(
    events: pd.DataFrame, calendar: CalendarSpec, min_per_day: float = 5.0, non_staff: Iterable[str] = ()
) -> tuple[str, ...]:
    """Working weekdays on which no worker recorded anything while the desk was busy around them (holidays).

    Events of resources that are not workers do not keep a day open: ``non_staff`` (declared
    in the log config) and, with a team column, resources active in every team (``system``
    registering the e-mails that come in on a holiday, ``user`` answering from home).
    "Busy around them" is the median of the 29 days around (robust to a burst: a quiet period
    with a few busy days has quiet days by chance, not holidays), and only days up to the
    last new case count: after it the desk winds down and empty days say nothing.
    """
    if RESOURCE not in events or events[RESOURCE].isna().all():
        return ()
    last_arrival = events.groupby(CASE_ID, sort=False)[TIMESTAMP].min().max() if CASE_ID in events else None
    res = events[RESOURCE]
    keep = res.notna() & ~res.isin(set(non_staff))
    if TEAM in events:
        wide, _ = active_in_every_team(res[keep].to_numpy(dtype=object), events.loc[keep, TEAM].to_numpy(dtype=object))
        keep &= ~res.isin(set(wide.index))
    t = events.loc[keep, TIMESTAMP]
    if t.empty:
        return ()
    days = t.dt.tz_convert(calendar.timezone).dt.date
    counts = days.value_counts()
    all_days = pd.date_range(min(counts.index), max(counts.index), freq="D")
    per_day = counts.reindex([d.date() for d in all_days], fill_value=0)
    working = [bool(calendar.hours.get(WEEKDAYS[d.weekday()])) for d in per_day.index]
    series = pd.Series(per_day.to_numpy(dtype=float), index=per_day.index)
    work_mask = pd.Series(working, index=per_day.index)
    level = series.where(work_mask).rolling(29, center=True, min_periods=5).median()
    last_day = last_arrival.tz_convert(calendar.timezone).date() if last_arrival is not None else max(series.index)
    in_period = pd.Series([d <= last_day for d in series.index], index=series.index)
    closed = series.eq(0) & work_mask & level.ge(min_per_day) & in_period
    return tuple(str(d) for d in series.index[closed.to_numpy()])


def infer_calendar(
    frame, pool, origin, tz: str, holidays: tuple[str, ...], country: str | None = None
) -> CalendarSpec | None:
    """Weekly working hours of a team: the local hours in which its workers record events."""
    m = frame["has_res"].to_numpy()
    if pool is not None:
        m = m & (frame["pool"].to_numpy() == pool)
    if m.sum() < 200:
        return None
    quarters = _quarter_counts(frame, m, origin, tz)
    desk = _quarter_counts(frame, frame["has_res"].to_numpy(), origin, tz) if pool is not None else quarters
    counts = quarters.sum(axis=2).ravel()
    # A cell (weekday, hour) is working when it has at least 10% of the busiest cell's events, or
    # when its weekday is a working day and its hour is a working hour of the team's pooled
    # hour-of-day profile: pooling over the week keeps a small team's quiet last hour from
    # falling out by chance, and the per-cell rule keeps day-specific hours (a Saturday shift).
    by_day = counts.reshape(7, 24)
    day_total, hour_total = by_day.sum(axis=1), by_day.sum(axis=0)
    working_day = day_total >= 0.1 * day_total.max()
    working_hour = hour_total >= 0.1 * hour_total.max()
    working = (counts >= 0.1 * counts.max()) | np.outer(working_day, working_hour).ravel()
    hours: dict[Weekday, tuple[tuple[float, float], ...]] = {}
    for d, day in enumerate(WEEKDAYS):
        spans = []
        h = 0
        while h < 24:
            if working[d * 24 + h]:
                s = h
                while h < 24 and working[d * 24 + h]:
                    h += 1
                spans.append(_trim_quarters(quarters, desk, d, s, h, working_day))
            h += 1
        if spans:
            hours[day] = tuple(spans)
    if not hours:
        return None
    return CalendarSpec(timezone=tz, hours=hours, holidays=holidays, public_holidays=country)


def _quarter_counts(frame, mask: np.ndarray, origin, tz: str) -> np.ndarray:
    """Events (ends and recorded starts) per local (weekday, hour, quarter-hour): shape (7, 24, 4)."""
    ends = frame["end"].to_numpy()[mask]
    starts = frame["rec_start"].to_numpy()[mask]
    t = np.r_[ends, starts[np.isfinite(starts)]]
    local = (origin + pd.to_timedelta(t, unit="s")).tz_convert(tz)
    quarter = (local.dayofweek * 96 + local.hour * 4 + local.minute // 15).to_numpy()
    return np.bincount(quarter, minlength=7 * 96).reshape(7, 24, 4)


def _edge_expectation(quarters: np.ndarray, day: int, working_day: np.ndarray) -> np.ndarray | None:
    """Events expected in each (hour, quarter) of ``day`` from the other working days, scaled to its volume."""
    others = working_day.copy()
    others[day] = False
    if not others.any():
        return None
    per_day = quarters.sum(axis=(1, 2))
    scale = per_day[day] / max(float(per_day[others].mean()), 1.0)
    return quarters[others].mean(axis=0) * scale


def _trim_quarters(
    quarters: np.ndarray, desk: np.ndarray, day: int, start: int, end: int, working_day: np.ndarray
) -> tuple[float, float]:
    """The span ``start``-``end`` (whole hours) of weekday ``day``, its edges refined to the quarter-hour.

    A Friday that ends at 15:30 has events in its 15-16 hour, so the hour grid keeps the whole
    hour; the quarters 15:30-16:00 have none while the other days have many. An edge quarter is
    cut when it has at most ``_EDGE_SHARE`` of what the other working days record in it (scaled to
    this day's volume) and chance would give that few less than once in a thousand
    (``_EDGE_CHANCE``, Poisson). A small team rarely has that evidence alone: it follows the whole
    desk's (``desk``, every team's workers) where its own few events do not contradict it.
    """
    own_exp = _edge_expectation(quarters, day, working_day)
    desk_exp = _edge_expectation(desk, day, working_day)
    if own_exp is None or desk_exp is None:
        return float(start), float(end)
    own, desk_day = quarters[day], desk[day]

    def few(count: float, expected: float) -> bool:
        return count <= _EDGE_SHARE * expected and float(poisson.cdf(count, expected)) < _EDGE_CHANCE

    def closed(h: int, k: int) -> bool:
        if few(own[h, k], own_exp[h, k]):
            return True
        return few(desk_day[h, k], desk_exp[h, k]) and own[h, k] <= _EDGE_SHARE * own_exp[h, k]

    first, last = start * 4, end * 4  # quarter indices [first, last)
    while last - first > 4 and closed(*divmod(last - 1, 4)):
        last -= 1
    while last - first > 4 and closed(*divmod(first, 4)):
        first += 1
    return first / 4, last / 4
