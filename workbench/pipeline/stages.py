"""The pipeline's stages: each reads earlier results from the context and writes its own folder.

Stages are thin: they call the library (io, analysis, discovery, simulation, models,
fairness, report) and write files; the work itself lives in those packages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.config import LogConfig
from workbench.io import write_table, write_text
from workbench.pipeline.config import ExperimentConfig
from workbench.pipeline.runner import RunContext

__all__ = ["Settings", "stage_load", "stage_discover"]


@dataclass(frozen=True)
class Settings:
    """What every stage may read: the experiment, the log config, the key, the MLflow store."""

    experiment: ExperimentConfig
    log_config: LogConfig
    secret: str | None
    mlflow_uri: str
    generated_at: str


def _settings(ctx: RunContext) -> Settings:
    return ctx.settings  # type: ignore[no-any-return]


def stage_load(ctx: RunContext) -> dict[str, Any]:
    """Read, validate, clean and pseudonymise the log; write the data-quality table and the clean log."""
    from workbench.io import load_log

    s = _settings(ctx)
    loaded = load_log(s.log_config, secret=s.secret)
    out = ctx.stage_dir("load")
    write_table(loaded.quality.to_frame(), out / "data_quality.csv")
    write_text(loaded.quality.to_text() + "\n", out / "data_quality.txt")
    write_table(loaded.events, out / "events.parquet")
    return {"loaded": loaded, "files": {"events": out / "events.parquet"}}


def stage_discover(ctx: RunContext) -> dict[str, Any]:
    """Filters, process map and model, the desk's questions, variants and rule checks."""
    from workbench.analysis import load_filters, load_rules
    from workbench.analysis.run import discover_log, discovery_tables, summary_lines
    from workbench.discovery import build_process_map, write_maps

    s = _settings(ctx)
    loaded = ctx.results["load"]["loaded"]
    exp = s.experiment
    filters = load_filters(exp.filters) if exp.filters is not None else None
    rules = load_rules(exp.rules) if exp.rules is not None else None
    result = discover_log(loaded.events, s.log_config, filters=filters, rules=rules)
    out = ctx.stage_dir("discover")
    process_map = build_process_map(result.events)
    maps = write_maps(result.events, out, title=f"{s.log_config.name}: process map", process_map=process_map)
    tables: dict[str, Path] = {}
    for name, frame in discovery_tables(result).items():
        tables[name] = write_table(frame, out / "tables" / f"{name}.csv")
    summary = summary_lines(s.log_config.name, result)
    write_text("\n".join(summary) + "\n", out / "summary.txt")
    return {"discovery": result, "process_map": process_map, "maps": maps, "tables": tables, "summary": summary}


def stage_simulate(ctx: RunContext) -> dict[str, Any]:
    """Learn a simulation model from the log; run each scenario against the baseline (paired replications)."""
    from workbench.simulation import discover_model, save_model
    from workbench.simulation.experiment import run_experiment
    from workbench.simulation.scenarios import apply_scenario, load_scenario

    s = _settings(ctx)
    sim = s.experiment.simulation
    events = ctx.results["load"]["loaded"].events
    scenarios = [load_scenario(p) for p in sim.scenarios]  # every scenario checked before anything runs
    model = discover_model(events, config=s.log_config)
    for scenario in scenarios:  # a team or activity that does not exist stops the stage before any run
        apply_scenario(model, scenario)
    out = ctx.stage_dir("simulate")
    save_model(model, out / "model.yaml")
    results = {}
    for path, scenario in zip(sim.scenarios, scenarios, strict=True):
        result = run_experiment(
            model, scenario, replications=sim.replications, seed=s.experiment.seed, n_jobs=sim.n_jobs,
        )
        folder = out / Path(path).stem
        write_table(result.comparison, folder / "comparison.csv")
        write_table(result.group_comparison, folder / "group_comparison.csv")
        write_table(result.kpis, folder / "kpis.csv")
        write_table(result.group_kpis, folder / "group_kpis.csv")
        results[scenario.name] = result
    return {"model": model, "results": results}


def stage_train(ctx: RunContext) -> dict[str, Any]:
    """Train, tune (Optuna) and track (MLflow) each model named in the experiment."""
    from workbench.models import load_training_config, log_training_run, train_model

    s = _settings(ctx)
    tr = s.experiment.training
    events = ctx.results["load"]["loaded"].events
    out = ctx.stage_dir("train")
    trained = {}
    for path in tr.configs:
        config = load_training_config(path)
        # A trial count from the experiment replaces the config's budget whole: a time limit would
        # make the number of trials (and so the model) depend on how busy the machine is.
        if tr.trials is not None:
            budget = config.budget.model_copy(update={"trials": tr.trials, "seconds": tr.timeout_seconds})
        elif tr.timeout_seconds is not None:
            budget = config.budget.model_copy(update={"seconds": tr.timeout_seconds})
        else:
            budget = config.budget
        config = config.model_copy(update={"budget": budget, "seed": s.experiment.seed})
        result = train_model(events, config=config, log_config=s.log_config)
        parent = ctx.results.get("pipeline", {}).get("mlflow_run")
        logged = log_training_run(
            result, tracking_uri=s.mlflow_uri, experiment=f"workbench-{s.experiment.name}",
            extra_tags={"mlflow.parentRunId": parent.run_id} if parent is not None else None,
        )
        write_table(result.importance, out / f"{config.name}_importance.csv")
        if result.per_prefix is not None:
            write_table(result.per_prefix, out / f"{config.name}_per_prefix.csv")
        trained[config.name] = {"result": result, "logged": logged, "config": config}
    return {"models": trained, "mlflow_uri": s.mlflow_uri}


def stage_predict(ctx: RunContext) -> dict[str, Any]:
    """Score every open case with the trained models: the ranked at-risk list with reasons."""
    from workbench.models import score_open_cases

    events = ctx.results["load"]["loaded"].events
    models = [m["result"].model for m in ctx.results["train"]["models"].values()]
    scored = score_open_cases(events, models=models)
    out = ctx.stage_dir("predict")
    write_table(scored, out / "at_risk.csv")
    return {"at_risk": scored}


def stage_audit(ctx: RunContext) -> dict[str, Any]:
    """Fairness: the log as it is, each trained model, and each simulated change, per group of users."""
    from workbench.fairness import (
        audit_history,
        audit_model,
        audit_process_change,
        combine_results,
        load_audit_config,
        write_audit,
    )
    from workbench.fairness.runner import historical_audit, shared_settings
    from workbench.models import predict_frame

    s = _settings(ctx)
    events = ctx.results["load"]["loaded"].events
    log_config = s.log_config
    config = load_audit_config(s.experiment.audit) if s.experiment.audit is not None else None
    if config is not None:
        common = shared_settings(config, log_config)
        seed, reps, noun = config.seed, config.replicates, config.case_noun
    else:  # no audit config: the log config's groups and the default flag rule
        common = {"group_attributes": tuple(log_config.group_attributes),
                  "min_group_size": log_config.privacy.min_group_size,
                  "staff_attributes": log_config.staff_attributes, "person_columns": log_config.person_columns}
        seed, reps, noun = s.experiment.seed, 1000, "cases"
    attrs = common["group_attributes"]
    if not attrs:
        return {"result": None, "note": "no group attributes are configured: nothing to audit"}
    results = [
        historical_audit(events, config, log_config, common, replicates=reps) if config is not None
        else audit_history(events, statuses=log_config.statuses, replicates=reps, seed=seed, case_noun=noun, **common)
    ]
    for name, trained in ctx.results.get("train", {}).get("models", {}).items():
        scores = predict_frame(trained["result"].model, events, group_attributes=attrs)
        results.append(audit_model(scores, replicates=reps, seed=seed, case_noun=noun, model_name=name, **common))
    process_common = {k: v for k, v in common.items() if k != "group_attributes"}
    for name, result in ctx.results.get("simulate", {}).get("results", {}).items():
        results.append(audit_process_change(
            result.group_kpis, result.kpis, group_attributes=attrs, scenario_name=name, **process_common,
        ))
    combined = combine_results(*results)
    files = write_audit(combined, ctx.stage_dir("audit"), title=f"Fairness audit: {s.experiment.name}")
    return {"result": combined, "files": files}
