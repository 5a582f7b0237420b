"""Run an experiment: the stages in order, the report at the end."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.config import load_log_config
from workbench.errors import ConfigError
from workbench.pipeline.config import ExperimentConfig
from workbench.pipeline.runner import RunContext, Stage, previous_durations, run_stages
from workbench.pipeline.tracking import start_pipeline_run
from workbench.pipeline.stages import (
    Settings,
    stage_audit,
    stage_discover,
    stage_load,
    stage_predict,
    stage_simulate,
    stage_train,
)

__all__ = ["STAGES", "default_mlflow_uri", "run_experiment"]


def stage_report(ctx: RunContext) -> dict[str, Any]:
    """Assemble and write the HTML report (and the PDF when Chromium is there)."""
    from workbench.pipeline.sections import build_report
    from workbench.report import write_report

    s: Settings = ctx.settings
    exp = s.experiment
    settings = {
        "experiment": exp.name,
        "log config": str(s.log_config.name),
        "seed": str(exp.seed),
        "pseudonymised": "yes" if s.log_config.privacy.pseudonymise else "no (opted out)",
        "minimum group size": str(s.log_config.privacy.min_group_size),
        "MLflow store": s.mlflow_uri,
    }
    report = build_report(
        ctx.results,
        title=exp.description or exp.name,
        subtitle=s.log_config.description or s.log_config.name,
        generated_at=s.generated_at,
        settings=settings,
        language=exp.language,
        log_config=s.log_config,
        practical_difference=exp.report.practical_difference,
    )
    files = write_report(report, ctx.stage_dir("report"))
    return {"files": files}


#: Every stage the pipeline knows, in data-flow order: name -> (title, function, weight).
STAGES: dict[str, tuple[str, Callable[[RunContext], dict[str, Any]], float]] = {
    "load": ("Read, validate and clean the log", stage_load, 1.0),
    "discover": ("Process map and the desk's questions", stage_discover, 2.0),
    "simulate": ("What-if scenarios (simulation)", stage_simulate, 6.0),
    "train": ("Train, tune and track the models", stage_train, 8.0),
    "predict": ("Score the open cases", stage_predict, 1.0),
    "audit": ("Fairness audit", stage_audit, 3.0),
    "report": ("Write the report", stage_report, 1.0),
}


def default_mlflow_uri() -> str:
    """``WORKBENCH_MLFLOW_URI``, or a SQLite store in ``mlruns/`` of the current folder."""
    uri = os.environ.get("WORKBENCH_MLFLOW_URI")
    if uri:
        return uri
    return f"sqlite:///{(Path.cwd() / 'mlruns' / 'mlflow.db').resolve()}"


def check_configs(experiment: ExperimentConfig) -> None:
    """Load every config the experiment names, so a typo fails now, not after an hour of training."""
    from workbench.analysis import load_filters, load_rules
    from workbench.fairness import load_audit_config
    from workbench.models import load_training_config
    from workbench.simulation.scenarios import load_scenario

    if experiment.filters is not None:
        load_filters(experiment.filters)
    if experiment.rules is not None:
        load_rules(experiment.rules)
    for path in experiment.simulation.scenarios:
        load_scenario(path)
    for path in experiment.training.configs:
        load_training_config(path)
    if experiment.audit is not None:
        load_audit_config(experiment.audit)


def run_experiment(
    experiment: ExperimentConfig,
    *,
    generated_at: str,
    secret: str | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
    out_dir: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """Run the experiment's stages; return each stage's result.

    Parameters
    ----------
    generated_at : str
        The time stamp printed in the report (passed in: the library never reads the clock).
    secret : str, optional
        The pseudonymisation key (default: the log config's environment variable).
    out_dir : Path, optional
        Overrides the experiment's ``output``.
    """
    unknown = [s for s in experiment.stages if s not in STAGES]
    if unknown:
        raise ConfigError(f"unknown stage(s) {unknown} in 'stages'; known stages: {list(STAGES)}")
    log_config = load_log_config(experiment.log)
    check_configs(experiment)
    out = Path(out_dir or experiment.output)  # type: ignore[arg-type]
    if log_config.source.path is not None and out.resolve() == log_config.source.path.resolve().parent:
        raise ConfigError(f"output folder '{out}' is the folder of the input log; choose another output")
    settings = Settings(
        experiment=experiment,
        log_config=log_config,
        secret=secret,
        mlflow_uri=experiment.mlflow_uri or default_mlflow_uri(),
        generated_at=generated_at,
    )
    stages = [Stage(name, *STAGES[name]) for name in experiment.stages]
    ctx = RunContext(out_dir=out, settings=settings, seed=experiment.seed)
    tracked = start_pipeline_run(
        tracking_uri=settings.mlflow_uri,
        experiment=experiment.name,
        params={"log": log_config.name, "seed": str(experiment.seed), "stages": ",".join(experiment.stages),
                "output": str(out)},
    )
    ctx.results["pipeline"] = {"mlflow_run": tracked}
    results = run_stages(
        stages, ctx, progress=progress, expected_seconds=previous_durations(out), on_failure=tracked.fail
    )
    if "report" in results:
        tracked.log_artifact(Path(results["report"]["files"]["html"]))
    tracked.finish()
    return results
