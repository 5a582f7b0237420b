"""The experiment config: one YAML that names a log (or many desks' logs) and the settings of every stage.

:func:`load_experiment` reads the experiment; :func:`parse_inputs` then reads every config
it names (log or desks, filters, rules, scenarios, training, audit) exactly once, so a typo
fails before any stage runs and no stage reads YAML.
"""

from __future__ import annotations

import datetime as dt
import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from workbench.analysis import FilterPipeline, RuleSet, load_filters, load_rules
from workbench.config import FrozenModel, LogConfig, load_log_config, load_yaml, parse_config
from workbench.config.paths import resolve_config_path
from workbench.fairness.config import AuditConfig, load_audit_config
from workbench.models import TrainingConfig, load_training_config
from workbench.simulation import Scenario, load_scenario
from workbench.simulation.uncertainty import DEFAULT_REFITS, check_refits

__all__ = ["SimulationSettings", "TrainingSettings", "ReportSettings", "DeskEntry", "ExperimentConfig",
           "ExperimentInputs", "load_experiment", "parse_inputs", "STAGE_NAMES", "DESK_STAGES"]

#: Every stage of a one-log experiment, in data-flow order (the default ``stages``).
STAGE_NAMES = ("load", "discover", "simulate", "train", "predict", "audit", "report")
#: The stages of an experiment that names many desks (the default ``stages`` when ``desks`` is set).
DESK_STAGES = ("desks",)


class SimulationSettings(FrozenModel):
    """How the what-if scenarios are run."""

    scenarios: tuple[Path, ...] = ()
    replications: int = Field(default=10, ge=2)
    #: models relearned from resamples of the log so each 95% interval holds the model's own
    #: uncertainty too (0: simulation noise only)
    refits: int = Field(default=DEFAULT_REFITS, ge=0)
    n_jobs: int = Field(default=2, ge=1)
    #: replications of the validation that gives the model its verdict before any what-if (0: no verdict)
    check_replications: int = Field(default=3, ge=0)
    #: run the scenarios even on a model judged "not usable" (every figure is then marked)
    allow_unusable: bool = False

    @field_validator("refits")
    @classmethod
    def _refits_make_an_interval(cls, value: int) -> int:
        return check_refits(value)


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


class DeskEntry(FrozenModel):
    """One desk of a many-desks experiment: its log config and the name it is shown under
    (default: the log config's ``name``)."""

    log: Path
    name: str | None = Field(default=None, min_length=1)


class ExperimentConfig(FrozenModel):
    """Everything one run of the pipeline needs.

    Relative paths are relative to the experiment file's folder. ``output`` defaults to
    ``outputs/<name>`` in the current folder. ``model`` names registered models (MLflow)
    that ``predict`` scores with when the run does not train its own.

    An experiment names either one ``log`` or many ``desks`` (a list of ``{name, log}``,
    of log config paths, or a glob such as ``logs/*.yaml``); a desks experiment runs the
    ``desks`` stage: every desk analysed on its own, compared side by side.
    """

    name: str
    description: str = ""
    log: Path | None = None
    desks: tuple[DeskEntry, ...] = ()
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

    @field_validator("desks", mode="before")
    @classmethod
    def _desk_entries(cls, value: object) -> object:
        items = [value] if isinstance(value, str | Path) else value
        if isinstance(items, list | tuple):
            return tuple({"log": i} if isinstance(i, str | Path) else i for i in items)
        return value

    @model_validator(mode="before")
    @classmethod
    def _default_stages(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("stages") is None:
            return {**data, "stages": DESK_STAGES if data.get("desks") else STAGE_NAMES}
        return data

    @model_validator(mode="after")
    def _one_log_or_desks(self) -> ExperimentConfig:
        if self.log is not None and self.desks:
            raise ValueError("name either 'log' (one desk) or 'desks' (many desks), not both")
        if self.log is None and not self.desks:
            raise ValueError("name the log to analyse ('log: <log config>') or the desks ('desks: [...]')")
        named = [d.name for d in self.desks if d.name is not None]
        twice = sorted({n for n in named if named.count(n) > 1})
        if twice:
            raise ValueError(f"two desks are both named '{twice[0]}'; give every desk its own name")
        if self.desks:
            single = [s for s in self.stages if s in STAGE_NAMES]
            if single:
                raise ValueError(f"stage '{single[0]}' analyses one log, but this experiment names desks; "
                                 "use stages: [desks] (or name one 'log' instead of 'desks')")
        elif "desks" in self.stages:
            raise ValueError("stage 'desks' needs the desks to compare: add 'desks: [{name: ..., log: ...}, ...]' "
                             "instead of 'log'")
        return self


@dataclass(frozen=True)
class ExperimentInputs:
    """Every config an experiment names, parsed once (``scenarios`` keep their file stem as key)."""

    experiment: ExperimentConfig
    log_config: LogConfig | None
    filters: FilterPipeline | None
    rules: RuleSet | None
    scenarios: tuple[tuple[str, Scenario], ...]
    trainings: tuple[TrainingConfig, ...]
    audit: AuditConfig | None
    #: a desks experiment's log configs, each under its desk's name (empty for a one-log experiment)
    desks: tuple[LogConfig, ...] = ()

    @property
    def log(self) -> LogConfig:
        """The one log's config (a desks experiment has none: its plan never asks)."""
        if self.log_config is None:
            from workbench.errors import ConfigError

            raise ConfigError("this experiment names desks, not one log; use stages: [desks]")
        return self.log_config


def _expand_desks(path: Path, desks: tuple[DeskEntry, ...]) -> tuple[DeskEntry, ...]:
    """Resolve the desks' log paths against the experiment file; expand globs (sorted)."""
    from workbench.errors import ConfigError

    out: list[DeskEntry] = []
    for desk in desks:
        log = resolve_config_path(path, desk.log)
        assert log is not None
        if glob.has_magic(str(log)):
            found = sorted(Path(p) for p in glob.glob(str(log)))
            if not found:
                raise ConfigError(f"experiment config '{path}': desks pattern '{desk.log}' matches no log config")
            if desk.name is not None and len(found) > 1:
                raise ConfigError(f"experiment config '{path}': desk '{desk.name}' names a pattern that matches "
                                  f"{len(found)} log configs; one name needs one log")
            out.extend(DeskEntry(log=p, name=desk.name) for p in found)
        else:
            out.append(desk.model_copy(update={"log": log}))
    return tuple(out)


def _desk_configs(experiment: ExperimentConfig) -> tuple[LogConfig, ...]:
    """Every desk's log config, each renamed to its desk's name; a missing log or a repeated name fails here."""
    from workbench.errors import ConfigError

    configs: list[LogConfig] = []
    for desk in experiment.desks:
        if not desk.log.exists():
            label = f"desk '{desk.name}'" if desk.name else "a desk"
            raise ConfigError(f"{label}: log config '{desk.log}' does not exist; check the path in 'desks'")
        config = load_log_config(desk.log)
        configs.append(config.model_copy(update={"name": desk.name}) if desk.name else config)
    names = [c.name for c in configs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        where = [str(d.log) for d, c in zip(experiment.desks, configs, strict=True) if c.name == twice[0]]
        raise ConfigError(f"two desks are both named '{twice[0]}' ({', '.join(where)}); give every desk its own "
                          "name ('desks: [{name: ..., log: ...}]')")
    return tuple(configs)


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
            "desks": _expand_desks(path, config.desks),
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

    unknown = [s for s in experiment.stages if s not in (*STAGE_NAMES, *DESK_STAGES)]
    if unknown:
        raise ConfigError(f"unknown stage(s) {unknown} in 'stages'; known stages: {[*STAGE_NAMES, *DESK_STAGES]}")
    return ExperimentInputs(
        experiment=experiment,
        log_config=load_log_config(experiment.log) if experiment.log is not None else None,
        desks=_desk_configs(experiment),
        filters=load_filters(experiment.filters) if experiment.filters is not None else None,
        rules=load_rules(experiment.rules) if experiment.rules is not None else None,
        scenarios=tuple((Path(p).stem, load_scenario(p)) for p in experiment.simulation.scenarios),
        trainings=tuple(load_training_config(p) for p in experiment.training.configs),
        audit=load_audit_config(experiment.audit) if experiment.audit is not None else None,
    )
