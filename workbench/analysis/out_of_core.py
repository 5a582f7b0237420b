"""The desk's questions on a log larger than memory: one bucket of whole cases at a time.

A log kept as Parquet partitioned by case (:mod:`workbench.io.partitioned`) is answered
in two passes. The first streams two columns of the whole log for what every chunk must
know about it (:class:`~workbench.analysis.questions.LogFacts`: the end of observation,
whether it has teams). The second reads one bucket at a time and builds each question's
per-case tables (:func:`~workbench.analysis.questions.question_tables`); the tables of all
buckets are then combined and each question answers from them
(:func:`~workbench.analysis.questions.answers_from_tables`). The answers are exactly those
of :func:`~workbench.analysis.questions.answer_questions` on the whole log in memory,
since both run the same code on the same per-case tables. Memory holds one bucket and the
per-case tables (about one row per ticket, visit or resolution per question), not the events.

The buckets can be mapped over by any :class:`~workbench.compute.Executor` (in process, a
local process pool, Dask); the answers do not depend on which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.analysis._result import CaseTables
from workbench.analysis.questions import (
    Answers,
    LogFacts,
    QuestionSettings,
    answers_by_question,
    question_tables,
)
from workbench.errors import EventLogError
from workbench.schema import TEAM, TIMESTAMP

if TYPE_CHECKING:
    from workbench.compute import Executor, Progress
    from workbench.io.partitioned import PartitionedLog

__all__ = ["answer_partitioned_log", "partitioned_log_facts"]


def answer_partitioned_log(
    log: PartitionedLog,
    *,
    settings: QuestionSettings,
    as_of: pd.Timestamp | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Answers:
    """Answer the desk's questions on a partitioned log, one bucket of whole cases at a time.

    Parameters
    ----------
    log : PartitionedLog
        From :func:`workbench.io.partitioned.open_partitioned_log`.
    settings : QuestionSettings
        How the questions are asked (statuses, calendar, per-person tables, group sizes,
        which questions), as :func:`~workbench.analysis.questions.answer_questions` takes them.
    as_of : pandas.Timestamp, optional
        As for ``answer_questions`` (default: the log's latest timestamp over all buckets).
    executor : Executor, optional
        Where the buckets are read and tabled (default: in this process, one after another).
        A process pool or Dask runs several buckets at once, with one bucket in memory per worker.
    progress : callable, optional
        ``progress(done, total)`` after each bucket.

    Returns
    -------
    Answers
        Exactly what ``answer_questions`` gives on the whole log.
    """
    buckets = log.present_buckets()
    if not buckets:
        raise EventLogError(f"partitioned log {log.path} holds no events")
    facts = partitioned_log_facts(log, as_of=as_of)
    tasks = [(log, bucket, settings, facts) for bucket in buckets]
    if executor is None:
        from workbench.compute import InProcessExecutor

        executor = InProcessExecutor()
    by_question: dict[str, list[CaseTables | str]] = {}
    for part in executor.map(_bucket_tables, tasks, progress=progress):
        for question, tables in part.items():
            by_question.setdefault(question, []).append(tables)
    return answers_by_question(by_question, settings=settings, facts=facts)


def partitioned_log_facts(log: PartitionedLog, *, as_of: pd.Timestamp | None = None) -> LogFacts:
    """The whole log's :class:`LogFacts`, streamed from its ``timestamp`` and ``team`` columns."""
    columns = [TIMESTAMP] + ([TEAM] if TEAM in log.columns else [])
    latest: int | None = None
    teams = False
    for batch in log.scan(columns):
        if batch.num_rows == 0:
            continue
        if as_of is None:
            ts = batch.column(TIMESTAMP).to_numpy(zero_copy_only=False)
            top = int(np.asarray(ts, dtype="datetime64[ns]").view("int64").max())
            latest = top if latest is None else max(latest, top)
        if TEAM in columns and not teams:
            teams = batch.column(TEAM).null_count < batch.num_rows
    if as_of is None and latest is not None:
        as_of = pd.Timestamp(latest, tz="UTC")
    return LogFacts(as_of=as_of, has_teams=teams)


def _bucket_tables(log: PartitionedLog, bucket: int, settings: QuestionSettings, facts: LogFacts
                   ) -> dict[str, CaseTables | str]:
    """One task: read a bucket and build every question's per-case tables for it."""
    return question_tables(log.read_bucket(bucket), settings=settings, facts=facts)
