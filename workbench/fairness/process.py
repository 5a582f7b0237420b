"""Process-change audit: does a what-if scenario leave some group worse off?

Input: the simulation's per-group KPIs, a tidy table with the columns
``replication, arm, attribute, group, kpi, value, n_cases`` (``arm`` is
``"baseline"`` or ``"scenario"``; common random numbers make replication *r* of
both arms a pair), and the overall KPIs ``replication, arm, kpi, value``.

Per group and KPI (``cycle_time_h``, ``waiting_time_h``, ``waiting_on_user_h``):
the paired change scenario - baseline over replications, as a difference (t interval)
and as a ratio (t interval on the paired log ratios). A group is flagged when it gets
worse (the ratio's interval lies above 1) while the average improves (the overall
ratio's interval lies below 1) -- the municipalities' question "are some
citizens put at a disadvantage when we change a process?" -- and, whatever the
average does, when it gets worse by more than the relative threshold (the whole
interval above it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import numpy as np
import pandas as pd

from workbench.errors import StageError
from workbench.fairness.compare import COLUMNS, empty_table
from workbench.fairness.metrics import PROCESS_METRICS, FlagRule, MetricSpec
from workbench.fairness.options import AuditKeywords, AuditOptions, audit_options
from workbench.fairness.result import AuditResult
from workbench.fairness.verdict import format_interval, process_verdict

__all__ = ["GROUP_KPI_COLUMNS", "KPI_COLUMNS", "audit_process_change", "paired_change"]

GROUP_KPI_COLUMNS = ("replication", "arm", "attribute", "group", "kpi", "value", "n_cases")
KPI_COLUMNS = ("replication", "arm", "kpi", "value")
ARMS = ("baseline", "scenario")


def paired_change(baseline: np.ndarray, scenario: np.ndarray, *, confidence: float) -> dict[str, float]:
    """Mean paired difference (scenario - baseline) with a t interval, the means of both arms, and the ratio.

    The ratio scenario / baseline and its interval come from a t interval on the paired
    log ratios (a geometric mean: effects of a change on waiting are multiplicative, and
    one congested replication does not swamp the others); where a value is not positive it
    falls back to 1 + difference / baseline mean. Pairs where either value is missing are
    left out. With fewer than 2 pairs the intervals are NaN.
    """
    from scipy import stats

    b = np.asarray(baseline, dtype=float)
    s = np.asarray(scenario, dtype=float)
    ok = np.isfinite(b) & np.isfinite(s)
    b, s = b[ok], s[ok]
    n = len(b)
    out = {"n": float(n), "baseline": float(np.mean(b)) if n else np.nan,
           "scenario": float(np.mean(s)) if n else np.nan, "diff": np.nan, "low": np.nan, "high": np.nan,
           "scenario_low": np.nan, "scenario_high": np.nan, "ratio": np.nan, "ratio_low": np.nan,
           "ratio_high": np.nan}
    if n == 0:
        return out
    d = s - b
    out["diff"] = float(d.mean())
    positive = bool((b > 0).all() and (s > 0).all())
    if positive:
        logs = np.log(s / b)
        out["ratio"] = float(np.exp(logs.mean()))
    elif out["baseline"]:
        out["ratio"] = 1 + out["diff"] / out["baseline"]
    if n >= 2:
        q = stats.t.ppf(0.5 + confidence / 2, n - 1)
        half = q * d.std(ddof=1) / np.sqrt(n)
        out["low"], out["high"] = out["diff"] - half, out["diff"] + half
        half_s = q * s.std(ddof=1) / np.sqrt(n)
        out["scenario_low"], out["scenario_high"] = out["scenario"] - half_s, out["scenario"] + half_s
        if positive:
            half_log = q * logs.std(ddof=1) / np.sqrt(n)
            out["ratio_low"] = float(np.exp(logs.mean() - half_log))
            out["ratio_high"] = float(np.exp(logs.mean() + half_log))
        elif out["baseline"]:
            out["ratio_low"] = 1 + out["low"] / out["baseline"]
            out["ratio_high"] = 1 + out["high"] / out["baseline"]
    return out


def _check(frame: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StageError(f"process-change audit: the {what} table lacks column(s) {missing} "
                         f"(has {list(frame.columns)}); it needs {list(columns)}")
    arms = set(frame["arm"].astype(str).unique())
    if not arms <= set(ARMS) or arms != set(ARMS):
        raise StageError(f"process-change audit: the {what} table must have arms 'baseline' and 'scenario', "
                         f"got {sorted(arms)}")
    reps = {arm: set(frame.loc[frame["arm"] == arm, "replication"]) for arm in ARMS}
    if reps["baseline"] != reps["scenario"]:
        raise StageError(f"process-change audit: the replications of the baseline and the scenario differ in the "
                         f"{what} table; run both arms with the same seeds (common random numbers)")
    if len(reps["baseline"]) < 2:
        raise StageError(f"process-change audit needs at least 2 paired replications, got "
                         f"{len(reps['baseline'])}; run the scenario with more replications (e.g. 10)")
    return frame


def audit_process_change(
    group_kpis: pd.DataFrame,
    kpis: pd.DataFrame,
    *,
    group_attributes: Sequence[str] | None = None,
    kpi_names: Sequence[str] = tuple(PROCESS_METRICS),
    scenario_name: str | None = None,
    options: AuditOptions | None = None,
    **keywords: Unpack[AuditKeywords],
) -> AuditResult:
    """Audit a simulated scenario against its baseline, per group.

    Parameters
    ----------
    group_kpis, kpis : pandas.DataFrame
        See the module docstring.
    group_attributes : sequence of str, optional
        Attributes to audit (default: every attribute in ``group_kpis``).
    kpi_names : sequence of str
        KPIs to audit (those absent from the input are noted and skipped).
    options : AuditOptions, optional
        Of :class:`AuditOptions` this audit reads the protection of people and: ``rule``,
        whose ``relative`` is the worsening that is flagged whatever the average does and
        ``confidence`` the level of the t intervals; ``min_group_size``, below which a group
        (cases per replication, mean over baseline replications) is suppressed and shown as such.
    **keywords
        Any field of :class:`AuditOptions` (``min_group_size=5``), replacing that of ``options``.
    """
    _check(group_kpis, GROUP_KPI_COLUMNS, "group_kpis")
    _check(kpis, KPI_COLUMNS, "kpis")
    present = list(dict.fromkeys(group_kpis["attribute"].astype(str)))
    o = audit_options(options, keywords)
    rule, min_group_size = o.rule, o.min_group_size
    attrs = o.checked_groups(group_attributes if group_attributes is not None else present)
    missing_attrs = [a for a in attrs if a not in present]
    if missing_attrs:
        raise StageError(f"process-change audit: group attribute(s) {missing_attrs} are not in the simulation's "
                         f"group KPIs (attributes: {present}); simulate with these group attributes")
    notes: list[str] = []
    rows: list[dict[str, object]] = []
    overall_info: dict[str, dict[str, float]] = {}
    for kpi in kpi_names:
        spec = PROCESS_METRICS.get(kpi) or MetricSpec(kpi, kpi.replace("_", " "), "", "higher", "ratio",
                                                      f"{kpi} rises by {{amount}}", f"{kpi} falls by {{amount}}")
        over = kpis[kpis["kpi"] == kpi]
        if over.empty and not (group_kpis["kpi"] == kpi).any():
            notes.append(f"{spec.label} not audited: the simulation reports no KPI '{kpi}'")
            continue
        wide = over.pivot_table(index="replication", columns="arm", values="value", aggfunc="mean")
        ov = paired_change(wide.get("baseline", pd.Series(dtype=float)).to_numpy(),
                           wide.get("scenario", pd.Series(dtype=float)).to_numpy(), confidence=rule.confidence)
        ov_rel = ov["ratio"] - 1
        improves = bool(np.isfinite(ov["ratio_high"]) and ov["ratio_high"] < 1)
        overall_info[kpi] = {"baseline": ov["baseline"], "scenario": ov["scenario"], "change": ov["diff"],
                             "change_low": ov["low"], "change_high": ov["high"], "relative_change": ov_rel}
        if np.isfinite(ov_rel):
            interval = format_interval((ov["ratio_low"] - 1) * 100, (ov["ratio_high"] - 1) * 100, fmt=".1f", suffix="%")
            change = f"{ov_rel * 100:+.1f}%".replace("-", "\u2212")
            notes.append(f"Overall {spec.label}: {ov['baseline']:.1f} -> {ov['scenario']:.1f} "
                         f"({change}, {rule.confidence:.0%} CI {interval or 'n/a'})"
                         + ("; the average improves" if improves else ""))
        part = group_kpis[(group_kpis["kpi"] == kpi) & group_kpis["attribute"].astype(str).isin(attrs)]
        for (attr, group), cell in part.groupby(["attribute", "group"], sort=True):
            rows.append(_group_row(str(attr), str(group), cell, spec=spec, rule=rule, min_group_size=min_group_size,
                                   overall_change=ov_rel, overall_improves=improves))
    table = pd.DataFrame(rows, columns=list(COLUMNS)) if rows else empty_table()
    settings = {
        "process": {
            "scenario": scenario_name,
            "group_attributes": list(attrs),
            "kpis": list(kpi_names),
            "relative_threshold": rule.relative,
            "confidence": rule.confidence,
            "min_group_size": min_group_size,
            "replications": int(group_kpis["replication"].nunique()),
            "overall": overall_info,
        }
    }
    return AuditResult(table=table, notes=tuple(notes), settings=settings)


def _group_row(
    attr: str,
    group: str,
    cell: pd.DataFrame,
    *,
    spec: MetricSpec,
    rule: FlagRule,
    min_group_size: int,
    overall_change: float,
    overall_improves: bool,
) -> dict[str, object]:
    wide = cell.pivot_table(index="replication", columns="arm", values="value", aggfunc="mean")
    wide = wide.reindex(columns=list(ARMS))
    ch = paired_change(wide["baseline"].to_numpy(), wide["scenario"].to_numpy(), confidence=rule.confidence)
    size = float(cell.loc[cell["arm"] == "baseline", "n_cases"].mean())
    suppressed = not np.isfinite(size) or size < min_group_size
    base = ch["baseline"]
    ratio, r_lo, r_hi = ch["ratio"], ch["ratio_low"], ch["ratio_high"]
    row: dict[str, object] = {
        "audit": "process", "attribute": attr, "group": group, "metric": spec.name, "metric_label": spec.label,
        "unit": spec.unit, "n_cases": size, "estimate": ch["scenario"], "estimate_low": ch["scenario_low"],
        "estimate_high": ch["scenario_high"], "reference": "baseline", "reference_estimate": base,
        "difference": ch["diff"], "difference_low": ch["low"], "difference_high": ch["high"], "ratio": ratio,
        "ratio_low": r_lo, "ratio_high": r_hi, "compare": "ratio", "worse_if": spec.worse,
        "threshold": rule.relative, "controlled_for": "", "is_reference": False,
        "worse": bool(np.isfinite(ratio) and ratio > 1), "flagged": False, "suppressed": suppressed,
        "reason": "",
    }
    if suppressed:
        row["reason"] = f"suppressed: fewer than {min_group_size} cases"
        for key in ("n_cases", "estimate", "estimate_low", "estimate_high", "reference_estimate", "difference",
                    "difference_low", "difference_high", "ratio", "ratio_low", "ratio_high"):
            row[key] = np.nan
        row["worse"] = False
    else:
        sig_worse = bool(np.isfinite(r_lo) and r_lo > 1)
        beyond = bool(np.isfinite(r_lo) and r_lo - 1 > rule.relative)
        if sig_worse and overall_improves:
            row["flagged"], row["reason"] = True, "worse while the average improves"
        elif beyond:
            row["flagged"], row["reason"] = True, f"worse by more than {rule.relative:.0%} (the whole interval)"
        elif not np.isfinite(ch["diff"]):
            row["reason"] = "not estimable"
        elif row["worse"]:
            row["reason"] = "increase not significant or under the threshold"
        else:
            row["reason"] = "not worse off"
    row["verdict"] = process_verdict(row, spec=spec, rule=rule, overall_change=overall_change,
                                     overall_improves=overall_improves, min_group_size=min_group_size)
    return row
