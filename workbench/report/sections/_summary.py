"""The first page: the headline, the figure cards and what each scenario would change."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from workbench.i18n import N_, Translator
from workbench.report.summary import Figure, ScenarioChange

__all__ = ["metric", "headline", "summary_figures", "scenario_changes", "verdict", "fairness_counts", "KPI_NAMES"]

#: Simulation KPIs shown to the reader: message id of the plain name, and the unit.
KPI_NAMES: dict[str, tuple[str, str]] = {
    "resolution_time_h": (N_("Time to resolve a ticket (mean)"), "h"),
    "cycle_time_h": (N_("Time to close a ticket (mean)"), "h"),
    "cycle_time_p90_h": (N_("Time to resolve, slowest 10% (90th percentile)"), "h"),
    "waiting_time_h": (N_("Time waiting in team queues (mean)"), "h"),
    "waiting_on_user_h": (N_("Time waiting for the user (mean)"), "h"),
    "throughput": (N_("Tickets resolved"), ""),
    "backlog_mean": (N_("Open tickets (mean backlog)"), ""),
}


def metric(answers: Any, question: str, name: str) -> float | None:
    """One headline metric of one question (None when the question or the metric is missing)."""
    try:
        value = answers[question].value(name)
    except (KeyError, ValueError, IndexError):
        return None
    return None if pd.isna(value) else float(value)


def headline(answers: Any, t: Translator) -> str:
    """One sentence: tickets, routing of forwarded tickets, real reopens, time with the user."""
    parts = []
    tickets = metric(answers, "routing", "tickets") or metric(answers, "time_split", "tickets")
    forwarded = metric(answers, "routing", "forwarded_first_time_right_share")
    rate = metric(answers, "reopens", "real_reopen_rate_per_resolution")
    user = metric(answers, "time_split", "waiting_on_user_share")
    if tickets is not None:
        parts.append(t._("%(n)s tickets") % {"n": t.format_number(tickets)})
    if forwarded is not None:
        parts.append(t._("%(share)s of forwarded tickets reached the right team first") %
                     {"share": t.format_percent(forwarded, 0)})
    if rate is not None:
        parts.append(t._("%(share)s of resolutions were really reopened") % {"share": t.format_percent(rate)})
    if user is not None:
        parts.append(t._("%(share)s of the time was spent waiting for the user") %
                     {"share": t.format_percent(user, 0)})
    return "; ".join(parts) + "." if parts else ""


def fairness_counts(result: Any) -> tuple[int, int, int]:
    """(groups flagged, flags, groups audited): a group flagged on two measures is one group, two flags."""
    if result is None or not len(result.table):
        return 0, 0, 0
    table = result.table
    keys = ["attribute", "group"]
    flagged = table[table["flagged"].astype(bool)]
    audited = table[~table["suppressed"].astype(bool)].drop_duplicates(keys)
    return len(flagged.drop_duplicates(keys)), len(flagged), len(audited)


def summary_figures(results: dict[str, dict[str, Any]], t: Translator) -> tuple[Figure, ...]:
    """The cards: tickets, routing, reopens, time with the user, open tickets scored, fairness."""
    figures: list[Figure] = []
    if "discover" in results:
        answers = results["discover"]["discovery"].answers
        tickets = metric(answers, "routing", "tickets") or metric(answers, "time_split", "tickets")
        if tickets is not None:
            figures.append(Figure(t._("Tickets analysed"), t.format_number(tickets)))
        fwd = metric(answers, "routing", "forwarded_first_time_right_share")
        n_fwd = metric(answers, "routing", "forwarded_tickets")
        if fwd is not None:
            figures.append(Figure(t._("Forwarded to the right team first"), t.format_percent(fwd),
                                  t._("of %(n)s forwarded tickets") % {"n": t.format_number(n_fwd)}))
        rate = metric(answers, "reopens", "real_reopen_rate_per_resolution")
        n = metric(answers, "reopens", "real_reopens")
        if rate is not None:
            figures.append(Figure(t._("Really reopened"), t.format_percent(rate),
                                  t.ngettext("%(n)s resolution reopened and resolved again",
                                             "%(n)s resolutions reopened and resolved again", int(n or 0))
                                  % {"n": t.format_number(n)}))
        user = metric(answers, "time_split", "waiting_on_user_share")
        if user is not None:
            figures.append(Figure(t._("Time waiting for the user"), t.format_percent(user),
                                  t._("of all the time tickets were open")))
    if "predict" in results:
        at_risk = results["predict"]["at_risk"]
        figures.append(Figure(t._("Open tickets scored"), t.format_number(len(at_risk)),
                              t._("ranked by predicted time left")))
    if "audit" in results and results["audit"].get("result") is not None:
        groups, flags, audited = fairness_counts(results["audit"]["result"])
        detail = (t.ngettext("flagged on %(n)s measure", "flagged on %(n)s measures", flags) % {"n": flags}
                  + " · " + t._("%(n)s groups audited") % {"n": t.format_number(audited)}) if groups else (
            t._("%(n)s groups audited") % {"n": t.format_number(audited)})
        figures.append(Figure(t._("Groups of users worse off"), t.format_number(groups), detail))
    return tuple(figures)


def verdict(baseline: float, difference: float, lo: float, hi: float, *, threshold: float,
            t: Translator) -> tuple[str, str]:
    """(tone, words) for a change in a time (smaller is better).

    A change smaller than ``threshold`` times today's value is "no practical difference",
    whatever its interval; otherwise the interval decides.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "unclear", t._("no interval")
    if math.isfinite(baseline) and baseline != 0 and abs(difference) < threshold * abs(baseline) \
            and max(abs(lo), abs(hi)) < 2 * threshold * abs(baseline):
        return "same", t._("less than %(share)s of today's value") % {"share": t.format_percent(threshold, 0)}
    if hi < 0:
        return "better", t._("shorter, and clearly so")
    if lo > 0:
        return "worse", t._("longer, and clearly so")
    return "unclear", t._("no clear change")


def scenario_changes(results: dict[str, dict[str, Any]], t: Translator, *, threshold: float
                     ) -> tuple[ScenarioChange, ...]:
    """What each scenario would change in the mean time to resolve and the queue time, with 95% intervals."""
    changes = []
    for name, result in results.get("simulate", {}).get("results", {}).items():
        comp = result.comparison.set_index("kpi") if "kpi" in result.comparison.columns else result.comparison
        first = "resolution_time_h" if "resolution_time_h" in comp.index else "cycle_time_h"
        for kpi in (first, "waiting_time_h"):
            if kpi not in comp.index:
                continue
            row = comp.loc[kpi]
            tone, words = verdict(float(row["baseline"]), float(row["difference"]), float(row["ci_low"]),
                                  float(row["ci_high"]), threshold=threshold, t=t)
            changes.append(ScenarioChange(
                scenario=name, kpi=t.gettext(KPI_NAMES[kpi][0]), baseline=float(row["baseline"]),
                scenario_value=float(row["scenario"]), difference=float(row["difference"]),
                ci_low=float(row["ci_low"]), ci_high=float(row["ci_high"]), unit="h",
                verdict_text=words, tone=tone,  # type: ignore[arg-type]
            ))
    return tuple(changes)
