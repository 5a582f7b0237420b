"""The app's view of an experiment: configs and outputs read once per process, never recomputed by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.webapp.experiment import Experiment, open_experiment, verdict_from_dict

pytestmark = pytest.mark.slow  # the session's experiment runs the pipeline once (about 25 s)


def test_the_same_experiment_is_opened_once_per_process(app_experiment) -> None:
    path, outputs = app_experiment
    first = open_experiment(path, outputs)
    assert open_experiment(str(path), str(outputs)) is first
    assert first.events is first.events  # read once, then kept
    assert first.discovery is first.discovery


def test_the_outputs_are_read_as_the_pipeline_wrote_them(app_experiment) -> None:
    path, outputs = app_experiment
    e = open_experiment(path, outputs)
    events = pd.read_parquet(outputs / "load" / "events.parquet")
    assert len(e.events) == len(events)
    assert e.as_of == events["timestamp"].max()
    assert e.computed_at is not None
    assert set(e.choices.teams) == set(e.model.teams) and "IT-infrastruktur" in e.choices.teams
    assert "department" in e.choices.attributes and e.choices.can_route_directly
    assert e.verdict is not None and e.verdict.level in ("good", "usable with care", "not usable")
    assert [s.key for s in e.scenarios] == ["demo_add_infra_staff"]
    assert len(e.at_risk) > 0 and e.at_risk["predicted_end"].dt.tz is not None
    audit = e.audit
    assert audit is not None and set(audit.table["audit"]) >= {"historical", "model", "process"}
    # the answers are the use case's, on the clean log
    assert set(e.discovery.discovery.answers.results) >= {"team_speed", "routing", "reopens", "time_split"}


def test_a_missing_folder_or_stage_is_one_line(app_experiment, tmp_path: Path) -> None:
    path, outputs = app_experiment
    with pytest.raises(ConfigError, match=r"output folder '.*nowhere' does not exist; run 'workbench run"):
        Experiment(path, tmp_path / "nowhere")
    partial = tmp_path / "partial"
    shutil.copytree(outputs / "load", partial / "load")
    e = Experiment(path, partial)
    assert e.verdict is None and e.audit is None and e.scenarios == ()
    with pytest.raises(ConfigError, match=r"simulate/model.yaml' is missing: the 'simulate' stage has not run"):
        _ = e.model


def test_a_broken_verdict_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"the model's verdict is not readable"):
        verdict_from_dict({"level": "good"})
    v = verdict_from_dict({"level": "good", "checks": [{"name": "cycle_time", "figure": 0.1, "level": "good",
                                                        "detail": "d", "per_team": {"A": 0.2}}]})
    assert v.usable and v.checks[0].per_team == {"A": 0.2}
