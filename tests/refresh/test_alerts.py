"""Alerts: open cases about to break a deadline within N working hours; reopens that became real."""

from __future__ import annotations

import pandas as pd

from workbench.analysis import RuleSet
from workbench.calendar import WorkingCalendar
from workbench.config import LogConfig
from workbench.io import prepare_log
from workbench.refresh.alerts import deadline_alerts, new_real_reopens

CONFIG = LogConfig.model_validate({
    "name": "alerts",
    "source": {"kind": "csv", "path": "unused.csv"},
    "columns": {"case_id": "case", "activity": "status", "timestamp": "at", "team": "team"},
    "statuses": {"resolved": ["Resolved"], "reopened": ["Reopened"], "in_progress": ["In progress"]},
    "calendar": {"timezone": "UTC", "workdays": [0, 1, 2, 3, 4], "start_hour": 8, "end_hour": 16},
    "privacy": {"pseudonymise": False},
})
RULES = RuleSet.model_validate({"rules": [
    {"name": "resolved within 5 working days", "type": "resolved_within", "working_days": 5},
    {"name": "answered within 2 hours", "type": "first_response_within", "hours": 2, "response": ["In progress"]},
]})


def log(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    raw = pd.DataFrame(rows, columns=["case", "status", "at"]).assign(team="Desk")
    return prepare_log(raw, CONFIG, pseudonymise=False).events


def alerts(events: pd.DataFrame, as_of: str, horizon: float) -> pd.DataFrame:
    return deadline_alerts(events, RULES, statuses=CONFIG.statuses, calendar=WorkingCalendar.from_config(
        CONFIG.calendar), as_of=pd.Timestamp(as_of, tz="UTC"), horizon_working_hours=horizon)


EVENTS = [
    # registered Monday 2024-03-04 08:00: 36 working hours used by Friday 12:00, 4 left
    ("soon", "Registered", "2024-03-04 08:00"), ("soon", "In progress", "2024-03-04 09:00"),
    # registered Tuesday 08:00: 28 used by Friday 12:00, 12 left
    ("later", "Registered", "2024-03-05 08:00"), ("later", "In progress", "2024-03-05 08:30"),
    # resolved: no deadline to warn about
    ("done", "Registered", "2024-03-04 08:00"), ("done", "Resolved", "2024-03-04 10:00"),
    # registered the previous Friday: 44 working hours, already past the limit (a violation, not an alert)
    ("late", "Registered", "2024-03-01 08:00"), ("late", "In progress", "2024-03-01 08:30"),
    # registered Friday 11:00, no response yet: 1 calendar hour left of 2
    ("new", "Registered", "2024-03-08 11:00"),
]


def test_cases_about_to_break_a_deadline_are_listed_soonest_first() -> None:
    found = alerts(log(EVENTS), "2024-03-08 12:00", horizon=8)
    assert list(zip(found["rule"], found["case_id"], found["hours_left"], strict=True)) == [
        ("answered within 2 hours", "new", 1.0),
        ("resolved within 5 working days", "soon", 4.0),
    ]
    soon = found[found["case_id"] == "soon"].iloc[0]
    assert soon["deadline"] == pd.Timestamp("2024-03-08 16:00", tz="UTC")
    assert "later" not in set(found["case_id"]) and "done" not in set(found["case_id"])
    assert "late" not in set(found["case_id"])
    wider = alerts(log(EVENTS), "2024-03-08 12:00", horizon=12)
    assert "later" in set(wider["case_id"])


def test_new_real_reopens_are_those_resolved_again_since_the_last_refresh() -> None:
    events = log([
        ("a", "Registered", "2024-03-04 08:00"), ("a", "Resolved", "2024-03-04 09:00"),
        ("a", "Reopened", "2024-03-05 09:00"), ("a", "Resolved", "2024-03-06 09:00"),
        ("b", "Registered", "2024-03-04 08:00"), ("b", "Resolved", "2024-03-04 09:00"),
        ("b", "Reopened", "2024-03-04 10:00"), ("b", "Resolved", "2024-03-04 11:00"),
        ("c", "Registered", "2024-03-04 08:00"), ("c", "Resolved", "2024-03-04 09:00"),
    ])
    assert list(new_real_reopens(events, statuses=CONFIG.statuses, since=None)["case_id"]) == ["b", "a"]
    recent = new_real_reopens(events, statuses=CONFIG.statuses, since=pd.Timestamp("2024-03-05", tz="UTC"))
    assert list(recent["case_id"]) == ["a"]
    assert recent.iloc[0]["resolved_again_at"] == pd.Timestamp("2024-03-06 09:00", tz="UTC")
