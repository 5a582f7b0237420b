"""Analysis: filters, variants, the desk's five questions, and rule checks.

Every function here is pure: a canonical event log (see :mod:`workbench.schema`) in,
a tidy DataFrame or a frozen result object out; the caller's frame is never modified.
"""

from __future__ import annotations

from workbench.analysis._common import MissingStatusError, check_events
from workbench.analysis._result import CaseTables, QuestionResult, combine_case_tables
from workbench.analysis.communication import communication
from workbench.analysis.filters import apply as _filter_apply
from workbench.analysis.filters import steps as _filter_steps
from workbench.analysis.filters.apply import *  # noqa: F403  (FilterResult, apply_filters)
from workbench.analysis.filters.steps import *  # noqa: F403  (the filter steps, load_filters, read_id_file)
from workbench.analysis.out_of_core import answer_partitioned_log, partitioned_log_facts
from workbench.analysis.questions import (
    QUESTIONS,
    Answers,
    LogFacts,
    QuestionSettings,
    answer_questions,
    answers_from_tables,
    log_facts,
    question_tables,
)
from workbench.analysis.reopens import reopen_events, reopens
from workbench.analysis.routing import routing
from workbench.analysis.rules import (
    FirstResponseWithin,
    MaxHandovers,
    NeverAfter,
    ResolvedWithin,
    Rule,
    RuleResult,
    RuleSet,
    check_rules,
    load_rules,
)
from workbench.analysis.team_speed import team_speed
from workbench.analysis.time_split import BUCKETS, time_split
from workbench.analysis.variants import case_variants, variants

__all__ = [
    # variants
    "variants",
    "case_variants",
    # the desk's questions
    "QuestionResult",
    "MissingStatusError",
    "QUESTIONS",
    "Answers",
    "answer_questions",
    # the questions in two steps, and out of core
    "check_events",
    "CaseTables",
    "combine_case_tables",
    "QuestionSettings",
    "LogFacts",
    "log_facts",
    "question_tables",
    "answers_from_tables",
    "answer_partitioned_log",
    "partitioned_log_facts",
    "team_speed",
    "routing",
    "reopen_events",
    "reopens",
    "time_split",
    "BUCKETS",
    "communication",
    # rules
    "Rule",
    "RuleSet",
    "ResolvedWithin",
    "FirstResponseWithin",
    "NeverAfter",
    "MaxHandovers",
    "load_rules",
    "check_rules",
    "RuleResult",
]
# the filters' names, as their modules declare them (mypy follows a star re-export one level deep)
__all__ += _filter_steps.__all__
__all__ += _filter_apply.__all__
