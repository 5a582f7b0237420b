"""The audit config: a YAML file under ``configs/audits/``, read once into a frozen :class:`AuditConfig`.

Example (``configs/audits/demo_departments.yaml``)::

    name: demo_departments
    log: ../logs/demo.yaml            # a log config; relative to this file
    audits: [historical, model, process]
    group_attributes: [department]    # default: the log config's group_attributes
    seed: 7
    flag: {reference: overall, relative: 0.10, absolute: 0.05, confidence: 0.95}
    historical:
      outcomes: [cycle_time, reopen_rate, queue_wait]
      strata: [category, priority]
    model:
      scores: ../../outputs/predict/reopen_test_scores.csv
      task: classification
    process:
      results: ../../outputs/simulate/lower_priority/
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from workbench.config import FrozenModel, load_yaml, parse_config
from workbench.config.paths import resolve_config_path
from workbench.fairness.metrics import FlagRule
from workbench.fairness.outcomes import OutcomeActivity, QueueWait

__all__ = [
    "AuditConfig",
    "DemoPlant",
    "FlagConfig",
    "HistoricalConfig",
    "ModelAuditConfig",
    "OutcomeActivityConfig",
    "ProcessAuditConfig",
    "QueueWaitConfig",
    "load_audit_config",
]

AuditKind = Literal["historical", "model", "process"]


def _as_tuple(value: object) -> object:
    return (value,) if isinstance(value, str) else value


class FlagConfig(FrozenModel):
    """When a group is flagged (see :class:`~workbench.fairness.metrics.FlagRule`)."""

    reference: Literal["overall", "best"] = "overall"
    relative: float = Field(default=0.10, ge=0, lt=10)
    absolute: float = Field(default=0.05, ge=0)
    confidence: float = Field(default=0.95, ge=0.5, lt=1)

    def rule(self) -> FlagRule:
        return FlagRule(reference=self.reference, relative=self.relative, absolute=self.absolute,
                        confidence=self.confidence)


class OutcomeActivityConfig(FrozenModel):
    """An outcome rate: the share of cases in which one of ``activities`` happens."""

    name: str
    activities: tuple[str, ...]
    favourable: bool = True

    @field_validator("activities", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return _as_tuple(value)

    def to_outcome(self) -> OutcomeActivity:
        return OutcomeActivity(name=self.name, activities=self.activities, favourable=self.favourable)


class QueueWaitConfig(FrozenModel):
    """Time waiting in queue: from each ``start`` event to the next ``end`` event (empty start: case start)."""

    start: tuple[str, ...] = ()
    end: tuple[str, ...]

    @field_validator("start", "end", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return _as_tuple(value)

    def to_queue_wait(self) -> QueueWait:
        return QueueWait(start=self.start, end=self.end)


class HistoricalConfig(FrozenModel):
    """The historical outcome audit."""

    outcomes: tuple[Literal["cycle_time", "reopen_rate", "queue_wait"], ...] = (
        "cycle_time", "reopen_rate", "queue_wait")
    outcome_activities: tuple[OutcomeActivityConfig, ...] = ()
    strata: tuple[str, ...] = ()
    queue_wait: QueueWaitConfig | None = None
    completed_only: bool = True


class ModelAuditConfig(FrozenModel):
    """The model audit: a scores table (and the tracked model it came from, for MLflow logging).

    ``scores`` is a CSV or Parquet file with ``case_id``, ``y_true`` and ``y_pred``
    (regression, in ``time_unit``) or ``y_proba`` (classification); group attribute
    columns may be left out, they are then taken from the log. Without ``scores``, the
    registered model ``name`` is loaded from MLflow and scores the test part of the log it
    was trained on (:func:`workbench.models.predict_frame`). ``name`` or ``run_id`` also
    says which tracked run the audit is logged to.
    """

    scores: Path | None = None
    name: str | None = None
    run_id: str | None = None
    task: Literal["regression", "classification"] | None = None
    time_unit: Literal["d", "h"] = "d"
    weighting: Literal["case", "prefix"] = "case"
    part: Literal["test", "validation"] = "test"
    at_risk_threshold: float | None = None
    at_risk_share: float | None = Field(default=0.2, gt=0, lt=1)
    tracking_uri: str | None = None
    log_to_mlflow: bool = True


class ProcessAuditConfig(FrozenModel):
    """The process-change audit: the simulation's per-group KPIs of a scenario against its baseline.

    ``results`` is a folder with ``group_kpis`` and ``kpis`` tables (``.csv`` or
    ``.parquet``), as written by ``workbench simulate``; ``scenario`` a scenario YAML
    to simulate now.
    """

    results: Path | None = None
    scenario: Path | None = None
    replications: int = Field(default=10, ge=2)
    kpis: tuple[str, ...] = ("cycle_time_h", "waiting_time_h", "waiting_on_user_h")

    @model_validator(mode="after")
    def _one_source(self) -> ProcessAuditConfig:
        if (self.results is None) == (self.scenario is None):
            raise ValueError("the process audit needs exactly one of 'results' (a folder of simulation results) "
                             "or 'scenario' (a scenario YAML to simulate)")
        return self


class DemoPlant(FrozenModel):
    """For a log of source kind ``demo``: plant a disadvantage for one department (testing the audit)."""

    disadvantaged_department: str | None = None
    disadvantage_strength: float = Field(default=1.0, ge=0)


class AuditConfig(FrozenModel):
    """Everything ``workbench audit`` needs."""

    name: str
    description: str = ""
    log: Path
    audits: tuple[AuditKind, ...] = ("historical",)
    group_attributes: tuple[str, ...] | None = None
    allow_staff_attributes: bool = False
    intersections: bool = False
    min_group_size: int | None = Field(default=None, ge=1)
    seed: int = 0
    replicates: int = Field(default=1000, ge=20)
    case_noun: str = "cases"
    flag: FlagConfig = FlagConfig()
    historical: HistoricalConfig = HistoricalConfig()
    model: ModelAuditConfig | None = None
    process: ProcessAuditConfig | None = None
    demo: DemoPlant | None = None
    out: Path | None = None

    @field_validator("audits", "group_attributes", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return _as_tuple(value)

    @model_validator(mode="after")
    def _sections(self) -> AuditConfig:
        if not self.audits:
            raise ValueError("'audits' is empty; name at least one of historical, model, process")
        if "model" in self.audits and (self.model is None or (self.model.scores is None and self.model.name is None)):
            raise ValueError("the model audit needs a 'model' section with 'scores' (a scores table) or 'name' "
                             "(a registered model)")
        if "process" in self.audits and self.process is None:
            raise ValueError("the process audit needs a 'process' section with 'results' or 'scenario'")
        return self


def load_audit_config(path: str | Path) -> AuditConfig:
    """Read and validate an audit config; relative paths resolve against the config's folder.

    ``out``, like every path written in the config, is relative to the config's folder;
    its default (not written in the config) is ``outputs/audits/<name>`` in the current folder.
    """
    path = Path(path)
    data = load_yaml(path)
    config = parse_config(AuditConfig, data, source=f"audit config '{path}'")

    def resolve(p: Path | None) -> Path | None:
        return resolve_config_path(path, p)

    updates: dict[str, object] = {"log": resolve(config.log)}
    if config.model is not None and config.model.scores is not None:
        updates["model"] = config.model.model_copy(update={"scores": resolve(config.model.scores)})
    if config.process is not None:
        updates["process"] = config.process.model_copy(
            update={"results": resolve(config.process.results), "scenario": resolve(config.process.scenario)})
    if config.out is None:
        updates["out"] = Path("outputs") / "audits" / config.name
    elif not config.out.is_absolute():
        updates["out"] = resolve_config_path(path, config.out)
    return config.model_copy(update=updates)
