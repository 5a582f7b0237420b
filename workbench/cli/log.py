"""CLI: read and validate event logs; write the demo log."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.errors import SourceError

_FORCE_FILE = "Replace the --out file even though the workbench did not write it (inputs are never overwritten)."


def validate(
    log_config: Path = typer.Argument(..., help="Log config YAML, e.g. configs/logs/bpic2013_incidents.yaml."),
    out: Path | None = typer.Option(None, "--out", help="Also write the data-quality table (CSV or Parquet)."),
    force: bool = typer.Option(False, "--force", help=_FORCE_FILE),
) -> None:
    """Read a log, validate and clean it, and print the data-quality summary."""
    from workbench.config import load_log_config
    from workbench.io.outputs import OutputFolder
    from workbench.usecases import load_and_validate

    config = load_log_config(log_config)
    target = None
    if out is not None:  # checked before the log is read
        target = OutputFolder.open_for_file(out, inputs=[config.source.path, log_config], force=force)
    loaded = load_and_validate(config, pseudonymise=False)  # validation writes no identifiers
    typer.echo(loaded.quality.to_text())
    if target is not None:
        folder, name = target
        written = folder.write_table(name, loaded.quality.to_frame())
        typer.echo(f"Data-quality table written to {written}")


def demo_log(
    out: Path = typer.Option(..., "--out", help="Where to write the log: .csv or .parquet."),
    seed: int = typer.Option(42, "--seed", help="Random seed; the same seed gives the same log."),
    days: int = typer.Option(365, "--days", min=1, help="Number of days to generate."),
    truth: Path | None = typer.Option(None, "--truth", help="Also write the generator's known answers per ticket."),
    force: bool = typer.Option(False, "--force", help=_FORCE_FILE),
) -> None:
    """Write the built-in demo log: a synthetic municipal IT-support desk (all identifiers synthetic)."""
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.io.outputs import OutputFolder

    if out.suffix.lower() not in (".csv", ".parquet"):
        raise SourceError(f"--out '{out}' must end in .csv or .parquet")
    events_to = OutputFolder.open_for_file(out, force=force)
    truth_to = OutputFolder.open_for_file(truth, force=force) if truth is not None else None
    demo = generate_demo_log(DemoParams(days=days), seed=seed)
    written = events_to[0].write_table(events_to[1], demo.events)
    typer.echo(f"Demo log: {demo.events['ticket_id'].nunique():,} tickets, {len(demo.events):,} events -> {written}")
    if truth_to is not None:
        typer.echo(f"Known answers per ticket -> {truth_to[0].write_table(truth_to[1], demo.truth)}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("validate")(validate)
    app.command("demo-log")(demo_log)
