from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.simulation._calendar_fit import closed_days, infer_calendar
from workbench.simulation.model import CalendarSpec

HOLIDAY = "2023-05-18"  # a Thursday (Ascension Day)


def _log(holiday_worker: bool = False) -> pd.DataFrame:
    """Eight weeks, three teams: workers record events on working days; ``system`` and ``user`` every day."""
    rows = []
    for day in pd.date_range("2023-04-24", periods=56, freq="D"):
        for k, team in enumerate(("first line", "infra", "finance")):
            for h in (9, 11, 14):  # the system registers e-mails and the users answer, holiday or not
                rows.append((day + pd.Timedelta(hours=h, minutes=k), "system", team))
                rows.append((day + pd.Timedelta(hours=h, minutes=30 + k), "user", team))
            if day.weekday() < 5 and (str(day.date()) != HOLIDAY or (holiday_worker and team == "infra")):
                for h in range(8, 16):
                    rows.append((day + pd.Timedelta(hours=h, minutes=10 + k), f"agent-{team}", team))
    frame = pd.DataFrame(rows, columns=["timestamp", "resource", "team"])
    frame["timestamp"] = frame["timestamp"].dt.tz_localize("Europe/Copenhagen").dt.tz_convert("UTC")
    return frame


def test_a_holiday_on_which_only_systems_and_users_record_events_is_found():
    calendar = CalendarSpec(timezone="Europe/Copenhagen")
    assert closed_days(_log(), calendar) == (HOLIDAY,)  # system and user are active in every team
    assert closed_days(_log(), calendar, non_staff=["system", "user"]) == (HOLIDAY,)
    assert closed_days(_log(holiday_worker=True), calendar) == ()  # one team worked that day: the desk was open
    no_team = _log().drop(columns="team")  # without a team column only declared resources are left out
    assert closed_days(no_team, calendar) == ()
    assert closed_days(no_team, calendar, non_staff=["system", "user"]) == (HOLIDAY,)


def _steps(teams: dict[str, tuple[int, float]], weeks: int = 12) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Workers' events at random times in each team's hours: ``{team: (events an hour, Friday's end)}``."""
    rng = np.random.default_rng(5)
    origin = pd.Timestamp("2023-04-24", tz="UTC")  # a Monday
    rows = []
    for day in pd.date_range("2023-04-24", periods=7 * weeks, freq="D", tz="Europe/Copenhagen"):
        if day.weekday() >= 5:
            continue
        for team, (per_hour, friday_end) in teams.items():
            end = friday_end if day.weekday() == 4 else 16.0
            for hour in rng.uniform(8.0, end, rng.poisson(per_hour * (end - 8.0))):
                rows.append(((day + pd.Timedelta(hours=hour) - origin).total_seconds(), team))
    frame = pd.DataFrame(rows, columns=["end", "pool"])
    frame["has_res"] = True
    frame["rec_start"] = np.nan
    return frame, origin


def test_a_short_friday_is_learned_to_the_quarter_hour():
    frame, origin = _steps({"first line": (12, 15.5), "finance": (1, 15.5), "bi": (1, 16.0)})

    def fri(pool):
        return infer_calendar(frame, pool, origin, "Europe/Copenhagen", ()).hours["fri"]

    assert fri(None) == ((8.0, 15.5),)
    assert fri("first line") == ((8.0, 15.5),)
    assert infer_calendar(frame, "first line", origin, "Europe/Copenhagen", ()).hours["thu"] == ((8.0, 16.0),)
    # a small team has too few events to show it alone: it follows the desk's Friday
    assert fri("finance") == ((8.0, 15.5),)
    # unless its own events say it works to 16:00 on Fridays
    assert fri("bi") == ((8.0, 16.0),)


def _bursty(days: int = 60, tail_days: int = 10) -> pd.DataFrame:
    """A desk whose tickets come in bursts (30 events on one working day in three, none between), then
    ``tail_days`` after the last new ticket on which the open tickets are finished on a few days."""
    rows = []
    start = pd.Timestamp("2023-03-06", tz="Europe/Copenhagen")  # a Monday
    case = 0
    for k, day in enumerate(pd.date_range(start, periods=days + tail_days, freq="D")):
        if day.weekday() >= 5:
            continue
        if k < days and k % 3 == 0:
            for e in range(30):
                case += e % 3 == 0
                rows.append((f"c{case}", day + pd.Timedelta(hours=9, minutes=e), "agent-1"))
        elif k >= days and k % 4 == 0:  # after the last new ticket: the open ones are closed now and then
            rows.append(("c1", day + pd.Timedelta(hours=10), "agent-1"))
    frame = pd.DataFrame(rows, columns=["case_id", "timestamp", "resource"])
    frame["timestamp"] = frame["timestamp"].dt.tz_convert("UTC")
    return frame


def test_quiet_days_between_bursts_and_after_the_last_ticket_are_not_holidays():
    calendar = CalendarSpec(timezone="Europe/Copenhagen")
    # the mean of the days around is 10 events a day; the median is 0: a burst is not a busy desk
    assert closed_days(_bursty(), calendar) == ()
    # a steadily busy desk, then ten days after its last new ticket on which one open ticket is
    # finished now and then: the holiday is found, the empty days of the wind-down are not
    steady = _log()
    steady["case_id"] = [f"c{k}" for k in range(len(steady))]
    last = steady["timestamp"].max()
    tail = pd.DataFrame(
        {"case_id": "c0", "resource": "agent-first line", "team": "first line",
         "timestamp": [last + pd.Timedelta(days=d) for d in (3, 7, 10)]}
    )
    assert closed_days(pd.concat([steady, tail], ignore_index=True), calendar) == (HOLIDAY,)
