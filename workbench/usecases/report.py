"""Use case: build the report of a run from whatever results it has (pure), and its writer."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.config import LogConfig
from workbench.io import LoadedLog
from workbench.io.outputs import OutputFolder
from workbench.models import TrainingConfig, TrainingResult
from workbench.models.tracking import LoggedRun
from workbench.report import Report
from workbench.report.write import HTML_NAME, PDF_NAME, ReportFiles, write_report
from workbench.usecases.audit import FairnessAudit
from workbench.usecases.discover import MapAndAnswers
from workbench.usecases.predict import ScoredCases
from workbench.usecases.simulate import ScenarioComparison

__all__ = ["TrainedEntry", "RunResults", "build_run_report", "write_run_report"]


@dataclass(frozen=True)
class TrainedEntry:
    """One trained model of a run: the config it was trained with, the result and its MLflow run."""

    name: str
    config: TrainingConfig
    result: TrainingResult
    logged: LoggedRun | None = None


@dataclass(frozen=True)
class RunResults:
    """Everything one run produced so far; a field is ``None`` when its stage did not run."""

    log: LoadedLog | None = None
    discovery: MapAndAnswers | None = None
    simulation: ScenarioComparison | None = None
    models: tuple[TrainedEntry, ...] | None = None
    mlflow_uri: str | None = None
    scores: ScoredCases | None = None
    audit: FairnessAudit | None = None
    report: ReportFiles | None = None


def _sections_view(results: RunResults) -> dict[str, dict[str, Any]]:
    """The mapping the report's sections read, built from the typed results."""
    view: dict[str, dict[str, Any]] = {}
    if results.log is not None:
        view["load"] = {"loaded": results.log}
    if results.discovery is not None:
        d = results.discovery
        view["discover"] = {"discovery": d.discovery, "process_map": d.process_map, "summary": d.summary()}
    if results.simulation is not None:
        view["simulate"] = {"model": results.simulation.model, "results": results.simulation.by_name(),
                            "verdict": results.simulation.verdict, "refused": results.simulation.refused}
    if results.models is not None:
        view["train"] = {"models": {e.name: {"result": e.result, "logged": e.logged, "config": e.config}
                                    for e in results.models}, "mlflow_uri": results.mlflow_uri}
    if results.scores is not None:
        view["predict"] = {"at_risk": results.scores.at_risk}
    if results.audit is not None:
        view["audit"] = {"result": results.audit.result, "note": results.audit.note}
    return view


def build_run_report(
    results: RunResults,
    *,
    title: str,
    subtitle: str,
    generated_at: str,
    settings: Mapping[str, str],
    language: str = "en",
    log_config: LogConfig | None = None,
    practical_difference: float = 0.02,
) -> Report:
    """The report of a run: the manager's summary first, then a section per stage that ran.

    ``generated_at`` is passed in: the library never reads the clock. ``language`` is the
    reader's (``"da"`` or ``"en"``); changes smaller than ``practical_difference`` (a share of
    today's value) read as "no practical difference".
    """
    from workbench.report.sections import build_report

    return build_report(_sections_view(results), title=title, subtitle=subtitle, generated_at=generated_at,
                        settings=dict(settings), language=language, log_config=log_config,
                        practical_difference=practical_difference)


def write_run_report(report: Report, folder: OutputFolder, *, prefix: str = "report", pdf: bool = True) -> ReportFiles:
    """``report.html`` and, when Chromium is there, ``report.pdf`` (a stale PDF is removed)."""
    with tempfile.TemporaryDirectory(prefix="workbench-report-") as tmp:
        files = write_report(report, tmp, pdf=pdf)
        html = folder.write_bytes(f"{prefix}/{HTML_NAME}", Path(files["html"]).read_bytes())
        if "pdf" in files:
            return ReportFiles(html=html, pdf=folder.write_bytes(f"{prefix}/{PDF_NAME}", files["pdf"].read_bytes()))
    stale = folder.root / prefix / PDF_NAME
    note = files.pdf_note
    if stale.exists():
        stale.unlink()
        note += f"; removed the older {PDF_NAME}"
    return ReportFiles(html=html, pdf=None, pdf_note=note)
