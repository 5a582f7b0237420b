"""Working time on the engine's clock: seconds (floats) since the simulation origin.

:class:`WorkClock` turns a weekly calendar into sorted working intervals on the
engine's clock, so the two questions the engine asks in its hot loop are one
``bisect`` each:

- :meth:`WorkClock.next_working` -- the first working instant at or after ``t``;
- :meth:`WorkClock.advance` -- the instant when ``work`` seconds of working time,
  started at ``t``, are done (work stops outside the calendar and resumes later).

Intervals are built in local wall-clock time (so 8:00-16:00 stays 8:00-16:00 over
daylight-saving changes) and extended a year at a time when the clock runs past them.
A calendar that is always open skips all of this. Public holidays of the calendar's
country come from :func:`workbench.calendar.public_holidays` (the ``holidays`` package),
the same source as the workbench's working calendar.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from workbench.calendar import public_holidays

if TYPE_CHECKING:
    from workbench.simulation.model import CalendarSpec

__all__ = ["WorkClock"]

_CHUNK_DAYS = 366


class WorkClock:
    """Working intervals of one :class:`~workbench.simulation.model.CalendarSpec` on the engine clock.

    Parameters
    ----------
    calendar : CalendarSpec
        Weekly working hours in a local time zone, with holidays.
    origin : datetime.datetime
        The UTC instant that is ``0.0`` on the engine clock.
    """

    def __init__(self, calendar: CalendarSpec, origin: dt.datetime) -> None:
        if origin.tzinfo is None:
            raise ValueError(f"origin must be time-zone aware (UTC), got naive {origin!r}")
        self.always = calendar.is_always_open
        self._calendar = calendar
        self._origin = origin.astimezone(dt.UTC)
        self._zone = ZoneInfo(calendar.timezone)
        self._holidays = {dt.date.fromisoformat(str(d)) for d in calendar.holidays}
        self._country = calendar.public_holidays
        self._public_years: set[int] = set()
        self._week = calendar.weekly_intervals()
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.cum: list[float] = []  # working seconds before each interval starts
        self.cum_end: list[float] = []  # working seconds when each interval ends
        self._next_day = (self._origin.astimezone(self._zone) - dt.timedelta(days=1)).date()
        if not self.always:
            if not any(self._week):
                raise ValueError("calendar has no working hours in the week; give at least one interval")
            self._extend()

    # -- building -------------------------------------------------------------------------

    def _extend(self) -> None:
        """Add the working intervals of the next chunk of local days."""
        day = self._next_day
        origin = self._origin
        added = 0
        while added == 0:  # a chunk made only of holidays adds nothing; keep going
            for _ in range(_CHUNK_DAYS):
                if self._country and day.year not in self._public_years:
                    self._holidays |= public_holidays(self._country, (day.year,))
                    self._public_years.add(day.year)
                if day not in self._holidays:
                    for start_h, end_h in self._week[day.weekday()]:
                        a = self._local_seconds(day, start_h, origin)
                        b = self._local_seconds(day, end_h, origin)
                        if b <= a:
                            continue
                        if self.ends and a <= self.ends[-1]:  # touching intervals merge
                            self.cum_end[-1] += max(0.0, b - self.ends[-1])
                            self.ends[-1] = max(self.ends[-1], b)
                            continue
                        base = self.cum_end[-1] if self.cum_end else 0.0
                        self.starts.append(a)
                        self.ends.append(b)
                        self.cum.append(base)
                        self.cum_end.append(base + (b - a))
                        added += 1
                day += dt.timedelta(days=1)
        self._next_day = day

    def _local_seconds(self, day: dt.date, hour: float, origin: dt.datetime) -> float:
        """Seconds from ``origin`` to local wall-clock ``hour`` on ``day`` (24 is next midnight)."""
        minutes = round(hour * 60)
        local = dt.datetime.combine(day, dt.time(0), tzinfo=self._zone) + dt.timedelta(minutes=minutes)
        # wall-clock arithmetic: rebuild from fields so DST shifts keep the local hour
        local = local.replace(tzinfo=None).replace(tzinfo=self._zone)
        return (local.astimezone(dt.UTC) - origin).total_seconds()

    def _ensure(self, t: float) -> None:
        while self.starts[-1] <= t:
            self._extend()

    def _ensure_work(self, w: float) -> None:
        while self.cum_end[-1] < w:
            self._extend()

    def _interval_at(self, t: float) -> int:
        """The index of the last interval starting at or before ``t`` (-1: none), built that far."""
        if t >= self.starts[-1]:
            self._ensure(t)
        return bisect_right(self.starts, t) - 1

    # -- hot-loop queries -------------------------------------------------------------------

    def next_working(self, t: float) -> float:
        """The first working instant at or after ``t``."""
        if self.always:
            return t
        i = self._interval_at(t)
        if i >= 0 and t < self.ends[i]:
            return t
        return self.starts[i + 1]

    def begin_and_finish(self, t: float, work: float) -> tuple[float, float]:
        """``(next_working(t), advance(next_working(t), work))`` with one search in the common case."""
        if self.always:
            return t, t + work
        i = self._interval_at(t)
        if i < 0 or t >= self.ends[i]:
            i += 1
            t = self.starts[i]
        end = self.ends[i]
        if t + work <= end:
            return t, t + work
        return t, self.advance(t, work)

    def worked(self, t: float) -> float:
        """Working seconds from the clock's first interval up to ``t``."""
        if self.always:
            return t
        i = self._interval_at(t)
        if i < 0:
            return 0.0
        end = self.ends[i]
        return self.cum[i] + ((min(end, t)) - self.starts[i])

    def advance(self, t: float, work: float) -> float:
        """The instant at which ``work`` working seconds started at ``t`` are done."""
        if self.always:
            return t + work
        if work <= 0.0:
            return t
        target = self.worked(t) + work
        if target > self.cum_end[-1]:
            self._ensure_work(target)
        # Search from the interval holding t (or the next one when t is in a gap): a tiny ``work``
        # can vanish in floating point (worked(t) + 1e-13 == worked(t)), and at an interval's start
        # worked(t) equals the previous interval's cum_end, which bisect_left alone would pick.
        lo = bisect_right(self.starts, t) - 1
        if lo < 0 or t >= self.ends[lo]:
            lo += 1
        j = bisect_left(self.cum_end, target, lo)
        return max(t, self.starts[j] + (target - self.cum[j]))  # never before t, even by a rounding error

    def working_between(self, a: float, b: float) -> float:
        """Working seconds between ``a`` and ``b`` (negative when ``b < a``)."""
        return self.worked(b) - self.worked(a)

    def worked_array(self, t: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`worked` for an array of instants (used when learning a model)."""
        t = np.asarray(t, dtype=float)
        if self.always or len(t) == 0:
            return t.copy()
        finite = t[np.isfinite(t)]
        if len(finite):
            self._ensure(float(finite.max()))
        starts = np.asarray(self.starts)
        ends = np.asarray(self.ends)
        cum = np.asarray(self.cum)
        i = np.searchsorted(starts, t, side="right") - 1
        ok = i >= 0
        ic = np.clip(i, 0, None)
        out = cum[ic] + (np.minimum(t, ends[ic]) - starts[ic])
        return np.where(ok, out, 0.0)
