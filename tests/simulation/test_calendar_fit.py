from __future__ import annotations

import pandas as pd

from workbench.simulation._calendar_fit import closed_days
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
