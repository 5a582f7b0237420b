"""The experiment config: one YAML that names a log and the settings of every stage."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from workbench.config import FrozenModel, load_yaml, parse_config

__all__ = ["SimulationSettings", "TrainingSettings", "ReportSettings", "ExperimentConfig", "load_experiment"]


class SimulationSettings(FrozenModel):
    """How the what-if scenarios are run."""

    scenarios: tuple[Path, ...] = ()
    replications: int = Field(default=10, ge=2)
    n_jobs: int = Field(default=2, ge=1)


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

    Paths are relative to the experiment file's folder (or absolute). ``output``
    defaults to ``outputs/<name>`` in the current folder.
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
    mlflow_uri: str | None = None
    #: the report's language (numbers and dates too); names from the log stay as they are
    language: Literal["da", "en"] = "en"
    report: ReportSettings = ReportSettings()
    stages: tuple[str, ...] = ("load", "discover", "simulate", "train", "predict", "audit", "report")


def _resolve(base: Path, value: Path | None) -> Path | None:
    if value is None or value.is_absolute():
        return value
    here = (base / value).resolve()
    return here if here.exists() or not (Path.cwd() / value).exists() else (Path.cwd() / value).resolve()


def load_experiment(path: str | Path) -> ExperimentConfig:
    """Read an experiment YAML; resolve its paths against the file's folder."""
    path = Path(path)
    config = parse_config(ExperimentConfig, load_yaml(path), source=f"experiment config '{path}'")
    base = path.parent
    sim = config.simulation.model_copy(
        update={"scenarios": tuple(_resolve(base, p) for p in config.simulation.scenarios)}
    )
    train = config.training.model_copy(update={"configs": tuple(_resolve(base, p) for p in config.training.configs)})
    return config.model_copy(
        update={
            "log": _resolve(base, config.log),
            "filters": _resolve(base, config.filters),
            "rules": _resolve(base, config.rules),
            "audit": _resolve(base, config.audit),
            "simulation": sim,
            "training": train,
            "output": config.output if config.output is not None else Path("outputs") / config.name,
        }
    )
