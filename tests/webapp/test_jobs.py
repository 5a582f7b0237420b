"""The background job: one scenario against the baseline through the use cases, on a small generated log."""

from __future__ import annotations

import json

import pytest

from workbench.errors import ConfigError, ScenarioError
from workbench.webapp.jobs import job_spec, run_scenario_job

pytestmark = pytest.mark.slow

STAFF = {"name": "one more in IT-infrastruktur", "changes": [{"type": "staff", "team": "IT-infrastruktur", "add": 1}]}


def _spec(app_experiment, scenario=STAFF, **kwargs):  # type: ignore[no-untyped-def]
    path, outputs = app_experiment
    return job_spec(experiment=path, outputs=outputs, scenario=scenario, **{"replications": 3, "seed": 5, **kwargs})


def test_a_run_returns_the_comparison_the_audit_and_the_verdict_as_json(app_experiment) -> None:
    seen: list[tuple[float, str]] = []
    result = run_scenario_job(_spec(app_experiment, language="da"), lambda share, line: seen.append((share, line)))
    json.dumps(result, allow_nan=False)  # strict JSON, as the store keeps it
    kpis = {row["kpi"]: row for row in result["comparison"]}
    waiting = kpis["waiting_time_h"]
    assert waiting["ci_low"] <= waiting["difference"] <= waiting["ci_high"]
    assert waiting["difference"] < 0  # one more person in the slowest team: less queueing
    assert any(k.startswith("team_wait_h:IT-infrastruktur") for k in kpis)
    assert {row["audit"] for row in result["audit"]} == {"process"}
    assert result["verdict"]["level"] in ("good", "usable with care", "not usable")
    assert result["replications"] == 3 and result["scenario"]["name"] == STAFF["name"]
    shares = [s for s, _ in seen]
    assert shares == sorted(shares) and shares[-1] == 1.0
    assert any(line == "Replikation 3 af 3" for _, line in seen)
    # the experiment's refits (2 in the test experiment) put the model's uncertainty in the intervals
    assert result["refits"] == 2 and any(line == "Modellens usikkerhed: genberegning 2 af 2" for _, line in seen)
    assert all(row["ci_low"] <= row["noise_low"] + 1e-9 for row in result["comparison"] if row["noise_low"] is not None)


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others(app_experiment) -> None:
    def rows(seed: int) -> list[dict]:
        return run_scenario_job(_spec(app_experiment, seed=seed, replications=2), lambda *_: None)["comparison"]

    first = rows(11)
    assert rows(11) == first
    assert rows(12) != first


def test_a_bad_scenario_fails_with_the_command_lines_message(app_experiment) -> None:
    wrong_team = {"name": "x", "changes": [{"type": "staff", "team": "Nope", "add": 1}]}
    with pytest.raises(ScenarioError, match=r"scenario 'x', change 1 \(staff\): team 'Nope' does not exist in the "
                                            r"model; teams: 'BI-teamet'"):
        run_scenario_job(_spec(app_experiment, wrong_team), lambda *_: None)
    with pytest.raises(ConfigError, match=r"scenario 'x'.*add.*set"):
        run_scenario_job(_spec(app_experiment, {"name": "x", "changes": [{"type": "staff", "team": "A"}]}),
                         lambda *_: None)
    with pytest.raises(ConfigError, match=r"replications must be between 2 and 50, got 1"):
        run_scenario_job(_spec(app_experiment, replications=1), lambda *_: None)
    with pytest.raises(ConfigError, match=r"the run's spec lacks 'seed'"):
        run_scenario_job({k: v for k, v in _spec(app_experiment).items() if k != "seed"}, lambda *_: None)
