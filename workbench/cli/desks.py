"""CLI: many desks side by side (``workbench compare-desks``), in process or on a Dask cluster."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def compare_desks(
    log_configs: list[Path] = typer.Argument(..., help="One log config YAML per desk (two or more)."),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        envvar="WORKBENCH_DASK_SCHEDULER",
        help="Dask scheduler to run on, e.g. tcp://host:8786 (every worker must reach the logs).",
    ),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Local worker processes (default 1)."),
) -> None:
    """Analyse every desk's log (the five questions, cycle times, reopen rates) and compare the desks.

    Writes to --out: desks_comparison.csv (one row per figure, one column per desk),
    desks_figures.csv (tidy) and desks_unanswered.csv. Only aggregate figures leave a
    desk's analysis; desks smaller than their minimum group size are suppressed.
    """
    from workbench.compute import make_executor
    from workbench.config import load_log_config
    from workbench.desks import compare_desks as compare
    from workbench.io import check_not_input, write_table

    configs = [load_log_config(p) for p in log_configs]
    check_not_input(out, [*log_configs, *(c.source.path for c in configs)])
    executor = make_executor("dask", address=scheduler) if scheduler else make_executor(workers=workers or 1)
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        lead, end = ("\r", "\n" if done == total else "") if tty else ("", "\n")
        print(f"{lead}comparing desks: {done}/{total}", end=end, file=sys.stderr, flush=True)

    try:
        result = compare(configs, executor=executor, progress=progress)
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    out.mkdir(parents=True, exist_ok=True)
    write_table(result.table, out / "desks_comparison.csv")
    write_table(result.figures, out / "desks_figures.csv")
    write_table(result.unanswered, out / "desks_unanswered.csv")
    if result.suppressed:
        typer.echo(f"Suppressed (fewer cases than the minimum group size): {', '.join(result.suppressed)}")
    typer.echo(f"{len(configs) - len(result.suppressed)} desks side by side -> {out}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("compare-desks")(compare_desks)
