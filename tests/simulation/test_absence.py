"""Staff away: a team's learned absences take capacity away in the simulation, for those weeks only."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from workbench.simulation import simulate
from workbench.simulation._absence import absence_schedule


def _with_back_away(model, weeks: dict[str, int]):
    back = model.teams["back"].model_copy(update={"away": weeks})
    return model.model_copy(update={"teams": {**model.teams, "back": back}})


def test_schedule_inside_and_outside_the_learned_period(toy_model):
    model = _with_back_away(toy_model, {"2024-01-15": 1, "2024-01-22": 1})
    origin = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    front, back = absence_schedule(model, ["front", "back"], origin)
    assert front == []
    day = 86400.0
    assert back[0] == (0.0, 0) and (14 * day, 1) in back and (28 * day, 0) in back
    assert all(t2 > t1 for (t1, _), (t2, _) in pairwise(back))


def test_a_one_person_team_on_leave_makes_its_cases_wait(toy_model):
    start = "2024-01-01"
    base = simulate(toy_model, start=start, days=42, seed=3)
    away = simulate(_with_back_away(toy_model, {"2024-01-15": 1}), start=start, days=42, seed=3)
    waits = {name: run.team_waits.groupby("team")["queue_h"].max() for name, run in (("base", base), ("away", away))}
    assert waits["away"]["back"] > waits["base"]["back"] + 24  # a week without its only worker
    # the same seed, the same absence: the same run
    again = simulate(_with_back_away(toy_model, {"2024-01-15": 1}), start=start, days=42, seed=3)
    assert again.cases["cycle_time_h"].equals(away.cases["cycle_time_h"])


def test_learned_days_of_leave_repeat_outside_the_learned_period(toy_model):
    # the toy model is learned over 56 days from 2024-01-01; its one back-office worker was away 3 days
    back = toy_model.teams["back"].model_copy(update={"away": {"2024-01-10": 1, "2024-01-11": 1, "2024-01-12": 1},
                                                      "away_days": 1})
    model = toy_model.model_copy(update={"teams": {**toy_model.teams, "back": back}})
    day = 86400.0
    (sched,) = absence_schedule(model, ["back"], dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert (9 * day, 1) in sched and (12 * day, 0) in sched  # inside: those days only
    assert (65 * day, 1) in sched and (68 * day, 0) in sched  # and again 8 weeks later
    (later,) = absence_schedule(model, ["back"], dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    assert any(n for _, n in later)  # a simulation of another year keeps the leave
