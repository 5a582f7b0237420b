"""Arrivals: a non-homogeneous Poisson process by hour of the week, with a level per month.

The rate in a local hour is ``weekly_rate[hour of week] * monthly_level[month] * scale``;
on the desk's holidays ``holiday_rate[hour of day]`` takes the place of the weekly rate.
:func:`fit_arrivals` estimates both factors from case start times by alternating
exposure-weighted means (each hour of the week and each month is divided by how often it
occurs in the observed period), holidays left out of both. The holiday profile is the
holidays' own arrivals, shrunk towards the weekend's (``_HOLIDAY_PRIOR_DAYS`` weekend days
of prior weight), so a log with one holiday gets a sensible profile and a future holiday
with none in the log gets the weekend's. Months the log does not cover (at least a week
of them) get the level of the log's last two weeks. :func:`sample_arrivals` draws the hourly
counts and uniform times within each hour, in numpy, before the engine starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from workbench.calendar import public_holidays as country_holidays
from workbench.simulation.model import ArrivalSpec

__all__ = ["fit_arrivals", "hourly_rates", "sample_arrivals"]

_HOUR = 3600.0
#: weekend days of prior weight in the holidays' arrival profile
_HOLIDAY_PRIOR_DAYS = 2.0


def _hour_grid(start: pd.Timestamp, hours: int, timezone: str) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    """Hour-of-week (0..167), month (0..11) and the local time of each hour from ``start``."""
    grid = pd.date_range(start, periods=hours, freq="h", tz="UTC").tz_convert(timezone)
    how = (grid.dayofweek * 24 + grid.hour).to_numpy()
    month = (grid.month - 1).to_numpy()
    return how, month, grid


def _holiday_hours(
    grid: pd.DatetimeIndex, holidays: Iterable[str], country: str | None
) -> np.ndarray:
    """Which local hours of ``grid`` fall on a holiday (listed, or public in ``country``)."""
    days = {dt.date.fromisoformat(str(d)) for d in holidays}
    if country and len(grid):
        days |= country_holidays(country, range(grid[0].year, grid[-1].year + 1))
    if not days:
        return np.zeros(len(grid), dtype=bool)
    dates = grid.normalize().tz_localize(None).to_numpy().astype("datetime64[D]")
    return np.isin(dates, np.array(sorted(days), dtype="datetime64[D]"))


def fit_arrivals(
    arrivals: pd.Series,
    *,
    timezone: str,
    min_month_days: float = 7.0,
    holidays: Iterable[str] = (),
    public_holidays: str | None = None,
) -> ArrivalSpec:
    """Fit the arrival rates to case start times (UTC timestamps).

    ``holidays`` (local dates) and the public holidays of ``public_holidays`` (a country
    code) are the desk's closed days: fitted apart (see the module docstring).
    """
    holidays = tuple(sorted({str(d) for d in holidays}))
    t = pd.to_datetime(arrivals, utc=True).sort_values()
    first = t.iloc[0].floor("h")
    last = t.iloc[-1].floor("h") + pd.Timedelta(hours=1)
    hours = max(int((last - first) / pd.Timedelta(hours=1)), 1)
    how, month, grid = _hour_grid(first, hours, timezone)
    idx = ((t - first) / pd.Timedelta(hours=1)).astype(int).clip(0, hours - 1).to_numpy()
    all_counts = np.bincount(idx, minlength=hours).astype(float)
    off = _holiday_hours(grid, holidays, public_holidays)
    # the weekly profile and the months from ordinary days only (a holiday's hours weigh nothing)
    counts = np.where(off, 0.0, all_counts)
    ordinary = (~off).astype(float)
    level = np.ones(12)
    observed_months = np.bincount(month, minlength=12) >= min_month_days * 24
    weekly = np.ones(168)
    for _ in range(4):
        m = level[month] * ordinary
        exposure = np.bincount(how, weights=m, minlength=168)
        weekly = np.divide(
            np.bincount(how, weights=counts, minlength=168), exposure, out=np.zeros(168), where=exposure > 0
        )
        expected = np.bincount(month, weights=weekly[how] * ordinary, minlength=12)
        got = np.bincount(month, weights=counts, minlength=12)
        new = np.divide(got, expected, out=np.ones(12), where=expected > 0)
        new = np.where(observed_months, new, np.nan)
        mean = np.nanmean(new) if np.isfinite(new).any() else 1.0
        level = np.where(np.isfinite(new), new / mean, 1.0)
    # re-fit the weekly profile with the final levels
    exposure = np.bincount(how, weights=level[month] * ordinary, minlength=168)
    weekly = np.divide(
        np.bincount(how, weights=counts, minlength=168), exposure, out=np.zeros(168), where=exposure > 0
    )
    # months never observed get the level of the last two weeks (the best guess for the near future)
    recent = slice(max(hours - 28 * 24, 0), hours)
    recent_expected = float((weekly[how[recent]] * ordinary[recent]).sum())
    recent_level = float(counts[recent].sum()) / recent_expected if recent_expected > 0 else 1.0
    level = np.where(observed_months, level, recent_level)
    holiday_rate = None
    if holidays or public_holidays:
        hod = how % 24
        weekend = weekly.reshape(7, 24)[5:].mean(axis=0)
        got = np.bincount(hod[off], weights=all_counts[off], minlength=24)
        seen = np.bincount(hod[off], weights=level[month[off]], minlength=24)
        holiday_rate = (got + _HOLIDAY_PRIOR_DAYS * weekend) / (seen + _HOLIDAY_PRIOR_DAYS)
    return ArrivalSpec(
        timezone=timezone,
        weekly_rate=tuple(float(f"{v:.6g}") for v in weekly),
        monthly_level=tuple(float(f"{v:.4g}") for v in level),
        holidays=holidays,
        public_holidays=public_holidays,
        holiday_rate=None if holiday_rate is None else tuple(float(f"{v:.6g}") for v in holiday_rate),
    )


def hourly_rates(spec: ArrivalSpec, start: pd.Timestamp, hours: int) -> np.ndarray:
    """Expected arrivals in each of ``hours`` hours from ``start`` (before ``scale``)."""
    how, month, grid = _hour_grid(start, hours, spec.timezone)
    rate = np.asarray(spec.weekly_rate)[how]
    if spec.holiday_rate is not None:
        off = _holiday_hours(grid, spec.holidays, spec.public_holidays)
        rate = np.where(off, np.asarray(spec.holiday_rate)[how % 24], rate)
    return rate * np.asarray(spec.monthly_level)[month]


def sample_arrivals(
    spec: ArrivalSpec,
    origin: pd.Timestamp,
    horizon: float,
    *,
    primary: np.random.SeedSequence,
    extra: np.random.SeedSequence,
    max_cases: int | None = None,
    replay: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival times (seconds from ``origin``, sorted) and a mask of the cases added by ``scale > 1``.

    The primary stream draws the arrivals at ``scale = 1``; a scale below 1 thins them with
    one uniform per arrival, a scale above 1 adds arrivals from the ``extra`` stream. So a
    baseline's arrivals are a subset (or superset) of a scenario's: common random numbers.
    With ``max_cases`` the first ``max_cases`` arrivals are kept (the period grows if needed).
    With ``replay`` (seconds from ``origin``), those are the primary arrivals instead of draws.

    Returns the arrival times, the mask of extra cases and, for primary cases, their index
    in the primary stream (or in ``replay``), -1 for extra cases.
    """
    base = origin.floor("h")
    offset = (origin - base).total_seconds()
    rng_p = np.random.default_rng(primary)
    rng_e = np.random.default_rng(extra)
    hours = int(np.ceil((horizon + offset) / _HOUR))
    if (sum(spec.weekly_rate) <= 0 and replay is None) or spec.scale <= 0:
        return np.empty(0), np.empty(0, dtype=bool), np.empty(0, dtype=np.int64)
    while True:
        rates = hourly_rates(spec, base, hours)
        if replay is None:
            times_p = _poisson_times(rng_p, rates) - offset
        else:
            times_p = np.asarray(replay, dtype=float)
        keep = rng_p.random(len(times_p)) < min(spec.scale, 1.0)
        index_p = np.flatnonzero(keep)
        times_p = times_p[keep]
        times_e = _poisson_times(rng_e, rates * max(spec.scale - 1.0, 0.0)) - offset
        times = np.concatenate([times_p, times_e])
        is_extra = np.concatenate([np.zeros(len(times_p), bool), np.ones(len(times_e), bool)])
        index = np.concatenate([index_p, np.full(len(times_e), -1, dtype=np.int64)])
        ok = (times >= 0) & (times < horizon if max_cases is None else times >= 0)
        times, is_extra, index = times[ok], is_extra[ok], index[ok]
        if max_cases is None or len(times) >= max_cases or hours > 24 * 366 * 20 or replay is not None:
            break
        # not enough cases in the period: redraw over a longer one (same streams, restarted)
        hours *= 2
        rng_p = np.random.default_rng(primary)
        rng_e = np.random.default_rng(extra)
    order = np.argsort(times, kind="stable")
    times, is_extra, index = times[order], is_extra[order], index[order]
    if max_cases is not None:
        times, is_extra, index = times[:max_cases], is_extra[:max_cases], index[:max_cases]
    return times, is_extra, index


def _poisson_times(rng: np.random.Generator, rates: np.ndarray) -> np.ndarray:
    counts = rng.poisson(rates)
    hours = np.repeat(np.arange(len(rates)), counts)
    return (hours + rng.random(len(hours))) * _HOUR
