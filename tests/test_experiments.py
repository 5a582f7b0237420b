"""Every experiment under experiments/ is checked: its configs parse and its plan holds; the demo
experiment runs end to end on a small generated log (the other experiments read real logs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
EXPERIMENTS = sorted((REPO / "experiments").glob("*.yaml"))


def test_there_are_experiments() -> None:
    assert {p.name for p in EXPERIMENTS} >= {"demo.yaml", "helpdesk.yaml", "bpic2013_incidents.yaml",
                                             "desks_demo.yaml"}


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_every_experiment_parses_once_and_its_plan_holds(path: Path) -> None:
    from workbench.pipeline import check_plan, load_experiment, parse_inputs
    from workbench.pipeline.stages import STAGES

    experiment = load_experiment(path)
    inputs = parse_inputs(experiment)
    provided = ("models",) * bool(experiment.model) + ("desk_logs",) * bool(inputs.desks)
    check_plan([STAGES[s] for s in experiment.stages], provided=provided)
    assert len(inputs.scenarios) == len(experiment.simulation.scenarios)
    assert len(inputs.trainings) == len(experiment.training.configs)


def _shrunk(path: Path, folder: Path) -> Path:
    """A copy of an experiment on a short demo log, with few replications, trials and bootstrap replicates."""
    from workbench.pipeline import load_experiment

    exp = load_experiment(path)
    log = yaml.safe_load(Path(exp.log).read_text(encoding="utf-8"))
    assert log["source"]["kind"] == "demo"
    log["source"]["days"] = 45
    (folder / "log.yaml").write_text(yaml.safe_dump(log, allow_unicode=True), encoding="utf-8")
    trainings = []
    for i, config in enumerate(exp.training.configs):
        data = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
        data["log"] = str(folder / "log.yaml")
        trainings.append(folder / f"training_{i}.yaml")
        trainings[-1].write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    audit = yaml.safe_load(Path(exp.audit).read_text(encoding="utf-8")) if exp.audit else None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(
        log=str(folder / "log.yaml"), output=str(folder / "out"), mlflow_uri=f"sqlite:///{folder / 'mlruns.db'}",
        rules=str(exp.rules) if exp.rules else None,
        simulation={"scenarios": [str(p) for p in exp.simulation.scenarios], "replications": 2, "n_jobs": 1},
        training={"configs": [str(p) for p in trainings], "trials": 1},
    )
    if audit is not None:
        audit.update(log=str(folder / "log.yaml"), replicates=20)
        (folder / "audit.yaml").write_text(yaml.safe_dump(audit, allow_unicode=True), encoding="utf-8")
        data["audit"] = str(folder / "audit.yaml")
    out = folder / "experiment.yaml"
    out.write_text(yaml.safe_dump({k: v for k, v in data.items() if v is not None}, allow_unicode=True),
                   encoding="utf-8")
    return out


@pytest.mark.slow
def test_the_demo_experiment_runs_on_a_small_generated_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.cli import run as cli_run

    monkeypatch.setenv("WORKBENCH_SECRET", "test-secret-key-for-the-workbench-suite-0123456789")
    path = _shrunk(REPO / "experiments" / "demo.yaml", tmp_path)
    assert cli_run(["run", str(path)]) == 0
    state = json.loads((tmp_path / "out" / "run_state.json").read_text(encoding="utf-8"))
    assert state["status"] == "done" and list(state["stages"]) == [
        "load", "discover", "simulate", "train", "predict", "audit", "report"]
    assert (tmp_path / "out" / "report" / "report.html").exists()


@pytest.mark.slow
def test_the_desks_demo_compares_its_generated_desks(tmp_path: Path) -> None:
    import pandas as pd

    from workbench.cli import run as cli_run

    assert cli_run(["run", str(REPO / "experiments" / "desks_demo.yaml"), "--out", str(tmp_path / "out")]) == 0
    out = tmp_path / "out" / "desks"
    table = pd.read_csv(out / "desks_comparison.csv")
    assert list(table.columns) == ["question", "metric", "unit", "Aarhus", "Odense"]
    assert (out / "desks_suppressed.txt").read_text(encoding="utf-8") == "Læsø\n"
    cases = table[(table["question"] == "desk") & (table["metric"] == "cases")].iloc[0]
    assert cases["Aarhus"] > cases["Odense"] > 1000
