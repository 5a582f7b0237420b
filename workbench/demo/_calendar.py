"""The desk's working calendar on the simulation clock (hours since the start instant, UTC-based)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import numpy as np
from dateutil.easter import easter

__all__ = ["danish_holidays", "WorkCalendar"]


def danish_holidays(years: Iterable[int]) -> frozenset[dt.date]:
    """Danish public holidays, plus Christmas Eve and New Year's Eve, in ``years``.

    Store Bededag (the fourth Friday after Easter) is included up to 2023; it was
    abolished from 2024. Grundlovsdag (5 June) is included: municipal offices close.
    """
    days: set[dt.date] = set()
    for year in years:
        e = easter(year)
        days.update(
            {
                dt.date(year, 1, 1),
                e - dt.timedelta(days=3),  # Skærtorsdag
                e - dt.timedelta(days=2),  # Langfredag
                e,
                e + dt.timedelta(days=1),  # 2. påskedag
                e + dt.timedelta(days=39),  # Kristi himmelfartsdag
                e + dt.timedelta(days=49),  # Pinsedag
                e + dt.timedelta(days=50),  # 2. pinsedag
                dt.date(year, 6, 5),  # Grundlovsdag
                dt.date(year, 12, 24),
                dt.date(year, 12, 25),
                dt.date(year, 12, 26),
                dt.date(year, 12, 31),
            }
        )
        if year <= 2023:
            days.add(e + dt.timedelta(days=26))  # Store Bededag
    return frozenset(days)


class WorkCalendar:
    """Working intervals ``[open, close]`` on the simulation clock, with working-time arithmetic.

    The clock is in hours since ``origin`` (an aware datetime); the intervals come
    from local working hours, so daylight-saving changes are handled exactly.
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
    ) -> None:
        zone = ZoneInfo(timezone)
        origin_utc = origin.astimezone(dt.timezone.utc)  # aware datetimes with one tzinfo subtract naively
        opens: list[float] = []
        closes: list[float] = []
        for k in range(n_days):
            day = first_day + dt.timedelta(days=k)
            if day.weekday() not in workdays or day in holidays:
                continue
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
            for hour, out in ((start_hour, opens), (end_hour, closes)):
                local = midnight + dt.timedelta(hours=hour)  # wall-clock arithmetic
                local = local.replace(tzinfo=None).replace(tzinfo=zone)
                out.append((local.astimezone(dt.timezone.utc) - origin_utc).total_seconds() / 3600.0)
        self.opens = opens
        self.closes = closes
        self.cum_start: list[float] = []  # working hours before each interval
        self.cum_end: list[float] = []
        total = 0.0
        for o, c in zip(opens, closes):
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
