"""The command line, the pipeline and a direct use-case call give identical results
for discover, simulate, train and audit on one small generated demo log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.pipeline.conftest import REPO, write_experiment
from workbench.cli import run as cli_run

SECRET = "test-secret-key-for-the-workbench-suite-0123456789"
SCENARIO = REPO / "configs" / "scenarios" / "demo_add_infra_staff.yaml"


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory: pytest.TempPathFactory):
    """One experiment run three ways: the pipeline, the commands, and the use cases called directly."""
    import os

    from mlflow import MlflowClient

    from workbench.config import load_log_config
    from workbench.fairness import load_audit_config
    from workbench.models import load_training_config
    from workbench.models.tracking import resolve_tracking_uri
    from workbench.pipeline import load_experiment, run_pipeline
    from workbench.simulation import load_scenario
    from workbench.usecases import (
        ModelUncertainty,
        audit_fairness,
        audit_settings,
        compare_scenarios,
        discover_map_and_answers,
        learn_simulation_model,
        load_and_validate,
        train_predictor,
        tuning_budget,
    )

    os.environ["WORKBENCH_SECRET"] = SECRET
    folder = tmp_path_factory.mktemp("three_ways")
    training = yaml.safe_load((REPO / "configs" / "training" / "demo_duration.yaml").read_text(encoding="utf-8"))
    training.update(log=str(folder / "log.yaml"), seed=3, budget={"trials": 2})
    (folder / "duration.yaml").write_text(yaml.safe_dump(training), encoding="utf-8")
    path = write_experiment(folder, days=30, stages=["load", "discover", "simulate", "train", "audit"])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["training"] = {"configs": [str(folder / "duration.yaml")], "trials": 2}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")

    experiment = load_experiment(path)
    uri = resolve_tracking_uri(experiment.mlflow_uri)
    pipeline = run_pipeline(experiment, generated_at="x", mlflow_uri=uri).results

    cli = folder / "cli"
    log = str(folder / "log.yaml")
    assert cli_run(["discover", log, "--out", str(cli / "discover"), "--rules",
                    str(REPO / "configs" / "rules" / "service_levels.yaml")]) == 0
    assert cli_run(["simulate", log, "--scenario", str(SCENARIO), "--out", str(cli / "simulate"), "-n", "2",
                    "--seed", "3", "--jobs", "1", "--logs", "none", "--refits", "2"]) == 0
    cli_uri = f"sqlite:///{folder / 'cli_mlruns' / 'mlflow.db'}"
    assert cli_run(["train", str(folder / "duration.yaml"), "--tracking-uri", cli_uri, "--no-register"]) == 0
    client = MlflowClient(tracking_uri=cli_uri)
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    cli_metrics = runs[0].data.metrics
    assert cli_run(["audit", str(folder / "audit.yaml"), "--out", str(cli / "audit"), "-q"]) in (0, 1)

    log_config = load_log_config(folder / "log.yaml")
    events = load_and_validate(log_config, secret=SECRET).events
    from workbench.analysis import load_rules

    direct_discovery = discover_map_and_answers(events, log_config,
                                                rules=load_rules(REPO / "configs" / "rules" / "service_levels.yaml"))
    model = learn_simulation_model(events, log_config)
    direct_sim = compare_scenarios(model, [("demo_add_infra_staff", load_scenario(SCENARIO))], replications=2, seed=3,
                                   uncertainty=ModelUncertainty(events=events, log_config=log_config, refits=2))
    config = tuning_budget(load_training_config(folder / "duration.yaml"), seed=3)
    direct_train = train_predictor(events, config, log_config)
    audit_config = load_audit_config(folder / "audit.yaml")
    direct_audit = audit_fairness(events, log_config, audit_settings(log_config, audit_config), config=audit_config)
    direct = {"discovery": direct_discovery, "simulation": direct_sim, "train": direct_train, "audit": direct_audit}
    return folder, pipeline, cli_metrics, direct


def _csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"case_id": str})
    if "mark" in frame:  # an empty mark (a usable model) reads back from CSV as missing
        frame["mark"] = frame["mark"].fillna("")
    return frame


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


@pytest.mark.slow
def test_discover_agrees(three_ways) -> None:
    folder, pipeline, _, direct = three_ways
    tables = direct["discovery"].tables()
    assert {"variants", "rule_summary"} <= set(tables)
    for stem in ("variants", "rule_summary", "rule_violations", "map_nodes", "map_edges"):
        cli_file = folder / "cli" / "discover" / ("tables" if not stem.startswith("map_") else "") / f"{stem}.csv"
        pipe_file = folder / "out" / "discover" / ("tables" if not stem.startswith("map_") else "") / f"{stem}.csv"
        assert cli_file.read_bytes() == pipe_file.read_bytes(), stem
        if stem in tables:
            _same(_csv(cli_file), tables[stem].astype({c: str for c in ("case_id",) if c in tables[stem]}))
    assert pipeline.discovery.summary() == direct["discovery"].summary()


@pytest.mark.slow
def test_simulate_agrees(three_ways) -> None:
    folder, pipeline, _, direct = three_ways
    cli = _csv(folder / "cli" / "simulate" / "comparison.csv")
    pipe = _csv(folder / "out" / "simulate" / "demo_add_infra_staff" / "comparison.csv")
    _same(cli, pipe)
    _same(pipeline.simulation.outcomes[0].result.comparison, direct["simulation"].outcomes[0].result.comparison)
    _same(cli, direct["simulation"].outcomes[0].result.comparison)


@pytest.mark.slow
def test_train_agrees(three_ways) -> None:
    _, pipeline, cli_metrics, direct = three_ways
    piped = pipeline.models[0].result.metrics
    mine = direct["train"].metrics
    assert piped["test_mae"] == pytest.approx(mine["test_mae"], rel=0, abs=0)
    assert cli_metrics["test_mae"] == pytest.approx(mine["test_mae"], rel=1e-12)
    _same(pipeline.models[0].result.importance, direct["train"].importance)


@pytest.mark.slow
def test_audit_agrees(three_ways) -> None:
    folder, pipeline, _, direct = three_ways
    cli = _csv(folder / "cli" / "audit" / "audit.csv")
    pipe = pipeline.audit.result.table
    historical = pipe[pipe["audit"] == pipe["audit"].iloc[0]]
    expected = direct["audit"].result.table
    assert len(expected) > 0
    _same(historical, expected)
    _same(cli, _csv(folder / "out" / "audit" / "audit.csv").pipe(lambda t: t[t["audit"] == t["audit"].iloc[0]]))
