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
from workbench.refresh.lock import refresh_lock
from workbench.refresh.store import EventStore
from workbench.refresh.update import StoreUpdate, update_store

__all__ = ["RefreshResult", "refresh", "recompute", "write_refresh", "STATUS"]

STATUS = "refresh_status.json"


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


def recompute(plan: RefreshPlan, store: EventStore, *, previous_as_of: pd.Timestamp | None) -> dict[str, Any]:
    """The questions, rule checks, alerts, scores and drift check on the whole store."""
    from workbench.analysis.run import discovery_tables, summary_lines
    from workbench.calendar import WorkingCalendar

    rows = store.read()
    loaded = downstream.prepare_store_log(rows, plan.log, source=f"event store '{plan.config.store}'")
    events = loaded.events
    rules = downstream.load_rule_set(plan.config.rules) if plan.config.rules is not None else None
    discovery = downstream.analyse(events, plan.log, rules=rules)
    tables = discovery_tables(discovery)
    tables["data_quality"] = loaded.quality.to_frame()
    as_of = pd.Timestamp(events["timestamp"].max())
    if rules is not None:
        tables["alerts_deadlines"] = deadline_alerts(
            events, rules, statuses=plan.log.statuses, calendar=WorkingCalendar.from_config(plan.log.calendar),
            as_of=as_of, horizon_working_hours=plan.config.alerts.horizon_working_hours,
        )
    if plan.log.statuses.resolved:
        tables["alerts_reopens"] = new_real_reopens(events, statuses=plan.log.statuses, since=previous_as_of)
    drift = retrained = None
    if plan.config.model is not None:
        m = plan.config.model
        model = downstream.load_model(m.name, version=m.version, tracking_uri=m.tracking_uri)
        tables["scores"] = downstream.score_open(events, model)
        drift = model_drift(events, model, threshold=m.drift_threshold, min_recent_examples=m.min_recent_examples)
        if drift.retrain and m.retrain is not None:
            retrained = downstream.retrain(events, plan.log, training_config=m.retrain, name=m.name)
    return {
        "retrained": retrained,
        "tables": tables, "drift": drift, "as_of": as_of, "cases": int(events["case_id"].nunique()),
        "events": len(events), "summary": tuple(summary_lines(plan.log.name, discovery)),
    }


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
        parts = recompute(plan, store, previous_as_of=previous)
    return RefreshResult(
        update=update, lock_note=note, data_as_of=parts["as_of"], previous_as_of=previous,
        cases=parts["cases"], events=parts["events"], tables=parts["tables"], summary=parts["summary"],
        drift=parts["drift"], checked_at=now, retrained=parts["retrained"],
    )


def write_refresh(result: RefreshResult, folder: str | Path) -> list[Path]:
    """Write every table as CSV and the status stamp last (so a stamp always matches its tables)."""
    from workbench.io import write_table, write_text

    folder = Path(folder)
    written = [write_table(frame, folder / f"{name}.csv") for name, frame in sorted(result.tables.items())]
    written.append(write_text(json.dumps(result.status(), indent=2, default=str) + "\n", folder / STATUS))
    return written
