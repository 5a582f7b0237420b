"""The main job: one experiment config in, a complete analysis and one report out.

`run_pipeline` runs the stages named in the experiment (load, discover,
simulate, train, predict, audit, report) in order, writing each stage's files under
the output folder, with progress (and, on a run into a folder an earlier run wrote, the time
left from that run's durations). A failing stage is
named in one line (:class:`~workbench.errors.StageError`); what earlier stages wrote
is kept, and the MLflow run is marked failed.
"""

from __future__ import annotations

from workbench.pipeline.config import ExperimentConfig, load_experiment, parse_inputs
from workbench.pipeline.run import PipelineOutcome, run_pipeline
from workbench.pipeline.runner import RunContext, Stage, check_plan, run_stages

__all__ = ["ExperimentConfig", "load_experiment", "parse_inputs", "run_pipeline", "PipelineOutcome",
           "RunContext", "Stage", "check_plan", "run_stages"]
