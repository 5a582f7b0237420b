"""CLI: what-if simulation (``workbench simulate``) and its validation against history (``workbench validate-sim``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from workbench.cli._compute import close_executor, make_command_executor, scheduler_option
from workbench.cli._learning import calibrate_option
from workbench.cli._progress import progress_line
from workbench.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd


def _load_events(log_config: Path, activities: str | None):
    from workbench.config import load_log_config
    from workbench.errors import EventLogError
    from workbench.io import load_log

    config = load_log_config(log_config)
    events = load_log(config).events
    if activities:
        keep = events["activity"].astype(str).str.match(activities)
        if not keep.any():
            raise EventLogError(f"--activities '{activities}' matches no activity of log '{config.name}'")
        events = events[keep]
    return config, events


def simulate(
    log_config: Path = typer.Argument(
        ..., help="Log config YAML the model is learned from, e.g. configs/logs/demo.yaml."
    ),
    scenario: Path = typer.Option(
        ..., "--scenario", help="Scenario YAML, e.g. configs/scenarios/demo_add_infra_staff.yaml."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    replications: int = typer.Option(10, "--replications", "-n", min=1, help="Paired replications."),
    refits: int | None = typer.Option(
        None, "--refits", min=0, help="Models relearned from resamples of the log, so the 95% interval holds the "
        "model's own uncertainty too (default 4; 0: simulation noise only, the default with "
        "--model or --replay, which it needs the log without)."
    ),
    seed: int = typer.Option(0, "--seed", help="Root seed; the same seed gives the same numbers."),
    days: float | None = typer.Option(None, "--days", help="Days to simulate (default: the log's period)."),
    warmup_days: float = typer.Option(
        14.0, "--warmup-days", min=0, help="Days of warm-up left out of the KPIs."
    ),
    jobs: int | None = typer.Option(None, "--jobs", min=1, help="Worker processes (default: one per core)."),
    model_path: Path | None = typer.Option(
        None, "--model", help="Use this saved model (YAML/JSON) instead of learning one from the log."
    ),
    activities: str | None = typer.Option(
        None, "--activities", help="Keep only activities matching this regex."
    ),
    logs: str = typer.Option(
        "first", "--logs", help="Simulated logs to write: none, first (replication) or all."
    ),
    log_format: str = typer.Option("parquet", "--log-format", help="Simulated logs as parquet or csv."),
    replay: bool = typer.Option(
        False,
        "--replay",
        help="Replay the log's own case arrivals (and attributes) instead of drawing new ones.",
    ),
    force: bool = typer.Option(False, "--force", help="Write into a folder that holds files the workbench did not "
                               "write (inputs are never overwritten)."),
    allow_unusable: bool = typer.Option(
        False, "--allow-unusable", help="Run the scenario even on a model judged not usable (figures marked)."
    ),
    calibrate: bool = calibrate_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Learn a simulation model from a log and compare a what-if scenario with the baseline.

    Writes to --out: comparison.csv (per KPI: baseline, scenario, difference and its 95%
    confidence interval), group_comparison.csv, kpis.csv and group_kpis.csv (per
    replication), kpi_distributions.png/.svg, model.yaml and the simulated logs.
    """
    from workbench.config import load_log_config
    from workbench.io.outputs import OutputFolder
    from workbench.privacy import log_key
    from workbench.simulation import apply_scenario, load_model, load_scenario, model_to_yaml
    from workbench.usecases import (
        ModelUncertainty,
        compare_scenarios,
        judge_model,
        learn_simulation_model,
        replay_cases,
    )
    from workbench.usecases.simulate import REFITS, capacity_note
    from workbench.usecases.writers import scenario_result_names, write_scenario_result

    if logs not in ("none", "first", "all"):
        raise ConfigError(f"--logs must be none, first or all, got '{logs}'")
    if log_format not in ("parquet", "csv"):
        raise ConfigError(f"--log-format must be parquet or csv, got '{log_format}'")
    if refits is not None:
        from workbench.simulation.uncertainty import check_refits

        check_refits(refits, name="--refits")
    if refits and (replay or model_path is not None):
        raise ConfigError(f"--refits relearns the model from resamples of the log, which {'--replay' if replay else '--model'}"
                          " does not allow: leave --refits out (the interval is then simulation noise only)")
    if refits is None:
        from workbench.simulation.uncertainty import DEFAULT_REFITS

        refits = 0 if replay or model_path is not None else DEFAULT_REFITS
    config = load_log_config(log_config)
    plan = load_scenario(scenario)
    if days is not None and days <= warmup_days:  # say so before minutes of learning, not after
        raise ConfigError(
            f"--days {days:g} is not longer than the {warmup_days:g}-day warm-up, which is left out of the KPIs; "
            "simulate more days or lower --warmup-days"
        )
    folder = OutputFolder.open(out, inputs=[config.source.path, log_config, scenario, model_path], force=force)
    for name in scenario_result_names(replications=replications, plot=True, logs=logs, log_format=log_format):  # type: ignore[arg-type]
        folder.target(name)  # an input named like an output fails now, not after the replications
    executor = make_command_executor(scheduler, jobs)  # a bad --scheduler fails before minutes of learning
    events = None
    key = log_key(config.privacy) if model_path is None else None  # a weak key fails before minutes of learning
    try:
        if model_path is None or replay:
            _, events = _load_events(log_config, activities)
        if model_path is not None:
            model = load_model(model_path)
        else:
            assert events is not None
            typer.echo(
                f"Learning a simulation model from '{config.name}' ({events['case_id'].nunique():,} cases) ...",
                err=True,
            )
            # the model is learned (and calibrated) the same whatever --seed, as in the pipeline
            model = learn_simulation_model(events, config, calibrate=calibrate, key=key)
        apply_scenario(model, plan)  # a team or activity that does not exist fails now, before any check
        verdict = None
        if model_path is None:  # a verdict before any what-if (a saved model was judged when it was learned)
            assert events is not None
            verdict, why_not = judge_model(
                events, config, replications=3, seed=seed, executor=executor, calibrate=calibrate, key=key
            )
            typer.echo(f"warning: {why_not}" if verdict is None else verdict.summary, err=True)
        typer.echo(capacity_note(model) if calibrate or model_path is not None else
                   "capacity not calibrated (--no-calibrate): headcount, absences and work times as learned", err=True)
        show = progress_line(f"simulating '{plan.name}': replication")
        show_refits = progress_line("model uncertainty: refit")
        uncertainty = None
        if refits and events is not None:
            uncertainty = ModelUncertainty(events=events, log_config=config, refits=refits, calibrate=calibrate,
                                           key=key)
        comparison = compare_scenarios(
            model, [(scenario.stem, plan)], replications=replications, seed=seed, days=days,
            warmup_days=warmup_days, keep_runs=logs != "none",
            replay=replay_cases(events, model) if replay and events is not None else None,
            executor=executor,
            progress=lambda name, done, total: (show_refits if name == REFITS else show)(done, total),
            verdict=verdict, allow_unusable=allow_unusable, uncertainty=uncertainty,
        )
    finally:
        close_executor(executor)
    folder.write_text("model.yaml", model_to_yaml(model), keep_edited=True)
    result = comparison.outcomes[0].result
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    write_scenario_result(result, folder, title=plan.name, plot=True, logs=logs, log_format=log_format)  # type: ignore[arg-type]
    if result.settings.get("marked"):
        typer.echo("[model not usable] every figure below comes from a model that does not reproduce the log")
    for note in result.settings.get("notes", []):
        typer.echo(f"note: {note}", err=True)
    typer.echo(_table(result.comparison))
    interval = (f"95% intervals: simulation noise and the model's uncertainty ({refits} refits)" if uncertainty
                else "95% intervals: simulation noise only")
    typer.echo(f"Results for scenario '{plan.name}' ({replications} replications, seed {seed}; {interval}) -> {out}")


def _table(comparison: pd.DataFrame) -> str:
    from workbench.usecases.writers import MAIN_KPIS as _MAIN_KPIS

    rows = comparison[
        comparison["kpi"].isin(_MAIN_KPIS) | comparison["kpi"].str.startswith(("team_wait_h", "utilisation"))
    ]
    lines = [f"{'KPI':38} {'baseline':>10} {'scenario':>10} {'difference':>11}   95% CI"]
    for _, r in rows.iterrows():
        ci = "" if r["ci_low"] != r["ci_low"] else f"[{r['ci_low']:.2f}, {r['ci_high']:.2f}]"
        lines.append(
            f"{r['kpi'][:38]:38} {r['baseline']:10.2f} {r['scenario']:10.2f} {r['difference']:11.2f}   {ci}"
        )
    return "\n".join(lines)


def validate_sim(
    log_config: Path = typer.Argument(..., help="Log config YAML, e.g. configs/logs/bpic2012.yaml."),
    replications: int = typer.Option(
        10, "--replications", "-n", min=1, help="Simulated replications of the test period."
    ),
    seed: int = typer.Option(0, "--seed", help="Root seed."),
    train_share: float = typer.Option(
        0.8, "--train-share", min=0.05, max=0.95, help="Share of cases (by start) to learn from."
    ),
    activities: str | None = typer.Option(
        None, "--activities", help="Keep only activities matching this regex (e.g. 'W_')."
    ),
    crop: bool = typer.Option(
        True, "--crop/--no-crop", help="Cut simulated events after the log's end, as the log was cut."
    ),
    jobs: int | None = typer.Option(None, "--jobs", min=1, help="Worker processes (default: one per core)."),
    out: Path | None = typer.Option(
        None, "--out", help="Also write scores.csv, model.yaml and a simulated test log here."
    ),
    force: bool = typer.Option(False, "--force", help="Write into a folder that holds files the workbench did not "
                               "write (inputs are never overwritten)."),
    calibrate: bool = calibrate_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Validate simulation against history: learn on the first 80% of cases, simulate the rest, score the distance."""
    from workbench.io.outputs import OutputFolder
    from workbench.privacy import log_key
    from workbench.usecases import validate_simulation
    from workbench.usecases.writers import VALIDATION_FILES, write_validation

    executor = make_command_executor(scheduler, jobs)  # a bad --scheduler fails before the log is read
    try:
        config, events = _load_events(log_config, activities)
        folder = None
        if out is not None:
            folder = OutputFolder.open(out, inputs=[config.source.path, log_config], force=force)
            for name in VALIDATION_FILES:
                folder.target(name)  # an input named like an output fails now, not after the replications
        result = validate_simulation(
            events, config, replications=replications, seed=seed, train_share=train_share, crop=crop,
            executor=executor, progress=progress_line(f"validating '{config.name}': replication"), calibrate=calibrate,
            key=log_key(config.privacy),
        )
    finally:
        close_executor(executor)
    s = result.settings
    typer.echo(
        f"Log '{config.name}': learned on {s['train_cases']:,} cases, simulated {s['test_cases']:,} test cases from "
        f"{s['split']} ({replications} replications, seed {seed})"
    )
    for _, r in result.summary.iterrows():
        typer.echo(
            f"  {r['metric']:28} {r['mean']:10.3f}  (sd {r['std']:.3f}, min {r['min']:.3f}, max {r['max']:.3f})"
        )
    if result.verdict is not None:
        typer.echo(f"Verdict: {result.verdict.summary}")
        if not calibrate:
            typer.echo("  (capacity not calibrated: --no-calibrate)")
    if folder is not None:
        write_validation(result, folder)
        typer.echo(f"Scores, model and a simulated test log -> {out}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("simulate")(simulate)
    app.command("validate-sim")(validate_sim)
