"""Tests of the working calendar (workbench/calendar.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workbench.calendar import WorkingCalendar
from workbench.config import CalendarConfig
from workbench.errors import ConfigError

CPH = "Europe/Copenhagen"


def utc(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), utc=True, format="ISO8601"))


def local(*values: str) -> pd.Series:
    """Copenhagen wall-clock times as UTC timestamps."""
    return pd.Series(pd.to_datetime(list(values)).tz_localize(CPH).tz_convert("UTC"))


@pytest.fixture
def cph() -> WorkingCalendar:
    return WorkingCalendar(timezone=CPH, start_hour=8, end_hour=16)


def test_from_config_reads_every_field() -> None:
    cfg = CalendarConfig(timezone=CPH, workdays=(0, 1, 2, 3), start_hour=7.5, end_hour=15, holidays=("2023-12-25",))
    cal = WorkingCalendar.from_config(cfg)
    assert cal == WorkingCalendar(CPH, (0, 1, 2, 3), 7.5, 15.0, (dt.date(2023, 12, 25),))
    assert cal.hours_per_day == 7.5


def test_bad_hours_and_zone_give_clear_errors() -> None:
    with pytest.raises(ConfigError, match="start_hour < end_hour"):
        WorkingCalendar(start_hour=10, end_hour=9)
    with pytest.raises(ConfigError, match="unknown"):
        WorkingCalendar(timezone="Mars/Olympus")


def test_same_day_and_over_a_weekend(cph: WorkingCalendar) -> None:
    start = local("2023-03-01 07:00", "2023-03-01 09:30", "2023-03-03 15:00", "2023-03-04 10:00")
    end = local("2023-03-01 17:00", "2023-03-01 10:00", "2023-03-06 09:00", "2023-03-05 12:00")
    got = cph.working_hours_between(start, end)
    assert got.tolist() == [8.0, 0.5, 2.0, 0.0]


def test_spans_many_weeks(cph: WorkingCalendar) -> None:
    # Monday 2 Jan 2023 08:00 to Monday 6 Mar 2023 08:00: 9 weeks of 5 x 8 hours
    got = cph.working_hours_between(local("2023-01-02 08:00"), local("2023-03-06 08:00"))
    assert got.iloc[0] == pytest.approx(9 * 40)


def test_dst_spring_forward_and_fall_back() -> None:
    # A round-the-clock calendar shows the real length of the DST days (23 h and 25 h).
    cal = WorkingCalendar(timezone=CPH, workdays=tuple(range(7)), start_hour=0, end_hour=24)
    spring = cal.working_hours_between(local("2023-03-26 00:00"), local("2023-03-27 00:00"))
    autumn = cal.working_hours_between(local("2023-10-29 00:00"), local("2023-10-30 00:00"))
    assert spring.iloc[0] == pytest.approx(23.0)
    assert autumn.iloc[0] == pytest.approx(25.0)
    # An office calendar keeps its 8-to-16 wall-clock window on both sides of the change.
    office = WorkingCalendar(timezone=CPH)
    friday_to_monday = office.working_hours_between(local("2023-03-24 12:00"), local("2023-03-27 12:00"))
    assert friday_to_monday.iloc[0] == pytest.approx(8.0)


def test_holidays_have_no_working_time() -> None:
    cal = WorkingCalendar(timezone=CPH, holidays=(dt.date(2023, 12, 25), dt.date(2023, 12, 26)))
    got = cal.working_hours_between(local("2023-12-22 08:00"), local("2023-12-28 08:00"))
    assert got.iloc[0] == pytest.approx(8.0 + 8.0)  # Friday and Wednesday


def test_nat_gives_nan_and_order_gives_sign(cph: WorkingCalendar) -> None:
    start = utc("2023-03-01T08:00Z", None, "2023-03-01T12:00Z")
    end = utc(None, "2023-03-01T10:00Z", "2023-03-01T10:00Z")
    got = cph.working_hours_between(start, end)
    assert np.isnan(got.iloc[0]) and np.isnan(got.iloc[1])
    assert got.iloc[2] == pytest.approx(-2.0)


def test_index_is_kept_and_naive_input_is_refused(cph: WorkingCalendar) -> None:
    start = local("2023-03-01 08:00", "2023-03-01 09:00")
    start.index = [10, 20]
    end = local("2023-03-01 10:00", "2023-03-01 10:00")
    end.index = [10, 20]
    assert cph.working_hours_between(start, end).index.tolist() == [10, 20]
    naive = pd.Series(pd.to_datetime(["2023-03-01 08:00"]))
    with pytest.raises(ValueError, match="time-zone-aware"):
        cph.working_hours_between(naive, naive)


def test_is_working_time(cph: WorkingCalendar) -> None:
    ts = local("2023-03-01 07:59", "2023-03-01 08:00", "2023-03-01 15:59", "2023-03-01 16:00", "2023-03-04 10:00")
    ts = pd.concat([ts, utc(None)], ignore_index=True)
    assert cph.is_working_time(ts).tolist() == [False, True, True, False, False, False]


def test_add_working_hours_inverts_working_hours_between(cph: WorkingCalendar) -> None:
    start = local("2023-03-03 15:00", "2023-03-04 10:00", "2023-03-01 09:00", "2023-03-24 12:00")
    got = cph.add_working_hours(start, pd.Series([2.0, 0.0, 8.0, 100.0]))
    assert got.iloc[0] == local("2023-03-06 09:00").iloc[0]  # 1 h Friday, 1 h Monday
    assert got.iloc[1] == local("2023-03-06 08:00").iloc[0]  # zero hours from Saturday: next window
    assert got.iloc[2] == local("2023-03-02 09:00").iloc[0]
    back = cph.working_hours_between(start, got)
    assert back.tolist() == pytest.approx([2.0, 0.0, 8.0, 100.0])


def test_vectorised_on_many_rows(cph: WorkingCalendar) -> None:
    rng = np.random.default_rng(1)
    base = pd.Timestamp("2023-01-01", tz="UTC")
    start = pd.Series(base + pd.to_timedelta(rng.uniform(0, 300, 20_000), unit="D"))
    end = start + pd.to_timedelta(rng.uniform(0, 30, 20_000), unit="D")
    got = cph.working_hours_between(start, end)
    elapsed = (end - start).dt.total_seconds() / 3600
    assert (got >= 0).all() and (got <= elapsed + 1e-9).all()
    # roughly 40 of 168 hours are working hours over long spans
    assert 0.2 < got.sum() / elapsed.sum() < 0.28


def test_per_weekday_hours_friday_ends_at_half_past_three():
    cal = WorkingCalendar.from_config(CalendarConfig(timezone=CPH, hours={"fri": (8, 15.5)}))
    # Friday 8:00 to 17:00 local: 7.5 working hours; Thursday the same span: 8
    got = cal.working_hours_between(local("2023-03-02 08:00", "2023-03-03 08:00"), local("2023-03-02 17:00", "2023-03-03 17:00"))
    assert got.tolist() == [8.0, 7.5]
    assert cal.is_working_time(local("2023-03-03 15:45")).tolist() == [False]


def test_danish_public_holidays_come_from_the_holidays_package():
    from workbench.calendar import public_holidays

    assert dt.date(2023, 4, 7) in public_holidays("DK", [2023])  # Good Friday
    cal = WorkingCalendar.from_config(CalendarConfig(timezone=CPH, public_holidays="DK"))
    # Wednesday before Easter to the Tuesday after: Maundy Thursday, Good Friday and Easter Monday are closed
    got = cal.working_hours_between(local("2023-04-05 08:00"), local("2023-04-11 16:00"))
    assert got.tolist() == [16.0]


def test_an_unknown_holiday_country_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="country 'XX' is not known to the holidays package; use an ISO code"):
        CalendarConfig(public_holidays="XX")


def test_the_simulation_clock_uses_the_same_calendar():
    from workbench.simulation import WorkClock
    from workbench.simulation.model import CalendarSpec

    spec = CalendarSpec.from_config(CalendarConfig(timezone=CPH, public_holidays="DK", hours={"fri": (8, 15.5)}))
    clock = WorkClock(spec, dt.datetime(2023, 4, 3, tzinfo=dt.UTC))
    day = 86400.0
    # Wed 5 April 6:00 UTC (8:00 local) to Fri 14 April 14:00 UTC (16:00 local)
    hours = clock.working_between(2 * day + 6 * 3600, 11 * day + 14 * 3600) / 3600
    assert hours == pytest.approx(8 + 8 + 8 + 8 + 7.5)  # Wed 5, Tue 11 to Thu 13, short Friday 14
