"""The model's own uncertainty: refits on bootstrap resamples, shared by every scenario of a run."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.simulation import Scenario, run_experiment
from workbench.simulation.uncertainty import BOTH, refit_effects, with_model_uncertainty

MORE = Scenario(name="more", changes=({"type": "volume", "factor": 1.3},))
STAFF = Scenario(name="staff", changes=({"type": "staff", "team": "IT-infrastruktur", "add": 1},))


@pytest.mark.slow
def test_refits_shared_by_two_scenarios_give_each_the_numbers_of_its_own_refits(demo_events, demo_config, demo_model):
    base = run_experiment(demo_model, MORE, replications=2, seed=3)
    kw = dict(model=demo_model, config=demo_config, refits=2, seed=3, replications=2, start=base.settings["start"],
              days=base.settings["days"], calibrate=False)
    both = refit_effects(demo_events, [MORE, STAFF], **kw)
    alone = refit_effects(demo_events, [STAFF], **kw)
    assert len(both) == 2 and set(both[0]["refit"]) == {0, 1}
    pd.testing.assert_frame_equal(both[1], alone[0])
    assert not both[0]["difference"].equals(both[1]["difference"])  # the scenarios really differ

    widened = with_model_uncertainty(base, both[0], 2)
    row = widened.comparison.set_index("kpi").loc["resolution_time_h"]
    noise = base.comparison.set_index("kpi").loc["resolution_time_h"]
    assert row["difference"] == noise["difference"]  # the point estimate stays the whole-log model's
    assert (row["noise_low"], row["noise_high"]) == (noise["ci_low"], noise["ci_high"])
    assert row["ci_low"] <= noise["ci_low"] and row["ci_high"] >= noise["ci_high"]
    assert row["refit_sd"] > 0 and widened.settings["interval"] == BOTH and widened.settings["refits"] == 2
    refit_rows = both[0][both[0]["kpi"] == "resolution_time_h"]["difference"]
    assert row["refit_mean"] == pytest.approx(refit_rows.mean())  # kept beside the point, not in it


@pytest.mark.slow
def test_a_team_with_no_case_in_a_resample_is_kept_idle_in_that_refit(demo_events, demo_config, demo_model):
    """BPIC 2013's pipeline failed in its refits: a support group with a handful of incidents had none in a
    bootstrap resample, and the headcount carried over from the whole log named a team with no work."""
    from workbench.errors import ConfigError
    from workbench.simulation import discover_model

    with pytest.raises(ConfigError, match="staff given for team 'Ghost', which does not do any work in the log"):
        discover_model(demo_events, config=demo_config, staff={"Ghost": 2})  # a misspelt team stays an error
    ghost = demo_model.model_copy(update={"teams": {**demo_model.teams, "Ghost": demo_model.teams["IT-infrastruktur"]}})
    base = run_experiment(ghost, MORE, replications=2, seed=3)
    hire = Scenario(name="hire a ghost", changes=({"type": "staff", "team": "Ghost", "add": 1},))
    (effects,) = refit_effects(demo_events, [hire], model=ghost, config=demo_config, refits=2, seed=3, replications=2,
                               start=base.settings["start"], days=base.settings["days"], calibrate=False)
    assert set(effects["refit"]) == {0, 1}
    assert (effects["difference"] == 0).all()  # one more person in a team with no work changes nothing
