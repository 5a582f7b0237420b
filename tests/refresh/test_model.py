"""A registered model: open cases scored at each refresh; its drift measured on what happened since training."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.refresh._scenario import NOW, insert, split_history
from tests.refresh.conftest import write_configs
from workbench.cli import run
from workbench.refresh import EventStore, load_refresh_config, update_store
from workbench.refresh.downstream import prepare_store_log
from workbench.refresh.drift import model_drift

pytestmark = pytest.mark.slow


@pytest.fixture()
def trained(tmp_path: Path, sqlite_url: str, history: pd.DataFrame, repo_root: Path) -> tuple[Path, str]:
    """A remaining-time model trained on the first load and registered in a fresh MLflow store."""
    from workbench.models import load_training_config, log_training_run, train_model

    uri = f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"
    config = write_configs(tmp_path, sqlite_url, model={"name": "desk-duration", "tracking_uri": uri,
                                                         "min_recent_examples": 20})
    plan = load_refresh_config(config)
    insert(sqlite_url, split_history(history)["first"])
    update_store(plan, now=NOW)
    events = prepare_store_log(EventStore(plan.config.store).read(), plan.log, source="store").events
    training = load_training_config(repo_root / "configs" / "training" / "demo_duration.yaml")
    training = training.model_validate({**training.model_dump(), "name": "desk-duration", "budget": {"trials": 2}})
    result = train_model(events, config=training, log_config=plan.log)
    log_training_run(result, tracking_uri=uri, experiment="refresh-test")
    return config, uri


def test_refresh_scores_open_cases_and_tracks_drift(
    trained: tuple[Path, str], sqlite_url: str, history: pd.DataFrame
) -> None:
    config, uri = trained
    insert(sqlite_url, split_history(history)["second"])
    assert run(["refresh", str(config)]) == 0
    out = config.parent / "outputs"
    scores = pd.read_csv(out / "predict" / "at_risk.csv")
    assert len(scores) > 0 and scores["predicted_remaining_days"].notna().all()
    drift = json.loads((out / "refresh_status.json").read_text())["model_drift"]
    assert drift["model"] == "desk-duration" and drift["metric"] == "mae_days"
    assert drift["recent_examples"] >= 20 and drift["reference"] > 0 and drift["recent"] > 0
    assert drift["retrain"] == (drift["ratio"] > drift["threshold"])

    from workbench.models.tracking import mlflow_at

    with mlflow_at(uri) as mlflow:
        runs = mlflow.search_runs(experiment_names=["refresh-drift"])
    assert len(runs) == 1 and runs.iloc[0]["tags.model"] == "desk-duration"


def test_drift_is_flagged_when_the_recent_error_grows(
    trained: tuple[Path, str], sqlite_url: str, history: pd.DataFrame
) -> None:
    from workbench.refresh.downstream import load_model

    config, uri = trained
    insert(sqlite_url, split_history(history)["second"])
    plan = load_refresh_config(config)
    update_store(plan, now=NOW)
    events = prepare_store_log(EventStore(plan.config.store).read(), plan.log, source="store").events
    model = load_model("desk-duration", tracking_uri=uri)
    honest = model_drift(events, model, threshold=1.5, min_recent_examples=20)
    # the same cases, but every ticket after training took ten times as long: the model must be flagged
    cut = pd.Timestamp(honest.trained_until)
    slow = events.copy()
    later = slow["timestamp"] > cut
    slow.loc[later, "timestamp"] = cut + (slow.loc[later, "timestamp"] - cut) * 10
    drifted = model_drift(slow, model, threshold=1.5, min_recent_examples=20)
    assert drifted.recent is not None and honest.recent is not None and drifted.recent > 2 * honest.recent
    assert drifted.retrain and "retrain" in drifted.reason


def test_flagged_drift_retrains_and_registers_the_next_version(
    tmp_path: Path, trained: tuple[Path, str], sqlite_url: str, history: pd.DataFrame, repo_root: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    import dataclasses

    import yaml

    import workbench.refresh.run as refresh_run

    config, _uri = trained
    data = yaml.safe_load(config.read_text())
    training = yaml.safe_load((repo_root / "configs" / "training" / "demo_duration.yaml").read_text())
    training.update(log=str(repo_root / "configs" / "logs" / "demo.yaml"), budget={"trials": 1})
    (tmp_path / "training.yaml").write_text(yaml.safe_dump(training))
    data["model"]["retrain"] = "training.yaml"
    config.write_text(yaml.safe_dump(data))
    real = refresh_run.model_drift

    def drifted(*args: object, **kwargs: object) -> object:  # the detection itself is tested above
        return dataclasses.replace(real(*args, **kwargs), retrain=True)  # type: ignore[arg-type]

    monkeypatch.setattr(refresh_run, "model_drift", drifted)
    insert(sqlite_url, split_history(history)["second"])
    assert run(["refresh", str(config)]) == 0
    assert "Retrained 'desk-duration': version 2 registered" in capsys.readouterr().out
    status = json.loads((config.parent / "outputs" / "refresh_status.json").read_text())
    assert status["retrained"] is True and status["model_drift"]["retrain"] is True
