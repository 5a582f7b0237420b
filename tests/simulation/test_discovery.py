from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.config import CalendarConfig, LogConfig, StatusMeanings
from workbench.errors import ConfigError, EventLogError
from workbench.simulation import discover_model, simulate
from workbench.simulation.distributions import duration_mean
from workbench.simulation.model import END, START, SimulationModel


def _recorded_log(n_cases: int = 300, seed: int = 0) -> pd.DataFrame:
    """A start/complete log: A (team X) then B (team Y) 70% or C (team X) 30%; work 20-40 minutes."""
    rng = np.random.default_rng(seed)
    rows = []
    t0 = pd.Timestamp("2024-01-01 07:00", tz="UTC")  # Monday 08:00 in Copenhagen
    for i in range(n_cases):
        day = t0 + pd.Timedelta(days=7 * (i // 25) + (i % 25) // 5, hours=(i % 5) * 1.5)
        second = ("B", "Y", "y") if rng.random() < 0.7 else ("C", "X", "x")
        start = day
        for act, team, who in (("A", "X", "x"), second):
            work = pd.Timedelta(minutes=float(rng.uniform(20, 40)))
            rows.append((f"c{i:03d}", act, start + work, start, f"{who}{rng.integers(2)}", team))
            start = start + work + pd.Timedelta(minutes=10)
    df = pd.DataFrame(
        rows, columns=["case_id", "activity", "timestamp", "start_timestamp", "resource", "team"]
    )
    df["lifecycle"] = pd.NA
    df["kind"] = np.where(np.arange(len(df)) % 2 == 0, "p", "q")
    return df


def test_recorded_starts_give_teams_routing_and_work_times():
    log = _recorded_log()
    model = discover_model(
        log, name="toy-log", case_attributes=["kind"], calendar=CalendarConfig(timezone="Europe/Copenhagen")
    )
    assert model.estimation.start_times == "recorded"
    assert set(model.teams) == {"X", "Y"} and model.teams["X"].staff == 2 and model.teams["Y"].staff == 2
    start_rule = next(r for r in model.routing if r.at == START)
    assert start_rule.next == {"A @ X": 1.0}
    a_rule = next(r for r in model.routing if r.at == "A @ X" and r.before is None and r.visit is None)
    assert a_rule.next["B @ Y"] == pytest.approx(0.7, abs=0.07)
    assert next(r for r in model.routing if r.at == "B @ Y").next == {END: 1.0}
    work_a = model.activities["A @ X"].work
    assert duration_mean(work_a) == pytest.approx(30 * 60, rel=0.1)
    assert model.teams["X"].calendar.hours["mon"][0][0] == 8.0  # inferred: the log works from 8 local
    assert log.equals(_recorded_log())  # the input is not changed


def test_status_log_learns_queues_user_waits_misrouting_and_priority(demo_model: SimulationModel):
    m = demo_model
    assert m.estimation.start_times == "estimated" and "status" in m.estimation.method
    assert m.teams["IT-infrastruktur"].staff == 2 and m.teams["IT-service og support"].staff == 5
    assert m.teams["BI-teamet"].calendar.hours["mon"] == ((8.0, 16.0),)
    progress = m.activities["In progress @ IT-service og support"]
    assert progress.uses_staff and duration_mean(progress.work) == 0.0  # the pick-up itself is instant
    assert m.activities["Waiting for user @ IT-service og support"].user_wait_after
    assert not m.activities["Mail from user @ IT-service og support"].uses_staff
    assert any(n.endswith("[sent back]") for n in m.activities)
    resolved = next(
        t
        for t in m.transitions
        if t.source == "In progress @ IT-service og support"
        and t.target == "Resolved with mail @ IT-service og support"
    )
    assert resolved.same_worker and duration_mean(resolved.work) > 600
    assert m.queue_priority is not None and m.queue_priority.attribute == "priority"
    assert m.queue_priority.ranks["Høj"] < m.queue_priority.ranks["Lav"]
    assert set(m.case_mix.attributes) == {
        "department",
        "category",
        "priority",
        "channel",
    }  # not the user column
    assert m.group_attributes == ("department", "channel")


def test_simulating_the_discovered_model_reproduces_the_log(
    demo_model: SimulationModel, demo_events: pd.DataFrame
):
    # The demo log is cut when its arrivals end, so the cases still open then are censored.
    # Compare like with like: simulate the same period and cut the simulated log at its end
    # (a run that carries every case to completion has a longer mean cycle time by 15-20%).
    start, days = pd.Timestamp("2023-01-02", tz="UTC"), 49
    run = simulate(demo_model, start=start, days=days, seed=1)
    cut = run.events[run.events["timestamp"] <= start + pd.Timedelta(days=days)]
    real = demo_events.groupby("case_id")["timestamp"].agg(["min", "max", "size"])
    sim = cut.groupby("case_id")["timestamp"].agg(["min", "max", "size"])
    real_ct = ((real["max"] - real["min"]).dt.total_seconds() / 3600).mean()
    sim_ct = ((sim["max"] - sim["min"]).dt.total_seconds() / 3600).mean()
    assert len(sim) == pytest.approx(len(real), rel=0.1)
    assert sim["size"].mean() == pytest.approx(real["size"].mean(), rel=0.1)
    assert sim_ct == pytest.approx(real_ct, rel=0.1)


def test_bad_logs_are_refused(demo_config: LogConfig):
    with pytest.raises(EventLogError, match="event log is empty"):
        discover_model(pd.DataFrame(columns=["case_id", "activity", "timestamp"]))
    with pytest.raises(EventLogError, match="has no column 'timestamp'"):
        discover_model(pd.DataFrame({"case_id": ["a"], "activity": ["x"]}))
    with pytest.raises(EventLogError, match="case attribute 'colour' is not a column"):
        discover_model(_recorded_log(20), case_attributes=["colour"])
    with pytest.raises(
        ConfigError, match="staff given for team 'Z', which does not do any work in the log; teams: 'X', 'Y'"
    ):
        discover_model(_recorded_log(20), staff={"Z": 3})
    assert discover_model(_recorded_log(40), staff={"X": 7}).teams["X"].staff == 7


def test_the_desks_questions_run_on_a_simulated_log(demo_model: SimulationModel, demo_config: LogConfig):
    from workbench.analysis import answer_questions

    run = simulate(demo_model, start="2023-01-02", days=28, seed=6)
    answers = answer_questions(run.events, statuses=demo_config.statuses)
    assert answers.unanswered == {}
    assert len(answers.headlines()) == 5


def _outside_desk_hours(events: pd.DataFrame, activity: str) -> float:
    """Share of ``activity`` events on a weekday outside the demo desk's hours (8-16, Friday 8-15:30)."""
    local = pd.to_datetime(events.loc[events["activity"] == activity, "timestamp"], utc=True).dt.tz_convert(
        "Europe/Copenhagen"
    )
    hour = local.dt.hour + local.dt.minute / 60
    close = np.where(local.dt.dayofweek == 4, 15.5, 16.0)
    weekday = local.dt.dayofweek < 5
    return float(((hour < 8) | (hour >= close))[weekday].mean())


def test_users_answer_in_their_own_hours(demo_model: SimulationModel, demo_events: pd.DataFrame):
    """Replies come in the users' hours (7-17 in the demo), not only the desk's (8-16): some wait for the morning."""
    m = demo_model
    assert m.users_calendar is not None
    assert m.users_calendar.hours["mon"] == ((7.0, 17.0),)
    reply = next(
        t for t in m.transitions
        if t.source == "Waiting for user @ IT-service og support" and t.target == "Mail from user @ IT-service og support"
    )
    assert reply.clock == "users"
    # the automatic closure runs in the desk's own working days (a rule, not a user): it keeps the team's clock
    closure = [t for t in m.transitions if t.target.startswith("Closed @") and t.source.startswith("Resolved")]
    assert closure and all(t.clock == "working" for t in closure)
    real = _outside_desk_hours(demo_events, "Mail from user")  # about a quarter
    assert real > 0.15
    start = pd.Timestamp("2023-01-02", tz="UTC")
    sim = _outside_desk_hours(simulate(m, start=start, days=28, seed=3).events, "Mail from user")
    assert sim == pytest.approx(real, abs=0.08)
    # without the users' hours such delays run in the team's hours: only the replies learned in
    # elapsed time (a few evening ones) still come in after closing
    desk_only = m.model_copy(update={"users_calendar": None})
    assert _outside_desk_hours(simulate(desk_only, start=start, days=28, seed=3).events, "Mail from user") < real / 3


def _status_log_with_some_starts(n_cases: int = 400, seed: int = 1) -> pd.DataFrame:
    """First line (x0/x1) sets In progress, then another team (worker y0/y1) records Done 90 minutes
    later; for one Done in five a start is recorded 60 minutes after the hand-over (30 minutes of work)."""
    rng = np.random.default_rng(seed)
    rows = []
    t0 = pd.Timestamp("2024-01-01 07:00", tz="UTC")  # Monday 08:00 in Copenhagen
    for i in range(n_cases):
        pick = t0 + pd.Timedelta(days=7 * (i // 20) + (i % 20) // 4, hours=2 * (i % 4))
        late = rng.random() < 0.2
        rows.append((f"c{i:03d}", "New", pick - pd.Timedelta(minutes=5), pd.NaT, None, "X"))
        rows.append((f"c{i:03d}", "In progress", pick, pd.NaT, f"x{i % 2}", "X"))
        rows.append((f"c{i:03d}", "Done", pick + pd.Timedelta(minutes=90),
                     pick + pd.Timedelta(minutes=60) if late else pd.NaT, f"y{i % 2}", "Y"))
    return pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "start_timestamp", "resource", "team"])


def test_partial_start_events_are_used_wherever_a_worker_picks_a_case_up():
    """A fifth of one step's events carry a start (under the half that would make them that step's
    rule): where the step is picked up by a worker, each is used (before, that step had no work at all)."""
    log = _status_log_with_some_starts()
    late = log["start_timestamp"].notna()
    assert 0.0 < late.mean() < 0.5 and 0.0 < late[log["activity"] == "Done"].mean() < 0.5
    model = discover_model(
        log, name="partial", statuses=StatusMeanings(in_progress=("In progress",)),
        calendar=CalendarConfig(timezone="Europe/Copenhagen"),
    )
    assert model.estimation.start_times == "partial"
    assert any("used where a worker picks a case up" in n for n in model.estimation.notes)
    done = next(t for t in model.transitions if t.source == "In progress @ X" and t.target == "Done @ Y")
    share = late[log["activity"] == "Done"].mean()
    assert not done.same_worker
    assert duration_mean(done.work) == pytest.approx(share * 30 * 60, rel=0.05)  # ignoring the starts: 0
