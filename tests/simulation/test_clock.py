from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from workbench.simulation._clock import WorkClock
from workbench.simulation.model import CalendarSpec

H = 3600.0
# Friday 2023-03-24 00:00 UTC; Copenhagen is UTC+1 until Sunday 26 March, then UTC+2
ORIGIN = dt.datetime(2023, 3, 24, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> WorkClock:
    return WorkClock(CalendarSpec(timezone="Europe/Copenhagen", holidays=("2023-03-28",)), ORIGIN)


def test_work_stops_at_closing_time_and_resumes_after_weekend_dst_and_holiday(clock: WorkClock):
    friday_1530 = 14.5 * H  # 15:30 local
    # half an hour on Friday, 8 h on Monday 27 March (8-16 local = 6-14 UTC), the last half hour on
    # Wednesday (Tuesday 28 March is a holiday)
    end = clock.advance(friday_1530, 9 * H)
    assert end == pytest.approx(5 * 24 * H + 6.5 * H)  # Wednesday 08:30 local (06:30 UTC)
    assert clock.working_between(friday_1530, end) == pytest.approx(9 * H)


def test_next_working_and_begin_and_finish(clock: WorkClock):
    assert clock.next_working(0.0) == pytest.approx(7 * H)  # Friday 08:00 local
    assert clock.next_working(10 * H) == 10 * H
    begin, finish = clock.begin_and_finish(20 * H, 2 * H)  # Friday evening -> Monday 08:00-10:00 local
    assert begin == pytest.approx(3 * 24 * H + 6 * H)
    assert finish == pytest.approx(begin + 2 * H)


def test_worked_array_matches_scalar_and_clock_extends_itself(clock: WorkClock):
    t = np.array([0.0, 7.5 * H, 100 * H, 900 * 24 * H])  # the last is years later: the clock extends
    assert clock.worked_array(t).tolist() == pytest.approx([clock.worked(x) for x in t])
    assert clock.advance(900 * 24 * H, 8 * H) > 900 * 24 * H


def test_always_open_calendar_is_plain_time():
    c = WorkClock(CalendarSpec.always_open(), ORIGIN)
    assert c.always and c.advance(5.0, 10.0) == 15.0 and c.next_working(3.0) == 3.0


def test_calendar_without_hours_is_refused():
    with pytest.raises(ValueError, match="no working hours"):
        WorkClock(CalendarSpec(hours={}), ORIGIN)


def test_tiny_work_at_the_start_of_an_interval_never_goes_back_in_time(clock: WorkClock):
    """Regression: on Helpdesk, 5.8e-14 s of work at an interval's start returned the previous
    interval's end (14 h earlier), and SimPy stopped with 'Negative delay'."""
    monday_0800 = clock.next_working(3 * 24 * H)  # the start of Monday's interval (08:00 local)
    for work in (5.754115489918175e-14, 1e-9, 0.5, 3600.0):
        end = clock.advance(monday_0800, work)
        assert end >= monday_0800
        assert end == pytest.approx(monday_0800 + work)
    far = clock.next_working(1000 * 24 * H)  # far out, where float spacing is coarser
    assert clock.advance(far, 5.754115489918175e-14) >= far
