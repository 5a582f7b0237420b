"""The pipeline's stages: each reads earlier results from the context and writes its own folder.

Stages are thin: they call the library (io, analysis, discovery, simulation, models,
fairness, report) and write files; the work itself lives in those packages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.config import LogConfig
from workbench.io import write_table, write_text
from workbench.pipeline.config import ExperimentConfig
from workbench.pipeline.runner import RunContext

__all__ = ["Settings", "stage_load", "stage_discover"]


@dataclass(frozen=True)
class Settings:
    """What every stage may read: the experiment, the log config, the key, the MLflow store."""

    experiment: ExperimentConfig
    log_config: LogConfig
    secret: str | None
    mlflow_uri: str
    generated_at: str


def _settings(ctx: RunContext) -> Settings:
    return ctx.settings  # type: ignore[no-any-return]


def stage_load(ctx: RunContext) -> dict[str, Any]:
    """Read, validate, clean and pseudonymise the log; write the data-quality table and the clean log."""
    from workbench.io import load_log

    s = _settings(ctx)
    loaded = load_log(s.log_config, secret=s.secret)
    out = ctx.stage_dir("load")
    write_table(loaded.quality.to_frame(), out / "data_quality.csv")
    write_text(loaded.quality.to_text() + "\n", out / "data_quality.txt")
    write_table(loaded.events, out / "events.parquet")
    return {"loaded": loaded, "files": {"events": out / "events.parquet"}}


def stage_discover(ctx: RunContext) -> dict[str, Any]:
    """Filters, process map and model, the desk's questions, variants and rule checks."""
    from workbench.analysis import load_filters, load_rules
    from workbench.analysis.run import discover_log, discovery_tables, summary_lines
    from workbench.discovery import build_process_map, write_maps

    s = _settings(ctx)
    loaded = ctx.results["load"]["loaded"]
    exp = s.experiment
    filters = load_filters(exp.filters) if exp.filters is not None else None
    rules = load_rules(exp.rules) if exp.rules is not None else None
    result = discover_log(loaded.events, s.log_config, filters=filters, rules=rules)
    out = ctx.stage_dir("discover")
    process_map = build_process_map(result.events)
    maps = write_maps(result.events, out, title=f"{s.log_config.name}: process map", process_map=process_map)
    tables: dict[str, Path] = {}
    for name, frame in discovery_tables(result).items():
        tables[name] = write_table(frame, out / "tables" / f"{name}.csv")
    summary = summary_lines(s.log_config.name, result)
    write_text("\n".join(summary) + "\n", out / "summary.txt")
    return {"discovery": result, "process_map": process_map, "maps": maps, "tables": tables, "summary": summary}
