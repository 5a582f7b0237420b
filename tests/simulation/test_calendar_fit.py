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
