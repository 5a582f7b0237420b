"""The pipeline's stages: each calls one use case and its writer; none parses YAML or reads the environment.

A stage reads the parsed inputs (:class:`RunInputs`) and earlier results from the context,
writes its files under ``<stage>/`` of the run's output folder, and returns the one typed
result it produces (see :data:`STAGES`, which declares what each stage needs).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from optuna.trial import FrozenTrial

from workbench.compute import Executor
from workbench.desks import DeskComparison, compare_desks, write_desk_comparison
from workbench.io import LoadedLog
from workbench.pipeline.config import ExperimentInputs
from workbench.pipeline.runner import RunContext, Stage
from workbench.privacy import log_key
from workbench.report.write import ReportFiles
from workbench.usecases import (
    FairnessAudit,
    MapAndAnswers,
    ModelScores,
    ModelUncertainty,
    ProcessChange,
    ScenarioComparison,
    ScoredCases,
    TrainedEntry,
    audit_fairness,
    audit_settings,
    build_run_report,
    compare_scenarios,
    discover_map_and_answers,
    judge_model,
    learn_simulation_model,
    load_and_validate,
    refused_comparison,
    score_open_cases,
    train_predictor,
    tuning_budget,
)
from workbench.usecases import writers as w
from workbench.usecases.report import write_run_report
from workbench.usecases.simulate import REFITS

__all__ = ["RunInputs", "STAGES", "stage_load", "stage_discover", "stage_simulate", "stage_train", "stage_predict",
           "stage_audit", "stage_report", "stage_desks"]


@dataclass(frozen=True)
class RunInputs:
    """What every stage may read: the parsed configs, the key, the MLflow store, the executor, the stamp."""

    parsed: ExperimentInputs
    secret: str | None
    mlflow_uri: str
    generated_at: str
    executor: Executor
    parent_run_id: str | None = None


def _inputs(ctx: RunContext) -> RunInputs:
    inputs: RunInputs = ctx.inputs
    return inputs


def _events(ctx: RunContext) -> pd.DataFrame:
    assert ctx.results.log is not None  # guaranteed by check_plan
    return ctx.results.log.events


def stage_load(ctx: RunContext) -> LoadedLog:
    """Read, validate, clean and pseudonymise the log; write the data-quality table and the clean log."""
    s = _inputs(ctx)
    loaded = load_and_validate(s.parsed.log, secret=s.secret)
    w.write_quality(loaded, ctx.folder, prefix="load", events=True)
    ctx.say(f"{loaded.events['case_id'].nunique():,} cases, {len(loaded.events):,} events")
    return loaded


def stage_discover(ctx: RunContext) -> MapAndAnswers:
    """Filters, process map and model, the desk's questions, variants and rule checks."""
    p = _inputs(ctx).parsed
    result = discover_map_and_answers(_events(ctx), p.log, filters=p.filters, rules=p.rules)
    w.write_map_and_answers(result, ctx.folder, prefix="discover")
    return result


def stage_simulate(ctx: RunContext) -> ScenarioComparison:
    """Learn a simulation model from the log; run each scenario against the baseline (paired replications)."""
    s = _inputs(ctx)
    p = s.parsed
    sim = p.experiment.simulation
    key = log_key(s.parsed.log.privacy, secret=s.secret)
    model = learn_simulation_model(_events(ctx), p.log, key=key)
    verdict = None
    if sim.check_replications > 0:  # a verdict before any what-if
        verdict, why_not = judge_model(
            _events(ctx), p.log, replications=sim.check_replications, seed=p.experiment.seed,
            executor=s.executor, progress=lambda done, total: ctx.say(f"checking the model: replication {done}/{total}"),
            key=key,
        )
        ctx.say(verdict.summary if verdict is not None else str(why_not))
    if verdict is not None and not verdict.usable and not sim.allow_unusable:
        # a refusal is an answer, not a failure: the map, the models and the report still come
        refused = refused_comparison(model, p.scenarios, replications=sim.replications, seed=p.experiment.seed,
                                     verdict=verdict)
        ctx.say("scenarios not run: the model does not reproduce the log; fix the log config (staff, non_staff, "
                "statuses) or set simulation.allow_unusable: true to run them with every figure marked")
        w.write_comparison(refused, ctx.folder, prefix="simulate")
        return refused
    uncertainty = ModelUncertainty(events=_events(ctx), log_config=p.log, refits=sim.refits, key=key)
    comparison = compare_scenarios(
        model, p.scenarios, replications=sim.replications, seed=p.experiment.seed,
        executor=s.executor, progress=lambda name, done, total: ctx.say(
            f"{name}: {done}/{total}" if name == REFITS else f"'{name}': replication {done}/{total}"),
        verdict=verdict, allow_unusable=sim.allow_unusable, uncertainty=uncertainty,
    )
    w.write_comparison(comparison, ctx.folder, prefix="simulate")
    return comparison


def stage_train(ctx: RunContext) -> tuple[TrainedEntry, ...]:
    """Train, tune (Optuna) and track (MLflow) each model named in the experiment."""
    s = _inputs(ctx)
    exp = s.parsed.experiment
    tr = exp.training
    trained = []
    for base in s.parsed.trainings:
        # A trial count from the experiment replaces the config's budget whole: a time limit would
        # make the number of trials (and so the model) depend on how busy the machine is.
        config = tuning_budget(base, trials=tr.trials, seconds=tr.timeout_seconds, replace_whole_budget=True,
                               seed=exp.seed)
        total = config.budget.trials

        def on_trial(trial: FrozenTrial, _name: str = config.name, _total: int | None = total) -> None:
            value = "pruned" if trial.value is None else f"{trial.value:.4f}"
            ctx.say(f"'{_name}': trial {trial.number + 1}/{_total}: {value}")

        result = train_predictor(_events(ctx), config, s.parsed.log, on_trial=on_trial)
        logged = w.track_training(result, tracking_uri=s.mlflow_uri, experiment=f"workbench-{exp.name}",
                                  parent_run_id=s.parent_run_id)
        w.write_training(result, ctx.folder, name=config.name, prefix="train")
        trained.append(TrainedEntry(name=config.name, config=config, result=result, logged=logged))
    return tuple(trained)


def stage_predict(ctx: RunContext) -> ScoredCases:
    """Score every open case with the run's trained models (or the registered ones the experiment names)."""
    s = _inputs(ctx)
    if ctx.results.models:
        models = [e.result.model for e in ctx.results.models]
    else:
        from workbench.models import load_trained_model

        models = [load_trained_model(name, tracking_uri=s.mlflow_uri) for name in s.parsed.experiment.model]
    from workbench.models import parse_as_of

    log_config = s.parsed.log
    when = s.parsed.experiment.as_of
    as_of = parse_as_of(str(when), timezone=log_config.time.timezone) if when is not None else None
    scored = score_open_cases(_events(ctx), models, as_of=as_of, complete_cases=log_config.complete_cases)
    if scored.open_rule is not None:
        ctx.say(f"note: {scored.open_rule}")
    ctx.folder.write_table("predict/at_risk.csv", scored.at_risk)
    return scored


def stage_audit(ctx: RunContext) -> FairnessAudit:
    """Fairness: the log as it is, each model (trained in this run, else the registered ones predict used),
    and each simulated change, per group of users."""
    from workbench.models import predict_frame

    s = _inputs(ctx)
    p = s.parsed
    events = _events(ctx)
    settings = audit_settings(p.log, p.audit, seed=p.experiment.seed)
    attrs = settings.group_attributes
    scored = [(e.name, e.result.model) for e in (ctx.results.models or ())]
    if not scored and ctx.results.scores is not None:  # the registered models predict scored with
        scored = [(m.name, m) for m in ctx.results.scores.models]
    models = [ModelScores(name=name, scores=predict_frame(model, events, group_attributes=attrs))
              for name, model in scored if attrs]
    sim = ctx.results.simulation
    changes = [ProcessChange(name=o.scenario.name, group_kpis=o.result.group_kpis, kpis=o.result.kpis)
               for o in (sim.outcomes if sim is not None else ())]
    audit = audit_fairness(events, p.log, settings, config=p.audit, models=models, changes=changes,
                           progress=ctx.say)
    if audit.result is not None:
        w.write_audit_result(audit.result, ctx.folder, prefix="audit", title=f"Fairness audit: {p.experiment.name}")
    return audit


def stage_report(ctx: RunContext) -> ReportFiles:
    """Assemble and write the HTML report (and the PDF when Chromium is there)."""
    s = _inputs(ctx)
    exp = s.parsed.experiment
    log_config = s.parsed.log
    settings = {
        "experiment": exp.name,
        "log config": str(log_config.name),
        "seed": str(exp.seed),
        "pseudonymised": "yes" if log_config.privacy.pseudonymise else "no (opted out)",
        "minimum group size": str(log_config.privacy.min_group_size),
        "MLflow store": s.mlflow_uri,
    }
    report = build_run_report(ctx.results, title=exp.description or exp.name,
                              subtitle=log_config.description or log_config.name, generated_at=s.generated_at,
                              settings=settings, language=exp.language, log_config=log_config,
                              practical_difference=exp.report.practical_difference)
    return write_run_report(report, ctx.folder, prefix="report")


def stage_desks(ctx: RunContext) -> DeskComparison:
    """Every desk analysed on its own (a task on the executor), compared side by side."""
    s = _inputs(ctx)
    desks = s.parsed.desks
    ctx.say(f"{len(desks)} desks on {s.executor!r}" if s.executor.name == "dask" else
            f"{len(desks)} desks ({s.executor.name})")
    result = compare_desks(desks, executor=s.executor,
                           progress=lambda done, total: ctx.say(f"desk {done}/{total} analysed"))
    write_desk_comparison(result, ctx.folder, prefix="desks")
    if result.suppressed:
        ctx.say(f"suppressed (fewer cases than the minimum group size): {', '.join(result.suppressed)}")
    return result


#: Every stage, in data-flow order, with what it needs and produces (fields of RunResults).
STAGES: dict[str, Stage] = {
    "load": Stage("load", "Read, validate and clean the log", stage_load, (), "log"),
    "discover": Stage("discover", "Process map and the desk's questions", stage_discover, ("log",), "discovery"),
    "simulate": Stage("simulate", "What-if scenarios (simulation)", stage_simulate, ("log",), "simulation"),
    "train": Stage("train", "Train, tune and track the models", stage_train, ("log",), "models"),
    "predict": Stage("predict", "Score the open cases", stage_predict, ("log", "models"), "scores"),
    "audit": Stage("audit", "Fairness audit", stage_audit, ("log",), "audit"),
    "report": Stage("report", "Write the report", stage_report, (), "report"),
    "desks": Stage("desks", "Many desks, each on its own, side by side", stage_desks, ("desk_logs",), "desks"),
}
