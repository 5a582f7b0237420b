"""Turn per-group bootstrap replicates into the tidy disparity table, with flags and verdicts.

The tidy table has one row per (audit, attribute, group, metric). Its columns are
:data:`COLUMNS`; suppressed groups keep their row with ``suppressed = True`` and no
figures, so a reader sees that the group exists but is too small to report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.fairness.bootstrap import percentile_interval
from workbench.fairness.metrics import FlagRule, MetricSpec
from workbench.fairness.verdict import verdict_for_row

#: ``reason`` of a row whose disparity clears the threshold but whose own error does not.
OWN_ERROR_WITHIN = "own error within threshold"

__all__ = ["COLUMNS", "OWN_ERROR_WITHIN", "choose_best", "compare_groups", "empty_table", "threshold_for"]

COLUMNS: tuple[str, ...] = (
    "audit",
    "attribute",
    "group",
    "metric",
    "metric_label",
    "unit",
    "n_cases",
    "estimate",
    "estimate_low",
    "estimate_high",
    "reference",
    "reference_estimate",
    "difference",
    "difference_low",
    "difference_high",
    "ratio",
    "ratio_low",
    "ratio_high",
    "compare",
    "worse_if",
    "threshold",
    "controlled_for",
    "is_reference",
    "worse",
    "flagged",
    "suppressed",
    "reason",
    "verdict",
)


def empty_table() -> pd.DataFrame:
    """A tidy audit table with no rows (the right columns)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def threshold_for(spec: MetricSpec, rule: FlagRule, *, scale: float | None = None) -> float:
    """The flag threshold of ``spec`` in its compared scale (ratio - 1, or difference units)."""
    if spec.compare == "ratio":
        return rule.relative
    if spec.unit in ("rate", "score"):
        return rule.absolute
    # a difference in hours (signed errors): relative to a scale such as the overall MAE
    return rule.relative * (scale if scale is not None and np.isfinite(scale) else 0.0)


def choose_best(estimates: np.ndarray, eligible: np.ndarray, worse: str) -> int | None:
    """Index of the best-off eligible group by point estimate, or ``None`` if none is eligible."""
    values = np.where(eligible & np.isfinite(estimates), estimates, np.nan)
    if np.all(np.isnan(values)):
        return None
    return int(np.nanargmin(values) if worse == "higher" else np.nanargmax(values))


def compare_groups(
    *,
    audit: str,
    attribute: str,
    groups: Sequence[str],
    n_cases: np.ndarray,
    suppressed: np.ndarray,
    group_values: np.ndarray,
    reference_values: np.ndarray,
    reference_name: str,
    reference_index: int | None,
    spec: MetricSpec,
    rule: FlagRule,
    threshold: float,
    controlled_for: str = "",
    case_noun: str = "cases",
    min_group_size: int = 10,
    support: np.ndarray | None = None,
    support_noun: str = "",
) -> pd.DataFrame:
    """Compare each group's figure with its reference over bootstrap replicates.

    Parameters
    ----------
    group_values, reference_values : numpy.ndarray, shape (R, G)
        Row 0 is the original sample, rows 1.. the bootstrap replicates. The reference
        may differ per group (a stratified comparison standardises it to the group's mix).
    reference_name : str
        How the reference is named in the verdict (``"the best-off group ('HR')"``).
    reference_index : int or None
        The group that is the reference (its row says so), or ``None`` (overall).
    threshold : float
        From :func:`threshold_for`.
    support, support_noun : optional
        For a metric computed on part of a group (a true-positive rate on its positive
        cases), how many cases of that part each group has. A group with fewer than
        ``min_group_size`` is shown but not judged: a rate over two or three cases has
        no meaningful interval (every bootstrap resample repeats the same few cases).
    """
    gv = np.asarray(group_values, dtype=np.float64)
    rv = np.asarray(reference_values, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = gv - rv
        ratio = np.where(rv != 0, gv / rv, np.nan)
    d_lo, d_hi = percentile_interval(diff[1:], rule.confidence) if len(diff) > 1 else (diff[0] * np.nan,) * 2
    r_lo, r_hi = percentile_interval(ratio[1:], rule.confidence) if len(ratio) > 1 else (ratio[0] * np.nan,) * 2
    e_lo, e_hi = percentile_interval(gv[1:], rule.confidence) if len(gv) > 1 else (gv[0] * np.nan,) * 2
    rows = []
    for g, label in enumerate(groups):
        is_ref = reference_index is not None and g == reference_index
        row: dict[str, object] = {
            "audit": audit,
            "attribute": attribute,
            "group": label,
            "metric": spec.name,
            "metric_label": spec.label,
            "unit": spec.unit,
            "n_cases": int(n_cases[g]),
            "estimate": gv[0, g],
            "estimate_low": e_lo[g],
            "estimate_high": e_hi[g],
            "reference": reference_name,
            "reference_estimate": rv[0, g],
            "difference": diff[0, g],
            "difference_low": d_lo[g],
            "difference_high": d_hi[g],
            "ratio": ratio[0, g],
            "ratio_low": r_lo[g],
            "ratio_high": r_hi[g],
            "compare": spec.compare,
            "worse_if": spec.worse,
            "threshold": threshold,
            "controlled_for": controlled_for,
            "is_reference": is_ref,
            "worse": False,
            "flagged": False,
            "suppressed": bool(suppressed[g]),
            "reason": "",
        }
        if row["suppressed"]:
            row["reason"] = f"suppressed: fewer than {min_group_size} cases"
            for key in ("n_cases", "estimate", "estimate_low", "estimate_high", "reference_estimate", "difference", "difference_low",
                        "difference_high", "ratio", "ratio_low", "ratio_high"):
                row[key] = np.nan
        elif is_ref:
            row["reason"] = "reference group"
        elif support is not None and support[g] < min_group_size:
            row["reason"] = f"{NOT_JUDGED} only {int(support[g])} {support_noun} (at least {min_group_size} needed)"
        else:
            _flag(row, spec, threshold)
        row["verdict"] = verdict_for_row(row, spec=spec, rule=rule, case_noun=case_noun,
                                         min_group_size=min_group_size)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


#: Start of the reason of a row whose metric has too few cases in its denominator.
NOT_JUDGED = "not judged:"


def _flag(row: dict[str, Any], spec: MetricSpec, threshold: float) -> None:
    """Set ``worse``, ``flagged`` and ``reason`` of a (non-suppressed, non-reference) row."""
    if spec.compare == "ratio":
        eff, lo, hi = (float(row["ratio"]) - 1, float(row["ratio_low"]) - 1, float(row["ratio_high"]) - 1)
        shown = f"{threshold:.0%}"
    else:
        eff, lo, hi = float(row["difference"]), float(row["difference_low"]), float(row["difference_high"])
        shown = f"{threshold * 100:.1f} points" if spec.unit == "rate" else f"{threshold:.3g}"
    if not np.isfinite(eff):
        row["reason"] = "not estimable"
        return
    up = eff > 0
    if spec.worse == "higher":
        worse, flagged = up, np.isfinite(lo) and lo > threshold
    elif spec.worse == "lower":
        worse, flagged = not up and eff < 0, np.isfinite(hi) and hi < -threshold
    else:
        worse = eff != 0
        flagged = (np.isfinite(lo) and lo > threshold) or (np.isfinite(hi) and hi < -threshold)
        if flagged and spec.own_error:
            own_lo, own_hi = float(row["estimate_low"]), float(row["estimate_high"])
            flagged = (own_lo > threshold) if lo > threshold else (own_hi < -threshold)
            if not flagged:
                row["reason"] = OWN_ERROR_WITHIN
    row["worse"] = bool(worse)
    row["flagged"] = bool(flagged)
    if flagged:
        row["reason"] = f"the {row['compare']}'s interval lies beyond the {shown} threshold"
    elif not row["reason"]:
        row["reason"] = f"interval does not clear the {shown} threshold" if worse else "not worse off"
