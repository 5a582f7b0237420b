"""Model drift: the model's error on what happened since it was trained, against its test error.

Both errors are computed now, by the same code, on the same store: the *reference* on
the model's own test part, the *recent* one on prefixes that ended after the last prefix
the model's split used (cases whose outcome became known since the model was trained).
A retrain is flagged when ``recent / reference`` passes the threshold and there are
enough recent examples to judge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ModelDrift", "model_drift", "track_drift"]


@dataclass(frozen=True)
class ModelDrift:
    """The outcome of one drift check."""

    model: str
    version: str | None
    metric: str
    trained_until: str | None
    reference: float | None
    reference_examples: int
    recent: float | None
    recent_examples: int
    ratio: float | None
    threshold: float
    retrain: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _error(task: str, y: np.ndarray, pred: np.ndarray) -> float:
    if task == "regression":
        return float(np.mean(np.abs(pred - y)))
    return float(np.mean((pred - y) ** 2))  # Brier score


def model_drift(events: pd.DataFrame, model: Any, *, threshold: float, min_recent_examples: int) -> ModelDrift:
    """Compare the model's recent error with its test error (MAE in days, or Brier score)."""
    examples = model.examples(events)
    known = examples.y.notna().to_numpy()
    times = pd.to_datetime(examples.keys["timestamp"], utc=True)
    used = examples.part.notna().to_numpy()
    trained_until = times[used].max() if used.any() else None
    metric = "mae_days" if model.task == "regression" else "brier"

    def error(mask: np.ndarray) -> float | None:
        if not mask.any():
            return None
        pred = np.asarray(model.predict(examples.X.loc[mask]), dtype="float64")
        return _error(model.task, examples.y.to_numpy(dtype="float64")[mask], pred)

    test = examples.mask("test")
    recent_mask = known & ~used
    if trained_until is not None:
        recent_mask &= (times > trained_until).to_numpy()
    reference, recent = error(test), error(recent_mask)
    n_recent = int(recent_mask.sum())
    ratio = recent / reference if recent is not None and reference else None
    if n_recent < min_recent_examples:
        retrain, reason = False, f"{n_recent} recent examples, fewer than {min_recent_examples}: too few to judge"
    elif ratio is None:
        retrain, reason = False, "no test error to compare with"
    elif ratio > threshold:
        retrain, reason = True, f"recent error is {ratio:.2f} times the test error (threshold {threshold:g}): retrain"
    else:
        retrain, reason = False, f"recent error is {ratio:.2f} times the test error (threshold {threshold:g})"
    return ModelDrift(
        model=model.name, version=model.version, metric=metric,
        trained_until=trained_until.isoformat() if trained_until is not None else None,
        reference=reference, reference_examples=int(test.sum()), recent=recent, recent_examples=n_recent,
        ratio=ratio, threshold=threshold, retrain=retrain, reason=reason,
    )


def track_drift(drift: ModelDrift, *, tracking_uri: str | None, data_as_of: str | None) -> str:
    """Log the drift check as an MLflow run in experiment ``refresh-drift``; return the run id."""
    from workbench.models.tracking import ensure_experiment, mlflow_at, resolve_tracking_uri

    uri = resolve_tracking_uri(tracking_uri)
    with mlflow_at(uri) as mlflow:
        client = mlflow.MlflowClient()
        experiment = ensure_experiment(client, "refresh-drift", uri)
        run = client.create_run(experiment, tags={
            "model": drift.model, "model_version": str(drift.version), "data_as_of": str(data_as_of),
            "retrain": str(drift.retrain).lower(),
        })
        for name in ("reference", "recent", "ratio"):
            value = getattr(drift, name)
            if value is not None:
                client.log_metric(run.info.run_id, f"{drift.metric}_{name}" if name != "ratio" else "ratio", value)
        client.log_metric(run.info.run_id, "recent_examples", drift.recent_examples)
        client.log_param(run.info.run_id, "threshold", drift.threshold)
        client.set_terminated(run.info.run_id)
        return str(run.info.run_id)
