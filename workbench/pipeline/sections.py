"""Turn the stages' results into report sections and the manager's summary (pure).

Each ``*_section`` function takes one stage's result and returns a
:class:`~workbench.report.Section`; :func:`build_report` puts together the ones whose
stages ran.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.report import (
    Callout,
    Figure,
    Html,
    ManagerSummary,
    Paragraph,
    Report,
    ScenarioChange,
    Section,
    Table,
)
from workbench.schema import CASE_ID

__all__ = [
    "quality_section",
    "map_section",
    "questions_section",
    "rules_section",
    "scenarios_section",
    "models_section",
    "fairness_section",
    "summary_figures",
    "scenario_changes",
    "skill_callout",
    "build_report",
]

#: KPIs shown for each scenario, with their plain names and units.
KPI_NAMES = {
    "cycle_time_h": ("Time to resolve a ticket (mean)", "h"),
    "cycle_time_p90_h": ("Time to resolve, 90th percentile", "h"),
    "waiting_time_h": ("Time waiting in team queues (mean)", "h"),
    "waiting_on_user_h": ("Time waiting on the user (mean)", "h"),
    "throughput": ("Tickets resolved", ""),
    "backlog_mean": ("Open tickets (mean backlog)", ""),
}


def quality_section(load: dict[str, Any]) -> Section:
    quality = load["loaded"].quality
    problems = quality.problems
    callout = (
        Callout("ok", "No data-quality problems were found.")
        if not problems
        else Callout("warning", f"{len(problems)} kinds of data-quality problems were found and handled; see the table.")
    )
    return Section(
        "data-quality",
        "Data quality",
        f"{quality.events_read:,} events read; {quality.events_kept:,} events in {quality.cases_kept:,} cases kept "
        f"({quality.activities} activities). Everything found and fixed is listed, so you can judge whether the data "
        "is good enough.",
        (callout, Table(quality.to_frame(), caption="Checks, in the order they ran")),
    )


def map_section(discover: dict[str, Any], title: str) -> Section:
    from workbench.discovery import render_html_fragment

    fragment = render_html_fragment(discover["process_map"], title=title, element_id="wb-process-map", height="640px")
    return Section(
        "process-map",
        "Process map",
        "Every box is an activity and every arrow a step between two activities; each shows how many cases pass "
        "and how long it takes (median, mean, 90th percentile). Drag boxes to move them, simplify with the slider, "
        "and click a box or an arrow to list the case ids behind it. The BPMN and PNML models are in the discover "
        "folder.",
        (Html(fragment),),
    )


def _case_lists(cases: pd.DataFrame) -> pd.DataFrame:
    if cases.empty:
        return pd.DataFrame(columns=["figure", "group", "cases", "case_ids"])
    grouped = cases.groupby(["figure", "group"], dropna=False, sort=False)[CASE_ID].agg(list).reset_index()
    grouped.insert(2, "cases", grouped[CASE_ID].map(len))
    return grouped.rename(columns={CASE_ID: "case_ids"})


def questions_section(discover: dict[str, Any]) -> Section:
    answers = discover["discovery"].answers
    blocks: list[Any] = []
    for result in answers:
        blocks.append(Paragraph(f"{result.title} {result.headline}"))
        blocks.append(Table(result.table, caption=result.title))
        lists = _case_lists(result.cases)
        if not lists.empty:
            blocks.append(Table(lists, caption="The case ids behind the figures", case_id_column="case_ids"))
        for note in result.notes:
            blocks.append(Paragraph(note))
    for question, reason in answers.unanswered.items():
        blocks.append(Callout("warning", f"Not answered ({question}): {reason}"))
    return Section(
        "questions",
        "The desk's questions",
        "The five questions the desk asked, each with the case ids behind every figure so you can look the cases up "
        "in your own system. Staff are reported per team, never per person; small groups are suppressed.",
        tuple(blocks),
    )


def rules_section(discover: dict[str, Any]) -> Section | None:
    rules = discover["discovery"].rules
    if rules is None:
        return None
    violations = rules.violations
    blocks: list[Any] = [Table(rules.summary, caption="Rules and deadlines")]
    if len(violations):
        blocks.append(Table(violations, caption="Violating cases, worst first", max_rows=100))
    else:
        blocks.append(Callout("ok", "No case violated a rule."))
    return Section("rules", "Rules and deadlines", "Each rule checked on every case; how far over the violators were.",
                   tuple(blocks))


def _metric(answers: Any, question: str, metric: str) -> float | None:
    try:
        value = answers[question].value(metric)
    except (KeyError, ValueError, IndexError):
        return None
    return None if pd.isna(value) else float(value)


def summary_figures(results: dict[str, dict[str, Any]]) -> tuple[Figure, ...]:
    """The headline figures for the manager: volume, routing, reopens, time with the user, risk."""
    figures: list[Figure] = []
    if "discover" in results:
        answers = results["discover"]["discovery"].answers
        tickets = _metric(answers, "routing", "tickets") or _metric(answers, "time_split", "tickets")
        if tickets is not None:
            figures.append(Figure("Cases analysed", f"{tickets:,.0f}"))
        share = _metric(answers, "routing", "first_time_right_share")
        if share is not None:
            figures.append(Figure("Right team the first time", f"{100 * share:.1f}%",
                                  "resolved by the first team they were given to"))
        rate = _metric(answers, "reopens", "real_reopen_rate_per_resolution")
        n = _metric(answers, "reopens", "real_reopens")
        if rate is not None:
            figures.append(Figure("Really reopened", f"{100 * rate:.1f}%",
                                  f"{n:,.0f} resolutions reopened and resolved again" if n is not None else ""))
        user = _metric(answers, "time_split", "waiting_on_user_share")
        if user is not None:
            figures.append(Figure("Time waiting on the user", f"{100 * user:.0f}%", "of all ticket time"))
    if "predict" in results:
        at_risk = results["predict"]["at_risk"]
        figures.append(Figure("Open cases scored", f"{len(at_risk):,}", "ranked by predicted time left"))
    if "audit" in results and results["audit"].get("result") is not None:
        flagged = results["audit"]["result"].flagged_rows
        figures.append(Figure("Fairness flags", f"{len(flagged)}", "groups worse off, beyond the threshold"))
    return tuple(figures)


def _tone(difference: float, lo: float, hi: float) -> tuple[str, str]:
    if not (pd.notna(lo) and pd.notna(hi)):
        return "unclear", "no interval"
    if hi < 0:
        return "better", "clearly shorter"
    if lo > 0:
        return "worse", "clearly longer"
    return "unclear", "no clear change"


def scenario_changes(results: dict[str, dict[str, Any]]) -> tuple[ScenarioChange, ...]:
    """What each scenario would change in the mean time to resolve, with its 95% interval."""
    changes = []
    for name, result in results.get("simulate", {}).get("results", {}).items():
        comp = result.comparison.set_index("kpi") if "kpi" in result.comparison.columns else result.comparison
        for kpi in ("cycle_time_h", "waiting_time_h"):
            if kpi not in comp.index:
                continue
            row = comp.loc[kpi]
            tone, words = _tone(row["difference"], row["ci_low"], row["ci_high"])
            changes.append(ScenarioChange(
                scenario=name, kpi=KPI_NAMES[kpi][0], baseline=float(row["baseline"]),
                scenario_value=float(row["scenario"]), difference=float(row["difference"]),
                ci_low=float(row["ci_low"]), ci_high=float(row["ci_high"]), unit="h",
                verdict_text=words, tone=tone,
            ))
    return tuple(changes)


def scenarios_section(simulate: dict[str, Any]) -> Section:
    from workbench.report import Image
    from workbench.report.charts import distribution_chart

    blocks: list[Any] = [Paragraph(
        "Each scenario was simulated against today's process with the same arriving tickets (paired replications); "
        "differences come with 95% confidence intervals. A difference whose interval contains 0 is not a clear change."
    )]
    for name, result in simulate["results"].items():
        comp = result.comparison.copy()
        comp.insert(1, "measure", comp["kpi"].map(lambda k: KPI_NAMES.get(k, (k, ""))[0]))
        blocks.append(Paragraph(f"Scenario: {name}"))
        blocks.append(Table(comp.drop(columns=["kpi"]), caption=f"{name}: today vs with the change"))
        kpis = result.kpis[result.kpis["kpi"] == "cycle_time_h"]
        if len(kpis):
            svg = distribution_chart(
                kpis.loc[kpis["arm"] == "baseline", "value"].to_numpy(),
                kpis.loc[kpis["arm"] == "scenario", "value"].to_numpy(),
                title=f"{name}: mean time to resolve per replication", unit="h", bins=10,
            )
            blocks.append(Image(svg, caption="Mean time to resolve in each replication, today vs with the change"))
        groups = result.group_comparison
        if len(groups):
            cycle = groups[groups["kpi"] == "cycle_time_h"].drop(columns=["kpi"])
            blocks.append(Table(cycle, caption=f"{name}: time to resolve per group of users"))
    return Section("scenarios", "What-if scenarios", "What the changes would do, learned from your own log.",
                   tuple(blocks))


def skill_callout(name: str, metrics: dict[str, float]) -> Callout | None:
    """Say in plain words whether a model beats its baseline (on the test part, touched once)."""
    if "test_mae" in metrics and "baseline_mae" in metrics:
        model, base = metrics["test_mae"], metrics["baseline_mae"]
        if not model < base:
            return Callout("warning", f"Model '{name}' is no better than the baseline (mean absolute error "
                                      f"{model:.2f} vs {base:.2f} days): do not act on its predictions.")
        return Callout("ok", f"Model '{name}' is off by {model:.2f} days on average, "
                             f"{100 * (1 - model / base):.0f}% less than the baseline ({base:.2f} days).")
    if "test_auc" in metrics:
        auc = metrics["test_auc"]
        brier, base_brier = metrics.get("test_brier"), metrics.get("baseline_brier")
        worse_probabilities = brier is not None and base_brier is not None and brier > base_brier
        if auc < 0.6:
            return Callout("warning", f"Model '{name}' ranks cases barely better than chance (AUC {auc:.2f}; 0.5 is "
                                      "chance): treat its scores as a weak hint at most.")
        if worse_probabilities:
            return Callout("warning", f"Model '{name}' ranks cases usefully (AUC {auc:.2f}), but its probabilities are "
                                      f"less accurate than the base rate (Brier {brier:.4f} vs {base_brier:.4f}).")
        return Callout("ok", f"Model '{name}' ranks cases well above chance (AUC {auc:.2f}).")
    return None


def models_section(train: dict[str, Any], predict: dict[str, Any] | None) -> Section:
    blocks: list[Any] = []
    for name, entry in train["models"].items():
        result = entry["result"]
        metrics = pd.DataFrame({"metric": list(result.metrics), "value": list(result.metrics.values())})
        blocks.append(Paragraph(f"Model '{name}' ({entry['config'].description or entry['config'].target}); "
                                f"MLflow run {entry['logged'].run_id}."))
        callout = skill_callout(name, result.metrics)
        if callout is not None:
            blocks.append(callout)
        blocks.append(Table(metrics, caption=f"{name}: quality on the test part (touched once)"))
        blocks.append(Table(result.importance.head(10), caption=f"{name}: most important features"))
    if predict is not None:
        blocks.append(Table(predict["at_risk"], caption="Open cases at risk, with the reasons behind each score",
                            max_rows=30))
    return Section("models", "Predictions: cases at risk",
                   "LightGBM models of remaining time and reopen risk, tuned with Optuna and tracked in MLflow; "
                   "baselines are shown beside every figure.", tuple(blocks))


def fairness_section(audit: dict[str, Any]) -> Section:
    from workbench.fairness import render_audit_html

    result = audit.get("result")
    if result is None:
        return Section("fairness", "Fairness", "", (Callout("warning", audit.get("note", "No audit was run.")),))
    flagged = result.flagged_rows
    callout = (Callout("flag", f"{len(flagged)} group(s) are worse off beyond the threshold; see the verdicts.")
               if len(flagged) else Callout("ok", "No group of users is flagged as worse off."))
    return Section("fairness", "Fairness: is any group worse off?",
                   "Per group of users: the log as it is, each model, and each simulated change. A group is flagged "
                   "only when the whole 95% interval lies beyond the threshold; small groups are suppressed.",
                   (callout, Html(render_audit_html(result, title=None))))


def _headline(answers: Any) -> str:
    parts = []
    tickets = _metric(answers, "routing", "tickets") or _metric(answers, "time_split", "tickets")
    share = _metric(answers, "routing", "first_time_right_share")
    rate = _metric(answers, "reopens", "real_reopen_rate_per_resolution")
    user = _metric(answers, "time_split", "waiting_on_user_share")
    if tickets is not None:
        parts.append(f"{tickets:,.0f} cases")
    if share is not None:
        parts.append(f"{100 * share:.0f}% reach the right team the first time")
    if rate is not None:
        parts.append(f"{100 * rate:.1f}% of resolutions are really reopened")
    if user is not None:
        parts.append(f"{100 * user:.0f}% of the time is spent waiting on the user")
    return "; ".join(parts) + "." if parts else ""


def build_report(
    results: dict[str, dict[str, Any]],
    *,
    title: str,
    subtitle: str,
    generated_at: str,
    settings: dict[str, str],
    extra_sections: tuple[Section, ...] = (),
    figures: tuple[Figure, ...] = (),
    changes: tuple[ScenarioChange, ...] = (),
    notes: tuple[str, ...] = (),
) -> Report:
    """Assemble the report from whatever stages ran (sections of missing stages are left out)."""
    sections: list[Section] = []
    headline = subtitle
    if "load" in results:
        sections.append(quality_section(results["load"]))
    if "discover" in results:
        d = results["discover"]
        sections.append(map_section(d, title=f"{title}: process map"))
        sections.append(questions_section(d))
        rules = rules_section(d)
        if rules is not None:
            sections.append(rules)
        answered = d["discovery"].answers
        headline = _headline(answered) or subtitle
        notes = tuple(answered.headlines()) + notes
    if "simulate" in results:
        sections.append(scenarios_section(results["simulate"]))
    if "train" in results:
        sections.append(models_section(results["train"], results.get("predict")))
    if "audit" in results:
        sections.append(fairness_section(results["audit"]))
    sections.extend(extra_sections)
    figures = figures or summary_figures(results)
    changes = changes or scenario_changes(results)
    summary = ManagerSummary(headline=headline, figures=figures, changes=changes, notes=notes)
    return Report(title=title, subtitle=subtitle, generated_at=generated_at, summary=summary,
                  sections=tuple(sections), settings=settings)
