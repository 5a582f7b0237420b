"""Who is a worker: pseudo-resources, dispatchers and declared non-staff do not count as staff."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.config import LogConfig
from workbench.schema import ACTIVITY, CASE_ID, RESOURCE
from workbench.simulation import discover_model, model_to_yaml

#: the demo desk's real headcount (DemoParams defaults), which the learned model must find
TRUE_STAFF = {
    "IT-service og support": 5,
    "IT-infrastruktur": 2,
    "ESDH og Post": 1,
    "HR og Personale": 1,
    "Finans og Indkøb": 1,
    "BI-teamet": 1,
}


def _as_real_systems_log_it(events: pd.DataFrame) -> pd.DataFrame:
    """System and user events under pseudo-resources; the forwarding agent logs the assignment."""
    ev = events.copy()
    ev[RESOURCE] = ev[RESOURCE].astype(object)
    empty = ev[RESOURCE].isna()
    ev.loc[empty & ev[ACTIVITY].isin(["Mail from user", "Reopened"]), RESOURCE] = "user"
    prev_res = ev.groupby(CASE_ID)[RESOURCE].shift()
    prev_act = ev.groupby(CASE_ID)[ACTIVITY].shift()
    dispatched = (ev[ACTIVITY] == "Assigned to team") & prev_act.isin(["Forwarded", "Sent back"])
    ev.loc[dispatched, RESOURCE] = prev_res[dispatched]
    ev.loc[ev[RESOURCE].isna(), RESOURCE] = "system"
    return ev


@pytest.fixture(scope="module")
def messy_events(demo_events: pd.DataFrame) -> pd.DataFrame:
    return _as_real_systems_log_it(demo_events)


def test_pseudo_resources_and_dispatchers_are_not_staff(messy_events, demo_config: LogConfig):
    assert (messy_events[RESOURCE] == "system").any() and (messy_events[RESOURCE] == "user").any()
    model = discover_model(messy_events, config=demo_config)
    assert {t: s.staff for t, s in model.teams.items()} == TRUE_STAFF
    assert {"system", "user"} <= set(model.non_staff)
    assert any("hand-over events" in n for n in model.estimation.notes)
    text = model_to_yaml(model)
    assert "non_staff:" in text and "the worker(s) doing most of its work" in text


def test_counting_every_name_would_overstate_headcount(messy_events, demo_config: LogConfig):
    """The rule matters: without it the partner teams look many times bigger (the log is really messy)."""
    per_team = messy_events.groupby("team")[RESOURCE].nunique()
    assert (per_team.drop("IT-service og support") >= 3).all()


def test_config_declares_non_staff_and_headcount(demo_events, demo_config: LogConfig):
    ev = demo_events.copy()
    ev[RESOURCE] = ev[RESOURCE].astype(object)
    ev.loc[ev[RESOURCE].isna(), RESOURCE] = "robot"
    config = demo_config.model_copy(update={"non_staff": ("robot",), "staff": {"IT-infrastruktur": 3}})
    model = discover_model(ev, config=config)
    assert model.non_staff["robot"].startswith("declared")
    assert model.teams["IT-infrastruktur"].staff == 3
    assert "set to 3 by the user" in model.teams["IT-infrastruktur"].note
    assert model.teams["IT-service og support"].staff == 5


def test_declared_names_match_pseudonyms_with_the_key(demo_events, demo_config: LogConfig):
    from workbench.privacy import pseudonymise_series

    key = b"k" * 32
    ev = demo_events.copy()
    ev[RESOURCE] = ev[RESOURCE].astype(object)
    ev.loc[ev[RESOURCE].isna(), RESOURCE] = "robot"
    ev[RESOURCE] = pseudonymise_series(ev[RESOURCE], key, "staff")
    config = demo_config.model_copy(update={"non_staff": ("robot",)})
    model = discover_model(ev, config=config, key=key)
    assert any(v.startswith("declared") for v in model.non_staff.values())


def test_staff_below_one_in_config_is_refused(demo_config: LogConfig):
    from pydantic import ValidationError

    data = demo_config.model_dump()
    data["staff"] = {"IT-infrastruktur": 0}
    with pytest.raises(ValidationError, match="staff of team 'IT-infrastruktur' must be at least 1"):
        LogConfig.model_validate(data)


def _one_person_team_log(away_days: range, *, start_weekday: int = 3) -> tuple:
    """A 6-week log: team A's one worker logs 12 events a working day, except on ``away_days``
    (the dispatcher still assigns A's cases then); team B keeps the desk busy every working day."""
    import numpy as np

    pool, resource, end = [], [], []
    for day in range(42):
        if (day + start_weekday) % 7 >= 5:  # weekend: nobody works
            continue
        for k in range(12):
            t = day * 86400.0 + 8 * 3600.0 + k * 1800.0
            pool += ["A", "B", "B"]
            resource += [None if day in away_days else "w", "b1", "b2"]
            end += [t, t + 60.0, t + 120.0]
    return np.array(pool, dtype=object), np.array(resource, dtype=object), np.array(end)


def test_leave_is_found_per_day_whatever_weekday_the_log_starts():
    from workbench.simulation._workers import headcount

    # the log starts on a Thursday: a Monday-to-Friday leave straddles two clock weeks
    leave = range(11, 16)  # days 11..15 from the origin: Monday to Friday
    pool, resource, end = _one_person_team_log(leave)
    out = headcount(pool, resource, end, ["A", "B"])
    staff, note, away, _ = out["A"]
    assert staff == 1
    assert away == {d: 1 for d in leave}
    assert "worker-day(s) away" in note
    assert out["B"][2] == {}  # nobody in B was away


def test_events_that_are_not_work_do_not_hide_a_leave():
    import numpy as np

    from workbench.simulation._workers import headcount

    # on leave, the worker's name is still stamped on one registration a day (a phone call taken
    # by a colleague in their name, a rule that fills the owner field): not work, not presence
    leave = range(11, 16)
    pool, resource, end = _one_person_team_log(leave)
    stamped = [(d * 86400.0 + 9 * 3600.0 + 17.0) for d in leave]
    pool = np.r_[pool, ["A"] * len(stamped)]
    resource = np.r_[resource, ["w"] * len(stamped)]
    end = np.r_[end, stamped]
    works = np.r_[np.ones(len(pool) - len(stamped), bool), np.zeros(len(stamped), bool)]
    assert headcount(pool, resource, end, ["A", "B"], works=works)["A"][2] == {d: 1 for d in leave}
    # counted as presence (the old rule), the stamps hide the whole week
    assert headcount(pool, resource, end, ["A", "B"])["A"][2] == {}


def test_a_quiet_day_of_a_busy_worker_is_not_taken_for_leave_but_a_week_is():
    import numpy as np

    from workbench.simulation._workers import _absent_days

    days = np.arange(30)
    worker = np.repeat(np.setdiff1d(days, [4, 20, 21, 22, 23, 24]), 2)  # 2 events a day
    assert _absent_days(worker, days).tolist() == [20, 21, 22, 23, 24]


def test_waiting_while_the_only_worker_is_away_is_queueing_for_capacity():
    import datetime as dt

    import numpy as np

    from workbench.simulation._clock import WorkClock
    from workbench.simulation._estimation import _all_busy_overlap
    from workbench.simulation.model import WEEKDAYS, CalendarSpec

    always = CalendarSpec(timezone="UTC", hours={d: ((0.0, 24.0),) for d in WEEKDAYS})
    clock = WorkClock(always, dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    day = 86400.0
    busy = (np.array([0.0]), np.array([3600.0]))  # the worker was busy only in the first hour
    a, b = np.array([2 * day]), np.array([5 * day])  # a case waited from day 2 to day 5
    assert _all_busy_overlap(busy, 1, clock, a, b)[0] == 0.0
    waited = _all_busy_overlap(busy, 1, clock, a, b, {2: 1, 3: 1})[0]  # the worker was away on days 2 and 3
    assert waited == 2 * day


def test_a_declared_name_that_matches_no_resource_is_noted(demo_events, demo_config: LogConfig):
    config = demo_config.model_copy(update={"non_staff": ("robto",)})  # misspelt
    model = discover_model(demo_events, config=config)
    assert any(
        n.startswith("non_staff names not found among the log's resources: robto (in a pseudonymised log")
        for n in model.estimation.notes
    )
