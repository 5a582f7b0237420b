"""MLflow tracking: log a training run, register the model, and load it back by name.

The store is MLflow's SQLite backend inside ``mlruns/`` (``sqlite:///<folder>/mlruns/mlflow.db``)
with artifacts under ``mlruns/artifacts``; the environment variable
``WORKBENCH_MLFLOW_URI`` or an explicit ``tracking_uri`` argument overrides it (tests
use a temporary folder). Everything MLflow-specific in the workbench lives here.

A run holds: parameters (config, split, chosen hyper-parameters), metrics (test MAE and
per prefix length, or AUC / average precision / Brier / calibration error, each beside
its baseline; the tuning summary), the LightGBM model (``mlflow.lightgbm`` with a
signature and an input example), feature importance, the Optuna trials, the data and
config fingerprints, and the git commit. The featurizer, split and calibration are
stored as ``workbench/bundle.json`` so :func:`load_trained_model` can rebuild the
whole :class:`~workbench.models.bundle.TrainedModel`.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import ConfigError, StageError
from workbench.models.bundle import TrainedModel
from workbench.models.training import TrainingResult

__all__ = [
    "ENV_URI",
    "LoggedRun",
    "ensure_experiment",
    "git_commit",
    "load_trained_model",
    "log_training_run",
    "mlflow_at",
    "resolve_tracking_uri",
]

ENV_URI = "WORKBENCH_MLFLOW_URI"
BUNDLE_PATH = "workbench/bundle.json"
_TRACKING_ENV, _REGISTRY_ENV = "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"
_QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true", "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}


def resolve_tracking_uri(tracking_uri: str | None = None, *, root: str | Path | None = None) -> str:
    """The tracking URI: the argument, else ``$WORKBENCH_MLFLOW_URI``, else ``sqlite:///<root>/mlruns/mlflow.db``.

    ``root`` defaults to the current folder. The ``mlruns`` folder is created when needed.
    The old file store (``file:`` or a bare path) is refused: MLflow 3 no longer supports it.
    """
    uri = tracking_uri or os.environ.get(ENV_URI)
    if not uri:
        folder = Path(root) if root is not None else Path.cwd()
        uri = f"sqlite:///{(folder / 'mlruns' / 'mlflow.db').resolve()}"
    if uri.startswith("file:") or "://" not in uri:
        raise ConfigError(
            f"MLflow tracking URI {uri!r} is a file store, which MLflow 3 refuses; "
            "use sqlite:///<folder>/mlruns/mlflow.db"
        )
    db = _sqlite_path(uri)
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
    return uri


def _sqlite_path(uri: str) -> Path | None:
    if uri.startswith("sqlite:///"):
        return Path(uri[len("sqlite:///"):])
    return None


def _artifact_root(uri: str) -> str | None:
    db = _sqlite_path(uri)
    return (db.parent / "artifacts").resolve().as_uri() if db is not None else None


@contextmanager
def mlflow_at(uri: str) -> Iterator[Any]:
    """Point MLflow's fluent API at ``uri`` for the duration of the block, then restore it.

    Inside the block MLflow's usage telemetry is off (the workbench keeps everything on
    the premises; a user who sets ``MLFLOW_DISABLE_TELEMETRY`` or ``DO_NOT_TRACK``
    decides themselves) and so are its artifact progress bars (meant for big remote
    downloads). Both are environment settings, restored on exit.
    """
    saved = {key: os.environ.get(key) for key in (*_QUIET, _TRACKING_ENV, _REGISTRY_ENV)}
    for key, value in _QUIET.items():
        if key not in os.environ and not (key == "MLFLOW_DISABLE_TELEMETRY" and "DO_NOT_TRACK" in os.environ):
            os.environ[key] = value
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        yield mlflow
    finally:
        # back to what it was: a URI set before (kept in the environment by MLflow) or none
        mlflow.set_tracking_uri(saved[_TRACKING_ENV])  # type: ignore[arg-type]
        mlflow.set_registry_uri(saved[_REGISTRY_ENV])  # type: ignore[arg-type]
        for key, before in saved.items():
            if before is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = before


def git_commit(folder: str | Path | None = None) -> tuple[str, bool]:
    """The git commit of ``folder`` (default: the current folder) and whether the tree has changes."""
    cwd = str(folder) if folder is not None else None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                                capture_output=True, text=True, check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown", False
    return commit, bool(status.strip())


@dataclass(frozen=True)
class LoggedRun:
    """Where a training run went: run id, model URI and registered version."""

    run_id: str
    experiment_id: str
    model_uri: str
    registered_name: str | None
    version: str | None
    tracking_uri: str


def ensure_experiment(client: Any, name: str, uri: str) -> str:
    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    root = _artifact_root(uri)
    location = f"{root}/{name}" if root is not None else None
    return str(client.create_experiment(name, artifact_location=location))


def _param_value(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (list, dict, tuple)) else str(value)
    return text[:6000]


def log_training_run(
    result: TrainingResult,
    *,
    tracking_uri: str | None = None,
    experiment: str = "workbench-prediction",
    register: bool = True,
    extra_tags: dict[str, str] | None = None,
) -> LoggedRun:
    """Log ``result`` as one MLflow run and (by default) register the model under its name."""
    uri = resolve_tracking_uri(tracking_uri)
    with mlflow_at(uri) as mlflow:
        return _log_run(mlflow, result, uri=uri, experiment=experiment, register=register, extra_tags=extra_tags)


def _log_run(
    mlflow: Any, result: TrainingResult, *, uri: str, experiment: str, register: bool,
    extra_tags: dict[str, str] | None,
) -> LoggedRun:
    import lightgbm
    import mlflow.lightgbm
    from mlflow import MlflowClient
    from mlflow.models import infer_signature

    model = result.model
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment_id = ensure_experiment(client, experiment, uri)
    commit, dirty = git_commit()
    tags = {
        "workbench.target": model.target,
        "workbench.log": model.log_name,
        "workbench.model_name": model.name,
        "git_commit": commit,
        "git_dirty": str(dirty).lower(),
        "mlflow.source.git.commit": commit,
        **result.fingerprint,
        **(extra_tags or {}),
    }
    example = result.input_example
    signature = infer_signature(example, model.predict(example))
    with (
        tempfile.TemporaryDirectory() as tmp,
        mlflow.start_run(experiment_id=experiment_id, run_name=model.name, tags=tags) as run,
    ):
        mlflow.log_params({k: _param_value(v) for k, v in result.params.items()})
        mlflow.log_params({k: v for k, v in result.fingerprint.items()})
        mlflow.log_metrics({k: float(v) for k, v in result.metrics.items()})
        if result.per_prefix is not None:
            _log_per_prefix(client, run.info.run_id, result.per_prefix)
            _write_csv(result.per_prefix, Path(tmp) / "mae_by_prefix_length.csv")
        _write_csv(result.importance, Path(tmp) / "feature_importance.csv")
        if result.tuning is not None:
            _write_csv(result.tuning.trials_frame(), Path(tmp) / "optuna_trials.csv")
            summary = {**result.tuning.summary(), "best_params": result.tuning.best_params}
            (Path(tmp) / "optuna_summary.json").write_text(json.dumps(summary, indent=2, default=str))
        (Path(tmp) / "examples_per_part.json").write_text(json.dumps(result.counts, indent=2))
        mlflow.log_artifacts(tmp, artifact_path="evaluation")
        mlflow.log_dict(model.to_dict(), BUNDLE_PATH)
        info = mlflow.lightgbm.log_model(
            model.estimator.booster_,
            name="model",
            signature=signature,
            input_example=example,
            # stated, so MLflow does not spend ~10 s inferring them in a subprocess
            pip_requirements=[f"lightgbm=={lightgbm.__version__}", f"mlflow=={mlflow.__version__}"],
            registered_model_name=model.name if register else None,
        )
        run_id = run.info.run_id
    version = str(info.registered_model_version) if register and info.registered_model_version else None
    return LoggedRun(
        run_id=run_id, experiment_id=experiment_id, model_uri=info.model_uri,
        registered_name=model.name if register else None, version=version, tracking_uri=uri,
    )


def _log_per_prefix(client: Any, run_id: str, per_prefix: Any) -> None:
    """MAE per prefix length as metric histories (step = prefix length), in one batch per 1000."""
    import time

    from mlflow.entities import Metric

    now = int(time.time() * 1000)
    metrics = []
    for row in per_prefix.itertuples(index=False):
        step = int(row.prefix_length)
        metrics.append(Metric("test_mae_by_prefix_length", float(row.mae), now, step))
        if hasattr(row, "baseline_mae"):
            metrics.append(Metric("baseline_mae_by_prefix_length", float(row.baseline_mae), now, step))
    for i in range(0, len(metrics), 1000):
        client.log_batch(run_id, metrics=metrics[i : i + 1000])


def _write_csv(frame: Any, path: Path) -> None:
    frame.to_csv(path, index=False)


def load_trained_model(name: str, *, version: str | int | None = None, tracking_uri: str | None = None) -> TrainedModel:
    """Load a registered model back by name (latest version unless ``version`` is given).

    Raises
    ------
    ConfigError
        When no model of that name (or version) is registered in the store.
    """
    uri = resolve_tracking_uri(tracking_uri)
    with mlflow_at(uri) as mlflow, tempfile.TemporaryDirectory() as tmp:
        import mlflow.lightgbm
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException

        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        try:
            versions = client.search_model_versions(f"name = '{_quote(name)}'")
        except MlflowException as exc:
            raise StageError(f"cannot read the MLflow model registry at {uri}: {exc.message}") from None
        if not versions:
            known = sorted(m.name for m in client.search_registered_models())
            raise ConfigError(
                f"no model named '{name}' is registered in {uri}; train one with 'workbench train' "
                f"(registered: {known or 'none'})"
            )
        if version is None:
            chosen = max(versions, key=lambda v: int(v.version))
        else:
            matches = [v for v in versions if str(v.version) == str(version)]
            if not matches:
                raise ConfigError(
                    f"model '{name}' has no version {version}; versions: {sorted(int(v.version) for v in versions)}"
                )
            chosen = matches[0]
        booster = mlflow.lightgbm.load_model(f"models:/{name}/{chosen.version}")
        if not chosen.run_id:
            raise StageError(f"registered model '{name}' version {chosen.version} has no MLflow run to load it from")
        local = client.download_artifacts(chosen.run_id, BUNDLE_PATH, tmp)
        data = json.loads(Path(local).read_text(encoding="utf-8"))
    return TrainedModel.from_dict(data, booster, version=str(chosen.version))


def _quote(name: str) -> str:
    return name.replace("'", "''")
