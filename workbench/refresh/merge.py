"""Idempotent merge of re-read source rows into the store, keyed on the event identity.

A row read again replaces its earlier version (same key); a stored row inside the
look-back window that the source no longer returns was deleted there and is dropped;
a partition whose content would not change is not rewritten. So merging the same rows
twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.refresh.store import EventStore

__all__ = ["MergePlan", "partition_of", "plan_merge", "latest"]

UNDATED = "undated"


@dataclass(frozen=True)
class MergePlan:
    """The partitions to rewrite (an empty frame: delete it) and what the merge does.

    ``reread``: stored rows read again from the source (they replace their earlier version).
    ``stats``: per changed partition, its rows, latest event time and latest watermark.
    """

    changed: dict[str, pd.DataFrame]
    stats: dict[str, dict[str, Any]]
    inserted: int
    reread: int
    deleted: int


def _parse_times(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values, utc=True)
    text = values.astype("string")
    parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    odd = parsed.isna() & text.notna()
    if odd.any():  # not ISO 8601: the slow, forgiving parser for those only
        parsed[odd] = pd.to_datetime(text[odd], utc=True, errors="coerce", format="mixed")
    return parsed


def partition_of(timestamps: pd.Series) -> pd.Series:
    """The month (``YYYY-MM``, UTC) of each event; ``undated`` when the timestamp cannot be read."""
    parsed = _parse_times(timestamps)
    months = parsed.dt.strftime("%Y-%m")
    return months.astype(object).where(parsed.notna(), UNDATED).astype(str)


def latest(values: pd.Series) -> Any:
    """The greatest watermark value (``None`` when all are missing)."""
    values = values.dropna()
    if values.empty:
        return None
    value = values.max()
    return pd.Timestamp(value) if isinstance(value, (pd.Timestamp, np.datetime64)) else value


def _stats(frame: pd.DataFrame, *, watermark: str, timestamp: str) -> dict[str, Any]:
    times = _parse_times(frame[timestamp])
    newest = times.max()
    return {"rows": len(frame), "latest": None if pd.isna(newest) else pd.Timestamp(newest).isoformat(),
            "watermark": latest(frame[watermark])}


def _in(frame: pd.DataFrame, other: pd.DataFrame, key: tuple[str, ...]) -> np.ndarray:
    """Which rows of ``frame`` have a key that is also in ``other`` (exact; hashed first when the key is wide)."""
    if len(key) == 1:
        return frame[key[0]].isin(other[key[0]]).to_numpy()
    hashes = pd.util.hash_pandas_object(frame[list(key)], index=False).to_numpy()
    theirs = pd.util.hash_pandas_object(other[list(key)], index=False).to_numpy()
    maybe = np.isin(hashes, theirs)
    if maybe.any():
        candidates = pd.MultiIndex.from_frame(frame.loc[maybe, list(key)])
        maybe[maybe] = candidates.isin(pd.MultiIndex.from_frame(other[list(key)]))
    return maybe


def _sorted(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.DataFrame:
    return frame.sort_values(list(key), kind="mergesort", na_position="last", ignore_index=True)


def plan_merge(
    store: EventStore,
    incoming: pd.DataFrame,
    *,
    key: tuple[str, ...],
    watermark: str,
    timestamp: str,
    since: Any | None,
    full: bool = False,
) -> MergePlan:
    """Work out which partitions change when ``incoming`` (rows with watermark >= ``since``) is merged.

    ``full=True`` replaces the whole store by ``incoming`` (a full reload). Partitions are
    stored sorted by the key, so an unchanged partition compares equal and is not rewritten.
    """
    incoming = incoming.drop_duplicates(subset=list(key), keep="last").reset_index(drop=True)
    incoming = incoming.assign(_partition=partition_of(incoming[timestamp]))
    current = store.manifest()
    parts = sorted(current.partitions) if current is not None else []
    counts = {p: int(v["rows"]) for p, v in current.stats.items()} if current is not None else {}
    touched = set(incoming["_partition"]) | (set(parts) if full else set())
    inserted, reread, deleted = len(incoming), 0, 0
    if parts and not full:
        index = store.read(columns=[*dict.fromkeys([*key, watermark])])
        sizes = [counts[p] for p in parts]
        index["_partition"] = np.repeat(parts, sizes)
        replaced = _in(index, incoming, key)
        gone = np.zeros(len(index), dtype=bool)
        if since is not None:
            gone = (index[watermark].notna() & (index[watermark] >= since)).to_numpy() & ~replaced
        touched |= set(index.loc[replaced | gone, "_partition"])
        reread, deleted = int(replaced.sum()), int(gone.sum())
        inserted = len(incoming) - reread
    elif parts:
        old_count = sum(counts[p] for p in parts)
        reread = int(_in(incoming, store.read(columns=list(key)), key).sum())
        inserted, deleted = len(incoming) - reread, old_count - reread
    changed: dict[str, pd.DataFrame] = {}
    stats: dict[str, dict[str, Any]] = {}
    for partition in sorted(touched):
        new_rows = incoming[incoming["_partition"] == partition].drop(columns="_partition")
        if current is not None and partition in current.partitions:
            old = pd.read_parquet(store.data / current.partitions[partition])
            if full:
                drop = np.ones(len(old), dtype=bool)
            else:
                drop = _in(old, incoming, key)
                if since is not None:
                    drop |= (old[watermark].notna() & (old[watermark] >= since)).to_numpy()
            merged = _sorted(pd.concat([old[~drop], new_rows[old.columns]], ignore_index=True), key)
            if merged.equals(old):
                continue
        else:
            merged = _sorted(new_rows, key)
        changed[partition] = merged
        stats[partition] = _stats(merged, watermark=watermark, timestamp=timestamp)
    return MergePlan(changed=changed, stats=stats, inserted=inserted, reread=reread, deleted=deleted)
