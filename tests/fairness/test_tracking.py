from __future__ import annotations

import pytest

from workbench.fairness import audit_model, log_audit_to_mlflow

from .conftest import make_scores


@pytest.mark.slow
def test_audit_is_logged_as_artifacts_of_the_model_run(tmp_path):
    import mlflow

    uri = f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"
    (tmp_path / "mlruns").mkdir()
    client = mlflow.MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("train", artifact_location=(tmp_path / "mlruns" / "artifacts").as_uri())
    run = client.create_run(exp)
    client.create_registered_model("duration")
    client.create_model_version("duration", source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)

    result = audit_model(make_scores(biased_group="A"), group_attributes=["department"], replicates=50)
    run_id = log_audit_to_mlflow(result, tracking_uri=uri, model_name="duration")
    assert run_id == run.info.run_id
    names = {a.path for a in client.list_artifacts(run_id, "fairness_audit")}
    assert names == {"fairness_audit/audit.csv", "fairness_audit/audit.html", "fairness_audit/settings.json"}
    logged = client.get_run(run_id)
    assert logged.data.tags["fairness_audit"] == "flagged"
    assert logged.data.metrics["fairness_flagged_groups"] >= 1
    # without a model: a run of its own in the experiment 'fairness-audit'
    own = log_audit_to_mlflow(result, tracking_uri=uri)
    assert client.get_run(own).info.experiment_id == client.get_experiment_by_name("fairness-audit").experiment_id
