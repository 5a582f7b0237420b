"""Everything the analyst gets from one log: filters, the five questions, rules and variants, in one call.

Pure: a canonical event log and its config in, a :class:`Discovery` out. The
application layer's :func:`workbench.usecases.discover_map_and_answers` calls
:func:`analyse_log` (``discover_log`` is its old name), and writers write its
:func:`discovery_tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from workbench.analysis.filters import FilterPipeline, FilterResult, apply_filters
from workbench.analysis.questions import Answers, answer_questions
from workbench.analysis.rules import RuleResult, RuleSet, check_rules
from workbench.analysis.variants import variants as compute_variants
from workbench.calendar import WorkingCalendar
from workbench.config import LogConfig
from workbench.errors import EventLogError, PrivacyError
from workbench.schema import CASE_ID

__all__ = ["Discovery", "analyse_log", "answers_tables", "discover_log", "discovery_tables", "summary_lines"]


@dataclass(frozen=True)
class Discovery:
    """The filtered log and every answer computed from it."""

    events: pd.DataFrame
    filtered: FilterResult | None
    answers: Answers
    rules: RuleResult | None
    variants: pd.DataFrame


def analyse_log(
    events: pd.DataFrame,
    config: LogConfig,
    *,
    filters: FilterPipeline | None = None,
    rules: RuleSet | None = None,
    per_person: bool = False,
    top_n: int = 20,
    min_messages: int | None = None,
) -> Discovery:
    """Apply ``filters`` in order, then answer the questions, check ``rules`` and list variants.

    Raises
    ------
    EventLogError
        When the filters leave no events.
    PrivacyError
        When per-person output is asked for but identifiers are not pseudonymised.
    """
    per_person = per_person or config.privacy.per_person
    if per_person and not config.privacy.pseudonymise:
        raise PrivacyError(
            "per-person output needs pseudonymised identifiers, but privacy.pseudonymise is false in the log "
            f"config '{config.name}'; turn pseudonymisation on or drop --per-person"
        )
    filtered = apply_filters(events, filters) if filters is not None else None
    as_of = None
    whole = events
    if filtered is not None:
        events, whole, as_of = filtered.events, filtered.whole_cases, filtered.as_of
    if events.empty:
        raise EventLogError("no events are left after the filters; loosen the filter config")
    calendar = WorkingCalendar.from_config(config.calendar)
    # the questions and rules judge whole tickets; event filters shape the map and variants only
    answers = answer_questions(
        whole,
        statuses=config.statuses,
        calendar=calendar,
        per_person=per_person,
        min_group_size=config.privacy.min_group_size,
        top_n=top_n,
        min_messages=min_messages,
        as_of=as_of,
    )
    note = filtered.note() if filtered is not None else ""
    if note:
        answers = Answers(
            results={q: replace(r, notes=(*r.notes, note)) for q, r in answers.results.items()},
            unanswered=answers.unanswered,
        )
    checked = (check_rules(whole, rules, statuses=config.statuses, calendar=calendar, as_of=as_of)
               if rules is not None else None)
    return Discovery(events=events, filtered=filtered, answers=answers, rules=checked, variants=compute_variants(events))


#: The old name of :func:`analyse_log` ("discover" now means only the process map).
discover_log = analyse_log


def discovery_tables(discovery: Discovery) -> dict[str, pd.DataFrame]:
    """Every table of a discovery, by file stem (variants, each question's summary/table/cases, rules)."""
    frames: dict[str, pd.DataFrame] = {}
    if discovery.filtered is not None:
        frames["filter_report"] = discovery.filtered.report
    var = discovery.variants
    frames["variants"] = var.drop(columns=["case_ids"])
    frames["variant_cases"] = (
        var[["variant_id", "case_ids"]].explode("case_ids").rename(columns={"case_ids": CASE_ID}).reset_index(drop=True)
    )
    frames.update(answers_tables(discovery.answers))
    if discovery.rules is not None:
        frames["rule_summary"] = discovery.rules.summary
        frames["rule_violations"] = discovery.rules.violations
    return frames


def answers_tables(answers: Answers) -> dict[str, pd.DataFrame]:
    """The questions' tables, by file stem: each question's summary, table, cases and extras; the unanswered."""
    frames: dict[str, pd.DataFrame] = {}
    for result in answers:
        q = result.question
        frames[f"{q}_summary"] = result.summary
        frames[q] = result.table
        frames[f"{q}_cases"] = result.cases
        for name, frame in result.extra.items():
            frames[f"{q}_{name}"] = frame
    if answers.unanswered:
        frames["unanswered_questions"] = pd.DataFrame(
            {"question": list(answers.unanswered), "reason": list(answers.unanswered.values())}
        )
    return frames


def summary_lines(name: str, discovery: Discovery) -> list[str]:
    """A short plain-language summary: the headline answers, variants, and rule violations."""
    lines = [f"Answers for '{name}':"]
    lines.extend(discovery.answers.headlines())
    var = discovery.variants
    if len(var):
        top = var.iloc[0]
        lines.append(
            f"Variants: {len(var):,}; the most frequent covers {100 * top['share']:.1f}% of cases; "
            f"the top 10 cover {100 * var['share'].head(10).sum():.1f}%."
        )
    if discovery.rules is not None:
        for r in discovery.rules.summary.itertuples(index=False):
            share = "n/a" if pd.isna(r.violation_share) else f"{100 * r.violation_share:.1f}%"
            lines.append(f"Rule '{r.rule}': {r.violations:,} of {r.cases_checked:,} cases violated ({share}).")
    return lines
