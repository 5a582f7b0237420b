"""The refresh use case: update the store, then recompute what depends on it.

:func:`refresh` returns a frozen :class:`RefreshResult` and writes nothing but the store
(which it owns); :func:`write_refresh` writes the result's tables to the output folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import EventLogError
from workbench.refresh import downstream
from workbench.refresh.alerts import deadline_alerts, new_real_reopens
from workbench.refresh.config import RefreshPlan
from workbench.refresh.drift import ModelDrift, model_drift
from workbench.refresh.incremental import (
    IncrementalAnswers,
    QuestionCache,
    incremental_answers,
    load_question_cache,
    map_and_answers,
    question_settings,
    save_question_cache,
)
from workbench.refresh.lock import refresh_lock
from workbench.refresh.store import EventStore
from workbench.refresh.update import StoreUpdate, update_store

__all__ = ["RefreshResult", "Recomputed", "refresh", "recompute", "write_refresh", "STATUS", "AS_OF"]

STATUS = "refresh_status.json"
#: the small file the app reads for its "data as of" line
AS_OF = "as_of.json"
#: the open cases' scores, where the pipeline writes them
SCORES = "predict/at_risk.csv"


@dataclass(frozen=True)
class Recomputed:
    """Everything recomputed from the store, each part by its use case."""

    loaded: Any  # LoadedLog
    discovery: Any  # MapAndAnswers
    scores: Any | None  # ScoredCases
    report: Any | None  # Report
    tables: dict[str, pd.DataFrame]
    drift: ModelDrift | None
    retrained: Any | None  # TrainingResult
    as_of: pd.Timestamp
    #: the questions' per-case tables, for the next refresh (``None``: recomputed without a cache)
    questions: IncrementalAnswers | None = None

    @property
    def events(self) -> int:
        return len(self.loaded.events)

    @property
    def cases(self) -> int:
        return int(self.loaded.events["case_id"].nunique())


@dataclass(frozen=True)
class RefreshResult:
    """A refresh: what happened to the store, and everything recomputed from it."""

    update: StoreUpdate
    lock_note: str | None
    data_as_of: pd.Timestamp | None
    previous_as_of: pd.Timestamp | None
    cases: int
    events: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: tuple[str, ...] = ()
    drift: ModelDrift | None = None
    checked_at: pd.Timestamp | None = None
    #: a ``TrainingResult`` when drift was flagged and ``model.retrain`` names a training config
    retrained: Any | None = None
    #: the use cases' results (log, map and answers, scores, report) for the writers
    recomputed: Recomputed | None = None
    #: the store's watermark after the merge (kind and ISO text)
    watermark: dict[str, str] | None = None
    report_pdf: bool = False

    def as_of_stamp(self) -> dict[str, Any]:
        """What the app shows as the data's "as of": the store's watermark, the refresh time and the counts."""
        open_cases = None
        if self.recomputed is not None and self.recomputed.scores is not None:
            open_cases = len(self.recomputed.scores.at_risk)
        return {
            "data_as_of": self.data_as_of.isoformat() if self.data_as_of is not None else None,
            "refreshed_at": self.checked_at.isoformat() if self.checked_at is not None else None,
            "store_watermark": self.watermark,
            "store_generation": self.update.generation,
            "events": self.events,
            "cases": self.cases,
            "open_cases_scored": open_cases,
            "alerts": {name.removeprefix("alerts_"): len(frame) for name, frame in self.tables.items()
                       if name.startswith("alerts_")},
        }

    def status(self) -> dict[str, Any]:
        """The refresh's stamp (the data's "as of" time and what changed), as JSON data."""
        u = self.update
        return {
            "data_as_of": self.data_as_of.isoformat() if self.data_as_of is not None else None,
            "checked_at": self.checked_at.isoformat() if self.checked_at is not None else None,
            "store_generation": u.generation,
            "store_changed": u.changed,
            "recovered": u.recovered,
            "lock": self.lock_note,
            "rows_read": u.read, "inserted": u.inserted, "reread": u.reread, "deleted": u.deleted,
            "rows": u.rows, "cases": self.cases, "events": self.events,
            "alerts": {name: len(frame) for name, frame in self.tables.items() if name.startswith("alerts_")},
            "model_drift": self.drift.to_dict() if self.drift is not None else None,
            "retrained": self.retrained is not None,
        }


def _previous_as_of(outputs: Path) -> pd.Timestamp | None:
    path = outputs / STATUS
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("data_as_of")
    except (OSError, ValueError):
        return None
    return pd.Timestamp(value) if value else None


def _report_settings(plan: RefreshPlan) -> dict[str, str]:
    """The report's settings table (names the report translates)."""
    log = plan.log
    return {
        "log config": log.name,
        "pseudonymised": "yes" if log.privacy.pseudonymise else "no (opted out)",
        "minimum group size": str(log.privacy.min_group_size),
    }


def store_generation(store: EventStore) -> int | None:
    manifest = store.manifest()
    return manifest.generation if manifest is not None else None


def recompute(
    plan: RefreshPlan,
    store: EventStore,
    *,
    previous_as_of: pd.Timestamp | None,
    generated_at: pd.Timestamp | None = None,
    question_cache: QuestionCache | None = None,
    incremental: bool = False,
) -> Recomputed:
    """The map and answers, rule checks, alerts, scores, drift check and report on the whole store.

    Each part is the application layer's use case (:mod:`workbench.usecases`), called as the
    pipeline calls it; only the alerts and the drift check are the refresh's own.
    ``generated_at`` stamps the report (the library reads no clock; default: the data's as-of).
    ``incremental`` answers the questions from ``question_cache`` (the per-case tables of an
    earlier refresh, see :mod:`workbench.refresh.incremental`), rebuilding the tables only of the
    cases that changed; the answers are the same either way, and the new tables are returned in
    :attr:`Recomputed.questions` for the next refresh.
    """
    from workbench.calendar import WorkingCalendar
    from workbench.usecases import RunResults, build_run_report, discover_map_and_answers

    rows = store.read()
    loaded = downstream.prepare_store_log(rows, plan.log, source=f"event store '{plan.config.store}'")
    events = loaded.events
    rules = downstream.load_rule_set(plan.config.rules) if plan.config.rules is not None else None
    questions = None
    if incremental:
        questions = incremental_answers(events, plan.log, question_settings(plan.log), cache=question_cache,
                                        generation=store_generation(store))
        discovery = map_and_answers(events, plan.log, rules=rules, answers=questions.answers)
    else:
        discovery = discover_map_and_answers(events, plan.log, rules=rules)
    tables: dict[str, pd.DataFrame] = {}  # the refresh's own; the use cases' tables go out with their writers
    as_of = pd.Timestamp(events["timestamp"].max())
    if rules is not None:
        tables["alerts_deadlines"] = deadline_alerts(
            events, rules, statuses=plan.log.statuses, calendar=WorkingCalendar.from_config(plan.log.calendar),
            as_of=as_of, horizon_working_hours=plan.config.alerts.horizon_working_hours,
        )
    if plan.log.statuses.resolved:
        tables["alerts_reopens"] = new_real_reopens(events, statuses=plan.log.statuses, since=previous_as_of)
    drift = retrained = scores = None
    if plan.config.model is not None:
        from workbench.usecases import score_open_cases, train_predictor

        m = plan.config.model
        model = downstream.load_model(m.name, version=m.version, tracking_uri=m.tracking_uri)
        scores = score_open_cases(events, [model], complete_cases=plan.log.complete_cases)
        drift = model_drift(events, model, threshold=m.drift_threshold, min_recent_examples=m.min_recent_examples)
        if drift.retrain and m.retrain is not None:
            from workbench.models import load_training_config

            training = load_training_config(m.retrain)
            if training.name != m.name:
                training = training.model_copy(update={"name": m.name})
            retrained = train_predictor(events, training, plan.log)
    report = None
    if plan.config.report.enabled:
        from workbench.i18n import Translator

        r = plan.config.report
        t = Translator(r.language)
        when = t.format_datetime(as_of, timezone=plan.log.calendar.timezone)
        report = build_run_report(
            RunResults(log=loaded, discovery=discovery, scores=scores),
            title=r.title or plan.log.description or plan.log.name,
            subtitle=t.gettext("data as of %(when)s") % {"when": when},
            generated_at=(generated_at if generated_at is not None else as_of).isoformat(),
            settings=_report_settings(plan), language=r.language, log_config=plan.log,
        )
    return Recomputed(loaded=loaded, discovery=discovery, scores=scores, report=report, tables=tables,
                      drift=drift, retrained=retrained, as_of=as_of, questions=questions)


def refresh(
    plan: RefreshPlan,
    *,
    now: pd.Timestamp,
    full: bool = False,
    secret: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> RefreshResult:
    """Refresh the store from the source (under the store's lock), then recompute everything on it.

    Raises
    ------
    LockedError
        Another refresh of this store is running.
    SchemaDriftError
        The source's columns no longer match the log config; nothing was merged.
    """
    store = EventStore(plan.config.store)
    with refresh_lock(plan.config.store) as note:
        update = update_store(plan, now=now, full=full, secret=secret, on_step=on_step)
        if store.manifest() is None:
            raise EventLogError(
                f"the source of log '{plan.log.name}' has no rows yet, so there is nothing to refresh; "
                "check source.table or source.query in the log config"
            )
        previous = _previous_as_of(plan.config.outputs)
        cache = None if full else load_question_cache(plan.config.store)
        parts = recompute(plan, store, previous_as_of=previous, generated_at=now, question_cache=cache,
                          incremental=True)
        if parts.questions is not None:
            save_question_cache(plan.config.store, parts.questions.cache)
        manifest = store.manifest()
    return RefreshResult(
        update=update, lock_note=note, data_as_of=parts.as_of, previous_as_of=previous,
        cases=parts.cases, events=parts.events, tables=parts.tables, summary=tuple(parts.discovery.summary()),
        drift=parts.drift, checked_at=now, retrained=parts.retrained, recomputed=parts,
        watermark=manifest.watermark if manifest is not None else None, report_pdf=plan.config.report.pdf,
    )


def write_refresh(result: RefreshResult, folder: str | Path, *, force: bool = False) -> list[Path]:
    """Write what the refresh recomputed into its output folder, each part by its use case's writer.

    The layout is the pipeline's, so the app reads a refreshed folder as it reads a run:
    ``load/`` (data quality), ``discover/`` (map, model, summary, and every table of the
    questions, rule checks and variants under ``discover/tables/``), ``predict/at_risk.csv``,
    ``report/report.html``; the refresh's own tables (the alerts) as CSV at the top; then
    :data:`AS_OF` (what the app shows as "data as of") and :data:`STATUS`, last, so a stamp
    always matches the files before it. The files before the stamps are written as one batch
    (:meth:`~workbench.io.OutputFolder.batch`: one fsync each, one manifest update, a file
    whose bytes did not change is not rewritten). ``force`` writes into a folder holding files the
    workbench did not write (e.g. the outputs of a refresh from before this layout).
    """
    from workbench.io import OutputFolder
    from workbench.usecases import writers
    from workbench.usecases.report import write_run_report

    out = OutputFolder.open(folder, force=force)
    with out.batch():  # one fsync per file, one manifest update; a crash leaves each file old or new
        written = [out.write_table(f"{name}.csv", frame) for name, frame in sorted(result.tables.items())]
        parts = result.recomputed
        if parts is not None:
            written += writers.write_quality(parts.loaded, out, prefix="load").values()
            written += writers.write_map_and_answers(parts.discovery, out, prefix="discover").values()
            if parts.scores is not None:
                written.append(out.write_table(SCORES, parts.scores.at_risk))
            if parts.report is not None:
                files = write_run_report(parts.report, out, prefix="report", pdf=result.report_pdf)
                written += list(files.values())
    # the stamps after the batch is on disk, so a stamp always matches the files before it
    written.append(out.write_text(AS_OF, json.dumps(result.as_of_stamp(), indent=2, default=str) + "\n"))
    written.append(out.write_text(STATUS, json.dumps(result.status(), indent=2, default=str) + "\n"))
    return written
