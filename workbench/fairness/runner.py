"""Run the audits an :class:`~workbench.fairness.config.AuditConfig` names, and write the outputs.

This is the edge of the fairness stage: it reads the log, the scores table and the
simulation results, calls the audit use case (:func:`workbench.usecases.audit_fairness`,
which the pipeline calls too), and writes the tidy table, the HTML page and the settings
(atomically, never over an input).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.compute import Executor, make_executor
from workbench.errors import SourceError, StageError
from workbench.fairness.config import AuditConfig
from workbench.fairness.result import AuditResult, combine_results
from workbench.schema import CASE_ID

if TYPE_CHECKING:
    from workbench.config import LogConfig
    from workbench.io import LoadedLog

__all__ = ["load_audit_events", "read_table", "run_audit", "write_audit"]


def read_table(path: Path, *, what: str) -> pd.DataFrame:
    """Read a CSV or Parquet table (``case_id`` kept as text)."""
    if not path.exists():
        raise SourceError(f"{what} '{path}' does not exist; check the path in the audit config")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        elif suffix in (".csv", ".txt") or path.name.lower().endswith(".csv.gz"):
            frame = pd.read_csv(path, dtype={CASE_ID: str, "group": str, "attribute": str})
        else:
            raise SourceError(f"{what} '{path}' must be a .csv or .parquet file")
    except (ValueError, OSError) as exc:
        if isinstance(exc, SourceError):
            raise
        raise SourceError(f"{what} '{path}' cannot be read: {str(exc).splitlines()[0]}") from None
    if CASE_ID in frame.columns:
        frame[CASE_ID] = frame[CASE_ID].astype(str)
    return frame


def _find(folder: Path, stem: str) -> Path:
    for suffix in (".parquet", ".csv"):
        if (folder / f"{stem}{suffix}").exists():
            return folder / f"{stem}{suffix}"
    raise SourceError(f"simulation results folder '{folder}' has no {stem}.csv or {stem}.parquet; "
                      "point process.results at the folder written by workbench simulate")


def load_audit_events(
    config: AuditConfig, *, secret: str | None = None, log_config: LogConfig | None = None
) -> LoadedLog:
    """The audit's log: read as its config says, or (a demo log with a ``demo`` section) generated with the
    planted disadvantage. ``log_config`` is the parsed ``config.log`` when the caller has read it already."""
    from workbench.config import load_log_config
    from workbench.io import load_log, prepare_log

    if log_config is None:
        log_config = load_log_config(config.log)
    if config.demo is not None and config.demo.disadvantaged_department is not None:
        if log_config.source.resolved_kind != "demo":
            raise StageError(f"the audit config plants a demo disadvantage ('demo' section) but log "
                             f"'{log_config.name}' is not the demo log (source kind {log_config.source.resolved_kind})")
        from workbench.demo import DemoParams, generate_demo_log

        params = DemoParams(days=log_config.source.days,
                            disadvantaged_department=config.demo.disadvantaged_department,
                            disadvantage_strength=config.demo.disadvantage_strength)
        raw = generate_demo_log(params, seed=log_config.source.seed).events
        return prepare_log(raw, log_config, secret=secret)
    return load_log(log_config, secret=secret)


#: Old private name, kept for callers outside this package.
_load_events = load_audit_events


def run_audit(
    config: AuditConfig, *, log_config: LogConfig | None = None, secret: str | None = None,
    replicates: int | None = None,
    tracking_uri: str | None = None, executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
) -> AuditResult:
    """Run every audit in ``config.audits`` and return one combined result.

    The edge of the fairness stage: it reads the log, the scores (a table, or a registered
    model scoring its test part), the simulation results (a folder, or a scenario simulated
    now), calls :func:`workbench.usecases.audit_fairness`, and logs a model audit to MLflow.
    ``tracking_uri`` is the MLflow store when the model section names none; ``progress``
    receives one line as each audit (and a simulation it needs) starts.
    """
    from workbench.usecases import (
        ModelScores,
        ProcessChange,
        audit_fairness,
        audit_settings,
        compare_scenarios,
        learn_simulation_model,
    )

    loaded = load_audit_events(config, secret=secret, log_config=log_config)
    log_config, events = loaded.config, loaded.events
    settings = audit_settings(log_config, config, replicates=replicates)
    attrs = settings.group_attributes
    models: list[ModelScores] = []
    m = config.model
    if "model" in config.audits and m is not None:
        if m.scores is None:
            from workbench import models as trained_models

            assert m.name is not None
            trained = trained_models.load_trained_model(m.name, tracking_uri=m.tracking_uri or tracking_uri)
            scores = trained_models.predict_frame(trained, events, part=m.part, group_attributes=tuple(attrs))
        else:
            scores = read_table(m.scores, what="scores table")
        models.append(ModelScores(name=m.name, scores=scores, settings=m))
    changes: list[ProcessChange] = []
    if "process" in config.audits:
        p = config.process
        assert p is not None
        if p.results is None:
            from workbench.simulation import load_scenario

            assert p.scenario is not None
            scenario = load_scenario(p.scenario)
            if progress is not None:
                progress(f"simulating '{scenario.name}' ({p.replications} paired replications)")
            model = learn_simulation_model(events, log_config, group_attributes=attrs)
            outcome = compare_scenarios(model, [(Path(p.scenario).stem, scenario)], replications=p.replications,
                                        seed=config.seed, group_attributes=attrs,
                                        executor=executor or make_executor()).outcomes[0].result
            group_kpis, kpis, source = outcome.group_kpis, outcome.kpis, str(p.scenario)
        else:
            group_kpis = read_table(_find(p.results, "group_kpis"), what="group KPIs table")
            kpis = read_table(_find(p.results, "kpis"), what="KPIs table")
            source = str(p.results)
        changes.append(ProcessChange(name=source, group_kpis=group_kpis, kpis=kpis, kpi_names=p.kpis))
    audit = audit_fairness(events, log_config, settings, config=config, historical="historical" in config.audits,
                           models=models, changes=changes, progress=progress)
    parts = list(audit.parts)
    if m is not None and m.log_to_mlflow and (m.name is not None or m.run_id is not None):
        from workbench.fairness.tracking import log_audit_to_mlflow
        from workbench.models.tracking import resolve_tracking_uri

        for i, kind in enumerate(audit.kinds):
            if kind != "model":
                continue
            run_id = log_audit_to_mlflow(parts[i], tracking_uri=resolve_tracking_uri(m.tracking_uri or tracking_uri),
                                         run_id=m.run_id, model_name=m.name, title=f"Fairness audit: {config.name}")
            part_settings = dict(parts[i].settings)
            part_settings["model"] = {**part_settings["model"], "mlflow_run_id": run_id}
            parts[i] = AuditResult(table=parts[i].table, notes=parts[i].notes, settings=part_settings)
    combined = combine_results(*parts)
    header = {"audit": {"name": config.name, "log": log_config.name, "audits": list(config.audits),
                        "group_attributes": list(attrs), "min_group_size": settings.options.min_group_size,
                        "planted_disadvantage": (config.demo.disadvantaged_department if config.demo else None)},
              **combined.settings}
    return AuditResult(table=combined.table, notes=combined.notes, settings=header)


def write_audit(result: AuditResult, out_dir: str | Path, *, title: str = "Fairness audit",
                inputs: tuple[Path | None, ...] = (), force: bool = False) -> dict[str, Path]:
    """Write ``audit.csv`` (tidy table), ``audit.html`` (a page) and ``settings.json`` into ``out_dir``."""
    from workbench.io.outputs import OutputFolder
    from workbench.usecases.writers import write_audit_result

    return write_audit_result(result, OutputFolder.open(out_dir, inputs=inputs, force=force), title=title)
