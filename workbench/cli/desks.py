"""CLI: many desks side by side (``workbench compare-desks``), in process or on a Dask cluster."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli._compute import close_executor, make_command_executor, scheduler_option
from workbench.cli._progress import progress_line


def compare_desks(
    log_configs: list[Path] = typer.Argument(..., help="One log config YAML per desk (two or more)."),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    scheduler: str | None = scheduler_option("the desks", note="every worker must reach the logs"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Local worker processes (default 1)."),
    force: bool = typer.Option(
        False, "--force", help="Write into an output folder that holds files the workbench did not write."
    ),
) -> None:
    """Analyse every desk's log (the five questions, cycle times, reopen rates) and compare the desks.

    Writes to --out: desks_comparison.csv (one row per figure, one column per desk),
    desks_figures.csv (tidy), desks_unanswered.csv and desks_suppressed.txt. Only aggregate
    figures leave a desk's analysis; desks smaller than their minimum group size are suppressed.
    """
    from workbench.config import load_log_config
    from workbench.desks import compare_desks as compare
    from workbench.desks import write_desk_comparison
    from workbench.io.outputs import OutputFolder

    configs = [load_log_config(p) for p in log_configs]
    folder = OutputFolder.open(out, inputs=[*log_configs, *(c.source.path for c in configs)], force=force)
    executor = make_command_executor(scheduler, workers or 1)
    try:
        result = compare(configs, executor=executor, progress=progress_line("comparing desks:"))
    finally:
        close_executor(executor)
    write_desk_comparison(result, folder)
    if result.suppressed:
        typer.echo(f"Suppressed (fewer cases than the minimum group size): {', '.join(result.suppressed)}")
    typer.echo(f"{len(configs) - len(result.suppressed)} desks side by side -> {out}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("compare-desks")(compare_desks)
