"""Run an experiment: parse every config once, check the plan, run the stages, record the run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.compute import Executor, make_executor
from workbench.errors import ConfigError
from workbench.io.outputs import OutputFolder
from workbench.pipeline.config import ExperimentConfig, parse_inputs
from workbench.pipeline.runner import RunContext, check_plan, previous_durations, run_stages
from workbench.pipeline.stages import STAGES, RunInputs
from workbench.pipeline.tracking import PipelineRun, start_pipeline_run
from workbench.usecases import RunResults

if TYPE_CHECKING:
    from workbench.desks import DeskComparison

__all__ = ["PipelineOutcome", "PipelineResults", "run_pipeline"]


@dataclass(frozen=True)
class PipelineResults(RunResults):
    """The run's results: a one-log run's stages, or a desks run's comparison (``desks``)."""

    desks: DeskComparison | None = None


@dataclass(frozen=True)
class PipelineOutcome:
    """A finished run: every stage's typed result, the output folder and the run's MLflow parent run."""

    results: PipelineResults
    out_dir: Path
    mlflow_run: PipelineRun
    mlflow_uri: str


def run_pipeline(
    experiment: ExperimentConfig,
    *,
    generated_at: str,
    mlflow_uri: str,
    secret: str | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
    out_dir: Path | None = None,
    force: bool = False,
    executor: Executor | None = None,
) -> PipelineOutcome:
    """Run the experiment's stages in order and return their results.

    Every config the experiment names is read first and the plan checked (each stage's
    inputs come from an earlier stage or the config), so a mistake fails in one line
    before anything runs or is written.

    Parameters
    ----------
    generated_at : str
        The time stamp printed in the report (passed in: the library never reads the clock).
    mlflow_uri : str
        The MLflow store (the front end decides it: :func:`workbench.models.tracking.resolve_tracking_uri`).
    secret : str, optional
        The pseudonymisation key (default: the log config's environment variable, read by the loader).
    out_dir : Path, optional
        Overrides the experiment's ``output``.
    force : bool
        Write into an output folder that holds files the workbench did not write.
    executor : Executor, optional
        Where replications and desks run (default: a local pool of ``simulation.n_jobs`` workers).
    """
    parsed = parse_inputs(experiment)
    stages = [STAGES[name] for name in experiment.stages]
    provided = (*(("models",) if experiment.model else ()), *(("desk_logs",) if parsed.desks else ()))
    check_plan(stages, provided=provided)
    out = Path(out_dir or experiment.output)  # type: ignore[arg-type]
    configs = (parsed.log_config,) if parsed.log_config is not None else parsed.desks
    sources = [c.source.path for c in configs]
    for source in sources:
        if source is not None and out.resolve() == source.resolve().parent:
            raise ConfigError(f"output folder '{out}' is the folder of the input log '{source}'; choose another output")
    inputs_files = [experiment.log, experiment.filters, experiment.rules, experiment.audit, *sources,
                    *(d.log for d in experiment.desks), *experiment.simulation.scenarios,
                    *experiment.training.configs]
    folder = OutputFolder.open(out, inputs=inputs_files, force=force)
    logs = ", ".join(c.name for c in configs)
    tracked = start_pipeline_run(
        tracking_uri=mlflow_uri,
        experiment=experiment.name,
        params={"log" if parsed.log_config is not None else "desks": logs if len(logs) <= 500 else logs[:497] + "...",
                "seed": str(experiment.seed), "stages": ",".join(experiment.stages), "output": str(out)},
    )
    own = make_executor(workers=experiment.simulation.n_jobs) if executor is None else None
    inputs = RunInputs(
        parsed=parsed, secret=secret, mlflow_uri=tracked.tracking_uri, generated_at=generated_at,
        executor=executor if executor is not None else own,  # type: ignore[arg-type]
        parent_run_id=tracked.run_id,
    )
    ctx = RunContext(folder=folder, inputs=inputs, results=PipelineResults(mlflow_uri=tracked.tracking_uri),
                     progress=progress)
    try:
        results = run_stages(stages, ctx, expected_seconds=previous_durations(folder), on_failure=tracked.fail,
                             on_interrupt=tracked.interrupted)
    finally:
        close = getattr(own, "close", None)  # the worker processes this run started
        if close is not None:
            close()
    if results.report is not None:
        tracked.log_artifact(Path(results.report["html"]))
    tracked.finish()
    assert isinstance(results, PipelineResults)
    return PipelineOutcome(results=results, out_dir=out, mlflow_run=tracked, mlflow_uri=tracked.tracking_uri)

