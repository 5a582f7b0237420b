from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.errors import ScenarioError
from workbench.simulation.experiment import (
    NEAR_FULL,
    default_period,
    mean_ci,
    near_full_teams,
    paired_ci,
    replication_executor,
    run_experiment,
    simulated_period,
)
from workbench.simulation.model import SimulationModel
from workbench.simulation.scenarios import Scenario


def test_paired_ci_is_the_t_interval_of_the_differences():
    base = np.array([10.0, 12.0, 11.0, 13.0, 9.0])
    scen = np.array([8.0, 11.5, 9.0, 12.0, 8.5])
    d = scen - base
    mean, lo, hi = paired_ci(base, scen)
    half = stats.t.ppf(0.975, 4) * d.std(ddof=1) / np.sqrt(5)
    assert (mean, lo, hi) == pytest.approx((d.mean(), d.mean() - half, d.mean() + half))
    assert np.isnan(paired_ci([1.0], [2.0])[1])


def test_experiment_reports_paired_effects_and_group_kpis(toy_model: SimulationModel):
    scenario = Scenario(name="more back office", changes=[{"type": "staff", "team": "back", "add": 1}])
    res = run_experiment(toy_model, scenario, replications=3, seed=4, days=28, warmup_days=7)
    assert list(res.kpis.columns) == ["replication", "arm", "kpi", "value", "n_cases"]
    assert list(res.group_kpis.columns) == [
        "replication",
        "arm",
        "attribute",
        "group",
        "kpi",
        "value",
        "n_cases",
    ]
    assert set(res.group_kpis["arm"]) == {"baseline", "scenario"} and set(res.group_kpis["group"]) == {
        "A",
        "B",
    }
    assert {"cycle_time_h", "waiting_time_h", "waiting_on_user_h"} <= set(res.group_kpis["kpi"])
    row = res.comparison.set_index("kpi").loc["team_wait_h:back"]
    assert row["difference"] < 0 and row["ci_high"] < 0  # more staff, shorter queues, and the CI says so
    util = res.comparison.set_index("kpi").loc["utilisation:back"]
    assert util["scenario"] == pytest.approx(util["baseline"] / 2, rel=0.15)
    again = run_experiment(toy_model, scenario, replications=3, seed=4, days=28, warmup_days=7)
    assert again.kpis.equals(res.kpis)


def test_no_scenario_gives_zero_differences_and_bad_groups_are_refused(toy_model: SimulationModel):
    res = run_experiment(toy_model, None, replications=2, seed=1, days=14, warmup_days=0)
    assert (res.comparison["difference"].fillna(0) == 0).all()
    with pytest.raises(ScenarioError, match="group attribute 'region' is not a case attribute"):
        run_experiment(toy_model, None, replications=2, group_attributes=["region"], days=14)


@pytest.mark.slow
def test_parallel_replications_give_the_same_numbers(toy_model: SimulationModel):
    scenario = Scenario(name="v", changes=[{"type": "volume", "factor": 1.1}])
    serial = run_experiment(toy_model, scenario, replications=2, seed=9, days=14, warmup_days=0, n_jobs=1)
    parallel = run_experiment(toy_model, scenario, replications=2, seed=9, days=14, warmup_days=0, n_jobs=2)
    assert serial.kpis.equals(parallel.kpis)


def test_replaying_the_log_keeps_its_arrivals_and_attributes(demo_model: SimulationModel, demo_events):
    from workbench.simulation import historical_cases, simulate

    cases = historical_cases(demo_events, demo_model)
    assert list(cases.columns[:2]) == ["case_id", "arrival"] and "department" in cases.columns
    run = simulate(demo_model, start="2023-01-02", days=49, seed=2, replay=cases, keep_events=False)
    inside = cases[cases["arrival"] >= run.start]
    assert run.cases["arrival"].tolist() == inside["arrival"].tolist()
    assert run.cases["department"].tolist() == inside["department"].tolist()


def test_the_simulated_period_defaults_to_the_learned_one_and_refuses_a_warmup_that_does_not_fit(
    toy_model: SimulationModel,
):
    start, days = default_period(toy_model)
    assert simulated_period(toy_model, start=None, days=None, warmup_days=7) == (start, days)
    naive, _ = simulated_period(toy_model, start="2024-03-04 08:00", days=10, warmup_days=0)
    assert naive == pd.Timestamp("2024-03-04 08:00", tz="UTC")
    with pytest.raises(ScenarioError, match=r"warmup_days must be in \[0, days\), got 10 with days=10"):
        simulated_period(toy_model, start=None, days=10, warmup_days=10)


def test_replications_run_on_the_given_executor_or_on_n_jobs_workers():
    from workbench.compute import InProcessExecutor

    given = InProcessExecutor()
    assert replication_executor(given, n_jobs=4) is given
    assert isinstance(replication_executor(None, n_jobs=1), InProcessExecutor)


def test_mean_ci_leaves_out_missing_values_and_needs_two_for_an_interval():
    values = np.array([1.0, 2.0, np.nan, 4.0])
    mean, lo, hi = mean_ci(values)
    half = stats.t.ppf(0.975, 2) * np.std([1.0, 2.0, 4.0], ddof=1) / np.sqrt(3)
    assert (mean, lo, hi) == pytest.approx((7 / 3, 7 / 3 - half, 7 / 3 + half))
    assert mean_ci([5.0])[0] == 5.0 and np.isnan(mean_ci([5.0])[1])
    assert all(np.isnan(x) for x in mean_ci([np.nan]))


def test_a_change_that_moves_a_team_near_full_load_says_so(toy_model: SimulationModel):
    # the toy's back office (one person) is busy about 93% of its working time
    def near_full(changes):
        res = run_experiment(toy_model, Scenario(name="x", changes=changes), replications=3, seed=4, days=28,
                             warmup_days=7)
        return [c for c in res.settings["cautions"] if c["kind"] == "near_full"], res.settings["notes"]

    rows, notes = near_full([{"type": "volume", "factor": 1.2}])
    assert [r["team"] for r in rows] == ["back"] and NEAR_FULL <= rows[0]["today"] < rows[0]["changed"]
    assert any(n.startswith("back is busy 93% of its working time today and 99% with the change.") for n in notes)
    rows, _ = near_full([{"type": "staff", "team": "back", "add": 1}])  # from full load: the size is as uncertain
    assert [r["team"] for r in rows] == ["back"] and rows[0]["changed"] < 0.5
    rows, notes = near_full([{"type": "staff", "team": "front", "add": 1}])  # the full team's queue is not touched
    assert rows == [] and not any("busy" in n for n in notes)


def test_near_full_teams_needs_full_load_and_a_move():
    kpis = pd.DataFrame({
        "replication": [0, 0, 1, 1] * 3,
        "arm": ["baseline", "scenario"] * 6,
        "kpi": ["utilisation:a"] * 4 + ["utilisation:b"] * 4 + ["cycle_time_h"] * 4,
        "value": [0.80, 0.86, 0.84, 0.88, 0.90, 0.905, 0.90, 0.90, 5.0, 9.0, 5.0, 9.0],
        "n_cases": 1,
    })
    assert near_full_teams(kpis) == [{"kind": "near_full", "team": "a", "today": 0.82, "changed": 0.87}]
    assert near_full_teams(kpis[kpis["kpi"] == "cycle_time_h"]) == []
