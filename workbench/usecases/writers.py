"""Writers: one per result type, each writing a use case's typed result into an :class:`OutputFolder`.

A writer never computes: it renders and writes what the use case returned. Names are
relative to the folder; ``prefix`` puts the files in a sub-folder (the pipeline writes
each stage under ``<stage>/``). Every write is atomic and never touches an input (the
folder's policy, :mod:`workbench.io.outputs`). Tracking in MLflow is the edge of training.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from workbench.discovery import MAP_FILES, render_html, render_svg, write_process_model
from workbench.fairness.html import render_audit_page
from workbench.fairness.result import AuditResult
from workbench.io import LoadedLog
from workbench.io.outputs import OutputFolder
from workbench.simulation import ExperimentResult, ValidationResult, model_to_yaml
from workbench.usecases.discover import MapAndAnswers
from workbench.usecases.partitioned import PartitionedAnswers
from workbench.usecases.simulate import ScenarioComparison

if TYPE_CHECKING:  # the prediction stack (LightGBM, scikit-learn) is imported only by the writers that need it
    from workbench.models import TrainingResult
    from workbench.models.tracking import LoggedRun

__all__ = [
    "write_quality",
    "write_map_and_answers",
    "write_answers",
    "write_scenario_result",
    "write_comparison",
    "write_validation",
    "write_training",
    "track_training",
    "write_audit_result",
    "MAIN_KPIS",
    "AUDIT_FILES",
    "VALIDATION_FILES",
    "scenario_result_names",
]

#: The KPIs plotted per replication and printed first.
MAIN_KPIS = ("resolution_time_h", "cycle_time_h", "waiting_time_h", "waiting_on_user_h", "cycle_time_p90_h", "backlog_mean")

#: The files :func:`write_audit_result` writes.
AUDIT_FILES = ("audit.csv", "audit.html", "settings.json")

TableFormat = Literal["csv", "parquet", "both"]
_SUFFIXES: dict[str, tuple[str, ...]] = {"csv": (".csv",), "parquet": (".parquet",), "both": (".csv", ".parquet")}


def _join(prefix: str, name: str) -> str:
    return f"{prefix.rstrip('/')}/{name}" if prefix else name


def write_quality(loaded: LoadedLog, folder: OutputFolder, *, prefix: str = "", events: bool = False) -> dict[str, Path]:
    """``data_quality.csv`` and ``.txt`` (and, with ``events``, the clean log as ``events.parquet``)."""
    paths = {
        "quality": folder.write_table(_join(prefix, "data_quality.csv"), loaded.quality.to_frame()),
        "quality_text": folder.write_text(_join(prefix, "data_quality.txt"), loaded.quality.to_text() + "\n"),
    }
    if events:
        paths["events"] = folder.write_table(_join(prefix, "events.parquet"), loaded.events)
    return paths


def write_map_and_answers(
    result: MapAndAnswers, folder: OutputFolder, *, prefix: str = "", table_format: TableFormat = "csv"
) -> dict[str, Path]:
    """The map (SVG, interactive HTML, CSV tables), the model (BPMN, PNML), every table and ``summary.txt``.

    Returns the written paths keyed as :data:`workbench.discovery.MAP_FILES`, plus
    ``summary`` and ``table:<stem><suffix>`` for each table.
    """
    pmap = result.process_map
    title = f"{result.log_name}: process map"
    paths: dict[str, Path] = {
        "svg": folder.write_text(_join(prefix, MAP_FILES["svg"]), render_svg(pmap, min_case_share=result.min_case_share)),
        "html": folder.write_text(_join(prefix, MAP_FILES["html"]),
                                  render_html(pmap, title=title, min_case_share=result.min_case_share)),
    }
    with tempfile.TemporaryDirectory(prefix="workbench-model-") as tmp:
        bpmn, pnml = write_process_model(result.process_model, Path(tmp) / MAP_FILES["bpmn"], Path(tmp) / MAP_FILES["pnml"])
        paths["bpmn"] = folder.write_bytes(_join(prefix, MAP_FILES["bpmn"]), bpmn.read_bytes())
        paths["pnml"] = folder.write_bytes(_join(prefix, MAP_FILES["pnml"]), pnml.read_bytes())
    for key, frame in (("nodes", pmap.nodes), ("edges", pmap.edges), ("node_cases", pmap.node_cases),
                       ("edge_cases", pmap.edge_cases)):
        paths[key] = folder.write_table(_join(prefix, MAP_FILES[key]), frame)
    paths.update(_write_tables(result.tables(), folder, prefix=prefix, table_format=table_format))
    paths["summary"] = folder.write_text(_join(prefix, "summary.txt"), "\n".join(result.summary()) + "\n")
    return paths


def write_answers(
    result: PartitionedAnswers, folder: OutputFolder, *, prefix: str = "", table_format: TableFormat = "csv"
) -> dict[str, Path]:
    """The questions' tables (the same files as :func:`write_map_and_answers`) and ``summary.txt``.

    Returns the written paths: ``summary`` and ``table:<stem><suffix>`` for each table.
    """
    paths = _write_tables(result.tables(), folder, prefix=prefix, table_format=table_format)
    paths["summary"] = folder.write_text(_join(prefix, "summary.txt"), "\n".join(result.summary()) + "\n")
    return paths


def _write_tables(frames: dict[str, pd.DataFrame], folder: OutputFolder, *, prefix: str, table_format: TableFormat
                  ) -> dict[str, Path]:
    """Each table as ``tables/<stem><suffix>``, keyed ``table:<stem><suffix>``."""
    paths: dict[str, Path] = {}
    for stem, frame in frames.items():
        for suffix in _SUFFIXES[table_format]:
            paths[f"table:{stem}{suffix}"] = folder.write_table(_join(prefix, f"tables/{stem}{suffix}"), frame)
    return paths


def _plot_kpis(folder: OutputFolder, name: str, kpis: pd.DataFrame, title: str) -> list[Path]:
    """Replication values of the main KPIs, baseline next to scenario (PNG and SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [k for k in MAIN_KPIS if k in set(kpis["kpi"])]
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.6), squeeze=False)
    for ax, kpi in zip(axes[0], names, strict=True):
        data = [kpis[(kpis["kpi"] == kpi) & (kpis["arm"] == arm)]["value"].to_numpy() for arm in ("baseline", "scenario")]
        ax.boxplot(data, widths=0.5)
        for i, values in enumerate(data, start=1):
            ax.scatter([i] * len(values), values, s=10, alpha=0.6, zorder=3)
        ax.set_xticks([1, 2], ["baseline", "scenario"])
        ax.set_title(kpi, fontsize=9)
    fig.suptitle(f"KPIs per replication: {title}", fontsize=10)
    fig.tight_layout()
    written = []
    for fmt in ("png", "svg"):

        def save(tmp: Path, fmt: str = fmt) -> None:
            fig.savefig(tmp, format=fmt, dpi=120)

        written.append(folder.write_with(f"{name}.{fmt}", save))
    plt.close(fig)
    return written


def write_scenario_result(
    result: ExperimentResult,
    folder: OutputFolder,
    *,
    prefix: str = "",
    title: str = "",
    plot: bool = False,
    logs: Literal["none", "first", "all"] = "none",
    log_format: Literal["parquet", "csv"] = "parquet",
) -> dict[str, Path]:
    """``comparison.csv``, ``group_comparison.csv``, ``kpis.csv``, ``group_kpis.csv``; optionally plots and logs."""
    paths = {
        stem: folder.write_table(_join(prefix, f"{stem}.csv"), getattr(result, stem))
        for stem in ("comparison", "group_comparison", "kpis", "group_kpis")
    }
    if plot:
        _plot_kpis(folder, _join(prefix, "kpi_distributions"), result.kpis, title)
    if logs != "none":
        for (arm, rep), run in sorted(result.runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            if logs == "first" and rep != 0:
                continue
            folder.write_table(_join(prefix, f"logs/{arm}_rep{rep + 1:02d}.{log_format}"), run.events)
    return paths


def scenario_result_names(
    *, replications: int, plot: bool = False, logs: Literal["none", "first", "all"] = "none",
    log_format: str = "parquet", prefix: str = "",
) -> list[str]:
    """The names :func:`write_scenario_result` writes (a front end checks them before the replications run)."""
    names = [f"{stem}.csv" for stem in ("comparison", "group_comparison", "kpis", "group_kpis")]
    if plot:
        names += ["kpi_distributions.png", "kpi_distributions.svg"]
    reps = {"none": 0, "first": 1, "all": replications}[logs]
    names += [f"logs/{arm}_rep{rep + 1:02d}.{log_format}" for rep in range(reps) for arm in ("baseline", "scenario")]
    return [_join(prefix, n) for n in names]


def write_comparison(comparison: ScenarioComparison, folder: OutputFolder, *, prefix: str = "") -> dict[str, Path]:
    """The learned ``model.yaml`` (kept if the user edited it) and each scenario's tables under ``<key>/``."""
    paths = {"model": folder.write_text(_join(prefix, "model.yaml"), model_to_yaml(comparison.model), keep_edited=True)}
    if comparison.verdict is not None:
        paths["verdict"] = folder.write_text(_join(prefix, "verdict.json"),
                                             json.dumps(comparison.verdict.to_dict(), indent=2, default=str))
    for outcome in comparison.outcomes:
        written = write_scenario_result(outcome.result, folder, prefix=_join(prefix, outcome.key))
        paths[outcome.key] = written["comparison"].parent
    return paths


#: The files :func:`write_validation` writes besides ``model.yaml`` (which is kept when edited).
VALIDATION_FILES = ("scores.csv", "summary.csv", "simulated_test_log.parquet", "verdict.json")


def write_validation(result: ValidationResult, folder: OutputFolder, *, prefix: str = "") -> dict[str, Path]:
    """``scores.csv``, ``summary.csv``, ``model.yaml``, ``simulated_test_log.parquet`` and ``verdict.json``."""
    if result.verdict is not None:
        folder.write_text(_join(prefix, "verdict.json"), json.dumps(result.verdict.to_dict(), indent=2, default=str))
    return {
        "scores": folder.write_table(_join(prefix, "scores.csv"), result.scores),
        "summary": folder.write_table(_join(prefix, "summary.csv"), result.summary),
        "model": folder.write_text(_join(prefix, "model.yaml"), model_to_yaml(result.model), keep_edited=True),
        "log": folder.write_table(_join(prefix, "simulated_test_log.parquet"), result.simulated_log),
    }


def write_training(result: TrainingResult, folder: OutputFolder, *, name: str, prefix: str = "") -> dict[str, Path]:
    """``<name>_importance.csv`` and (regression) ``<name>_per_prefix.csv``."""
    paths = {"importance": folder.write_table(_join(prefix, f"{name}_importance.csv"), result.importance)}
    if result.per_prefix is not None:
        paths["per_prefix"] = folder.write_table(_join(prefix, f"{name}_per_prefix.csv"), result.per_prefix)
    return paths


def track_training(
    result: TrainingResult,
    *,
    tracking_uri: str,
    experiment: str,
    register: bool = True,
    parent_run_id: str | None = None,
) -> LoggedRun:
    """Log a training result as one MLflow run (nested under ``parent_run_id``) and register the model."""
    from workbench.models.tracking import log_training_run

    tags = {"mlflow.parentRunId": parent_run_id} if parent_run_id is not None else None
    return log_training_run(result, tracking_uri=tracking_uri, experiment=experiment, register=register,
                            extra_tags=tags)


def write_audit_result(
    result: AuditResult, folder: OutputFolder, *, prefix: str = "", title: str = "Fairness audit"
) -> dict[str, Path]:
    """``audit.csv`` (tidy table), ``audit.html`` (a page) and ``settings.json``."""
    settings = json.dumps({"settings": result.settings, "notes": list(result.notes)}, default=str, indent=2,
                          ensure_ascii=False)
    return {
        "table": folder.write_table(_join(prefix, "audit.csv"), result.table),
        "html": folder.write_text(_join(prefix, "audit.html"), render_audit_page(result, title=title)),
        "settings": folder.write_text(_join(prefix, "settings.json"), settings),
    }
