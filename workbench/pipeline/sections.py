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

__all__ = ["quality_section", "map_section", "questions_section", "rules_section", "build_report"]


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
        headline = " ".join(line for line in answered.headlines()[:2])
        notes = tuple(answered.headlines()) + notes
    sections.extend(extra_sections)
    summary = ManagerSummary(headline=headline, figures=figures, changes=changes, notes=notes)
    return Report(title=title, subtitle=subtitle, generated_at=generated_at, summary=summary,
                  sections=tuple(sections), settings=settings)
