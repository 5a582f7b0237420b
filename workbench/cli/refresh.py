"""CLI: ``workbench refresh <config>`` -- the daily refresh from the ticket system's database.

Reads what changed since the last refresh into the local event store, recomputes through the
use cases the map and the questions, rule checks, scores and the report, plus the alerts and the
model's drift, and writes them in the pipeline's layout (``load/``, ``discover/``, ``predict/``,
``report/``), with ``as_of.json`` (what the app shows as "data as of") and a
``refresh_status.json`` stamp. Meant for a timer (see the README); exit 0 on success, 2 with one
line on bad input, schema drift or a held lock.
"""

from __future__ import annotations

from pathlib import Path

import typer


def refresh(
    config: Path = typer.Argument(..., help="Refresh config YAML (log config, store, outputs, rules, model)."),
    full: bool = typer.Option(False, "--full", help="Read every row and rebuild the store (e.g. after a retyped "
                              "column was checked)."),
    force: bool = typer.Option(False, "--force", help="Write into the outputs folder even though it holds files "
                               "the workbench did not write (e.g. from a refresh before the current layout)."),
) -> None:
    """Refresh the event store from the SQL source and recompute what depends on it."""
    import pandas as pd

    from workbench.io import OutputFolder
    from workbench.refresh import load_refresh_config, write_refresh
    from workbench.refresh import refresh as run_refresh
    from workbench.refresh.drift import track_drift

    plan = load_refresh_config(config)
    OutputFolder.open(plan.config.outputs, force=force)  # a folder we may not write into stops us before the merge
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
    if result.retrained is not None and plan.config.model is not None:
        from workbench.models import log_training_run

        logged = log_training_run(result.retrained, tracking_uri=plan.config.model.tracking_uri,
                                  experiment="refresh-retrain")
        typer.echo(f"Retrained '{logged.registered_name}': version {logged.version} registered (MLflow run "
                   f"{logged.run_id}); the next refresh scores with it unless model.version pins another")
    written = write_refresh(result, plan.config.outputs, force=force)
    for line in result.summary:
        typer.echo(line)
    alerts = ", ".join(f"{len(f):,} {n.removeprefix('alerts_')}" for n, f in result.tables.items()
                       if n.startswith("alerts_"))
    typer.echo(f"Alerts: {alerts or 'none configured'}")
    if result.recomputed is not None and result.recomputed.report is not None:
        typer.echo(f"Report: {plan.config.outputs / 'report' / 'report.html'}")
    typer.echo(f"Data as of {result.data_as_of}; {len(written)} files in {plan.config.outputs}")


def example_db(
    url: str = typer.Argument(..., help="SQLAlchemy URL of an empty database, e.g. sqlite:///outputs/tickets.db."),
    days: int = typer.Option(60, "--days", min=1, help="Days of the demo desk to put in the history."),
    until_day: int | None = typer.Option(None, "--until-day", min=1, help="Only history before this day (add "
                                         "the rest later with --from-day, to watch a refresh pick it up)."),
    from_day: int | None = typer.Option(None, "--from-day", min=1, help="Add the history from this day on to a "
                                        "database made before with --until-day."),
    seed: int = typer.Option(42, "--seed", help="Seed of the demo desk."),
) -> None:
    """Create (or extend) an example ticket-system database: teams, cases, history and a history view."""
    import pandas as pd
    import sqlalchemy as sa

    from workbench.demo import DemoParams, generate_demo_log
    from workbench.errors import SourceError
    from workbench.refresh.example import create_schema, insert_history, ticket_history

    history = ticket_history(generate_demo_log(DemoParams(days=days), seed=seed).events)
    day = (history["changed_at"] - history["changed_at"].min().normalize()) // pd.Timedelta(days=1)
    rows = history[(day < (until_day or days + 2) - 1) & (day >= (from_day or 1) - 1)]
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise SourceError(f"not a usable database URL: {str(exc).splitlines()[0]}") from None
    try:
        if from_day is None:
            try:
                create_schema(engine)
            except sa.exc.SQLAlchemyError:
                raise SourceError(f"the database {url} already has the example tables; use --from-day to add "
                                  "rows, or give an empty database") from None
        try:
            added = insert_history(engine, rows)
        except sa.exc.IntegrityError:
            raise SourceError(f"some of these history rows are already in {url}; --from-day must be the "
                              "--until-day used before") from None
    finally:
        engine.dispose()
    typer.echo(f"{added:,} history rows ({rows['case_id'].nunique():,} tickets) written to {url}; "
               "the view is v_case_history")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("refresh")(refresh)
    app.command("refresh-example-db")(example_db)
