"""Use cases: keep a log as Parquet partitioned by case, and answer the desk's questions on it out of core.

:func:`partition_log` writes a loaded (validated, cleaned, pseudonymised) log to a folder
of Parquet files, one bucket of whole cases per sub-folder (:mod:`workbench.io.partitioned`).
:func:`answer_partitioned` answers the five questions on such a folder one bucket at a
time (:func:`workbench.analysis.out_of_core.answer_partitioned_log`): the answers are
exactly those :func:`~workbench.usecases.discover_map_and_answers` gives on the whole log
in memory, with the same statuses, calendar and minimum group size. The process map,
variants, filters and rules need the whole log in memory and are not computed here.

The folder is the workbench's: a new or empty folder, or a partitioned log the workbench
wrote before, which a new copy replaces only once it is completely written.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from workbench.analysis.out_of_core import answer_partitioned_log, partitioned_log_facts
from workbench.analysis.questions import Answers, LogFacts, QuestionSettings
from workbench.analysis.run import answers_tables
from workbench.calendar import WorkingCalendar
from workbench.config import LogConfig
from workbench.errors import OutputError, PrivacyError, SourceError, WorkbenchError
from workbench.io import LoadedLog
from workbench.io.manifest import TMP_SUFFIX
from workbench.io.partitioned import META_FILE, open_partitioned_log, write_partitioned_log
from workbench.schema import CASE_ID

if TYPE_CHECKING:
    from workbench.compute import Executor, Progress

__all__ = ["PartitionedCopy", "PartitionedAnswers", "check_partition_folder", "partition_log", "answer_partitioned"]

#: What the workbench notes next to the log: the log config's name and whether people are pseudonymised.
SOURCE_FILE = "_source.json"
#: What a partitioned log does not answer, for summaries and help texts.
NOT_OUT_OF_CORE = ("Not computed for a partitioned log: the process map, variants, filters and rules "
                   "(they need the whole log in memory; run 'discover' on a log that fits).")


@dataclass(frozen=True)
class PartitionedCopy:
    """A log written as Parquet partitioned by case.

    Attributes
    ----------
    log_name : str
        The log config's name.
    path : pathlib.Path
        The folder.
    buckets : int
        The number of buckets the cases are hashed into.
    events, cases : int
        What was written.
    pseudonymised : bool
        Whether person identifiers were pseudonymised before writing.
    replaced : bool
        Whether a partitioned log the workbench wrote there before was replaced.
    """

    log_name: str
    path: Path
    buckets: int
    events: int
    cases: int
    pseudonymised: bool
    replaced: bool = False


def check_partition_folder(out: str | Path, *, inputs: Sequence[str | Path | None] = ()) -> bool:
    """Check that ``out`` may receive a partitioned log; ``True`` when it holds one the workbench wrote.

    ``out`` must be new, empty, or a partitioned log written by the workbench (its
    ``_log.json``, bucket folders of Parquet parts, and ``_source.json``), and hold none
    of ``inputs``.

    Raises
    ------
    OutputError
        When ``out`` is a file, holds anything else, or is or holds an input.
    """
    out = Path(out)
    real = out.resolve()
    for item in inputs:
        if item is None or str(item) == "":
            continue
        path = Path(item).resolve()
        if path == real or real in path.parents:
            raise OutputError(f"the partitioned log folder '{out}' would hold the input '{item}'; choose another --out")
    if out.exists() and not out.is_dir():
        raise OutputError(f"'{out}' is a file; give a folder for the partitioned log (new, or one the workbench wrote)")
    if not out.exists() or not any(out.iterdir()):
        return False
    foreign = _foreign_entries(out)
    if foreign:
        raise OutputError(f"'{out}' holds '{foreign[0]}', which is not part of a partitioned log the workbench wrote; "
                          "choose a new or empty folder for --out")
    return True


def _foreign_entries(out: Path) -> list[str]:
    """Names in ``out`` that are not part of a partitioned log (all of them, when it has no ``_log.json``)."""
    if not (out / META_FILE).is_file():
        return sorted(p.name for p in out.iterdir())
    foreign = []
    for entry in sorted(out.iterdir()):
        if entry.name in (META_FILE, SOURCE_FILE):
            continue
        if not (entry.is_dir() and not entry.is_symlink() and entry.name.startswith("bucket=")):
            foreign.append(entry.name)
            continue
        foreign.extend(f"{entry.name}/{p.name}" for p in sorted(entry.iterdir())
                       if not (p.is_file() and p.name.startswith("part-") and p.suffix == ".parquet"))
    return foreign


def partition_log(loaded: LoadedLog, out: str | Path, *, buckets: int = 32,
                  inputs: Sequence[str | Path | None] = ()) -> PartitionedCopy:
    """Write the loaded log to the folder ``out`` as Parquet partitioned by case.

    The events are written as loaded (pseudonymised when the log config says so). The copy
    is written next to ``out`` first and moved into place when complete, so a failure
    leaves ``out`` as it was; a partitioned log the workbench wrote there before is replaced.

    Parameters
    ----------
    loaded : LoadedLog
        From :func:`~workbench.usecases.load_and_validate`, following the log config's
        ``privacy.pseudonymise`` (a log loaded with ``pseudonymise=False`` is for steps that
        write no identifiers, and is not one to partition).
    out : str or Path
        The folder (see :func:`check_partition_folder`).
    buckets : int
        How many buckets the cases are hashed into; one bucket (about ``events / buckets``
        events) must fit in memory several times over, once per worker.
    inputs : sequence of paths
        The command's input files; they are never inside ``out``.

    Examples
    --------
    >>> import tempfile
    >>> from workbench.config import load_log_config
    >>> from workbench.usecases import load_and_validate
    >>> config = load_log_config("configs/logs/demo.yaml")
    >>> config = config.model_copy(update={"source": config.source.model_copy(update={"days": 5})})
    >>> loaded = load_and_validate(config, secret="an-example-key-keep-the-real-one-secret")
    >>> folder = tempfile.TemporaryDirectory()
    >>> copy = partition_log(loaded, Path(folder.name) / "demo", buckets=4)
    >>> print(f"{copy.cases} tickets, {copy.events} events in {copy.buckets} buckets, pseudonymised: "
    ...       f"{copy.pseudonymised}")
    257 tickets, 1671 events in 4 buckets, pseudonymised: True
    >>> answered = answer_partitioned(config, copy.path)
    >>> print(answered.summary()[2])  # doctest: +ELLIPSIS
    2. Do tickets land with the right team the first time? 214 of 224 resolved tickets (95.5%) ...
    >>> folder.cleanup()
    """
    out = Path(out)
    replacing = check_partition_folder(out, inputs=inputs)
    target = out.resolve()  # a symlinked folder is replaced where it points to; '.' has a name
    token = uuid.uuid4().hex[:12]
    staging = target.parent / f".{target.name}.{token}{TMP_SUFFIX}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        written = write_partitioned_log(loaded.events, staging, buckets=buckets)
        source = {"log": loaded.config.name, "pseudonymised": bool(loaded.pseudonymised)}
        (staging / SOURCE_FILE).write_text(json.dumps(source, indent=1), encoding="utf-8")
        _move_into_place(staging, target, token, replacing=replacing)
    except OSError as exc:
        if isinstance(exc, WorkbenchError):
            raise
        raise OutputError(f"cannot write the partitioned log to '{out}': {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PartitionedCopy(log_name=loaded.config.name, path=out, buckets=written.buckets, events=len(loaded.events),
                           cases=int(loaded.events[CASE_ID].nunique()), pseudonymised=bool(loaded.pseudonymised),
                           replaced=replacing)


def _move_into_place(staging: Path, out: Path, token: str, *, replacing: bool) -> None:
    """Rename the complete copy ``staging`` to ``out``; the old copy there, if any, is deleted only afterwards."""
    if not replacing:
        if out.exists():
            out.rmdir()  # empty (checked); a file put there meanwhile makes this fail, and nothing is lost
        os.replace(staging, out)
        return
    old = out.parent / f".{out.name}.{token}.old{TMP_SUFFIX}"
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class PartitionedAnswers:
    """The desk's questions answered on a partitioned log, one bucket at a time.

    Attributes
    ----------
    log_name : str
        The log config's name.
    path : pathlib.Path
        The partitioned log's folder.
    events, buckets : int
        The log's size and the number of buckets (tasks) it was answered in.
    facts : LogFacts
        The whole log's end of observation and whether it has teams.
    answers : Answers
        Exactly what the questions give on the whole log in memory.
    """

    log_name: str
    path: Path
    events: int
    buckets: int
    facts: LogFacts
    answers: Answers

    def tables(self) -> dict[str, pd.DataFrame]:
        """Each question's summary, table, cases and extras, by file stem (as ``discover`` writes them)."""
        return answers_tables(self.answers)

    def summary(self) -> list[str]:
        """The headline answers, and what a partitioned log does not answer."""
        return [f"Answers for '{self.log_name}':", *self.answers.headlines(), NOT_OUT_OF_CORE]


def answer_partitioned(
    config: LogConfig,
    path: str | Path,
    *,
    executor: Executor | None = None,
    per_person: bool = False,
    top_n: int = 20,
    min_messages: int | None = None,
    progress: Progress | None = None,
) -> PartitionedAnswers:
    """Answer the desk's questions on the partitioned log in ``path``, out of core.

    Parameters
    ----------
    config : LogConfig
        The log's config: its statuses, calendar and ``privacy.min_group_size`` (and
        ``privacy.per_person``) are used as :func:`~workbench.usecases.discover_map_and_answers` uses them.
    path : str or Path
        A folder written by :func:`partition_log` (or :func:`workbench.io.partitioned.write_partitioned_log`).
    executor : Executor, optional
        Where the buckets are read and tabled (default: here, one after another); each
        worker holds one bucket at a time.
    per_person, top_n, min_messages
        As for :func:`~workbench.usecases.discover_map_and_answers`.
    progress : callable, optional
        ``progress(done, total)`` after each bucket.

    Raises
    ------
    SourceError
        When ``path`` is not a partitioned log, or one of its files cannot be read.
    PrivacyError
        When per-person output is asked for on identifiers that are not pseudonymised.
    EventLogError
        When the log holds no events.
    """
    path = Path(path)
    log = open_partitioned_log(path)
    per_person = per_person or config.privacy.per_person
    if per_person and not (config.privacy.pseudonymise and _source(path).get("pseudonymised", True)):
        raise PrivacyError(
            f"per-person output needs pseudonymised identifiers, but the partitioned log '{path}' was written "
            f"without pseudonymisation (or privacy.pseudonymise is false in the log config '{config.name}'); "
            "partition it again with pseudonymisation on, or drop --per-person"
        )
    try:
        facts = partitioned_log_facts(log)
        settings = QuestionSettings(statuses=config.statuses, calendar=WorkingCalendar.from_config(config.calendar),
                                    per_person=per_person, min_group_size=config.privacy.min_group_size,
                                    top_n=top_n, min_messages=min_messages)
        answers = answer_partitioned_log(log, settings=settings, as_of=facts.as_of, executor=executor,
                                         progress=progress)
    except WorkbenchError:
        raise
    except (OSError, pa.ArrowException) as exc:  # a damaged or missing Parquet file
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise SourceError(f"partitioned log '{path}' cannot be read ({detail}); partition the log again") from None
    return PartitionedAnswers(log_name=config.name, path=path, events=len(log), buckets=len(log.present_buckets()),
                              facts=facts, answers=answers)


def _source(path: Path) -> dict[str, object]:
    """The ``_source.json`` :func:`partition_log` wrote (empty for a log written otherwise)."""
    try:
        data = json.loads((path / SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
