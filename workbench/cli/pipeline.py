"""CLI: the main job. ``workbench demo`` runs the whole pipeline on the built-in demo data;
``workbench run`` runs it on any experiment config."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import typer

DEMO_EXPERIMENT = Path(__file__).resolve().parents[2] / "experiments" / "demo.yaml"


def _quiet_libraries() -> None:
    """Keep the terminal to the pipeline's own progress: libraries' INFO logs go to WARNING."""
    import logging
    import os

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # one INFO line per trial otherwise
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")  # read when mlflow configures its loggers
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _run(experiment_path: Path, out: Path | None, *, ephemeral_key: bool) -> None:
    import os

    from workbench.pipeline import load_experiment, run_experiment

    experiment = load_experiment(experiment_path)
    _quiet_libraries()
    secret = None
    if ephemeral_key and not os.environ.get("WORKBENCH_SECRET"):
        # the demo data is synthetic: a fresh random key for this run is safe (pseudonyms differ per run)
        secret = secrets.token_hex(32)
        typer.echo("WORKBENCH_SECRET is not set: the demo uses a fresh random pseudonymisation key for this run.")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    typer.echo(f"Experiment '{experiment.name}': {experiment.description}")
    results = run_experiment(experiment, generated_at=stamp, secret=secret, progress=typer.echo, out_dir=out)
    folder = Path(out or experiment.output)  # type: ignore[arg-type]
    typer.echo("")
    if "report" in results:
        files = results["report"]["files"]
        typer.echo(f"Report: {Path(files['html']).resolve()}")
        if "pdf" in files:
            typer.echo(f"Print version: {Path(files['pdf']).resolve()}")
        elif getattr(files, "pdf_note", ""):
            typer.echo(f"No PDF: {files.pdf_note}")
    typer.echo(f"All outputs: {folder.resolve()}")
    if "train" in results:
        uri = results["train"].get("mlflow_uri", "")
        typer.echo(f"MLflow store: {uri}")
        typer.echo(f"Open the MLflow UI with:  mlflow ui --backend-store-uri {uri}")


def demo(
    out: Path | None = typer.Option(None, "--out", help="Output folder (default outputs/demo)."),
) -> None:
    """Run the main job on the built-in demo desk: map, questions, what-ifs, models, fairness, report."""
    _run(DEMO_EXPERIMENT, out, ephemeral_key=True)


def run(
    experiment: Path = typer.Argument(..., help="Experiment config YAML, e.g. experiments/bpic2013_incidents.yaml."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: the experiment's output)."),
) -> None:
    """Run the pipeline driven by an experiment config (log, filters, scenarios, training, audit)."""
    _run(experiment, out, ephemeral_key=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("demo")(demo)
    app.command("run")(run)
