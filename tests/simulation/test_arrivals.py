"""Arrivals learned from the log: the week's profile, and the desk's holidays apart from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import public_holidays
from workbench.simulation._arrivals import fit_arrivals, hourly_rates, sample_arrivals
from workbench.simulation.model import ArrivalSpec

TZ = "Europe/Copenhagen"
HOLIDAY = "2023-05-18"  # Ascension Day, a Thursday


def _arrivals(weeks: int = 10, seed: int = 3) -> pd.Series:
    """About 20 tickets a working day (8-16), 2 on a weekend day or a Danish public holiday."""
    rng = np.random.default_rng(seed)
    closed_days = {str(d) for d in public_holidays("DK", (2023,))}
    times = []
    for day in pd.date_range("2023-04-24", periods=7 * weeks, freq="D", tz=TZ):
        closed = day.weekday() >= 5 or str(day.date()) in closed_days
        n = rng.poisson(2 if closed else 20)
        times.extend(day + pd.to_timedelta(rng.uniform(8, 16, n), unit="h"))
    return pd.Series(pd.DatetimeIndex(times).tz_convert("UTC"))


def _per_day(spec: ArrivalSpec, day: str) -> float:
    start = pd.Timestamp(day, tz=TZ).tz_convert("UTC")
    return float(hourly_rates(spec, start, 24).sum())


def test_a_holiday_gets_the_arrivals_of_a_closed_day_not_of_its_weekday():
    arrivals = _arrivals()
    plain = fit_arrivals(arrivals, timezone=TZ)
    spec = fit_arrivals(arrivals, timezone=TZ, holidays=[HOLIDAY])
    assert plain.holiday_rate is None  # no holidays named: as before
    assert _per_day(plain, HOLIDAY) > 12  # a Thursday's volume on Ascension Day
    assert _per_day(spec, HOLIDAY) < 5
    # the holiday no longer drags the Thursdays down
    assert _per_day(spec, "2023-05-25") > _per_day(plain, "2023-05-25")
    assert _per_day(spec, "2023-05-25") == pytest.approx(20, rel=0.25)


def test_a_public_holiday_after_the_log_gets_the_weekend_volume():
    spec = fit_arrivals(_arrivals(), timezone=TZ, public_holidays="DK")
    christmas, weekday = "2023-12-25", "2023-12-21"  # a Monday and a Thursday
    assert _per_day(spec, christmas) == pytest.approx(_per_day(spec, "2023-12-23"), rel=0.5)  # a Saturday
    assert _per_day(spec, weekday) > 4 * _per_day(spec, christmas)
    origin = pd.Timestamp("2023-12-18", tz=TZ).tz_convert("UTC")
    ss = np.random.SeedSequence(1)
    times, _, _ = sample_arrivals(spec, origin, 14 * 86400.0, primary=ss.spawn(1)[0], extra=ss.spawn(2)[1])
    local = (origin + pd.to_timedelta(times, unit="s")).tz_convert(TZ)
    days = pd.Series(local.date.astype(str)).value_counts()
    assert days.get("2023-12-25", 0) < days.get("2023-12-21", 0) / 3


def test_a_model_written_before_the_holiday_profile_still_loads():
    spec = ArrivalSpec.model_validate({"timezone": TZ, "weekly_rate": [1.0] * 168})
    assert spec.holiday_rate is None and spec.holidays == ()
    assert _per_day(spec, HOLIDAY) == pytest.approx(24.0)
