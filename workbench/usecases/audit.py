"""Use case: audit fairness per group — the log as it is, each model's scores, each simulated process change.

The front end reads what it needs (the log, a scores table, simulation results, a model from
MLflow) and hands it in; :func:`audit_fairness` only computes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.config import LogConfig
from workbench.fairness.config import AuditConfig, ModelAuditConfig
from workbench.fairness.groups import case_groups
from workbench.fairness.historical import audit_history
from workbench.fairness.model import audit_model
from workbench.fairness.process import audit_process_change
from workbench.fairness.result import AuditResult, combine_results
from workbench.schema import CASE_ID

__all__ = ["AuditSettings", "ModelScores", "ProcessChange", "FairnessAudit", "audit_settings", "audit_fairness"]


@dataclass(frozen=True)
class AuditSettings:
    """What every audit of one run shares: groups, flag rule, sizes, protection of people, seed."""

    group_attributes: tuple[str, ...]
    min_group_size: int
    staff_attributes: tuple[str, ...] = ()
    person_columns: tuple[str, ...] = ()
    allow_staff_attributes: bool = False
    rule: Any = None  # a FlagRule; None: the audits' default rule
    intersections: bool = False
    seed: int = 0
    replicates: int = 1000
    case_noun: str = "cases"

    def common(self) -> dict[str, Any]:
        """The keyword arguments every audit function takes."""
        kwargs: dict[str, Any] = {
            "group_attributes": self.group_attributes, "min_group_size": self.min_group_size,
            "staff_attributes": self.staff_attributes, "person_columns": self.person_columns,
        }
        if self.rule is not None:
            kwargs["rule"] = self.rule
            kwargs["allow_staff_attributes"] = self.allow_staff_attributes
        return kwargs


@dataclass(frozen=True)
class ModelScores:
    """A model's scores to audit (see :func:`workbench.fairness.audit_model`) and how to read them."""

    name: str | None
    scores: pd.DataFrame
    settings: ModelAuditConfig | None = None


@dataclass(frozen=True)
class ProcessChange:
    """A simulated change: per-group and overall KPIs of the scenario against its baseline."""

    name: str
    group_kpis: pd.DataFrame
    kpis: pd.DataFrame
    kpi_names: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FairnessAudit:
    """Each audit's result (in order: historical, models, process changes) and all of them combined."""

    parts: tuple[AuditResult, ...]
    result: AuditResult | None
    note: str = ""
    kinds: tuple[str, ...] = field(default=())


def audit_settings(
    log_config: LogConfig, config: AuditConfig | None = None, *, seed: int = 0, replicates: int | None = None
) -> AuditSettings:
    """The shared settings from an audit config, or (without one) from the log config and defaults."""
    if config is None:
        return AuditSettings(
            group_attributes=tuple(log_config.group_attributes), min_group_size=log_config.privacy.min_group_size,
            staff_attributes=tuple(log_config.staff_attributes), person_columns=tuple(log_config.person_columns),
            seed=seed, replicates=replicates if replicates is not None else 1000,
        )
    attrs = config.group_attributes if config.group_attributes is not None else log_config.group_attributes
    return AuditSettings(
        group_attributes=tuple(attrs), min_group_size=config.min_group_size or log_config.privacy.min_group_size,
        staff_attributes=tuple(log_config.staff_attributes), person_columns=tuple(log_config.person_columns),
        allow_staff_attributes=config.allow_staff_attributes, rule=config.flag.rule(),
        intersections=config.intersections, seed=config.seed,
        replicates=replicates if replicates is not None else config.replicates, case_noun=config.case_noun,
    )


def _with_groups(scores: pd.DataFrame, events: pd.DataFrame, attrs: Sequence[str]) -> pd.DataFrame:
    """Add the group attributes a scores table lacks, from the log."""
    missing = [a for a in attrs if a not in scores.columns]
    if not missing or CASE_ID not in scores.columns:
        return scores
    groups = case_groups(events, missing).reset_index()
    groups[CASE_ID] = groups[CASE_ID].astype(str)
    return scores.merge(groups, on=CASE_ID, how="left")


def audit_fairness(
    events: pd.DataFrame,
    log_config: LogConfig,
    settings: AuditSettings,
    *,
    config: AuditConfig | None = None,
    historical: bool = True,
    models: Sequence[ModelScores] = (),
    changes: Sequence[ProcessChange] = (),
    progress: Callable[[str], None] | None = None,
) -> FairnessAudit:
    """Audit the log as it is (``historical``), each model's scores and each process change, per group.

    Parameters
    ----------
    events : pandas.DataFrame
        The clean canonical log (group attributes are read from it).
    settings : AuditSettings
        Groups, flag rule, minimum group size, seed and bootstrap replicates (:func:`audit_settings`).
    config : AuditConfig, optional
        The historical audit's outcomes, strata and queue wait (defaults without one).
    progress : callable, optional
        Receives one line as each audit starts (bootstraps take a while).
    """
    if not settings.group_attributes:
        return FairnessAudit(parts=(), result=None, note="no group attributes are configured: nothing to audit")
    say = progress or (lambda _line: None)
    common = settings.common()
    attrs = settings.group_attributes
    parts: list[AuditResult] = []
    kinds: list[str] = []
    if historical:
        say(f"historical outcomes ({settings.replicates} bootstrap replicates)")
        if config is not None:
            h = config.historical
            parts.append(audit_history(
                events, statuses=log_config.statuses, outcomes=h.outcomes,
                outcome_activities=[o.to_outcome() for o in h.outcome_activities],
                queue_wait=h.queue_wait.to_queue_wait() if h.queue_wait else None, strata=h.strata,
                intersections=settings.intersections, replicates=settings.replicates, seed=settings.seed,
                completed_only=h.completed_only, case_noun=settings.case_noun, **common,
            ))
        else:
            parts.append(audit_history(events, statuses=log_config.statuses, replicates=settings.replicates,
                                       seed=settings.seed, case_noun=settings.case_noun, **common))
        kinds.append("historical")
    for scored in models:
        say(f"model '{scored.name or 'scores'}'")
        m = scored.settings
        extra: dict[str, Any] = {} if m is None else {
            "task": m.task, "at_risk_threshold": m.at_risk_threshold, "at_risk_share": m.at_risk_share,
            "time_unit": m.time_unit, "weighting": m.weighting,
        }
        parts.append(audit_model(
            _with_groups(scored.scores, events, attrs), intersections=settings.intersections,
            replicates=settings.replicates, seed=settings.seed, case_noun=settings.case_noun,
            model_name=scored.name, **extra, **common,
        ))
        kinds.append("model")
    process_common = {k: v for k, v in common.items() if k != "group_attributes"}
    for change in changes:
        say(f"process change '{change.name}'")
        names: dict[str, Any] = {} if change.kpi_names is None else {"kpi_names": change.kpi_names}
        parts.append(audit_process_change(
            change.group_kpis, change.kpis, group_attributes=attrs, scenario_name=change.name,
            **names, **process_common,
        ))
        kinds.append("process")
    return FairnessAudit(parts=tuple(parts), result=combine_results(*parts), kinds=tuple(kinds))
