"""MLflow round trip in a temporary SQLite store: run logged, model registered and loaded back by name."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.models import load_trained_model, log_training_run, predict_frame, resolve_tracking_uri


def test_tracking_uri_comes_from_argument_env_or_the_current_folder(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_MLFLOW_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_tracking_uri() == f"sqlite:///{tmp_path.resolve()}/mlruns/mlflow.db"
    assert (tmp_path / "mlruns").is_dir()
    monkeypatch.setenv("WORKBENCH_MLFLOW_URI", f"sqlite:///{tmp_path}/other/mlflow.db")
    assert resolve_tracking_uri().endswith("other/mlflow.db")
    assert resolve_tracking_uri("sqlite:////x/y.db") == "sqlite:////x/y.db"
    with pytest.raises(ConfigError, match="is a file store, which MLflow 3 refuses"):
        resolve_tracking_uri("file:///tmp/mlruns")


@pytest.mark.slow
def test_run_is_logged_registered_and_loads_back_by_name(  # type: ignore[no-untyped-def]
    duration_result, demo_events: pd.DataFrame, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    before = dict(os.environ)
    logged = log_training_run(duration_result, tracking_uri=uri, experiment="test-prediction")
    assert dict(os.environ) == before  # MLflow settings are restored
    assert logged.registered_name == "test-duration" and logged.version == "1"

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    run = client.get_run(logged.run_id)
    for key in ("test_mae", "baseline_mae", "test_rmse", "tuning_best_value"):
        assert key in run.data.metrics
    history = client.get_metric_history(logged.run_id, "test_mae_by_prefix_length")
    assert len(history) == len(duration_result.per_prefix) and min(m.step for m in history) >= 2
    assert run.data.params["split"] == "temporal" and "data_sha256" in run.data.params
    assert run.data.tags["git_commit"] and run.data.tags["data_sha256"] == duration_result.fingerprint["data_sha256"]
    artifacts = {a.path for a in client.list_artifacts(logged.run_id, "evaluation")}
    assert {"evaluation/feature_importance.csv", "evaluation/optuna_trials.csv",
            "evaluation/mae_by_prefix_length.csv", "evaluation/optuna_summary.json"} <= artifacts
    experiment = client.get_experiment(logged.experiment_id)
    assert experiment.artifact_location.startswith((tmp_path / "mlruns" / "artifacts").as_uri())

    from mlflow.models import Model

    logged_model = client.get_logged_model(logged.model_uri.removeprefix("models:/"))
    local = Path(urlparse(logged_model.artifact_location).path)
    assert local.is_relative_to(tmp_path / "mlruns" / "artifacts")
    mlmodel = Model.load(str(local))
    assert mlmodel.signature is not None and "lightgbm" in mlmodel.flavors
    assert mlmodel.saved_input_example_info is not None

    loaded = load_trained_model("test-duration", tracking_uri=uri)
    assert loaded.version == "1" and loaded.target == "remaining_time"
    original = predict_frame(duration_result.model, demo_events)
    again = predict_frame(loaded, demo_events)
    pd.testing.assert_frame_equal(original, again)

    # a second run of the same name becomes version 2; version 1 can still be loaded
    assert log_training_run(duration_result, tracking_uri=uri, experiment="test-prediction").version == "2"
    assert load_trained_model("test-duration", version=1, tracking_uri=uri).version == "1"
    with pytest.raises(ConfigError, match="no model named 'nope' is registered"):
        load_trained_model("nope", tracking_uri=uri)
    with pytest.raises(ConfigError, match="model 'test-duration' has no version 7; versions: \\[1, 2\\]"):
        load_trained_model("test-duration", version=7, tracking_uri=uri)
    assert np.isfinite(again["y_pred"]).all()
