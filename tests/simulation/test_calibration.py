"""Capacity calibrated to the log's own waiting; intervals from bootstrap refits."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.simulation import Scenario, estimate_effect
from workbench.simulation.calibration import calibrate_capacity, scale_team_work
from workbench.simulation.distributions import duration_mean
from workbench.simulation.uncertainty import resample_cases


def test_scaling_a_teams_work_scales_only_that_team(demo_model):
    scaled = scale_team_work(demo_model, {"IT-infrastruktur": 2.0})
    for name, act in demo_model.activities.items():
        if act.work is None or duration_mean(act.work) <= 0:
            continue
        ratio = duration_mean(scaled.activities[name].work) / duration_mean(act.work)
        expected = 2.0 if act.team == "IT-infrastruktur" and act.uses_staff else 1.0
        assert ratio == pytest.approx(expected, rel=1e-6), name


def test_resampled_cases_keep_the_log_size_and_copies_are_cases_of_their_own(demo_events):
    sample = resample_cases(demo_events, 1)
    n = demo_events["case_id"].nunique()
    assert sample["case_id"].nunique() == n
    assert sample["case_id"].astype(str).str.contains("#2").any()
    again = resample_cases(demo_events, 1)
    assert sample["case_id"].tolist() == again["case_id"].tolist()


@pytest.mark.slow
def test_a_team_with_too_much_work_is_calibrated_back(demo_model, demo_events):
    wrong = scale_team_work(demo_model, {"IT-infrastruktur": 1.9})
    fixed = calibrate_capacity(wrong, demo_events, seed=0)
    note = fixed.teams["IT-infrastruktur"].note
    assert "capacity calibrated: work x" in note
    factor = float(note.split("capacity calibrated: work x")[1].split()[0])
    assert factor < 0.9  # the overloaded team's work is scaled back towards what the log shows


@pytest.mark.slow
def test_bootstrap_interval_is_at_least_the_noise_interval_and_reproducible(demo_events, demo_config):
    scenario = Scenario(name="more", changes=({"type": "volume", "factor": 1.2},))
    kw = dict(config=demo_config, refits=2, replications=2, seed=5, calibrate=False)
    a = estimate_effect(demo_events, scenario, **kw)
    row = a.comparison.set_index("kpi").loc["resolution_time_h"]
    assert row["ci_low"] <= row["noise_low"] + 1e-9 and row["ci_high"] >= row["noise_high"] - 1e-9
    b = estimate_effect(demo_events, scenario, **kw)
    assert np.allclose(a.comparison["ci_low"], b.comparison["ci_low"], equal_nan=True)


def test_a_model_with_no_queue_to_compare_says_why_it_was_not_calibrated(demo_model, demo_events):
    from workbench.simulation import calibration_note

    assert calibration_note(demo_model) is None  # never calibrated
    few = demo_events[demo_events["case_id"].isin(demo_events["case_id"].unique()[:5])]
    same = calibrate_capacity(demo_model, few, seed=0)
    assert {t: s.staff for t, s in same.teams.items()} == {t: s.staff for t, s in demo_model.teams.items()}
    assert calibration_note(same) == (
        "capacity not calibrated: no team has 20 pick-ups from a queue in the log to compare the simulated waiting with"
    )


@pytest.mark.parametrize(("pattern", "calibrated"), [("some weeks", False), ("every week", True)])
def test_a_gap_only_some_weeks_make_is_left_alone(demo_model, demo_events, monkeypatch, pattern, calibrated):
    from workbench.simulation import calibration
    from workbench.simulation._checks import pickup_waits
    from workbench.simulation.experiment import historical_cases

    waits = pickup_waits(demo_events, demo_model, use_starts=False)
    real = waits.groupby("team")["wait_h"].mean()
    start = historical_cases(demo_events, demo_model)["arrival"].min().floor("D")
    weeks = calibration._period_means(waits, start)
    assert weeks.groupby(level="team").size().max() >= 7  # enough weeks for a persistent gap to show
    week_no = weeks.index.get_level_values("period").to_numpy()
    # the replays wait 2.5x the log's over the whole log; either in every week, or in alternate weeks
    # (long in some, short in the others: the log's own luck)
    factor = np.full(len(weeks), 2.5) if pattern == "every week" else np.where(week_no % 2 == 0, 4.0, 0.5)
    calls = []

    def replayed(model, replay, seed, use_starts, replays):
        calls.append(1)  # once scaled, the replays wait as the log does
        if len(calls) == 1:
            return real * 2.5 + 1.0, (weeks + 0.5) * factor
        return real, weeks

    monkeypatch.setattr(calibration, "_replayed_waits", replayed)
    result = calibrate_capacity(demo_model, demo_events, seed=0)
    note = calibration.calibration_note(result)
    assert note is not None
    assert note.startswith("capacity calibrated") is calibrated
    if not calibrated:
        assert "too few of the log's weeks" in note
