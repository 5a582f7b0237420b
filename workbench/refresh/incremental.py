"""The questions' per-case tables kept between refreshes, rebuilt only for the cases that changed.

Every question answers from per-case tables (:func:`~workbench.analysis.questions.question_tables`)
that combine across case-disjoint chunks (:func:`~workbench.analysis.questions.answers_from_tables`),
as the out-of-core path uses them. A refresh keeps the combined tables of the last refresh
(:class:`QuestionCache`) and, on the next one, rebuilds them only for

- the cases whose events changed (new, edited, deleted or re-mapped rows: found by comparing
  a fingerprint of each case's events with the one the tables were built from), and
- for the time-split question, also every case not closed at its last event when the end of
  observation (``as_of``) moved, since only such a case's time is counted up to ``as_of``.

The answers are then built from the combined tables exactly as on the whole log. The cache
says which events it was built from (the fingerprints), not which store generation, so
whatever store it is paired with -- after a crash, a rollback, a ``--full`` reload -- it
can only make the refresh rebuild more, never give other answers. A cache built with other
settings, another log config, another version of the workbench or pandas is not used.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.analysis import Answers, CaseTables, check_events, combine_case_tables
from workbench.analysis.questions import (
    LogFacts,
    QuestionSettings,
    answers_by_question,
    log_facts,
    question_tables,
)
from workbench.config import LogConfig
from workbench.schema import ACTIVITY, CASE_ID

if TYPE_CHECKING:
    from workbench.analysis import RuleSet
    from workbench.usecases.discover import MapAndAnswers

__all__ = ["QuestionCache", "IncrementalAnswers", "case_fingerprints", "incremental_answers",
           "load_question_cache", "save_question_cache", "CACHE"]

#: the cache's path inside the store's folder
CACHE = Path("cache") / "questions.pkl"
_FORMAT = 1
_TIME_SPLIT = "time_split"


@dataclass(frozen=True)
class QuestionCache:
    """The combined per-case tables of every question, and what they were built from."""

    key: str
    facts: LogFacts
    fingerprints: pd.Series  # case id -> uint64 fingerprint of its events
    tables: dict[str, CaseTables | str]
    generation: int | None = None


@dataclass(frozen=True)
class IncrementalAnswers:
    """The answers, the cache for the next refresh, and how much was rebuilt."""

    answers: Answers
    cache: QuestionCache
    cases: int
    rebuilt: int
    #: the time-split question's cases rebuilt (the changed ones, and the open ones when ``as_of`` moved)
    rebuilt_time_split: int
    full: bool


def settings_key(log: LogConfig, settings: QuestionSettings) -> str:
    """What the tables depend on besides the events: the log config, the settings and the code's versions."""
    import workbench

    text = json.dumps({
        "format": _FORMAT,
        "workbench": workbench.__version__,
        "pandas": pd.__version__,
        "log": log.model_dump(mode="json"),
        "settings": [settings.per_person, settings.min_group_size, settings.top_n, settings.min_messages,
                     list(settings.questions)],
    }, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def case_fingerprints(events: pd.DataFrame) -> pd.Series:
    """Per case (in case order): a 64-bit fingerprint of its events, their values and their order."""
    ev = check_events(events, what="the questions")
    position = ev.groupby(CASE_ID, sort=False).cumcount().to_numpy()
    rows = pd.util.hash_pandas_object(ev.assign(_position=position), index=False).to_numpy()
    # a row's hash mixed with its position, summed per case (uint64 arithmetic wraps)
    mixed = rows ^ (np.uint64(0x9E3779B97F4A7C15) * (position.astype("uint64") + np.uint64(1)))
    return pd.Series(mixed, index=ev[CASE_ID].to_numpy()).groupby(level=0, sort=True).sum().astype("uint64")


def _open_cases(events: pd.DataFrame, log: LogConfig) -> pd.Index:
    """Cases whose last event is not a closing status: the only ones whose time split depends on ``as_of``."""
    last = events.drop_duplicates(CASE_ID, keep="last")
    closing = list(log.statuses.closed)
    return pd.Index(last.loc[~last[ACTIVITY].isin(closing), CASE_ID].unique())


def _merge(cached: CaseTables, fresh: CaseTables | None, drop: pd.Index, kept_cases: int) -> CaseTables | None:
    """The cached tables without the ``drop`` cases' rows, plus ``fresh``; ``None`` when counts cannot be kept."""
    if set(cached.counts) - {"tickets"}:
        return None
    kept = CaseTables(
        frames={name: frame[~frame[CASE_ID].isin(drop)] for name, frame in cached.frames.items()},
        counts={key: kept_cases for key in cached.counts},
    )
    if fresh is None:
        return combine_case_tables([kept])
    if set(fresh.frames) != set(cached.frames) or set(fresh.counts) != set(cached.counts):
        return None
    return combine_case_tables([kept, fresh])


def incremental_answers(
    events: pd.DataFrame,
    log: LogConfig,
    settings: QuestionSettings,
    *,
    cache: QuestionCache | None,
    generation: int | None = None,
) -> IncrementalAnswers:
    """The questions' answers on ``events``, rebuilding the cached per-case tables only where they changed.

    Exactly :func:`~workbench.analysis.questions.answer_questions` on ``events`` with ``settings``
    (``as_of``: the latest timestamp), whatever the cache holds.
    """
    ev = check_events(events, what="the desk's questions")
    facts = log_facts(ev)
    key = settings_key(log, settings)
    prints = case_fingerprints(ev)
    if cache is None or cache.key != key or cache.facts.has_teams != facts.has_teams:
        return _full(ev, settings, facts, key, prints, generation)
    old = cache.fingerprints
    common = prints.index.intersection(old.index)
    changed = prints.index.difference(old.index).union(common[prints[common].to_numpy() != old[common].to_numpy()])
    removed = old.index.difference(prints.index)
    open_moved = (_open_cases(ev, log).difference(changed)
                  if cache.facts.as_of != facts.as_of and _TIME_SPLIT in cache.tables else pd.Index([]))
    fresh: dict[str, CaseTables | str] = {}
    if len(changed):
        fresh = question_tables(ev[ev[CASE_ID].isin(changed)], settings=settings, facts=facts)
    fresh_split: CaseTables | str | None = None
    if len(open_moved):
        only = replace(settings, questions=(_TIME_SPLIT,))
        fresh_split = question_tables(ev[ev[CASE_ID].isin(open_moved)], settings=only, facts=facts)[_TIME_SPLIT]
    if len(changed) and set(fresh) != set(cache.tables):
        return _full(ev, settings, facts, key, prints, generation)
    tables: dict[str, CaseTables | str] = {}
    for q, cached in cache.tables.items():
        new = fresh.get(q) if len(changed) else None
        if isinstance(cached, str) or isinstance(new, str):
            if new is not None and new != cached:  # a question answerable now and not before, or the reverse
                return _full(ev, settings, facts, key, prints, generation)
            tables[q] = cached
            continue
        drop = changed.union(removed)
        parts_new: list[CaseTables] = []
        if new is not None:
            parts_new.append(new)
        if q == _TIME_SPLIT and len(open_moved):
            if isinstance(fresh_split, str) or fresh_split is None:
                return _full(ev, settings, facts, key, prints, generation)
            parts_new.append(fresh_split)
            drop = drop.union(open_moved)
        merged_new = combine_case_tables(parts_new) if parts_new else None
        kept_cases = len(old.index.difference(drop))
        merged = _merge(cached, merged_new, drop, kept_cases)
        if merged is None:
            return _full(ev, settings, facts, key, prints, generation)
        tables[q] = merged
    answers = answers_by_question({q: [t] for q, t in tables.items()}, settings=settings, facts=facts)
    new_cache = QuestionCache(key=key, facts=facts, fingerprints=prints, tables=tables, generation=generation)
    return IncrementalAnswers(answers=answers, cache=new_cache, cases=len(prints), rebuilt=len(changed),
                              rebuilt_time_split=len(changed) + len(open_moved), full=False)


def _full(ev: pd.DataFrame, settings: QuestionSettings, facts: LogFacts, key: str, prints: pd.Series,
          generation: int | None) -> IncrementalAnswers:
    raw = question_tables(ev, settings=settings, facts=facts)
    tables: dict[str, CaseTables | str] = {
        q: t if isinstance(t, str) else combine_case_tables([t]) for q, t in raw.items()
    }
    answers = answers_by_question(dict({q: [t] for q, t in tables.items()}), settings=settings, facts=facts)
    cache = QuestionCache(key=key, facts=facts, fingerprints=prints, tables=tables, generation=generation)
    return IncrementalAnswers(answers=answers, cache=cache, cases=len(prints), rebuilt=len(prints),
                              rebuilt_time_split=len(prints), full=True)


def load_question_cache(store: str | Path) -> QuestionCache | None:
    """The cache kept in a store's folder, or ``None`` (none yet, unreadable, or from other code)."""
    path = Path(store) / CACHE
    try:
        with path.open("rb") as fh:
            value = pickle.load(fh)  # the store's own file, written by save_question_cache
    except Exception:  # any unreadable cache (damaged, other versions) means: rebuild every table
        return None
    return value if isinstance(value, QuestionCache) else None


def save_question_cache(store: str | Path, cache: QuestionCache) -> None:
    """Write the cache into a store's folder atomically (temporary file, fsync, rename, folder fsync)."""
    path = Path(store) / CACHE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(cache, fh, protocol=pickle.HIGHEST_PROTOCOL)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def question_settings(log: LogConfig) -> QuestionSettings:
    """The settings :func:`~workbench.usecases.discover_map_and_answers` answers with, without filters."""
    from workbench.calendar import WorkingCalendar

    return QuestionSettings(statuses=log.statuses, calendar=WorkingCalendar.from_config(log.calendar),
                            per_person=log.privacy.per_person, min_group_size=log.privacy.min_group_size)


def map_and_answers(events: pd.DataFrame, log: LogConfig, *, rules: RuleSet | None, answers: Answers) -> MapAndAnswers:
    """What :func:`~workbench.usecases.discover_map_and_answers` gives without filters, with the answers given.

    The rule checks, variants, map and model are computed on ``events`` as the use case does.
    """
    from workbench.analysis import check_rules
    from workbench.analysis import variants as compute_variants
    from workbench.analysis.run import Discovery
    from workbench.calendar import WorkingCalendar
    from workbench.discovery import build_process_map, discover_process_model

    checked = (check_rules(events, rules, statuses=log.statuses, calendar=WorkingCalendar.from_config(log.calendar))
               if rules is not None else None)
    discovery = Discovery(events=events, filtered=None, answers=answers, rules=checked,
                          variants=compute_variants(events))
    from workbench.usecases.discover import MapAndAnswers

    return MapAndAnswers(log_name=log.name, discovery=discovery,
                         process_map=build_process_map(events, node_duration="auto"),
                         process_model=discover_process_model(events, noise_threshold=0.2), min_case_share=None)
