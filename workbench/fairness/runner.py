"""Run the audits an :class:`~workbench.fairness.config.AuditConfig` names, and write the outputs.

This is the edge of the fairness stage: it reads the log, the scores table and the
simulation results, calls the pure audit functions, and writes the tidy table, the
HTML page and the settings (atomically, never over an input).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import LogConfig
from workbench.errors import SourceError, StageError
from workbench.fairness.config import AuditConfig
from workbench.fairness.groups import case_groups
from workbench.fairness.historical import audit_history
from workbench.fairness.html import render_audit_page
from workbench.fairness.model import audit_model
from workbench.fairness.process import audit_process_change
from workbench.fairness.result import AuditResult, combine_results
from workbench.schema import CASE_ID

__all__ = ["historical_audit", "read_table", "run_audit", "shared_settings", "write_audit"]


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


def _load_events(config: AuditConfig, *, secret: str | None):  # type: ignore[no-untyped-def]
    from workbench.config import load_log_config
    from workbench.io import load_log, prepare_log

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


def shared_settings(config: AuditConfig, log_config: LogConfig) -> dict[str, Any]:
    """The keyword arguments every audit shares: groups, flag rule, minimum size, protection of people."""
    attrs = config.group_attributes if config.group_attributes is not None else log_config.group_attributes
    return {"group_attributes": tuple(attrs), "rule": config.flag.rule(),
            "min_group_size": config.min_group_size or log_config.privacy.min_group_size,
            "staff_attributes": log_config.staff_attributes, "person_columns": log_config.person_columns,
            "allow_staff_attributes": config.allow_staff_attributes}


def historical_audit(
    events: pd.DataFrame, config: AuditConfig, log_config: LogConfig, common: dict[str, Any], *, replicates: int
) -> AuditResult:
    """The historical audit as ``config.historical`` describes it (``common`` from :func:`shared_settings`)."""
    h = config.historical
    return audit_history(
        events, statuses=log_config.statuses, outcomes=h.outcomes,
        outcome_activities=[o.to_outcome() for o in h.outcome_activities],
        queue_wait=h.queue_wait.to_queue_wait() if h.queue_wait else None, strata=h.strata,
        intersections=config.intersections, replicates=replicates, seed=config.seed,
        completed_only=h.completed_only, case_noun=config.case_noun, **common,
    )


def run_audit(config: AuditConfig, *, secret: str | None = None, replicates: int | None = None) -> AuditResult:
    """Run every audit in ``config.audits`` and return one combined result."""
    loaded = _load_events(config, secret=secret)
    log_config = loaded.config
    events = loaded.events
    common = shared_settings(config, log_config)
    attrs = common["group_attributes"]
    min_size = common["min_group_size"]
    reps = replicates if replicates is not None else config.replicates
    results = []
    if "historical" in config.audits:
        results.append(historical_audit(events, config, log_config, common, replicates=reps))
    if "model" in config.audits:
        results.append(_model_audit(config, events, attrs, reps, common))
    if "process" in config.audits:
        assert config.process is not None
        if config.process.results is None:
            group_kpis, kpis = _simulate(config, events, log_config, attrs)
            source = str(config.process.scenario)
        else:
            folder = config.process.results
            group_kpis = read_table(_find(folder, "group_kpis"), what="group KPIs table")
            kpis = read_table(_find(folder, "kpis"), what="KPIs table")
            source = str(folder)
        process_common = {k: v for k, v in common.items() if k != "group_attributes"}
        results.append(audit_process_change(
            group_kpis, kpis, group_attributes=attrs, kpi_names=config.process.kpis,
            scenario_name=source, **process_common,  # type: ignore[arg-type]
        ))
    combined = combine_results(*results)
    settings = {"audit": {"name": config.name, "log": log_config.name, "audits": list(config.audits),
                          "group_attributes": list(attrs), "min_group_size": min_size,
                          "planted_disadvantage": (config.demo.disadvantaged_department if config.demo else None)},
                **combined.settings}
    return AuditResult(table=combined.table, notes=combined.notes, settings=settings)


def _simulate(config: AuditConfig, events: pd.DataFrame, log_config, attrs) -> tuple[pd.DataFrame, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """Discover a simulation model from the log and run the scenario against it (paired replications)."""
    from workbench.simulation import discover_model
    from workbench.simulation.experiment import run_experiment
    from workbench.simulation.scenarios import load_scenario

    assert config.process is not None and config.process.scenario is not None
    scenario = load_scenario(config.process.scenario)
    model = discover_model(events, config=log_config, group_attributes=tuple(attrs))
    result = run_experiment(model, scenario, replications=config.process.replications, seed=config.seed,
                            group_attributes=tuple(attrs), n_jobs=None)
    return result.group_kpis, result.kpis


def _model_audit(config: AuditConfig, events: pd.DataFrame, attrs, reps: int, common: dict) -> AuditResult:  # type: ignore[no-untyped-def,type-arg]
    m = config.model
    assert m is not None
    if m.scores is None:
        from workbench.models import load_trained_model, predict_frame

        assert m.name is not None
        trained = load_trained_model(m.name, tracking_uri=m.tracking_uri)
        scores = predict_frame(trained, events, part=m.part, group_attributes=tuple(attrs))
    else:
        scores = read_table(m.scores, what="scores table")
    missing = [a for a in attrs if a not in scores.columns]
    if missing and CASE_ID in scores.columns:
        groups = case_groups(events, missing).reset_index()
        groups[CASE_ID] = groups[CASE_ID].astype(str)
        scores = scores.merge(groups, on=CASE_ID, how="left")
    result = audit_model(scores, task=m.task, at_risk_threshold=m.at_risk_threshold, at_risk_share=m.at_risk_share,
                         intersections=config.intersections, replicates=reps, seed=config.seed,
                         case_noun=config.case_noun, time_unit=m.time_unit, weighting=m.weighting,
                         model_name=m.name, **common)
    if m.log_to_mlflow and (m.name is not None or m.run_id is not None):
        from workbench.fairness.tracking import default_tracking_uri, log_audit_to_mlflow

        run_id = log_audit_to_mlflow(result, tracking_uri=m.tracking_uri or default_tracking_uri(),
                                     run_id=m.run_id, model_name=m.name, title=f"Fairness audit: {config.name}")
        settings = dict(result.settings)
        settings["model"] = {**settings["model"], "mlflow_run_id": run_id}
        result = AuditResult(table=result.table, notes=result.notes, settings=settings)
    return result


def write_audit(result: AuditResult, out_dir: str | Path, *, title: str = "Fairness audit",
                inputs: tuple[Path | None, ...] = ()) -> dict[str, Path]:
    """Write ``audit.csv`` (tidy table), ``audit.html`` (a page) and ``settings.json`` into ``out_dir``."""
    from workbench.io import check_not_input, write_table, write_text

    out = Path(out_dir)
    paths = {"table": out / "audit.csv", "html": out / "audit.html", "settings": out / "settings.json"}
    for path in paths.values():
        check_not_input(path, inputs)
    write_table(result.table, paths["table"])
    write_text(render_audit_page(result, title=title), paths["html"])
    write_text(json.dumps({"settings": result.settings, "notes": list(result.notes)}, default=str, indent=2,
                          ensure_ascii=False), paths["settings"])
    return paths
