"""The desk's working calendar on the simulation clock (hours since the start instant, UTC-based)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

import holidays as holiday_tables
import numpy as np

__all__ = ["danish_holidays", "WorkCalendar"]


def danish_holidays(years: Iterable[int]) -> frozenset[dt.date]:
    """Danish public holidays, plus Grundlovsdag, Christmas Eve and New Year's Eve, in ``years``.

    The public holidays come from the ``holidays`` package (Store Bededag up to 2023;
    it was abolished from 2024). Grundlovsdag (5 June), 24 and 31 December are added:
    municipal offices close on them.
    """
    days: set[dt.date] = set()
    for year in years:
        days.update(holiday_tables.country_holidays("DK", years=year))
        days.update({dt.date(year, 6, 5), dt.date(year, 12, 24), dt.date(year, 12, 31)})
    return frozenset(days)


class WorkCalendar:
    """Working intervals ``[open, close]`` on the simulation clock, with working-time arithmetic.

    The clock is in hours since ``origin`` (an aware datetime); the intervals come
    from local working hours, so daylight-saving changes are handled exactly.
    ``end_hours`` gives other closing hours on some weekdays (``{4: 15.5}``: Fridays
    end at 15:30); ``closed`` marks further closed days.
    """

    def __init__(
        self,
        *,
        origin: dt.datetime,
        first_day: dt.date,
        n_days: int,
        timezone: str,
        start_hour: float,
        end_hour: float,
        workdays: tuple[int, ...],
        holidays: frozenset[dt.date],
        end_hours: dict[int, float] | None = None,
        closed: Callable[[dt.date], bool] | None = None,
    ) -> None:
        zone = ZoneInfo(timezone)
        origin_utc = origin.astimezone(dt.UTC)  # aware datetimes with one tzinfo subtract naively
        opens: list[float] = []
        closes: list[float] = []
        for k in range(n_days):
            day = first_day + dt.timedelta(days=k)
            if day.weekday() not in workdays or day in holidays or (closed is not None and closed(day)):
                continue
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
            day_end = (end_hours or {}).get(day.weekday(), end_hour)
            for hour, out in ((start_hour, opens), (day_end, closes)):
                local = midnight + dt.timedelta(hours=hour)  # wall-clock arithmetic
                local = local.replace(tzinfo=None).replace(tzinfo=zone)
                out.append((local.astimezone(dt.UTC) - origin_utc).total_seconds() / 3600.0)
        self.opens = opens
        self.closes = closes
        self.cum_start: list[float] = []  # working hours before each interval
        self.cum_end: list[float] = []
        total = 0.0
        for o, c in zip(opens, closes, strict=True):
            self.cum_start.append(total)
            total += c - o
            self.cum_end.append(total)
        self.day_hours = end_hour - start_hour

    def _index(self, t: float) -> int:
        k = bisect_right(self.closes, t)
        if k >= len(self.closes):
            raise RuntimeError(f"simulation time {t:.1f} h is beyond the working calendar; build a longer one")
        return k

    def is_open(self, t: float) -> bool:
        """True when ``t`` lies inside a working interval (close excluded)."""
        k = bisect_right(self.closes, t)
        return k < len(self.closes) and self.opens[k] <= t

    def next_open(self, t: float) -> float:
        """``t`` itself when the desk is open at ``t`` (close excluded), else the next opening."""
        k = self._index(t)
        return t if self.opens[k] <= t else self.opens[k]

    def worked(self, t: float) -> float:
        """Working hours from the origin to ``t``."""
        k = self._index(t)
        return self.cum_start[k] + max(0.0, t - self.opens[k])

    def worked_array(self, t: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`worked` for an array of times."""
        closes = np.asarray(self.closes)
        k = np.searchsorted(closes, t, side="right")
        if k.size and k.max() >= closes.size:
            raise RuntimeError("simulation time is beyond the working calendar; build a longer one")
        opens = np.asarray(self.opens)[k]
        return np.asarray(self.cum_start)[k] + np.maximum(t - opens, 0.0)

    def add_working(self, t: float, hours: float) -> float:
        """The time when ``hours`` of work starting at ``t`` end (a close counts as inside)."""
        target = self.worked(t) + hours
        k = bisect_left(self.cum_end, target)
        if k >= len(self.cum_end):
            raise RuntimeError(f"simulation time {t:.1f} h + {hours:.1f} working h is beyond the working calendar")
        return self.opens[k] + (target - self.cum_start[k])
