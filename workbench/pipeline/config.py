"""The experiment config: one YAML that names a log and the settings of every stage.

:func:`load_experiment` reads the experiment; :func:`parse_inputs` then reads every config
it names (log, filters, rules, scenarios, training, audit) exactly once, so a typo fails
before any stage runs and no stage reads YAML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from workbench.analysis import FilterPipeline, RuleSet, load_filters, load_rules
from workbench.config import FrozenModel, LogConfig, load_log_config, load_yaml, parse_config
from workbench.config.paths import resolve_config_path
from workbench.fairness.config import AuditConfig, load_audit_config
from workbench.models import TrainingConfig, load_training_config
from workbench.simulation import Scenario, load_scenario

__all__ = ["SimulationSettings", "TrainingSettings", "ReportSettings", "ExperimentConfig", "ExperimentInputs",
           "load_experiment", "parse_inputs", "STAGE_NAMES"]

#: Every stage the pipeline knows, in data-flow order.
STAGE_NAMES = ("load", "discover", "simulate", "train", "predict", "audit", "report")


class SimulationSettings(FrozenModel):
    """How the what-if scenarios are run."""

    scenarios: tuple[Path, ...] = ()
    replications: int = Field(default=10, ge=2)
    n_jobs: int = Field(default=2, ge=1)
    #: replications of the validation that gives the model its verdict before any what-if (0: no verdict)
    check_replications: int = Field(default=3, ge=0)
    #: run the scenarios even on a model judged "not usable" (every figure is then marked)
    allow_unusable: bool = False


class TrainingSettings(FrozenModel):
    """Which models are trained (training configs) and the tuning budget that overrides theirs.

    ``trials`` replaces the configs' whole budget (their time limit too, unless
    ``timeout_seconds`` is given), so the same seed gives the same models on any machine.
    """

    configs: tuple[Path, ...] = ()
    trials: int | None = Field(default=None, ge=1)
    timeout_seconds: float | None = Field(default=None, gt=0)


class ReportSettings(FrozenModel):
    """How the report speaks: a simulated change smaller than ``practical_difference`` times
    today's value is called "no practical difference", whatever its interval."""

    practical_difference: float = Field(default=0.02, ge=0, lt=1)


class ExperimentConfig(FrozenModel):
    """Everything one run of the pipeline needs.

    Relative paths are relative to the experiment file's folder. ``output`` defaults to
    ``outputs/<name>`` in the current folder. ``model`` names registered models (MLflow)
    that ``predict`` scores with when the run does not train its own.
    """

    name: str
    description: str = ""
    log: Path
    output: Path | None = None
    seed: int = 42
    filters: Path | None = None
    rules: Path | None = None
    simulation: SimulationSettings = SimulationSettings()
    training: TrainingSettings = TrainingSettings()
    audit: Path | None = None
    model: tuple[str, ...] = ()
    #: the moment ``predict`` scores open cases as of (a date or date and time, local time
    #: of the log's time zone unless it has an offset); default: the log's last event
    as_of: dt.datetime | dt.date | None = None
    mlflow_uri: str | None = None
    #: the report's language (numbers and dates too); names from the log stay as they are
    language: Literal["da", "en"] = "en"
    report: ReportSettings = ReportSettings()
    stages: tuple[str, ...] = STAGE_NAMES

    @field_validator("model", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value


@dataclass(frozen=True)
class ExperimentInputs:
    """Every config an experiment names, parsed once (``scenarios`` keep their file stem as key)."""

    experiment: ExperimentConfig
    log_config: LogConfig
    filters: FilterPipeline | None
    rules: RuleSet | None
    scenarios: tuple[tuple[str, Scenario], ...]
    trainings: tuple[TrainingConfig, ...]
    audit: AuditConfig | None


def load_experiment(path: str | Path) -> ExperimentConfig:
    """Read an experiment YAML; resolve its paths against the file's folder."""
    path = Path(path)
    config = parse_config(ExperimentConfig, load_yaml(path), source=f"experiment config '{path}'")

    def at(value: Path | None) -> Path | None:
        return resolve_config_path(path, value)

    sim = config.simulation.model_copy(update={"scenarios": tuple(at(p) for p in config.simulation.scenarios)})
    train = config.training.model_copy(update={"configs": tuple(at(p) for p in config.training.configs)})
    return config.model_copy(
        update={
            "log": at(config.log),
            "filters": at(config.filters),
            "rules": at(config.rules),
            "audit": at(config.audit),
            "simulation": sim,
            "training": train,
            "output": config.output if config.output is not None else Path("outputs") / config.name,
        }
    )


def parse_inputs(experiment: ExperimentConfig) -> ExperimentInputs:
    """Read every config the experiment names (each once), so a typo fails now, not after an hour of training."""
    from workbench.errors import ConfigError

    unknown = [s for s in experiment.stages if s not in STAGE_NAMES]
    if unknown:
        raise ConfigError(f"unknown stage(s) {unknown} in 'stages'; known stages: {list(STAGE_NAMES)}")
    return ExperimentInputs(
        experiment=experiment,
        log_config=load_log_config(experiment.log),
        filters=load_filters(experiment.filters) if experiment.filters is not None else None,
        rules=load_rules(experiment.rules) if experiment.rules is not None else None,
        scenarios=tuple((Path(p).stem, load_scenario(p)) for p in experiment.simulation.scenarios),
        trainings=tuple(load_training_config(p) for p in experiment.training.configs),
        audit=load_audit_config(experiment.audit) if experiment.audit is not None else None,
    )
