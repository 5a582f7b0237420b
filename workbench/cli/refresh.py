"""CLI: ``workbench refresh <config>`` -- the daily refresh from the ticket system's database.

Reads what changed since the last refresh into the local event store, recomputes the
questions, rule checks, alerts, scores and the model's drift, and writes them (CSV) with a
``refresh_status.json`` stamp saying how current the data is. Meant for a timer (see the
README); exit 0 on success, 2 with one line on bad input, schema drift or a held lock.
"""

from __future__ import annotations

from pathlib import Path

import typer


def refresh(
    config: Path = typer.Argument(..., help="Refresh config YAML (log config, store, outputs, rules, model)."),
    full: bool = typer.Option(False, "--full", help="Read every row and rebuild the store (e.g. after a retyped "
                              "column was checked)."),
) -> None:
    """Refresh the event store from the SQL source and recompute what depends on it."""
    import pandas as pd

    from workbench.refresh import load_refresh_config, write_refresh
    from workbench.refresh import refresh as run_refresh
    from workbench.refresh.drift import track_drift

    plan = load_refresh_config(config)
    result = run_refresh(plan, now=pd.Timestamp.now(tz="UTC"), full=full)
    u = result.update
    if result.lock_note:
        typer.echo(f"Lock: {result.lock_note}")
    if u.recovered:
        typer.echo(f"Recovery: {u.recovered}")
    since = "everything (full reload)" if u.full else f"rows changed since {u.since}"
    typer.echo(f"Read {u.read:,} rows ({since}): {u.inserted:,} new, {u.reread:,} read again, {u.deleted:,} "
               f"deleted in the source; {u.partitions_written} partitions written; store generation "
               f"{u.generation}, {u.rows:,} rows")
    if result.drift is not None and plan.config.model is not None and plan.config.model.track:
        run_id = track_drift(result.drift, tracking_uri=plan.config.model.tracking_uri,
                             data_as_of=str(result.data_as_of))
        typer.echo(f"Model drift: {result.drift.reason} (MLflow run {run_id})")
    written = write_refresh(result, plan.config.outputs)
    for line in result.summary:
        typer.echo(line)
    alerts = ", ".join(f"{len(f):,} {n.removeprefix('alerts_')}" for n, f in result.tables.items()
                       if n.startswith("alerts_"))
    typer.echo(f"Alerts: {alerts or 'none configured'}")
    typer.echo(f"Data as of {result.data_as_of}; {len(written)} files in {plan.config.outputs}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("refresh")(refresh)
