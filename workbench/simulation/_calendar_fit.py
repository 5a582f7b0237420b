"""Working calendars learned from the log: the hours of the week in which a team's workers
record events, and the days on which the whole desk was closed (holidays the config does not name).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from workbench.schema import RESOURCE, TEAM, TIMESTAMP
from workbench.simulation._workers import active_in_every_team
from workbench.simulation.model import (
    WEEKDAYS,
    CalendarSpec,
    Weekday,
)

__all__ = ["closed_days", "infer_calendar", "spec_of"]


def spec_of(clock) -> CalendarSpec:
    return clock._calendar


def closed_days(
    events: pd.DataFrame, calendar: CalendarSpec, min_per_day: float = 5.0, non_staff: Iterable[str] = ()
) -> tuple[str, ...]:
    """Working weekdays on which no worker recorded anything while the desk was busy around them (holidays).

    Events of resources that are not workers do not keep a day open: ``non_staff`` (declared
    in the log config) and, with a team column, resources active in every team (``system``
    registering the e-mails that come in on a holiday, ``user`` answering from home).
    """
    if RESOURCE not in events or events[RESOURCE].isna().all():
        return ()
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
    level = series.where(work_mask).rolling(29, center=True, min_periods=5).mean()
    closed = series.eq(0) & work_mask & level.ge(min_per_day)
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
    ends = frame["end"].to_numpy()[m]
    starts = frame["rec_start"].to_numpy()[m]
    t = np.r_[ends, starts[np.isfinite(starts)]]
    local = (origin + pd.to_timedelta(t, unit="s")).tz_convert(tz)
    how = (local.dayofweek * 24 + local.hour).to_numpy()
    counts = np.bincount(how, minlength=168)
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
                spans.append((float(s), float(h)))
            h += 1
        if spans:
            hours[day] = tuple(spans)
    if not hours:
        return None
    return CalendarSpec(timezone=tz, hours=hours, holidays=holidays, public_holidays=country)


