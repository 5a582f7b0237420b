"""CLI: train, tune and track a prediction model; score the open cases of a log.

``workbench train configs/training/demo_duration.yaml`` splits the log, tunes LightGBM
with Optuna on the validation part, evaluates once on the test part beside a baseline,
logs the run to MLflow (``mlruns/``) and registers the model under its name.

``workbench predict configs/logs/demo.yaml --model demo-duration --model demo-reopen``
scores every open case with the registered models and writes a ranked at-risk list.
"""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.errors import ConfigError

_URI_HELP = "MLflow tracking URI (default: $WORKBENCH_MLFLOW_URI or sqlite:///<cwd>/mlruns/mlflow.db)."


def train(
    train_config: Path = typer.Argument(..., help="Training config YAML, e.g. configs/training/demo_duration.yaml."),
    tracking_uri: str | None = typer.Option(None, "--tracking-uri", help=_URI_HELP),
    trials: int | None = typer.Option(None, "--trials", min=0, help="Override the config's budget.trials."),
    seconds: float | None = typer.Option(None, "--seconds", min=1, help="Override the config's budget.seconds."),
    register: bool = typer.Option(True, "--register/--no-register", help="Register the model under its name."),
) -> None:
    """Train, tune (Optuna, validation part only), evaluate once on the test part, and track in MLflow."""
    import optuna

    from workbench.config import load_log_config
    from workbench.models import load_training_config
    from workbench.models.tracking import resolve_tracking_uri
    from workbench.usecases import load_and_validate, train_predictor, tuning_budget
    from workbench.usecases.writers import track_training

    config = tuning_budget(load_training_config(train_config), trials=trials, seconds=seconds)
    log_config = load_log_config(config.log)
    uri = resolve_tracking_uri(tracking_uri)
    events = load_and_validate(log_config).events
    typer.echo(f"Training '{config.name}': {config.target}"
               f"{' to ' + config.until if config.target == 'remaining_time' else ''} on log '{log_config.name}' "
               f"({events['case_id'].nunique():,} cases), {config.split.kind} split, "
               f"budget {config.budget.trials} trials / {config.budget.seconds or '-'} s")
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # one line per trial below instead

    def progress(trial: optuna.trial.FrozenTrial) -> None:
        value = "pruned" if trial.value is None else f"{trial.value:.4f}"
        typer.echo(f"  trial {trial.number + 1}: {value}")

    result = train_predictor(events, config, log_config, on_trial=progress)
    logged = track_training(result, tracking_uri=uri, experiment=config.experiment, register=register)
    m = result.metrics
    typer.echo(f"Examples: {result.counts}")
    if config.task == "regression":
        typer.echo(f"Test MAE {m['test_mae']:.3f} days (baseline, mean per prefix length: {m['baseline_mae']:.3f}); "
                   f"{int(m['test_n']):,} prefixes")
    else:
        typer.echo(f"Test AUC {m.get('test_auc', float('nan')):.3f}, average precision "
                   f"{m.get('test_average_precision', float('nan')):.3f} (base rate {m['test_base_rate']:.3f}), "
                   f"Brier {m['test_brier']:.4f} (baseline {m['baseline_brier']:.4f}), "
                   f"calibration error {m['test_calibration_error']:.4f}; {int(m['test_n']):,} resolutions")
    for caution in result.cautions:
        typer.echo(f"caution: {caution}")
    where = f"registered as '{logged.registered_name}' version {logged.version}" if logged.version else "not registered"
    typer.echo(f"MLflow run {logged.run_id} in {logged.tracking_uri}; model {where}; {result.seconds:.0f} s")


def predict(
    log_config: Path = typer.Argument(..., help="Log config YAML of the log with the open cases."),
    model: list[str] = typer.Option(..., "--model", help="Registered model name (repeat for a duration and a reopen model)."),
    out: Path | None = typer.Option(None, "--out", help="Where to write the ranked list (.csv or .parquet)."),
    rank_by: str = typer.Option("remaining", "--rank-by", help="Rank by 'remaining' time or 'reopen' probability."),
    top_features: int = typer.Option(3, "--top-features", min=0, help="Contributing features listed per case."),
    show: int = typer.Option(10, "--show", min=0, help="Rows of the list printed here."),
    tracking_uri: str | None = typer.Option(None, "--tracking-uri", help=_URI_HELP),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Score as of this moment, e.g. 2024-03-01 or '2024-03-01 14:00' (local time of the "
        "log's time zone); default: the log's last event."),
    force: bool = typer.Option(False, "--force", help="Replace the --out file even though the workbench did not "
                               "write it (inputs are never overwritten)."),
) -> None:
    """Score every case open as of a moment and write a ranked at-risk list with the reasons behind each score."""
    from workbench.config import load_log_config
    from workbench.io.outputs import OutputFolder
    from workbench.models import load_trained_model, parse_as_of
    from workbench.models.tracking import resolve_tracking_uri
    from workbench.usecases import load_and_validate, score_open_cases

    if rank_by not in ("remaining", "reopen"):
        raise ConfigError(f"--rank-by must be 'remaining' or 'reopen', got {rank_by!r}")
    config = load_log_config(log_config)
    moment = parse_as_of(as_of, timezone=config.time.timezone) if as_of is not None else None
    target = out if out is not None else Path("outputs") / f"{config.name}_at_risk.csv"
    folder, name = OutputFolder.open_for_file(target, inputs=[config.source.path, log_config], force=force)
    uri = resolve_tracking_uri(tracking_uri)
    models = [load_trained_model(name, tracking_uri=uri) for name in model]
    events = load_and_validate(config).events
    result = score_open_cases(events, models, top_features=top_features, rank_by=rank_by,  # type: ignore[arg-type]
                              as_of=moment, complete_cases=config.complete_cases)
    scored = result.at_risk
    target = folder.write_table(name, scored)
    when = scored["as_of"].iloc[0] if len(scored) else (moment or events["timestamp"].max())
    typer.echo(f"{len(scored):,} cases open as of {when:%Y-%m-%d %H:%M} UTC scored with {', '.join(f'{m.name} v{m.version}' for m in models)} -> {target}")
    if result.open_rule is not None:
        typer.echo(f"note: {result.open_rule}")
    if show and len(scored):
        cols = [c for c in ("rank", "case_id", "last_activity", "elapsed_days", "predicted_remaining_days",
                            "predicted_end_date", "reopen_probability")
                if c in scored.columns]
        typer.echo(scored[cols].head(show).to_string(index=False, float_format=lambda v: f"{v:.2f}"))


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("train")(train)
    app.command("predict")(predict)
