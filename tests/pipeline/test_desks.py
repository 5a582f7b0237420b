"""A desks experiment: many logs, each analysed on its own, side by side; its config errors are one line."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.pipeline.conftest import DESKS, desk_run, write_desks
from workbench.cli import run as cli_run
from workbench.compute import InProcessExecutor, ProcessPoolExecutor
from workbench.errors import ConfigError
from workbench.pipeline import load_experiment, parse_inputs


def _edit(path: Path, **changes: object) -> Path:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del data[key]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_desks_experiment_runs_the_desks_stage_under_the_desks_names(tmp_path: Path) -> None:
    experiment = load_experiment(write_desks(tmp_path, DESKS))
    assert experiment.stages == ("desks",) and experiment.log is None
    inputs = parse_inputs(experiment)
    assert [c.name for c in inputs.desks] == ["Aarhus", "Odense", "Læsø"]
    assert [c.source.seed for c in inputs.desks] == [1, 2, 3]
    with pytest.raises(ConfigError, match="names desks, not one log"):
        _ = inputs.log


def test_a_glob_names_each_desk_by_its_log_config(tmp_path: Path) -> None:
    path = _edit(write_desks(tmp_path, DESKS), desks="desk_*.yaml")
    inputs = parse_inputs(load_experiment(path))
    assert [c.name for c in inputs.desks] == ["log-1", "log-2", "log-3"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"desks": [{"name": "Aarhus", "log": "desk_1.yaml"}, {"name": "Aarhus", "log": "desk_2.yaml"}]},
         r"two desks are both named 'Aarhus'; give every desk its own name"),
        ({"desks": ["desk_1.yaml", {"name": "log-1", "log": "desk_2.yaml"}]},
         r"two desks are both named 'log-1' \(.*desk_1.yaml, .*desk_2.yaml\)"),
        ({"desks": [{"name": "Aarhus", "log": "desk_1.yaml"}, {"name": "Vejle", "log": "nowhere.yaml"}]},
         r"desk 'Vejle': log config '.*nowhere.yaml' does not exist; check the path in 'desks'"),
        ({"desks": "kommuner/*.yaml"}, r"desks pattern 'kommuner/\*.yaml' matches no log config"),
        ({"log": "desk_1.yaml"}, r"name either 'log' \(one desk\) or 'desks' \(many desks\), not both"),
        ({"desks": None}, r"name the log to analyse"),
        ({"stages": ["load", "discover"]}, r"stage 'load' analyses one log, but this experiment names desks"),
        ({"stages": ["desks", "tally"]}, r"unknown stage\(s\) \['tally'\]"),
    ],
    ids=["same-name", "same-log-name", "missing-log", "empty-glob", "log-and-desks", "neither", "one-log-stage",
         "unknown-stage"],
)
def test_config_errors_are_one_line_and_exit_2_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], changes: dict, message: str
) -> None:
    path = _edit(write_desks(tmp_path, DESKS), **changes)
    with pytest.raises(ConfigError, match=message):
        parse_inputs(load_experiment(path))
    assert cli_run(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err) and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()  # nothing ran, nothing was written


def test_the_desks_stage_needs_desks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _edit(write_desks(tmp_path, DESKS), desks=None, log="desk_1.yaml", stages=["load", "desks"])
    assert cli_run(["run", str(path)]) == 2
    assert "stage 'desks' needs the desks to compare" in capsys.readouterr().err


@pytest.mark.slow
def test_the_same_numbers_in_process_and_in_a_process_pool(tmp_path: Path) -> None:
    here = desk_run(tmp_path / "here", InProcessExecutor())
    pool = desk_run(tmp_path / "pool", ProcessPoolExecutor(2))
    pd.testing.assert_frame_equal(here, pool)
    desk = here[here["question"] == "desk"].set_index("metric")
    assert desk.loc["cases", "Aarhus"] > desk.loc["cases", "Odense"] > 100
    assert {"team_speed", "routing", "reopens", "time_split"} <= set(here["question"])
