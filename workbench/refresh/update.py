"""Bring the event store up to date with the SQL source: recover, check the schema, read, merge, commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.errors import ConfigError, PrivacyError
from workbench.privacy import resolve_secret
from workbench.refresh.config import RefreshPlan
from workbench.refresh.merge import plan_merge
from workbench.refresh.schema import check_schema
from workbench.refresh.source import (
    configured_columns,
    key_check,
    normalise,
    open_engine,
    person_source_columns,
    pseudonymise_rows,
    read_rows,
    read_schema,
    since_value,
)
from workbench.refresh.store import EventStore, Manifest

__all__ = ["StoreUpdate", "update_store", "watermark_to_json", "watermark_from_json"]


@dataclass(frozen=True)
class StoreUpdate:
    """What one refresh did to the store."""

    recovered: str | None
    full: bool
    since: Any
    read: int
    inserted: int
    reread: int
    deleted: int
    partitions_written: int
    rows: int
    generation: int
    watermark: Any
    data_as_of: pd.Timestamp | None

    @property
    def changed(self) -> bool:
        return self.partitions_written > 0


def watermark_to_json(value: Any) -> dict[str, str] | None:
    """The watermark as JSON (its kind and ISO text)."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"kind": "text", "value": value}
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        return {"kind": "timestamptz" if stamp.tzinfo is not None else "timestamp", "value": stamp.isoformat()}
    if isinstance(value, dt.date):
        return {"kind": "date", "value": value.isoformat()}
    return {"kind": "text", "value": str(value)}


def watermark_from_json(data: dict[str, str] | None) -> Any:
    """Inverse of :func:`watermark_to_json`."""
    if data is None:
        return None
    if data["kind"] in ("timestamp", "timestamptz"):
        return pd.Timestamp(data["value"])
    if data["kind"] == "date":
        return dt.date.fromisoformat(data["value"])
    return data["value"]


def _check_store(plan: RefreshPlan, manifest: Manifest, fingerprint: str | None) -> None:
    if manifest.key != plan.key or manifest.watermark_column != plan.watermark:
        raise ConfigError(
            f"the store '{plan.config.store}' was built with key {list(manifest.key)} and watermark "
            f"'{manifest.watermark_column}', the config now says {list(plan.key)} and '{plan.watermark}'; "
            "rebuild it with --full"
        )
    if manifest.key_check is not None and fingerprint is not None and manifest.key_check != fingerprint:
        raise PrivacyError(
            f"the store '{plan.config.store}' was pseudonymised with another key than the one in "
            f"{plan.log.privacy.secret_env}; set the key used before, or rebuild the store with --full"
        )


def update_store(
    plan: RefreshPlan,
    *,
    now: pd.Timestamp,
    full: bool = False,
    secret: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> StoreUpdate:
    """Merge the source rows changed since the watermark (minus the look-back) into the store.

    Parameters
    ----------
    plan : RefreshPlan
        The refresh config with its log config.
    now : pandas.Timestamp
        When the refresh runs (recorded in the manifest's history).
    full : bool
        Read every row and replace the store (a full reload); also the way to accept a retyped column.
    secret : str, optional
        The pseudonymisation key (default: the log config's ``privacy.secret_env``).
    on_step : callable, optional
        Called with the name of each step of the commit (for progress, and for crash tests).

    Raises
    ------
    SchemaDriftError
        A column the log config names is missing, renamed or retyped; nothing is merged.
    """
    store = EventStore(plan.config.store)
    recovered = store.recover()
    manifest = store.manifest()
    fingerprint = None
    if person_source_columns(plan.log):
        fingerprint = key_check(resolve_secret(secret=secret, secret_env=plan.log.privacy.secret_env))
    if manifest is not None and not full:
        _check_store(plan, manifest, fingerprint)
    full = full or manifest is None
    engine = open_engine(plan.log.source)
    try:
        schema = read_schema(engine, plan.log.source)
        roles = configured_columns(plan)
        timestamp = plan.log.columns.timestamp
        check_schema(
            schema, roles, recorded=None if full else manifest.columns,  # type: ignore[union-attr]
            time_columns=tuple(dict.fromkeys([timestamp, plan.watermark])),
            previous=manifest.source_columns if manifest is not None and manifest.source_columns else None,
        )
        since = None if full else since_value(
            watermark_from_json(manifest.watermark), plan.config.look_back_hours  # type: ignore[union-attr]
        )
        raw = read_rows(engine, plan.log.source, list(roles), plan.watermark, since)
    finally:
        engine.dispose()
    families = {c: schema.columns[c] for c in roles}
    rows = pseudonymise_rows(normalise(raw, families), plan.log, secret=secret)
    merge = plan_merge(store, rows, key=plan.key, watermark=plan.watermark, timestamp=timestamp,
                       since=since, full=full)
    generation = manifest.generation if manifest is not None else 0
    stats = dict(manifest.stats) if manifest is not None else {}
    for partition, numbers in merge.stats.items():
        if numbers["rows"]:
            stats[partition] = {**numbers, "watermark": watermark_to_json(numbers["watermark"])}
        else:
            stats.pop(partition, None)
    total, mark, as_of = _totals(stats)
    if merge.changed:
        entry = {"at": now.isoformat(), "full": full, "read": len(raw), "inserted": merge.inserted,
                 "reread": merge.reread, "deleted": merge.deleted, "rows": total}
        history = (manifest.history if manifest is not None else ()) + (entry,)
        new = Manifest(
            generation=generation,
            log=plan.log.name,
            partitions={},
            columns=families,
            source_columns=dict(schema.columns),
            stats=dict(sorted(stats.items())),
            key=plan.key,
            watermark_column=plan.watermark,
            timestamp_column=timestamp,
            watermark=watermark_to_json(mark),
            key_check=fingerprint,
            rows=total,
            data_as_of=as_of.isoformat() if as_of is not None else None,
            merged_at=now.isoformat(),
            history=history,
        )
        generation = store.commit(manifest, merge.changed, new, on_step=on_step).generation
    return StoreUpdate(
        recovered=recovered, full=full, since=since, read=len(raw), inserted=merge.inserted,
        reread=merge.reread, deleted=merge.deleted, partitions_written=len(merge.changed), rows=total,
        generation=generation, watermark=mark, data_as_of=as_of,
    )


def _totals(stats: dict[str, dict[str, Any]]) -> tuple[int, Any, pd.Timestamp | None]:
    """Rows, latest watermark and latest event time of the whole store, from its partitions' figures."""
    marks = [watermark_from_json(s["watermark"]) for s in stats.values() if s.get("watermark") is not None]
    times = [pd.Timestamp(s["latest"]) for s in stats.values() if s.get("latest")]
    return (sum(int(s["rows"]) for s in stats.values()), max(marks) if marks else None,
            max(times) if times else None)
