"""CLI: the main job. ``workbench demo`` runs the whole pipeline on the built-in demo data;
``workbench run`` runs it on any experiment config."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import typer

from workbench.cli._compute import close_executor, make_command_executor, scheduler_option

_FORCE_HELP = "Write into an output folder that holds files the workbench did not write (inputs stay protected)."
DEMO_EXPERIMENT = Path(__file__).resolve().parents[2] / "experiments" / "demo.yaml"


def _quiet_libraries() -> None:
    """Keep the terminal to the pipeline's own progress: libraries' INFO logs go to WARNING."""
    import logging
    import os

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # one INFO line per trial otherwise
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")  # read when mlflow configures its loggers
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _run(experiment_path: Path, out: Path | None, *, ephemeral_key: bool, force: bool = False,
         scheduler: str | None = None, workers: int | None = None) -> int:
    import os

    from workbench.models.tracking import resolve_tracking_uri
    from workbench.pipeline import load_experiment, run_pipeline
    from workbench.pipeline.runner import sigterm_as_interrupt

    experiment = load_experiment(experiment_path)
    _quiet_libraries()
    secret = None
    if ephemeral_key and not os.environ.get("WORKBENCH_SECRET"):
        # the demo data is synthetic: a fresh random key for this run is safe (pseudonyms differ per run)
        secret = secrets.token_hex(32)
        typer.echo("WORKBENCH_SECRET is not set: the demo uses a fresh random pseudonymisation key for this run.")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    typer.echo(f"Experiment '{experiment.name}': {experiment.description}")
    folder = Path(out or experiment.output)  # type: ignore[arg-type]
    executor = make_command_executor(scheduler, workers) if scheduler or workers else None
    try:
        with sigterm_as_interrupt():
            outcome = run_pipeline(experiment, generated_at=stamp, mlflow_uri=resolve_tracking_uri(experiment.mlflow_uri),
                                   secret=secret, progress=typer.echo, out_dir=out, force=force, executor=executor)
    except KeyboardInterrupt:
        typer.echo(f"interrupted; what finished is kept in {folder.resolve()} (run_state.json says where it stopped)",
                   err=True)
        return 130
    finally:
        close_executor(executor)
    results = outcome.results
    typer.echo("")
    if results.report is not None:
        files = results.report
        typer.echo(f"Report: {Path(files['html']).resolve()}")
        if "pdf" in files:
            typer.echo(f"Print version: {Path(files['pdf']).resolve()}")
        elif files.pdf_note:
            typer.echo(f"No PDF: {files.pdf_note}")
    typer.echo(f"All outputs: {outcome.out_dir.resolve()}")
    if results.models is not None:
        typer.echo(f"MLflow store: {outcome.mlflow_uri}")
        typer.echo(f"Open the MLflow UI with:  mlflow ui --backend-store-uri {outcome.mlflow_uri}")
    return 0


def demo(
    out: Path | None = typer.Option(None, "--out", help="Output folder (default outputs/demo)."),
    force: bool = typer.Option(False, "--force", help=_FORCE_HELP),
) -> int:
    """Run the main job on the built-in demo desk: map, questions, what-ifs, models, fairness, report."""
    return _run(DEMO_EXPERIMENT, out, ephemeral_key=True, force=force)


def run(
    experiment: Path = typer.Argument(..., help="Experiment config YAML, e.g. experiments/bpic2013_incidents.yaml."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: the experiment's output)."),
    force: bool = typer.Option(False, "--force", help=_FORCE_HELP),
    scheduler: str | None = scheduler_option("replications, desks and sweeps"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Worker processes on this machine."),
) -> int:
    """Run the pipeline driven by an experiment config (log, filters, scenarios, training, audit)."""
    return _run(experiment, out, ephemeral_key=False, force=force, scheduler=scheduler, workers=workers)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("demo")(demo)
    app.command("run")(run)
