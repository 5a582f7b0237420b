"""CLI: read and validate event logs; write the demo log."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.errors import SourceError


def validate(
    log_config: Path = typer.Argument(..., help="Log config YAML, e.g. configs/logs/bpic2013_incidents.yaml."),
    out: Path | None = typer.Option(None, "--out", help="Also write the data-quality table (CSV or Parquet)."),
) -> None:
    """Read a log, validate and clean it, and print the data-quality summary."""
    from workbench.config import load_log_config
    from workbench.io import check_not_input, write_table
    from workbench.usecases import load_and_validate

    config = load_log_config(log_config)
    loaded = load_and_validate(config, pseudonymise=False)  # validation writes no identifiers
    typer.echo(loaded.quality.to_text())
    if out is not None:
        check_not_input(out, [config.source.path, log_config])
        write_table(loaded.quality.to_frame(), out)
        typer.echo(f"Data-quality table written to {out}")


def demo_log(
    out: Path = typer.Option(..., "--out", help="Where to write the log: .csv or .parquet."),
    seed: int = typer.Option(42, "--seed", help="Random seed; the same seed gives the same log."),
    days: int = typer.Option(365, "--days", min=1, help="Number of days to generate."),
    truth: Path | None = typer.Option(None, "--truth", help="Also write the generator's known answers per ticket."),
) -> None:
    """Write the built-in demo log: a synthetic municipal IT-support desk (all identifiers synthetic)."""
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.io import write_table

    if out.suffix.lower() not in (".csv", ".parquet"):
        raise SourceError(f"--out '{out}' must end in .csv or .parquet")
    demo = generate_demo_log(DemoParams(days=days), seed=seed)
    write_table(demo.events, out)
    typer.echo(f"Demo log: {demo.events['ticket_id'].nunique():,} tickets, {len(demo.events):,} events -> {out}")
    if truth is not None:
        write_table(demo.truth, truth)
        typer.echo(f"Known answers per ticket -> {truth}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("validate")(validate)
    app.command("demo-log")(demo_log)
