"""Comparing scenarios with the model's own uncertainty in the intervals, as every front end does."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.compute import make_executor
from workbench.errors import ConfigError, ScenarioError
from workbench.simulation import Scenario
from workbench.simulation.uncertainty import BOTH
from workbench.simulation.verdict import Check, verdict_from_checks
from workbench.usecases import ModelUncertainty, compare_scenarios, learn_simulation_model, refused_comparison

SCENARIOS = [
    ("more", Scenario(name="more", changes=({"type": "volume", "factor": 1.3},))),
    ("staff", Scenario(name="staff", changes=({"type": "staff", "team": "IT-infrastruktur", "add": 1},))),
]


@pytest.mark.slow
def test_refits_widen_every_scenario_and_do_not_depend_on_the_executor(demo_events, demo_config):
    model = learn_simulation_model(demo_events, demo_config, calibrate=False)
    plain = compare_scenarios(model, SCENARIOS, replications=2, seed=1)
    uncertainty = ModelUncertainty(events=demo_events, log_config=demo_config, refits=2, calibrate=False)
    seen: list[tuple[str, int, int]] = []
    here = compare_scenarios(model, SCENARIOS, replications=2, seed=1, uncertainty=uncertainty,
                             progress=lambda name, done, total: seen.append((name, done, total)))
    with make_executor(kind="process-pool", workers=2) as pool:
        there = compare_scenarios(model, SCENARIOS, replications=2, seed=1, uncertainty=uncertainty, executor=pool)
    assert ("model uncertainty (refits)", 2, 2) in seen
    for p, h, t in zip(plain.outcomes, here.outcomes, there.outcomes, strict=True):
        pd.testing.assert_frame_equal(h.result.comparison, t.result.comparison)
        assert h.result.settings["interval"] == BOTH
        narrow = p.result.comparison.set_index("kpi")
        wide = h.result.comparison.set_index("kpi")
        assert (wide["difference"] == narrow["difference"]).all()  # the point estimate is unchanged
        assert (wide["ci_low"] <= narrow["ci_low"] + 1e-9).all() and (wide["ci_high"] >= narrow["ci_high"] - 1e-9).all()
        assert (wide["ci_high"] - wide["ci_low"]).sum() > (narrow["ci_high"] - narrow["ci_low"]).sum()


def test_one_refit_or_refits_with_replayed_cases_are_refused_before_any_run(demo_events, demo_config):
    model = learn_simulation_model(demo_events, demo_config, calibrate=False)
    with pytest.raises(ConfigError, match="at least 2"):
        compare_scenarios(model, SCENARIOS, replications=2, seed=1,
                          uncertainty=ModelUncertainty(events=demo_events, log_config=demo_config, refits=1))
    with pytest.raises(ConfigError, match="replay"):
        compare_scenarios(model, SCENARIOS, replications=2, seed=1, replay=demo_events,
                          uncertainty=ModelUncertainty(events=demo_events, log_config=demo_config, refits=2))


def test_a_refused_comparison_runs_nothing_but_still_checks_every_scenario(demo_events, demo_config):
    model = learn_simulation_model(demo_events, demo_config, calibrate=False)
    verdict = verdict_from_checks((Check("cycle_time", -1.0, "not usable", "mean 40 h simulated vs 110 h real"),))
    refused = refused_comparison(model, SCENARIOS, replications=2, seed=1, verdict=verdict)
    assert refused.refused and refused.outcomes == () and refused.verdict is verdict
    ghost = Scenario(name="ghost", changes=({"type": "staff", "team": "Ghostbusters", "add": 1},))
    with pytest.raises(ScenarioError, match="Ghostbusters"):
        refused_comparison(model, [("ghost", ghost)], replications=2, seed=1, verdict=verdict)
