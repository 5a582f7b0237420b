"""Log an audit to MLflow: the tidy table and the HTML section as artifacts of the audited model's run.

The caller passes the store; where it is by default is decided in one place,
:func:`workbench.models.tracking.resolve_tracking_uri`.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from workbench.errors import StageError
from workbench.fairness.html import render_audit_page
from workbench.fairness.result import AuditResult

__all__ = ["log_audit_to_mlflow"]

ARTIFACT_PATH = "fairness_audit"
EXPERIMENT = "fairness-audit"


def _model_run(client: Any, model_name: str) -> str:
    versions = client.search_model_versions(f"name='{model_name}'")
    if not versions:
        raise StageError(f"no registered model named '{model_name}' in the MLflow store; train and register it "
                         "first (workbench train), or give model.run_id")
    latest = max(versions, key=lambda v: int(v.version))
    if not latest.run_id:
        raise StageError(f"registered model '{model_name}' version {latest.version} has no run to log the audit to")
    return str(latest.run_id)


def log_audit_to_mlflow(
    result: AuditResult,
    *,
    tracking_uri: str,
    run_id: str | None = None,
    model_name: str | None = None,
    run_name: str = "fairness audit",
    title: str = "Fairness audit",
) -> str:
    """Log ``result`` as artifacts (``fairness_audit/audit.csv``, ``audit.html``, ``settings.json``).

    The run is ``run_id``, else the run of the latest version of the registered model
    ``model_name``, else a new run in the experiment ``fairness-audit``. The number
    of flagged groups is logged as the metric ``fairness_flagged_groups`` and the tag
    ``fairness_audit`` says ``flagged`` or ``clear``. Returns the run id.
    """
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    if run_id is None and model_name is not None:
        run_id = _model_run(client, model_name)
    if run_id is None:
        experiment = client.get_experiment_by_name(EXPERIMENT)
        if experiment is None:
            location = None
            if tracking_uri.startswith("sqlite:///"):
                store = Path(tracking_uri[len("sqlite:///"):]).parent
                location = (store / "artifacts").resolve().as_uri()
            experiment_id = client.create_experiment(EXPERIMENT, artifact_location=location)
        else:
            experiment_id = experiment.experiment_id
        run = client.create_run(experiment_id, run_name=run_name)
        run_id = run.info.run_id
        client.set_terminated(run_id)
    flagged = result.flagged_rows.drop_duplicates(["audit", "attribute", "group"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result.table.to_csv(folder / "audit.csv", index=False)
        (folder / "audit.html").write_text(render_audit_page(result, title=title), encoding="utf-8")
        (folder / "settings.json").write_text(json.dumps({"settings": result.settings, "notes": result.notes},
                                                         default=str, indent=2), encoding="utf-8")
        for name in ("audit.csv", "audit.html", "settings.json"):
            client.log_artifact(run_id, str(folder / name), ARTIFACT_PATH)
    client.log_metric(run_id, "fairness_flagged_groups", float(len(flagged)))
    client.set_tag(run_id, "fairness_audit", "flagged" if result.flagged else "clear")
    return run_id
