"""Staffing sweeps: targets, the curve, the bisection answer, and agreement with run_experiment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.compute.conftest import small_desk
from workbench.calendar import WorkingCalendar
from workbench.errors import ConfigError, ScenarioError
from workbench.simulation.engine import simulate
from workbench.simulation.experiment import run_experiment
from workbench.simulation.scenarios import Scenario
from workbench.sweeps import RoutingShare, SweepGrid, parse_target, run_sweep, smallest_staff
from workbench.sweeps.targets import hours_per_working_day, resolved_within

SETTINGS = {"replications": 3, "seed": 4, "days": 21.0, "warmup_days": 7.0}


def test_targets_parse_and_bad_ones_say_how_to_write_them():
    t = parse_target("resolved_within:2d>=0.9")
    assert (t.measure, t.op, t.value) == ("resolved_within:2d", ">=", 0.9)
    assert t.met_by(0.91) and not t.met_by(0.89) and not t.met_by(float("nan"))
    assert parse_target("cycle_time_p90_h <= 40").met_by(39.0)
    assert parse_target("team_wait_h:IT<=8").measure == "team_wait_h:IT"
    with pytest.raises(ConfigError, match="is not <measure>>=<value>"):
        parse_target("resolved within 2 days")
    with pytest.raises(ConfigError, match=r"resolved_within:<N>d \(working days\)"):
        parse_target("resolved_within:2w>=0.9")
    with pytest.raises(ConfigError, match="a share must be between 0 and 1, got 90"):
        parse_target("resolved_within:2d>=90")
    with pytest.raises(ConfigError, match="unknown measure 'speed'"):
        parse_target("speed>=3")


def test_resolved_within_counts_working_time_like_the_workbench_calendar():
    model = small_desk(staff=2)
    run = simulate(model, start="2024-01-01", days=21, seed=3, warmup_days=7, keep_events=False)
    assert hours_per_working_day(model.default_calendar) == 8.0
    c = run.cases
    w0 = (run.window_start - run.start).total_seconds()
    w1 = (run.window_end - run.start).total_seconds()
    inside = c[(c["arrival_s"] >= w0) & (c["arrival_s"] < w1)]
    cal = WorkingCalendar(timezone="Europe/Copenhagen")  # Mon-Fri 8-16, the desk's calendar
    arrival = run.start + pd.to_timedelta(inside["arrival_s"], unit="s")
    end = run.start + pd.to_timedelta(inside["end_s"], unit="s")
    hours = cal.working_hours_between(arrival.reset_index(drop=True), end.reset_index(drop=True))
    for h in (1.0, 2.0, 4.0, 8.0):
        expected = float(((hours <= h + 1e-6).to_numpy() & inside["finished"].to_numpy()).mean())
        assert resolved_within(run, model.default_calendar, h) == pytest.approx(expected)
    assert (
        0
        < resolved_within(run, model.default_calendar, 1.0)
        < resolved_within(run, model.default_calendar, 4.0)
    )


def test_a_sweep_point_has_the_numbers_of_run_experiments_scenario_arm():
    res = run_sweep(small_desk(), SweepGrid(team="IT", staff=(1, 3)), **SETTINGS)
    scenario = Scenario(name="three in IT", changes=[{"type": "staff", "team": "IT", "set": 3}])
    exp = run_experiment(small_desk(), scenario, **SETTINGS, n_jobs=1)
    mine = res.runs[(res.runs["staff"] == 3) & (res.runs["measure"] == "cycle_time_h")]["value"].to_numpy()
    theirs = exp.kpis[(exp.kpis["arm"] == "scenario") & (exp.kpis["kpi"] == "cycle_time_h")][
        "value"
    ].to_numpy()
    np.testing.assert_array_equal(mine, theirs)
    cycle = res.curve[res.curve["measure"] == "cycle_time_h"].set_index("staff")["mean"]
    assert cycle.loc[3] < cycle.loc[1]  # more staff, shorter cycle times


def test_the_same_seed_gives_the_same_curve_and_another_seed_another():
    grid = SweepGrid(team="IT", staff=(2,), volume=(1.0, 1.5))
    target = parse_target("resolved_within:1d>=0.5")
    a = run_sweep(small_desk(), grid, target=target, **SETTINGS)
    b = run_sweep(small_desk(), grid, target=target, **SETTINGS)
    c = run_sweep(small_desk(), grid, target=target, **{**SETTINGS, "seed": 5})
    pd.testing.assert_frame_equal(a.curve, b.curve)
    assert not a.runs["value"].equals(c.runs["value"])
    rows = a.curve[a.curve["measure"] == target.measure]
    assert list(rows["volume"]) == [1.0, 1.5] and rows["mean"].iloc[1] < rows["mean"].iloc[0]
    assert rows["meets"].dtype == "boolean" and (rows["ci_low"] <= rows["mean"]).all()


def test_bisection_finds_the_smallest_staff_of_the_full_grid_with_fewer_points():
    target = parse_target("resolved_within:1d>=0.9")
    grid = run_sweep(small_desk(), SweepGrid(team="IT", staff=tuple(range(1, 7))), target=target, **SETTINGS)
    rows = grid.curve[grid.curve["measure"] == target.measure]
    expected = int(rows[rows["meets"].astype(bool)]["staff"].min())
    answer = smallest_staff(small_desk(), team="IT", target=target, low=1, high=6, **SETTINGS)
    assert answer.staff == expected and 1 < expected < 6
    assert answer.sweep.settings["points"] < 6
    at = rows.set_index("staff").loc[expected]
    assert (answer.mean, answer.ci_low, answer.ci_high) == (at["mean"], at["ci_low"], at["ci_high"])
    never = smallest_staff(
        small_desk(), team="IT", target=parse_target("resolved_within:1h>=0.99"), low=1, high=2, **SETTINGS
    )
    assert never.staff is None and never.mean < 0.99


def test_bad_names_and_axes_are_refused_before_anything_runs():
    with pytest.raises(
        ScenarioError, match="team 'Backoffice' does not exist in the model; teams: 'IT', 'front'"
    ):
        run_sweep(small_desk(), SweepGrid(team="Backoffice", staff=(1, 2)), **SETTINGS)
    with pytest.raises(ScenarioError, match="activity 'Close' does not exist"):
        run_sweep(
            small_desk(), SweepGrid(routing=RoutingShare(at="Close", to="Fix", shares=(0.5,))), **SETTINGS
        )
    with pytest.raises(ConfigError, match="a staff sweep needs the team"):
        run_sweep(small_desk(), SweepGrid(staff=(1, 2)), **SETTINGS)
    with pytest.raises(ConfigError, match="team 'HR' is not in the model"):
        run_sweep(small_desk(), SweepGrid(), target=parse_target("utilisation:HR<=0.8"), **SETTINGS)
    with pytest.raises(ConfigError, match="volume factors must be positive"):
        run_sweep(small_desk(), SweepGrid(volume=(0.0,)), **SETTINGS)


def test_a_routing_share_axis_changes_the_load_on_the_team():
    grid = SweepGrid(routing=RoutingShare(at="Triage", to="Fix", shares=(0.3, 0.9)))
    res = run_sweep(small_desk(staff=3), grid, **SETTINGS)
    util = res.curve[res.curve["measure"] == "utilisation:IT"].set_index("routing_share")["mean"]
    assert util.loc[0.9] == pytest.approx(3 * util.loc[0.3], rel=0.25)  # three times the work at IT
