"""The desk's five questions in one call.

Each question lives in its own module (:mod:`~workbench.analysis.team_speed`,
:mod:`~workbench.analysis.routing`, :mod:`~workbench.analysis.reopens`,
:mod:`~workbench.analysis.time_split`, :mod:`~workbench.analysis.communication`).
:func:`answer_questions` runs all of them; a question the log config cannot answer
(a ``statuses.<key>`` it needs is not mapped) is listed in
:attr:`Answers.unanswered` with the reason instead of stopping the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pandas as pd

from workbench.analysis._common import MissingStatusError, check_events
from workbench.analysis._result import QuestionResult
from workbench.analysis.communication import communication
from workbench.analysis.reopens import reopens
from workbench.analysis.routing import routing
from workbench.analysis.team_speed import team_speed
from workbench.analysis.time_split import time_split
from workbench.calendar import WorkingCalendar
from workbench.config import StatusMeanings
from workbench.errors import ConfigError

__all__ = ["QUESTIONS", "Answers", "answer_questions"]

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
    """
    unknown = [q for q in questions if q not in QUESTIONS]
    if unknown:
        raise ConfigError(f"unknown question(s) {unknown}; questions: {list(QUESTIONS)}")
    ev = check_events(events, what="the desk's questions")
    runners = {
        "team_speed": lambda: team_speed(ev, statuses=statuses, calendar=calendar, per_person=per_person,
                                         min_group_size=min_group_size),
        "routing": lambda: routing(ev, statuses=statuses),
        "reopens": lambda: reopens(ev, statuses=statuses),
        "time_split": lambda: time_split(ev, statuses=statuses, calendar=calendar, as_of=as_of),
        "communication": lambda: communication(ev, statuses=statuses, top_n=top_n, min_messages=min_messages),
    }
    results: dict[str, QuestionResult] = {}
    unanswered: dict[str, str] = {}
    for q in QUESTIONS:
        if q not in questions:
            continue
        try:
            results[q] = runners[q]()
        except MissingStatusError as exc:
            unanswered[q] = str(exc)
    return Answers(results=results, unanswered=unanswered)
