from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.simulation import run_kpis, simulate
from workbench.simulation.model import PriorityRule, SimulationModel
from workbench.simulation.scenarios import Scenario, apply_scenario

START = "2024-01-01"


def _run(model: SimulationModel, seed: int = 1, days: float = 28, **kw):
    return simulate(model, start=START, days=days, seed=seed, **kw)


def _max_concurrency(events: pd.DataFrame) -> pd.Series:
    out = {}
    for team, g in events.groupby("team"):
        times = np.r_[
            g["start_timestamp"].astype("int64").to_numpy(), g["timestamp"].astype("int64").to_numpy()
        ]
        delta = np.r_[np.ones(len(g)), -np.ones(len(g))]
        order = np.lexsort((delta, times))
        out[team] = int(np.cumsum(delta[order]).max())
    return pd.Series(out)


def test_simulated_log_is_canonical_and_respects_capacity(toy_model: SimulationModel):
    run = _run(toy_model)
    ev = run.events
    assert list(ev.columns[:7]) == [
        "case_id",
        "activity",
        "timestamp",
        "start_timestamp",
        "resource",
        "team",
        "lifecycle",
    ]
    assert "dept" in ev.columns and str(ev["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert (ev["start_timestamp"] <= ev["timestamp"]).all()
    assert run.activity_instances == len(ev) > 500
    conc = _max_concurrency(ev)
    assert conc["front"] <= 2 and conc["back"] <= 1
    assert ev.groupby("team")["resource"].nunique().to_dict() == {"back": 1, "front": 2}


def test_work_happens_only_within_the_calendar(toy_model: SimulationModel):
    ev = _run(toy_model).events
    work = ev[ev["timestamp"] > ev["start_timestamp"]]
    local_start = work["start_timestamp"].dt.tz_convert("Europe/Copenhagen")
    assert local_start.dt.dayofweek.max() <= 4
    assert local_start.dt.hour.between(8, 15).all()
    # a step may pause overnight, but it never ends outside working hours
    end = work["timestamp"].dt.tz_convert("Europe/Copenhagen")
    assert ((end.dt.hour >= 8) & ((end.dt.hour < 16) | ((end.dt.hour == 16) & (end.dt.minute == 0)))).all()


def test_same_seed_same_run_other_seed_other_run(toy_model: SimulationModel):
    a, b, c = _run(toy_model, seed=5), _run(toy_model, seed=5), _run(toy_model, seed=6)
    pd.testing.assert_frame_equal(a.events, b.events)
    assert not a.cases["cycle_time_h"].equals(c.cases["cycle_time_h"])


def test_common_random_numbers_keep_arrivals_and_attributes_across_arms(toy_model: SimulationModel):
    more_staff = apply_scenario(
        toy_model, Scenario(name="s", changes=[{"type": "staff", "team": "back", "add": 2}])
    )
    base_run, scen_run = _run(toy_model, seed=3), _run(more_staff, seed=3)
    base, scen = _period(base_run), _period(scen_run)  # the cool-down after the period differs by arm
    pd.testing.assert_series_equal(base["arrival"], scen["arrival"])
    pd.testing.assert_series_equal(base["dept"], scen["dept"])
    assert scen["queue_h"].mean() < base["queue_h"].mean()
    # a volume increase keeps every baseline case and adds new ones
    up = apply_scenario(toy_model, Scenario(name="v", changes=[{"type": "volume", "factor": 1.5}]))
    grown = _period(_run(up, seed=3))
    kept = grown[~grown["extra"]]
    assert kept["arrival"].tolist() == base["arrival"].tolist()
    assert len(grown) == pytest.approx(1.5 * len(base), rel=0.1)


def _period(run) -> pd.DataFrame:
    return run.cases[run.cases["arrival"] < run.window_end].reset_index(drop=True)


def test_cases_keep_arriving_after_the_period_until_its_last_case_is_done(toy_model: SimulationModel):
    run = _run(toy_model, seed=3)
    after = run.cases[run.cases["arrival"] >= run.window_end]
    inside = _period(run)
    assert len(after) > 0  # the desk does not empty at the period's end
    assert after["arrival"].min() <= inside["end"].max()  # ... while a case of the period is still open
    assert after["arrival"].max() <= inside["end"].max() + pd.Timedelta(minutes=1)  # then nobody comes
    # the KPIs are those of the period's cases
    kpis, _ = run_kpis(run)
    assert kpis.set_index("kpi").loc["resolution_time_h", "n_cases"] == inside["finished"].sum()
    without = _run(toy_model, seed=3, cooldown_days=0)
    assert (without.cases["arrival"] < without.window_end).all()


def test_queue_priority_serves_a_group_first(toy_model: SimulationModel):
    busy = toy_model.model_copy(update={"arrivals": toy_model.arrivals.model_copy(update={"scale": 1.6})})
    b_first = busy.model_copy(
        update={"priority_rules": (PriorityRule(attribute="dept", value="A", rank_offset=5),)}
    )
    cases = _run(b_first, seed=2).cases
    waits = cases.groupby("dept")["queue_h"].mean()
    assert waits["A"] > 2 * waits["B"]


def test_fixed_number_of_cases_and_bad_arguments(toy_model: SimulationModel):
    assert len(_run(toy_model, n_cases=50).cases) == 50
    with pytest.raises(ValueError, match="warmup_days must be in"):
        _run(toy_model, warmup_days=30)
    with pytest.raises(ValueError, match="days must be positive"):
        _run(toy_model, days=0)
