"""The typed pipeline: a stage whose input is missing is one config line before anything runs;
a stopped run says so in run_state.json."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pipeline.conftest import REPO, write_experiment
from workbench.cli import run as cli_run
from workbench.errors import ConfigError
from workbench.io.outputs import OutputFolder
from workbench.pipeline import check_plan
from workbench.pipeline.runner import RunContext, Stage, run_stages, sigterm_as_interrupt
from workbench.pipeline.stages import STAGES


def test_predict_without_a_model_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_experiment(tmp_path, stages=["load", "predict"])
    assert cli_run(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == ("error: stage 'predict' needs a trained model: add 'train' or set model: <registered name>\n")
    assert not (tmp_path / "out").exists()  # nothing ran, nothing was written


def test_a_stage_before_load_names_the_missing_log() -> None:
    with pytest.raises(ConfigError, match=r"^stage 'discover' needs the loaded log: add 'load' before it$"):
        check_plan([STAGES["discover"], STAGES["load"]])


def test_a_registered_model_or_train_satisfies_predict() -> None:
    check_plan([STAGES[s] for s in ("load", "train", "predict")])
    check_plan([STAGES[s] for s in ("load", "predict")], provided=("models",))
    check_plan([STAGES[s] for s in ("load", "audit", "report")])


def test_the_model_key_parses_one_name_or_many(tmp_path: Path) -> None:
    from workbench.pipeline import load_experiment

    path = write_experiment(tmp_path, stages=["load", "predict"])
    path.write_text(path.read_text(encoding="utf-8") + "model: demo-duration\n", encoding="utf-8")
    assert load_experiment(path).model == ("demo-duration",)


def _stopping_stage(ctx: RunContext) -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)  # the handler raises before this ends


def test_sigterm_during_a_stage_marks_the_run_interrupted(tmp_path: Path) -> None:
    folder = OutputFolder.open(tmp_path / "out")
    stages = [Stage("first", "First", lambda ctx: None), Stage("slow", "Slow", _stopping_stage)]
    interrupted: list[str] = []
    with pytest.raises(KeyboardInterrupt), sigterm_as_interrupt():
        run_stages(stages, RunContext(folder=folder, inputs=None), on_interrupt=interrupted.append)
    state = json.loads((tmp_path / "out" / "run_state.json").read_text(encoding="utf-8"))
    assert state["status"] == "interrupted"
    assert state["stages"]["first"]["status"] == "done" and state["stages"]["slow"]["status"] == "interrupted"
    assert interrupted == ["slow"]
    assert signal.getsignal(signal.SIGTERM) is not None  # the previous handler is back


def test_ctrl_c_marks_the_run_interrupted(tmp_path: Path) -> None:
    def stop(ctx: RunContext) -> None:
        raise KeyboardInterrupt

    folder = OutputFolder.open(tmp_path / "out")
    with pytest.raises(KeyboardInterrupt):
        run_stages([Stage("stop", "Stop", stop)], RunContext(folder=folder, inputs=None))
    state = json.loads((tmp_path / "out" / "run_state.json").read_text(encoding="utf-8"))
    assert state == {"stages": {"stop": {"status": "interrupted", "seconds": state["stages"]["stop"]["seconds"]}},
                     "status": "interrupted"}


@pytest.mark.slow
def test_workbench_run_stopped_with_sigterm_says_interrupted(tmp_path: Path) -> None:
    """The real command: SIGTERM while it simulates; exit 130 and run_state.json says interrupted."""
    path = write_experiment(tmp_path, days=30, stages=["load", "simulate"])
    text = path.read_text(encoding="utf-8").replace("replications: 2", "replications: 200")
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "WORKBENCH_SECRET": "test-secret-key-for-the-workbench-suite-0123456789"}
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "run", str(path)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state_path = tmp_path / "out" / "run_state.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if state_path.exists() and '"simulate": {\n      "status": "running"' in state_path.read_text(encoding="utf-8"):
            break
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (proc.returncode, err[-3000:], out[-1000:])  # all of it, if it ever fails again
    state = json.loads(state_path.read_text(encoding="utf-8"))
    assert state["status"] == "interrupted" and state["stages"]["simulate"]["status"] == "interrupted"
    assert state["stages"]["load"]["status"] == "done"
    assert "interrupted" in err and "[2/2] What-if scenarios" in out


@pytest.mark.slow
def test_predict_and_audit_with_a_registered_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`model: <registered name>` lets predict (and audit) run without train in the same run."""
    import yaml

    from tests.pipeline.conftest import run
    from workbench.pipeline import load_experiment

    monkeypatch.setenv("WORKBENCH_SECRET", "test-secret-key-for-the-workbench-suite-0123456789")
    path = write_experiment(tmp_path, days=45, stages=["load", "train"])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["training"]["configs"] = data["training"]["configs"][:1]  # demo-duration
    data["training"]["trials"] = 1
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    run(load_experiment(path), generated_at="x")
    data.update(stages=["load", "predict", "audit"], model="demo-duration", output=str(tmp_path / "out2"))
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    results = run(load_experiment(path), generated_at="x").results
    assert results.models is None and results.scores is not None
    assert [m.name for m in results.scores.models] == ["demo-duration"]
    assert len(results.scores.at_risk) > 0 and (tmp_path / "out2" / "predict" / "at_risk.csv").exists()
    assert results.audit is not None and results.audit.kinds == ("historical", "model")


def test_the_time_left_comes_from_an_earlier_runs_durations_only(tmp_path: Path) -> None:
    """How fast a log reads says nothing about how long its what-ifs take: no estimate on a first run,
    the last run's durations at once on the next."""
    stages = [Stage("read", "Read", lambda ctx: None), Stage("map", "Map", lambda ctx: None),
              Stage("simulate", "Simulate", lambda ctx: None), Stage("train", "Train", lambda ctx: None)]

    def heads(expected: dict[str, float] | None = None) -> list[str]:
        lines: list[str] = []
        folder = OutputFolder.open(tmp_path / "out", force=True)
        run_stages(stages, RunContext(folder=folder, inputs=None, progress=lines.append), expected_seconds=expected)
        return [line for line in lines if line.startswith("[")]

    assert heads() == ["[1/4] Read", "[2/4] Map", "[3/4] Simulate", "[4/4] Train"]
    again = heads({"read": 1.0, "map": 1.0, "simulate": 1800.0, "train": 60.0})
    assert again[0] == "[1/4] Read, about 31.0 min left" and again[2] == "[3/4] Simulate, about 31.0 min left"
    assert heads({"read": 1.0})[0] == "[1/4] Read"  # durations of some stages only: no guess
