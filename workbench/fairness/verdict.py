"""The verdict per group in plain words.

Examples (pinned in ``tests/fairness/test_verdict.py``)::

    Department 'Jobcenter': tickets take 31% longer (95% CI 22%–40%) than the best-off group ('HR'): 52.4 h vs 40.0 h. Flagged.
    Protected 'True': 'Make Job Offer' happens 30.5 percentage points less often (95% CI 29.4–31.6) than the best-off group ('False'): 4.0% vs 34.5%. Flagged.
    Department 'Tiny': suppressed (fewer than 10 cases).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from workbench.fairness.metrics import FlagRule, MetricSpec

__all__ = ["format_interval", "format_value", "process_verdict", "subject", "verdict_for_row"]


def subject(attribute: str, group: str) -> str:
    """``"Department 'Jobcenter'"`` from ``("department", "Jobcenter")``."""
    label = attribute.replace("_", " ")
    return f"{label[:1].upper()}{label[1:]} '{group}'"


def format_value(value: float, unit: str) -> str:
    """A figure in its unit: ``52.4 h``, ``4.0%``, ``0.81``."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "h":
        return f"{value:.1f} h"
    if unit == "d":
        return f"{value:.1f} days"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    return f"{value:.2f}"


def format_interval(lo: float, hi: float, *, fmt: str, suffix: str = "") -> str:
    """``22%–40%`` when both bounds are non-negative, else ``-3% to 13%`` (no ambiguous dashes)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return ""
    lo, hi = float(format(lo, fmt)) + 0.0, float(format(hi, fmt)) + 0.0  # as shown; no "-0"
    # a word unit (" h", " days") is said once, at the end; a symbol ("%") on both bounds
    first = suffix if not suffix.startswith(" ") else ""
    a, b = format(lo, fmt) + first, format(hi, fmt) + suffix
    a, b = a.replace("-", "\u2212"), b.replace("-", "\u2212")
    return f"{a}\u2013{b}" if lo >= 0 and hi >= 0 else f"{a} to {b}"


def _amount_and_interval(row: Mapping[str, object], spec: MetricSpec) -> tuple[bool, str, str]:
    """(higher?, the gap in words, its interval oriented the same way)."""
    if spec.compare == "ratio":
        eff = float(row["ratio"]) - 1  # type: ignore[arg-type]
        lo, hi = float(row["ratio_low"]) - 1, float(row["ratio_high"]) - 1  # type: ignore[arg-type]
        scale, fmt, suffix = 100.0, ".0f", "%"
        amount = f"{abs(eff) * 100:.0f}%"
    else:
        eff = float(row["difference"])  # type: ignore[arg-type]
        lo, hi = float(row["difference_low"]), float(row["difference_high"])  # type: ignore[arg-type]
        if spec.unit == "rate":
            scale, fmt, suffix = 100.0, ".1f", ""
            amount = f"{abs(eff) * 100:.1f} percentage points"
        elif spec.unit in ("h", "d"):
            word = " h" if spec.unit == "h" else " days"
            scale, fmt, suffix = 1.0, ".1f", word
            amount = f"{abs(eff):.1f}{word}"
        else:
            scale, fmt, suffix = 1.0, ".2f", ""
            amount = f"{abs(eff):.2f}"
    higher = eff >= 0
    if higher:
        ci = format_interval(lo * scale, hi * scale, fmt=fmt, suffix=suffix)
    else:
        ci = format_interval(-hi * scale, -lo * scale, fmt=fmt, suffix=suffix)
    return higher, amount, ci


def _group_words(row: Mapping[str, object], min_group_size: int) -> tuple[str, str]:
    """The group in words, and the whole verdict when the group is suppressed (else "")."""
    who = subject(str(row["attribute"]), str(row["group"]))
    return who, f"{who}: suppressed (fewer than {min_group_size} cases)." if row["suppressed"] else ""


def _gap_words(row: Mapping[str, object], spec: MetricSpec, rule: FlagRule, *, cases: str,
               too_few: str) -> tuple[str, str]:
    """The gap in the metric's own phrase, and its interval (or why there is none)."""
    higher, amount, ci = _amount_and_interval(row, spec)
    phrase = (spec.higher_phrase if higher else spec.lower_phrase).format(cases=cases, amount=amount)
    return phrase, f" ({rule.confidence:.0%} CI {ci})" if ci else f" (no interval: too few {too_few})"


def _threshold_words(spec: MetricSpec, threshold: float) -> str:
    if spec.compare == "ratio":
        return f"{threshold:.0%}"
    if spec.unit == "rate":
        return f"{threshold * 100:.1f}-point"
    if spec.unit == "h":
        return f"{threshold:.2g} h" if threshold < 1 else f"{threshold:.1f} h"
    if spec.unit == "d":
        return f"{threshold:.2f} days"
    return f"{threshold:.2f}"


def verdict_for_row(
    row: Mapping[str, object],
    *,
    spec: MetricSpec,
    rule: FlagRule,
    case_noun: str = "cases",
    min_group_size: int = 10,
) -> str:
    """The plain-words verdict of one row of the tidy table."""
    who, suppressed = _group_words(row, min_group_size)
    if suppressed:
        return suppressed
    est = float(row["estimate"])  # type: ignore[arg-type]
    if row["is_reference"]:
        return f"{who}: the best-off group on {spec.label}, used as the reference ({format_value(est, spec.unit)})."
    if not math.isfinite(est) or not math.isfinite(float(row["reference_estimate"])):  # type: ignore[arg-type]
        return f"{who}: {spec.label} cannot be estimated for this group (too few data). Not flagged."
    phrase, interval = _gap_words(row, spec, rule, cases=case_noun, too_few="data")
    ref = float(row["reference_estimate"])  # type: ignore[arg-type]
    figures = f": {format_value(est, spec.unit)} vs {format_value(ref, spec.unit)}"
    text = f"{who}: {phrase}{interval} than {row['reference']}{figures}."
    if row["flagged"]:
        return f"{text} Flagged."
    if str(row["reason"]).startswith("not judged:"):
        return f"{text} Not judged: {str(row['reason']).removeprefix('not judged:').strip()}."
    threshold = _threshold_words(spec, float(row["threshold"]))  # type: ignore[arg-type]
    if row["reason"] == "own error within threshold":
        return (f"{text} Not flagged: the group's own {spec.label.split(' (')[0]} "
                f"({format_value(est, spec.unit)}) stays within the {threshold} threshold.")
    if row["worse"]:
        return f"{text} Not flagged: the interval does not clear the {threshold} threshold."
    return f"{text} Not flagged."


def process_verdict(
    row: Mapping[str, object],
    *,
    spec: MetricSpec,
    rule: FlagRule,
    overall_change: float,
    overall_improves: bool,
    min_group_size: int = 10,
) -> str:
    """Verdict of a process-change row: the group's change under the scenario, and the average's."""
    who, suppressed = _group_words(row, min_group_size)
    if suppressed:
        return suppressed
    est = float(row["estimate"])  # type: ignore[arg-type]
    if not math.isfinite(est) or not math.isfinite(float(row["ratio"])):  # type: ignore[arg-type]
        return f"{who}: the change in {spec.label} cannot be estimated (too few data). Not flagged."
    phrase, interval = _gap_words(row, spec, rule, cases="cases", too_few="replications")
    base = format_value(float(row["reference_estimate"]), spec.unit)  # type: ignore[arg-type]
    avg = "is unchanged on average" if not math.isfinite(overall_change) or abs(overall_change) < 0.005 else (
        f"falls by {abs(overall_change):.0%} on average" if overall_change < 0
        else f"rises by {abs(overall_change):.0%} on average")
    if overall_improves and overall_change < 0:
        avg = f"falls by {abs(overall_change):.0%} on average (a significant improvement)"
    text = f"{who}: {phrase}{interval} under the scenario ({base} -> {format_value(est, spec.unit)}), while it {avg}."
    if row["flagged"]:
        return f"{text} Flagged: {row['reason']}."
    if row["worse"]:
        return (f"{text} Not flagged: the increase is not significant, or stays under the "
                f"{_threshold_words(spec, float(row['threshold']))} threshold while the average does not improve.")  # type: ignore[arg-type]
    return f"{text} Not flagged."
