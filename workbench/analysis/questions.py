"""The desk's five questions in one call.

Each question lives in its own module (:mod:`~workbench.analysis.team_speed`,
:mod:`~workbench.analysis.routing`, :mod:`~workbench.analysis.reopens`,
:mod:`~workbench.analysis.time_split`, :mod:`~workbench.analysis.communication`).
:func:`answer_questions` runs all of them; a question the log config cannot answer
(a ``statuses.<key>`` it needs is not mapped) is listed in
:attr:`Answers.unanswered` with the reason instead of stopping the others.

Every question answers in two steps: per-case tables from a set of whole cases
(:func:`question_tables`), then the answer from the tables alone
(:func:`answers_from_tables`). The tables of case-disjoint chunks of a log, combined,
are the whole log's tables, so a log larger than memory is answered one chunk at a time
with the same code (:mod:`workbench.analysis.out_of_core`); the few inputs that depend on
the whole log (the end of observation, whether it has teams) are its :class:`LogFacts`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.analysis._common import (
    MissingStatusError,
    check_events,
    has_teams,
    require_statuses,
    require_teams,
)
from workbench.analysis._result import CaseTables, QuestionResult, combine_case_tables
from workbench.analysis.communication import communication_from_tables, communication_tables
from workbench.analysis.reopens import reopens_from_tables, reopens_tables
from workbench.analysis.routing import routing_from_tables, routing_tables
from workbench.analysis.team_speed import team_speed_from_tables, team_speed_tables
from workbench.analysis.time_split import time_split_from_tables, time_split_tables
from workbench.calendar import WorkingCalendar
from workbench.config import StatusMeanings
from workbench.errors import ConfigError
from workbench.schema import TIMESTAMP

__all__ = [
    "QUESTIONS",
    "Answers",
    "LogFacts",
    "QuestionSettings",
    "answer_questions",
    "answers_from_tables",
    "answers_by_question",
    "log_facts",
    "question_tables",
]

#: The questions in the desk's order of priority.
QUESTIONS: tuple[str, ...] = ("team_speed", "routing", "reopens", "time_split", "communication")


@dataclass(frozen=True)
class Answers:
    """The answered questions (in :data:`QUESTIONS` order) and the reasons for the others."""

    results: Mapping[str, QuestionResult]
    unanswered: Mapping[str, str]

    def __getitem__(self, question: str) -> QuestionResult:
        if question in self.results:
            return self.results[question]
        if question in self.unanswered:
            raise KeyError(f"question {question!r} was not answered: {self.unanswered[question]}")
        raise KeyError(f"unknown question {question!r}; questions: {list(QUESTIONS)}")

    def __iter__(self) -> Iterator[QuestionResult]:
        return iter(self.results.values())

    def headlines(self) -> list[str]:
        """One plain-language line per question, in the desk's order."""
        lines = []
        for i, q in enumerate(QUESTIONS, start=1):
            if q in self.results:
                r = self.results[q]
                lines.append(f"{i}. {r.title} {r.headline}")
            elif q in self.unanswered:
                lines.append(f"{i}. not answered: {self.unanswered[q]}")
        return lines


@dataclass(frozen=True)
class QuestionSettings:
    """How the questions are asked: the arguments of :func:`answer_questions` other than the log."""

    statuses: StatusMeanings
    calendar: WorkingCalendar | None = None
    per_person: bool = False
    min_group_size: int = 10
    top_n: int = 20
    min_messages: int | None = None
    questions: tuple[str, ...] = QUESTIONS

    def __post_init__(self) -> None:
        unknown = [q for q in self.questions if q not in QUESTIONS]
        if unknown:
            raise ConfigError(f"unknown question(s) {unknown}; questions: {list(QUESTIONS)}")


@dataclass(frozen=True)
class LogFacts:
    """What the questions need to know about the whole log when they see one chunk of it at a time.

    Attributes
    ----------
    as_of : pandas.Timestamp or None
        The end of the observation, up to which open tickets are counted (``None`` only
        for an empty log).
    has_teams : bool
        Whether any event has a team.
    """

    as_of: pd.Timestamp | None
    has_teams: bool


def log_facts(events: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> LogFacts:
    """The :class:`LogFacts` of a whole log held in memory (``as_of`` default: its latest timestamp)."""
    if as_of is None and len(events):
        as_of = events[TIMESTAMP].max()
    return LogFacts(as_of=as_of, has_teams=has_teams(events))


_Tables = Callable[[pd.DataFrame, QuestionSettings, LogFacts], CaseTables]
_Answer = Callable[[CaseTables, QuestionSettings, LogFacts], QuestionResult]


def _team_speed_tables(ev: pd.DataFrame, s: QuestionSettings, facts: LogFacts) -> CaseTables:
    require_teams(None, what="the team-speed question", known=facts.has_teams)
    return team_speed_tables(ev, statuses=s.statuses, calendar=s.calendar, per_person=s.per_person)


def _routing_tables(ev: pd.DataFrame, s: QuestionSettings, facts: LogFacts) -> CaseTables:
    require_statuses(s.statuses, "resolved", question="the routing question")
    require_teams(None, what="the routing question", known=facts.has_teams)
    return routing_tables(ev, statuses=s.statuses)


def _time_split_tables(ev: pd.DataFrame, s: QuestionSettings, facts: LogFacts) -> CaseTables:
    return time_split_tables(ev, statuses=s.statuses, calendar=s.calendar, as_of=facts.as_of, teams=facts.has_teams)


#: Per question: its per-case tables from a chunk of whole cases, and its answer from the whole log's tables.
_STEPS: dict[str, tuple[_Tables, _Answer]] = {
    "team_speed": (
        _team_speed_tables,
        lambda t, s, f: team_speed_from_tables(t, statuses=s.statuses, min_group_size=s.min_group_size),
    ),
    "routing": (_routing_tables, lambda t, s, f: routing_from_tables(t, statuses=s.statuses)),
    "reopens": (
        lambda ev, s, f: reopens_tables(ev, statuses=s.statuses),
        lambda t, s, f: reopens_from_tables(t, statuses=s.statuses),
    ),
    "time_split": (
        _time_split_tables,
        lambda t, s, f: time_split_from_tables(t, statuses=s.statuses, teams=f.has_teams),
    ),
    "communication": (
        lambda ev, s, f: communication_tables(ev, statuses=s.statuses),
        lambda t, s, f: communication_from_tables(t, min_messages=s.min_messages, top_n=s.top_n),
    ),
}


def question_tables(events: pd.DataFrame, *, settings: QuestionSettings, facts: LogFacts
                    ) -> dict[str, CaseTables | str]:
    """The per-case tables of every question asked, for a chunk of whole cases of a log.

    ``facts`` are the whole log's (see :func:`log_facts`). A question the log config cannot
    answer gets the reason (a string) instead of tables.
    """
    ev = check_events(events, what="the desk's questions")
    out: dict[str, CaseTables | str] = {}
    for q in QUESTIONS:
        if q not in settings.questions:
            continue
        try:
            out[q] = _STEPS[q][0](ev, settings, facts)
        except MissingStatusError as exc:
            out[q] = str(exc)
    return out


def answers_from_tables(
    parts: Sequence[Mapping[str, CaseTables | str]], *, settings: QuestionSettings, facts: LogFacts
) -> Answers:
    """Answer the questions from the :func:`question_tables` of case-disjoint chunks covering a log.

    The answers are exactly those of :func:`answer_questions` on the whole log, however the
    cases were split into chunks.
    """
    if not parts:
        raise ValueError("no chunks of the log to answer the questions from")
    return answers_by_question({q: [p[q] for p in parts] for q in QUESTIONS if q in settings.questions},
                               settings=settings, facts=facts)


def answers_by_question(
    tables: dict[str, list[CaseTables | str]], *, settings: QuestionSettings, facts: LogFacts
) -> Answers:
    """:func:`answers_from_tables` from the chunks' tables grouped by question.

    Each question's entry is taken out of ``tables`` once its chunks are combined, so that
    a caller who hands over its only reference frees every question's chunk tables in turn
    (the out-of-core path holds the tables of a whole large log).
    """
    results: dict[str, QuestionResult] = {}
    unanswered: dict[str, str] = {}
    for q in QUESTIONS:
        if q not in tables:
            continue
        chunks = tables.pop(q)
        reasons = [t for t in chunks if isinstance(t, str)]
        if reasons:
            unanswered[q] = reasons[0]
            continue
        combined = combine_case_tables(chunks)  # type: ignore[arg-type]
        del chunks
        try:
            results[q] = _STEPS[q][1](combined, settings, facts)
        except MissingStatusError as exc:
            unanswered[q] = str(exc)
    return Answers(results=results, unanswered=unanswered)


def answer_questions(
    events: pd.DataFrame,
    *,
    statuses: StatusMeanings,
    calendar: WorkingCalendar | None = None,
    per_person: bool = False,
    min_group_size: int = 10,
    top_n: int = 20,
    min_messages: int | None = None,
    questions: tuple[str, ...] = QUESTIONS,
    as_of: pd.Timestamp | None = None,
) -> Answers:
    """Answer the desk's questions on ``events``.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical event log (usually filtered first).
    statuses : StatusMeanings
        The log config's status meanings (``LogConfig.statuses``).
    calendar : WorkingCalendar, optional
        For working-hour figures (``WorkingCalendar.from_config(LogConfig.calendar)``).
    per_person : bool
        Add per-person tables (on pseudonymised ``resource`` values) where a question has them.
    min_group_size : int
        Teams and persons with fewer tickets are suppressed (``LogConfig.privacy.min_group_size``).
    top_n, min_messages
        Passed to :func:`~workbench.analysis.communication.communication`.
    questions : tuple of str
        A subset of :data:`QUESTIONS`.
    as_of : pandas.Timestamp, optional
        The end of the observation, up to which open tickets are counted (default: the
        latest timestamp of ``events``; after filtering, pass the unfiltered log's).

    Notes
    -----
    Each question builds per-case tables (:func:`question_tables`) and answers from them
    (:func:`answers_from_tables`); a log too large for memory is answered chunk by chunk
    the same way (:func:`workbench.analysis.out_of_core.answer_partitioned_log`).
    """
    settings = QuestionSettings(statuses=statuses, calendar=calendar, per_person=per_person,
                                min_group_size=min_group_size, top_n=top_n, min_messages=min_messages,
                                questions=questions)
    ev = check_events(events, what="the desk's questions")
    facts = log_facts(ev, as_of=as_of)
    return answers_from_tables([question_tables(ev, settings=settings, facts=facts)], settings=settings, facts=facts)
