"""A weekly working calendar, for measures in working hours.

:class:`WorkingCalendar` turns a :class:`~workbench.config.CalendarConfig` (local
time zone, working weekdays, a daily window from ``start_hour`` to ``end_hour``
and holidays) into three vectorised operations on UTC timestamps:

- :meth:`WorkingCalendar.working_hours_between` -- hours of working time between two instants;
- :meth:`WorkingCalendar.add_working_hours` -- the instant a given number of working hours later;
- :meth:`WorkingCalendar.is_working_time` -- whether an instant falls inside working time.

The daily window is local wall-clock time (8:00 to 16:00 in Copenhagen stays 8:00 to
16:00 across daylight-saving changes), and working time is measured in real elapsed
hours, so a window that contains a clock change is an hour shorter or longer. Local
times that do not exist (spring forward) move forward to the first valid instant;
ambiguous ones (fall back) take standard time.

Examples
--------
>>> import pandas as pd
>>> from workbench.config import CalendarConfig
>>> cal = WorkingCalendar.from_config(CalendarConfig(timezone="Europe/Copenhagen"))
>>> start = pd.Series(pd.to_datetime(["2023-03-03 14:00"], utc=True))  # Friday 15:00 local
>>> end = pd.Series(pd.to_datetime(["2023-03-06 08:00"], utc=True))    # Monday 09:00 local
>>> cal.working_hours_between(start, end).tolist()
[2.0]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.errors import ConfigError

if TYPE_CHECKING:
    from workbench.config import CalendarConfig

__all__ = ["WorkingCalendar", "public_holidays"]

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def public_holidays(country: str, years: Iterable[int]) -> frozenset[dt.date]:
    """The public holidays of ``country`` (ISO code such as ``"DK"``) in ``years``, from ``holidays``.

    Raises
    ------
    ConfigError
        When the package does not know the country.
    """
    import holidays

    try:
        days = holidays.country_holidays(country, years=list(years))
    except NotImplementedError:
        raise ConfigError(
            f"calendar public_holidays: country {country!r} is not known to the holidays package; "
            "use an ISO code such as 'DK'"
        ) from None
    return frozenset(days.keys())

_NS_PER_HOUR = 3_600_000_000_000
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class WorkingCalendar:
    """A weekly working calendar in a local time zone.

    Parameters
    ----------
    timezone : str
        IANA time zone of the working day, e.g. ``"Europe/Copenhagen"``.
    workdays : tuple of int
        Working weekdays, Monday = 0 ... Sunday = 6.
    start_hour, end_hour : float
        The daily working window in local wall-clock hours (``8.0`` to ``16.0``; ``16.5`` is 16:30).
    holidays : tuple of datetime.date
        Local dates without working time.
    country : str, optional
        Public holidays of this country (``"DK"``) are also without working time.
    day_hours : tuple
        Per weekday (Monday first) a ``(start, end)`` window overriding ``start_hour`` and
        ``end_hour``, or ``None``; empty: the same window every working day.
    """

    timezone: str = "UTC"
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_hour: float = 8.0
    end_hour: float = 16.0
    holidays: tuple[dt.date, ...] = ()
    country: str | None = None
    day_hours: tuple[tuple[float, float] | None, ...] = ()

    def __post_init__(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"calendar timezone {self.timezone!r} is unknown; use an IANA name such as 'Europe/Copenhagen'"
            ) from None
        if not 0 <= self.start_hour < self.end_hour <= 24:
            raise ConfigError(
                f"calendar hours must satisfy 0 <= start_hour < end_hour <= 24, "
                f"got start_hour={self.start_hour}, end_hour={self.end_hour}"
            )
        if not self.workdays or any(d not in range(7) for d in self.workdays):
            raise ConfigError(
                f"calendar workdays must be a non-empty list of 0 (Monday) to 6 (Sunday), got {list(self.workdays)}"
            )

    @classmethod
    def from_config(cls, config: CalendarConfig) -> WorkingCalendar:
        """Build the calendar from a log config's ``calendar`` section."""
        try:
            holidays = tuple(d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in config.holidays)
        except ValueError as exc:
            raise ConfigError(f"calendar holidays must be ISO dates such as '2023-12-24': {exc}") from None
        return cls(
            timezone=config.timezone,
            workdays=tuple(sorted(set(config.workdays) | {_WEEKDAYS.index(d) for d in config.hours})),
            start_hour=float(config.start_hour),
            end_hour=float(config.end_hour),
            holidays=holidays,
            country=config.public_holidays,
            day_hours=tuple(
                (float(config.hours[d][0]), float(config.hours[d][1])) if d in config.hours else None
                for d in _WEEKDAYS
            )
            if config.hours
            else (),
        )

    @property
    def hours_per_day(self) -> float:
        """Length of the daily working window in wall-clock hours (a 'working day')."""
        return self.end_hour - self.start_hour

    # -- public, vectorised -------------------------------------------------------------------

    def working_hours_between(self, start: pd.Series, end: pd.Series) -> pd.Series:
        """Hours of working time between ``start`` and ``end`` (aligned UTC timestamps).

        Negative when ``end`` is before ``start``; ``NaN`` where either is ``NaT``.
        The result keeps ``start``'s index.
        """
        s = _as_utc_series(start, "start")
        e = _as_utc_series(end, "end")
        if len(s) != len(e):
            raise ValueError(f"start and end must have the same length, got {len(s)} and {len(e)}")
        s_ns, e_ns = _ns(s), _ns(e)
        valid = (s_ns != _NAT) & (e_ns != _NAT)
        out = np.full(len(s), np.nan)
        if valid.any():
            table = self._table(np.concatenate([s_ns[valid], e_ns[valid]]))
            w_start = table.cumulative(s_ns[valid], self._local_days(s_ns[valid]))
            w_end = table.cumulative(e_ns[valid], self._local_days(e_ns[valid]))
            out[valid] = (w_end - w_start) / _NS_PER_HOUR
        return pd.Series(out, index=s.index, name="working_hours")

    def add_working_hours(self, start: pd.Series, hours: pd.Series | float) -> pd.Series:
        """The instants ``hours`` working hours after ``start`` (UTC; ``NaT`` stays ``NaT``).

        ``hours`` must be non-negative. With ``hours == 0`` an instant outside working
        time moves to the start of the next working window.
        """
        s = _as_utc_series(start, "start")
        h = pd.Series(hours, index=s.index, dtype="float64") if np.isscalar(hours) else pd.Series(
            np.asarray(hours, dtype="float64"), index=s.index
        )
        if (h < 0).any():
            raise ValueError(f"hours must be non-negative, got {float(h.min())}")
        s_ns = _ns(s)
        valid = (s_ns != _NAT) & h.notna().to_numpy()
        out = np.full(len(s), _NAT, dtype="int64")
        if valid.any():
            sv, hv = s_ns[valid], h.to_numpy()[valid]
            weekly = max(self.hours_per_day, 1.0) * len(self.workdays) / 2
            extra_days = int(np.ceil(hv.max() / weekly * 7 * 1.5)) + 14 + 7 * len(self.holidays)
            table = self._table(sv, extra_days=extra_days)
            target = table.cumulative(sv, self._local_days(sv)) + np.round(hv * _NS_PER_HOUR).astype("int64")
            out[valid] = table.inverse(target, strictly_after=hv == 0)
        return pd.Series(pd.to_datetime(out, utc=True), index=s.index, name="timestamp")

    def is_working_time(self, ts: pd.Series) -> pd.Series:
        """Whether each UTC timestamp falls inside a working window (``False`` for ``NaT``)."""
        s = _as_utc_series(ts, "ts")
        s_ns = _ns(s)
        valid = s_ns != _NAT
        out = np.zeros(len(s), dtype=bool)
        if valid.any():
            table = self._table(s_ns[valid])
            idx = table.index_of(self._local_days(s_ns[valid]))
            offset = s_ns[valid] - table.win_start[idx]
            out[valid] = (offset >= 0) & (offset < table.win_len[idx])
        return pd.Series(out, index=s.index, name="is_working_time")

    # -- internals ------------------------------------------------------------------------------

    def _local_days(self, ns: np.ndarray) -> np.ndarray:
        local = pd.DatetimeIndex(ns.view("datetime64[ns]"), tz="UTC").tz_convert(self.timezone).tz_localize(None)
        return local.values.astype("datetime64[D]")

    def _table(self, ns: np.ndarray, *, extra_days: int = 0) -> _DayTable:
        days = self._local_days(np.array([ns.min(), ns.max()], dtype="int64"))
        first = days[0] - _DAY
        last = days[1] + (extra_days + 1) * _DAY
        return _DayTable.build(self, first, last)


_NAT = np.iinfo("int64").min


def _as_utc_series(values: object, name: str) -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not isinstance(s.dtype, pd.DatetimeTZDtype):
        if pd.api.types.is_datetime64_dtype(s.dtype) or s.isna().all():
            raise ValueError(
                f"{name} must hold time-zone-aware UTC timestamps (datetime64[ns, UTC]), got {s.dtype}; "
                "localise naive times first"
            )
        raise ValueError(f"{name} must hold UTC timestamps (datetime64[ns, UTC]), got {s.dtype}")
    return s.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def _ns(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="datetime64[ns]").view("int64")


@dataclass(frozen=True)
class _DayTable:
    """Per local day: the working window in UTC ns, its length, and working time before it."""

    first: np.datetime64
    win_start: np.ndarray  # int64 ns since epoch (UTC)
    win_len: np.ndarray  # int64 ns, 0 on non-working days
    cum_before: np.ndarray  # int64 ns of working time from the table start to the day's start

    @classmethod
    def build(cls, cal: WorkingCalendar, first: np.datetime64, last: np.datetime64) -> _DayTable:
        days = np.arange(first, last + _DAY, _DAY)
        weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday
        working = np.isin(weekday, np.array(cal.workdays))
        closed = list(cal.holidays)
        if cal.country:
            years = range(int(str(days[0])[:4]), int(str(days[-1])[:4]) + 1)
            closed += sorted(public_holidays(cal.country, years))
        if closed:
            working &= ~np.isin(days, np.array(closed, dtype="datetime64[D]"))
        start_h = np.full(len(days), cal.start_hour)
        end_h = np.full(len(days), cal.end_hour)
        for d, span in enumerate(cal.day_hours):
            if span is not None:
                start_h[weekday == d], end_h[weekday == d] = span
        start = _localise_hours(days, start_h, cal.timezone)
        end = _localise_hours(days, end_h, cal.timezone)
        length = np.where(working, np.maximum(end - start, 0), 0).astype("int64")
        cum = np.concatenate([[0], np.cumsum(length)[:-1]]).astype("int64")
        return cls(first=first, win_start=start, win_len=length, cum_before=cum)

    def index_of(self, days: np.ndarray) -> np.ndarray:
        return ((days - self.first) // _DAY).astype("int64")

    def cumulative(self, ns: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Working ns from the table start to each instant."""
        idx = self.index_of(days)
        inside = np.clip(ns - self.win_start[idx], 0, self.win_len[idx])
        return self.cum_before[idx] + inside

    def inverse(self, target: np.ndarray, *, strictly_after: np.ndarray) -> np.ndarray:
        """The instant whose cumulative working time equals ``target``.

        ``cum_before + win_len`` only grows on working days, so ``searchsorted`` lands on a
        working day. Where ``strictly_after`` is true (a zero-hour shift), a target that sits
        exactly at the end of a window moves to the start of the next one.
        """
        cum_end = self.cum_before + self.win_len
        idx = np.where(
            strictly_after,
            np.searchsorted(cum_end, target, side="right"),
            np.searchsorted(cum_end, target, side="left"),
        )
        if (idx >= len(cum_end)).any():
            raise ValueError("working-hour target lies beyond the calendar table; this is a bug")
        return self.win_start[idx] + (target - self.cum_before[idx])


def _localise_hours(days: np.ndarray, hours: np.ndarray, tz: str) -> np.ndarray:
    """Like :func:`_localise` with an hour per day."""
    naive = days.astype("datetime64[ns]") + np.round(hours * _NS_PER_HOUR).astype("int64").astype("timedelta64[ns]")
    idx = pd.DatetimeIndex(naive).tz_localize(
        tz, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    return idx.tz_convert("UTC").as_unit("ns").asi8
