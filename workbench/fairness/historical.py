"""Historical outcome audit: existing disparities between groups in the log itself.

Per group attribute and group: cycle time, reopen rate, time waiting in queue and
the rate of configured outcome activities (e.g. the final decision of a case),
compared with the best-off group (or all cases) with case-bootstrap confidence
intervals. Where strata are configured (e.g. category and priority), the comparison
is *controlled*: each group is compared with the reference within the same strata
and the within-stratum differences are weighted by the group's own case mix
(direct standardisation of the reference to the group's mix), so a group is not
flagged merely for raising harder kinds of cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import numpy as np
import pandas as pd

from workbench.config import StatusMeanings
from workbench.errors import EventLogError
from workbench.fairness.bootstrap import cell_sums, replicate_weights
from workbench.fairness.compare import choose_best, compare_groups, empty_table, threshold_for
from workbench.fairness.groups import add_intersections, case_groups
from workbench.fairness.metrics import (
    DEFAULT_RULE,
    HISTORICAL_METRICS,
    FlagRule,
    MetricSpec,
    outcome_activity_metric,
)
from workbench.fairness.options import AuditKeywords, AuditOptions, audit_options
from workbench.fairness.outcomes import OUTCOMES, OutcomeActivity, QueueWait, case_outcomes
from workbench.fairness.result import AuditResult

__all__ = ["audit_history", "compare_case_outcomes"]


def audit_history(
    events: pd.DataFrame,
    *,
    group_attributes: Sequence[str],
    statuses: StatusMeanings | None = None,
    outcomes: Sequence[str] = OUTCOMES,
    outcome_activities: Sequence[OutcomeActivity] = (),
    queue_wait: QueueWait | None = None,
    strata: Sequence[str] = (),
    completed_only: bool = True,
    options: AuditOptions | None = None,
    **keywords: Unpack[AuditKeywords],
) -> AuditResult:
    """Audit the log's own outcomes per group.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical event log; the group and strata attributes are columns of it.
    group_attributes : sequence of str
        Attributes defining groups (checked by :func:`~workbench.fairness.groups.check_group_attributes`).
    statuses : StatusMeanings, optional
        The log config's statuses (reopens, open cases, queue waiting).
    outcomes : sequence of str
        Built-in outcomes among ``cycle_time``, ``reopen_rate``, ``queue_wait``.
    outcome_activities : sequence of OutcomeActivity
        Outcome rates such as "Make Job Offer".
    strata : sequence of str
        Attributes to control for (compare within strata); empty: crude comparison.
    completed_only : bool
        Cycle times of completed cases only.
    options : AuditOptions, optional
        Flag rule, minimum group size (counting cases with the outcome defined), protection
        of people, intersections, bootstrap replicates and seed (:mod:`workbench.fairness.options`).
    **keywords
        Any field of :class:`AuditOptions` (``replicates=200, seed=1``), replacing that of ``options``.

    Returns
    -------
    AuditResult
    """
    o = audit_options(options, keywords)
    attrs = o.checked_groups(group_attributes)
    if len(events) == 0:
        raise EventLogError("the event log is empty: there is nothing to audit")
    strata = tuple(strata)
    groups = case_groups(events, attrs + tuple(s for s in strata if s not in attrs))
    audited: tuple[str, ...] = attrs
    if o.intersections and len(attrs) > 1:
        groups, pairs = add_intersections(groups, attrs)
        audited = attrs + pairs
    values, notes = case_outcomes(events, outcomes=outcomes, outcome_activities=outcome_activities,
                                  statuses=statuses, queue_wait=queue_wait, completed_only=completed_only)
    specs = [HISTORICAL_METRICS[c] for c in ("cycle_time_h", "reopen_rate", "queue_wait_h") if c in values]
    specs += [outcome_activity_metric(oa.name, " / ".join(oa.activities), favourable=oa.favourable)
              for oa in outcome_activities]
    notes = (*notes, *control_warnings(groups, attrs, strata, min_group_size=o.min_group_size))
    stratum = _stratum_labels(groups, strata)
    result = compare_case_outcomes(
        values.reindex(groups.index), groups[list(audited)], specs=specs, strata=stratum,
        audit="historical", rule=o.rule, min_group_size=o.min_group_size, replicates=o.replicates, seed=o.seed,
        controlled_for=" and ".join(strata), case_noun=o.case_noun,
    )
    settings = {
        "historical": {
            "group_attributes": list(attrs),
            "intersections": bool(o.intersections),
            "outcomes": [s.name for s in specs],
            "strata": list(strata),
            "reference": o.rule.reference,
            "relative_threshold": o.rule.relative,
            "absolute_threshold": o.rule.absolute,
            "confidence": o.rule.confidence,
            "min_group_size": o.min_group_size,
            "bootstrap_replicates": o.replicates,
            "seed": o.seed,
            "completed_only": completed_only,
            "cases": len(values),
        }
    }
    return AuditResult(table=result, notes=tuple(notes), settings=settings)


#: Cramér's V between a control variable and a group attribute from which the audit warns
CONTROL_ASSOCIATION_WARNING = 0.2


def control_warnings(
    groups: pd.DataFrame, attrs: Sequence[str], strata: Sequence[str], *, min_group_size: int = 10
) -> list[str]:
    """Warnings for control variables (strata) whose distribution differs strongly between groups.

    If a variable that the unfairness may act through (e.g. the priority given at
    registration) differs between groups, comparing within its strata hides that part of
    the difference. Strength is Cramér's V over the groups with at least
    ``min_group_size`` cases; a warning is given from :data:`CONTROL_ASSOCIATION_WARNING`.
    """
    from scipy.stats.contingency import association

    out = []
    for control in strata:
        for attr in attrs:
            if control == attr:
                continue
            pair = groups[[attr, control]].dropna().astype(str)
            sizes = pair[attr].value_counts()
            pair = pair[pair[attr].isin(sizes.index[sizes >= min_group_size])]
            table = pd.crosstab(pair[attr], pair[control])
            if table.shape[0] < 2 or table.shape[1] < 2:
                continue
            v = float(association(table.to_numpy(), method="cramer"))
            if v >= CONTROL_ASSOCIATION_WARNING:
                share = table.div(table.sum(axis=1), axis=0)
                spread = (share.max() - share.min()).idxmax()
                out.append(
                    f"the control variable '{control}' differs strongly between groups of '{attr}' (Cramér's V "
                    f"{v:.2f}; share of {control} = {spread}: {share[spread].min():.0%} to {share[spread].max():.0%}); "
                    f"if the unfairness acts through '{control}', controlling for it hides it: compare with the "
                    "audit without strata"
                )
    return out


def _stratum_labels(groups: pd.DataFrame, strata: Sequence[str]) -> pd.Series | None:
    if not strata:
        return None
    label = groups[strata[0]].astype(str)
    for s in strata[1:]:
        label = label + " | " + groups[s].astype(str)
    return label


def compare_case_outcomes(
    values: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    specs: Sequence[MetricSpec],
    strata: pd.Series | None = None,
    audit: str = "historical",
    rule: FlagRule = DEFAULT_RULE,
    min_group_size: int = 10,
    replicates: int = 1000,
    seed: int = 0,
    controlled_for: str = "",
    case_noun: str = "cases",
) -> pd.DataFrame:
    """Compare per-case outcome means between groups (the engine of :func:`audit_history`).

    ``values`` and ``groups`` share one index (one row per case); ``values`` has a
    column per spec (NaN where undefined), ``groups`` a label column per attribute.
    """
    if len(values) == 0:
        return empty_table()
    rng = np.random.default_rng(seed)
    n = len(values)
    row_case = np.arange(n)
    s_codes, s_uniques = (pd.factorize(strata, sort=True) if strata is not None
                          else (np.zeros(n, dtype=np.int64), np.array(["all"])))
    n_strata = len(s_uniques)
    attr_codes = {}
    for attr in groups.columns:
        codes, uniques = pd.factorize(groups[attr], sort=True)
        attr_codes[attr] = (codes.astype(np.int64), [str(u) for u in uniques])
    metric_vals = {s.name: values[s.name].to_numpy(dtype=np.float64) for s in specs}
    chunks: dict[tuple[str, str, str], list[np.ndarray]] = {}
    for weights in replicate_weights(row_case, n, replicates=replicates, rng=rng):
        for attr, (codes, uniques) in attr_codes.items():
            cells = codes * n_strata + s_codes
            n_cells = len(uniques) * n_strata
            for name, v in metric_vals.items():
                defined = np.isfinite(v)
                chunks.setdefault((attr, name, "num"), []).append(
                    cell_sums(weights, np.where(defined, v, 0.0), cells, n_cells))
                chunks.setdefault((attr, name, "den"), []).append(
                    cell_sums(weights, defined.astype(np.float64), cells, n_cells))
    tables = []
    for attr, (_codes, uniques) in attr_codes.items():
        g = len(uniques)
        for spec in specs:
            num = np.vstack(chunks[(attr, spec.name, "num")]).reshape(-1, g, n_strata)
            den = np.vstack(chunks[(attr, spec.name, "den")]).reshape(-1, g, n_strata)
            tables.append(_compare_one(attr, uniques, num, den, spec=spec, rule=rule, audit=audit,
                                       min_group_size=min_group_size, controlled_for=controlled_for,
                                       case_noun=case_noun))
    return pd.concat(tables, ignore_index=True) if tables else empty_table()


def _compare_one(
    attr: str,
    labels: list[str],
    num: np.ndarray,
    den: np.ndarray,
    *,
    spec: MetricSpec,
    rule: FlagRule,
    audit: str,
    min_group_size: int,
    controlled_for: str,
    case_noun: str,
) -> pd.DataFrame:
    """Directly standardised comparison of one metric across the groups of one attribute.

    ``num`` and ``den`` have shape (R, G, S): replicates, groups, strata.
    """
    n_cases = den[0].sum(axis=1)
    suppressed = n_cases < min_group_size
    eligible = ~suppressed
    with np.errstate(invalid="ignore", divide="ignore"):
        overall_s = num.sum(axis=1) / den.sum(axis=1)  # (R, S)
    use_best = rule.reference == "best" and spec.worse != "either"
    ref_index = None
    ref_s = overall_s
    if use_best:
        vs_overall = _standardised(num, den, overall_s)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = vs_overall[0][0] / vs_overall[1][0]
        ref_index = choose_best(score, eligible, spec.worse)
        if ref_index is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                ref_s = num[:, ref_index, :] / den[:, ref_index, :]
    group_val, ref_val = _standardised(num, den, ref_s)
    if ref_index is not None:
        name = f"the best-off group ('{labels[ref_index]}')"
    else:
        name = f"all {case_noun} together"
    if controlled_for:
        name += f" within the same {controlled_for}"
    return compare_groups(
        audit=audit, attribute=attr, groups=labels, n_cases=n_cases, suppressed=suppressed,
        group_values=group_val, reference_values=ref_val, reference_name=name, reference_index=ref_index,
        spec=spec, rule=rule, threshold=threshold_for(spec, rule), controlled_for=controlled_for,
        case_noun=case_noun, min_group_size=min_group_size,
    )


def _standardised(num: np.ndarray, den: np.ndarray, ref_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group means and reference means standardised to each group's stratum mix, over common strata.

    Returns two (R, G) arrays. A stratum counts for a group where the group has cases
    and the reference has a figure.
    """
    common = (den > 0) & np.isfinite(ref_s)[:, None, :]
    w = np.where(common, den, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        group_val = np.where(common, num, 0.0).sum(axis=2) / w.sum(axis=2)
        ref_val = (w * np.where(common, ref_s[:, None, :], 0.0)).sum(axis=2) / w.sum(axis=2)
    return group_val, ref_val
