"""The main job end to end on a small generated log, and what happens when a stage fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pipeline.conftest import run as run_experiment
from tests.pipeline.conftest import write_experiment
from workbench.cli import run as cli_run
from workbench.errors import ConfigError, StageError
from workbench.pipeline import load_experiment

SECTIONS = ("data-quality", "process-map", "team-speed", "routing", "reopens", "time-split", "rules", "scenarios", "models",
            "fairness", "settings")


@pytest.mark.slow
def test_every_stage_runs_and_the_report_has_every_section(finished_run) -> None:
    folder, outcome, lines = finished_run
    out = folder / "out"
    results = outcome.results
    assert all(getattr(results, f) is not None
               for f in ("log", "discovery", "simulation", "models", "scores", "audit", "report"))
    state = json.loads((out / "run_state.json").read_text())
    assert state["status"] == "done" and all(v["status"] == "done" for v in state["stages"].values())
    assert lines[0].startswith("[1/7] Read, validate and clean the log")
    assert not any(" left" in line for line in lines if line.startswith("["))  # a first run: no guessed time left
    # progress inside the long stages: each replication, each tuning trial, each audit
    for inside in ("': replication 2/2", "'demo-duration': trial 2/2", "'demo-reopen': trial 1/2",
                   "historical outcomes (50 bootstrap replicates)", "model 'demo-duration'", "process change '"):
        assert any(inside in line for line in lines), inside
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'id="{section}"' in html
    for path in ("load/data_quality.csv", "discover/process_map.html", "discover/process_model.bpmn",
                 "simulate/model.yaml", "predict/at_risk.csv", "audit/audit.csv"):
        assert (out / path).exists(), path


@pytest.mark.slow
def test_no_person_identifier_reaches_any_output(finished_run) -> None:
    """Privacy by default: the demo's raw staff and user ids appear in no file the pipeline wrote."""
    import re

    import pandas as pd

    folder, _, _ = finished_run
    raw_ids = re.compile(r"\bagent-\d{3}\b|\buser-\d{5}\b")
    events = pd.read_parquet(folder / "out" / "load" / "events.parquet")
    assert events["resource"].dropna().str.match(r"^staff-[0-9a-f]{16}$").all()
    assert events["user"].dropna().str.match(r"^user-[0-9a-f]{16}$").all()
    checked = 0
    for path in (folder / "out").rglob("*"):
        if path.suffix in (".csv", ".html", ".txt", ".json", ".yaml", ".svg"):
            assert not raw_ids.search(path.read_text(encoding="utf-8", errors="replace")), path
            checked += 1
    assert checked > 20


@pytest.mark.slow
def test_mlflow_has_a_finished_pipeline_run_with_the_models_nested(finished_run) -> None:
    from mlflow import MlflowClient

    folder, results, _ = finished_run
    uri = f"sqlite:///{folder / 'mlruns' / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    parent = client.get_run(results.mlflow_run.run_id)
    assert parent.info.status == "FINISHED"
    children = client.search_runs([parent.info.experiment_id],
                                  filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
    assert len(children) == 2
    artifacts = [a.path for a in client.list_artifacts(parent.info.run_id)]
    assert "report.html" in artifacts


@pytest.mark.slow
def test_report_opens_in_chromium_without_external_requests(finished_run, chromium: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    folder, _, _ = finished_run
    page_url = (folder / "out" / "report" / "report.html").resolve().as_uri()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_url)
            page.wait_for_load_state("load")
            for section in SECTIONS:
                assert page.locator(f"#{section}").count() == 1, section
            # the map as a picture that fits the page (the interactive map is the discover folder's file)
            assert page.locator("#process-map svg, #process-map img").count() >= 1
        finally:
            browser.close()
    external = [u for u in requests if not u.startswith(("file://", "data:", "blob:", "about:"))]
    assert external == []


@pytest.mark.slow
def test_a_failing_stage_is_named_and_earlier_outputs_are_kept(tmp_path: Path) -> None:
    from mlflow import MlflowClient

    bad = tmp_path / "bad_scenario.yaml"
    bad.write_text("name: ghost team\nchanges:\n  - {type: staff, team: Ghostbusters, add: 1}\n", encoding="utf-8")
    path = write_experiment(tmp_path, days=20, stages=["load", "discover", "simulate"], scenarios=[str(bad)])
    with pytest.raises(StageError, match=r"^stage 'simulate' failed: .*Ghostbusters.* \(outputs of earlier stages "
                                         r"kept in .*: load, discover\)$") as info:
        run_experiment(load_experiment(path), generated_at="x")
    assert "\n" not in str(info.value)
    out = tmp_path / "out"
    assert (out / "load" / "events.parquet").exists() and (out / "discover" / "process_map.html").exists()
    state = json.loads((out / "run_state.json").read_text())
    assert state["status"] == "failed" and state["stages"]["simulate"]["status"] == "failed"
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}")
    run = client.search_runs(client.get_experiment_by_name("workbench-tiny").experiment_id)[0]
    assert run.info.status == "FAILED" and run.data.tags["workbench.failed_stage"] == "simulate"
    # running again starts cleanly in the same folder
    with pytest.raises(StageError, match="stage 'simulate' failed"):
        run_experiment(load_experiment(path), generated_at="x")


def test_a_missing_config_fails_before_any_stage_runs(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, scenarios=[str(tmp_path / "nope.yaml")])
    with pytest.raises(ConfigError, match=r"config file '.*nope.yaml' does not exist"):
        run_experiment(load_experiment(path), generated_at="x")
    assert not (tmp_path / "out").exists()


def test_unknown_stage_and_cli_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_experiment(tmp_path, stages=["load", "dance"])
    assert cli_run(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown stage(s) ['dance'] in 'stages'; known stages: ['load', 'discover'")
    assert err.count("\n") == 1


@pytest.mark.slow
def test_a_model_that_does_not_reproduce_the_log_skips_the_scenarios_not_the_run(tmp_path: Path) -> None:
    """On a log the simulation cannot reproduce the scenarios are refused, and the run goes on: the map, the
    questions and the report still come, and the report says why there are no what-if figures."""
    import yaml

    from tests.simulation.test_verdict import _changed_world
    from workbench.demo import DemoParams, generate_demo_log

    raw = generate_demo_log(DemoParams(days=45, runout_days=14), seed=5).events
    raw = _changed_world(raw.rename(columns={"ticket_id": "case_id"})).rename(columns={"case_id": "ticket_id"})
    raw.to_csv(tmp_path / "changed.csv", index=False)
    path = write_experiment(tmp_path, days=45, stages=["load", "discover", "simulate", "report"])
    log = yaml.safe_load((tmp_path / "log.yaml").read_text(encoding="utf-8"))
    log["source"] = {"path": str(tmp_path / "changed.csv")}
    (tmp_path / "log.yaml").write_text(yaml.safe_dump(log, allow_unicode=True), encoding="utf-8")
    experiment = yaml.safe_load(path.read_text(encoding="utf-8"))
    experiment["simulation"]["check_replications"] = 1  # enough for a verdict this clear
    path.write_text(yaml.safe_dump(experiment, allow_unicode=True), encoding="utf-8")
    lines: list[str] = []
    outcome = run_experiment(load_experiment(path), generated_at="x", progress=lines.append)
    sim = outcome.results.simulation
    assert sim is not None and sim.refused and sim.outcomes == ()
    assert sim.verdict is not None and sim.verdict.level == "not usable"
    assert any("scenarios not run" in line for line in lines)
    out = tmp_path / "out"
    state = json.loads((out / "run_state.json").read_text())
    assert state["status"] == "done"
    assert json.loads((out / "simulate" / "verdict.json").read_text())["level"] == "not usable"
    assert not any(p.is_dir() for p in (out / "simulate").iterdir())  # no scenario's folder
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    assert "the what-if scenarios were not run" in html
