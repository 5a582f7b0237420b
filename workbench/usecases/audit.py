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
from workbench.fairness.options import AuditOptions
from workbench.fairness.process import audit_process_change
from workbench.fairness.result import AuditResult, combine_results
from workbench.schema import CASE_ID

__all__ = ["AuditSettings", "ModelScores", "ProcessChange", "FairnessAudit", "audit_settings", "audit_fairness"]


@dataclass(frozen=True)
class AuditSettings:
    """What every audit of one run shares: the group attributes, and the flag rule, group sizes,
    protection of people, bootstrap and seed as the fairness audits take them (:class:`AuditOptions`)."""

    group_attributes: tuple[str, ...]
    options: AuditOptions = field(default_factory=AuditOptions)


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
    staff, persons = tuple(log_config.staff_attributes), tuple(log_config.person_columns)
    if config is None:
        return AuditSettings(
            group_attributes=tuple(log_config.group_attributes),
            options=AuditOptions(min_group_size=log_config.privacy.min_group_size, staff_attributes=staff,
                                 person_columns=persons, seed=seed,
                                 replicates=replicates if replicates is not None else 1000),
        )
    attrs = config.group_attributes if config.group_attributes is not None else log_config.group_attributes
    return AuditSettings(
        group_attributes=tuple(attrs),
        options=AuditOptions(
            rule=config.flag.rule(), min_group_size=config.min_group_size or log_config.privacy.min_group_size,
            staff_attributes=staff, person_columns=persons, allow_staff_attributes=config.allow_staff_attributes,
            intersections=config.intersections, replicates=replicates if replicates is not None else config.replicates,
            seed=config.seed, case_noun=config.case_noun,
        ),
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
        The group attributes and the audits' options: flag rule, minimum group size, protection of
        people, seed and bootstrap replicates (:func:`audit_settings`).
    config : AuditConfig, optional
        The historical audit's outcomes, strata and queue wait (defaults without one).
    progress : callable, optional
        Receives one line as each audit starts (bootstraps take a while).
    """
    if not settings.group_attributes:
        return FairnessAudit(parts=(), result=None, note="no group attributes are configured: nothing to audit")
    say = progress or (lambda _line: None)
    attrs, options = settings.group_attributes, settings.options
    parts: list[AuditResult] = []
    kinds: list[str] = []
    if historical:
        say(f"historical outcomes ({options.replicates} bootstrap replicates)")
        if config is not None:
            h = config.historical
            parts.append(audit_history(
                events, group_attributes=attrs, statuses=log_config.statuses, outcomes=h.outcomes,
                outcome_activities=[o.to_outcome() for o in h.outcome_activities],
                queue_wait=h.queue_wait.to_queue_wait() if h.queue_wait else None, strata=h.strata,
                completed_only=h.completed_only, options=options,
            ))
        else:
            parts.append(audit_history(events, group_attributes=attrs, statuses=log_config.statuses, options=options))
        kinds.append("historical")
    for scored in models:
        say(f"model '{scored.name or 'scores'}'")
        m = scored.settings
        extra: dict[str, Any] = {} if m is None else {
            "task": m.task, "at_risk_threshold": m.at_risk_threshold, "at_risk_share": m.at_risk_share,
            "time_unit": m.time_unit, "weighting": m.weighting,
        }
        parts.append(audit_model(_with_groups(scored.scores, events, attrs), group_attributes=attrs,
                                 model_name=scored.name, options=options, **extra))
        kinds.append("model")
    for change in changes:
        say(f"process change '{change.name}'")
        names: dict[str, Any] = {} if change.kpi_names is None else {"kpi_names": change.kpi_names}
        parts.append(audit_process_change(change.group_kpis, change.kpis, group_attributes=attrs,
                                          scenario_name=change.name, options=options, **names))
        kinds.append("process")
    return FairnessAudit(parts=tuple(parts), result=combine_results(*parts), kinds=tuple(kinds))
