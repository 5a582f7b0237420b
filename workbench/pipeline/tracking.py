"""The pipeline's own MLflow run: one parent run per pipeline run, FAILED when a stage fails.

Training runs are nested under it (``mlflow.parentRunId``), and the report is logged to
it as an artifact, so the MLflow UI shows each pipeline run with its models and report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.models.tracking import ensure_experiment, mlflow_at, resolve_tracking_uri

__all__ = ["PipelineRun", "start_pipeline_run"]


@dataclass(frozen=True)
class PipelineRun:
    """A started pipeline run in the MLflow store at ``tracking_uri``."""

    run_id: str
    experiment_id: str
    tracking_uri: str

    def _client(self) -> Any:
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)

    def log_artifact(self, path: Path) -> None:
        with mlflow_at(self.tracking_uri):
            self._client().log_artifact(self.run_id, str(path))

    def finish(self) -> None:
        with mlflow_at(self.tracking_uri):
            self._client().set_terminated(self.run_id, status="FINISHED")

    def interrupted(self, stage: str) -> None:
        """Mark the run as stopped by the user (Ctrl-C or SIGTERM) during ``stage``."""
        with mlflow_at(self.tracking_uri):
            client = self._client()
            client.set_tag(self.run_id, "workbench.interrupted_stage", stage)
            client.set_terminated(self.run_id, status="KILLED")

    def fail(self, stage: str, error: BaseException) -> None:
        with mlflow_at(self.tracking_uri):
            client = self._client()
            client.set_tag(self.run_id, "workbench.failed_stage", stage)
            client.set_tag(self.run_id, "workbench.error", (str(error).splitlines() or [type(error).__name__])[0][:500])
            client.set_terminated(self.run_id, status="FAILED")


def start_pipeline_run(*, tracking_uri: str, experiment: str, params: dict[str, str]) -> PipelineRun:
    """Create the parent run of one pipeline run in experiment ``workbench-<experiment>``."""
    uri = resolve_tracking_uri(tracking_uri)
    with mlflow_at(uri):
        from mlflow import MlflowClient

        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        experiment_id = ensure_experiment(client, f"workbench-{experiment}", uri)
        run = client.create_run(experiment_id, run_name=f"pipeline {experiment}", tags={"workbench.kind": "pipeline"})
        for key, value in params.items():
            client.log_param(run.info.run_id, key, value)
    return PipelineRun(run_id=run.info.run_id, experiment_id=experiment_id, tracking_uri=uri)
