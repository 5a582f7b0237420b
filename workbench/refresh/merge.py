"""Idempotent merge of re-read source rows into the store, keyed on the event identity.

A row read again replaces its earlier version (same key); a stored row inside the
look-back window that the source no longer returns was deleted there and is dropped;
a partition whose content would not change is not rewritten. So merging the same rows
twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.refresh.store import EventStore

__all__ = ["MergePlan", "partition_of", "plan_merge", "latest"]

UNDATED = "undated"


@dataclass(frozen=True)
class MergePlan:
    """The partitions to rewrite (an empty frame: delete it) and what the merge does.

    ``reread``: stored rows read again from the source (they replace their earlier version).
    """

    changed: dict[str, pd.DataFrame]
    inserted: int
    reread: int
    deleted: int
    rows: int
    watermark: object
    data_as_of: pd.Timestamp | None


def partition_of(timestamps: pd.Series) -> pd.Series:
    """The month (``YYYY-MM``, UTC) of each event; ``undated`` when the timestamp cannot be read."""
    if pd.api.types.is_datetime64_any_dtype(timestamps):
        parsed = pd.to_datetime(timestamps, utc=True)
    else:
        parsed = pd.to_datetime(timestamps.astype("string"), utc=True, errors="coerce", format="mixed")
    months = parsed.dt.strftime("%Y-%m")
    return months.astype(object).where(parsed.notna(), UNDATED).astype(str)


def _keys(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[list(key)].astype(object).where(frame[list(key)].notna(), None))


def latest(values: pd.Series) -> object:
    """The greatest watermark value (``None`` when all are missing)."""
    values = values.dropna()
    if values.empty:
        return None
    return values.max()


def _parsed_latest(timestamps: pd.Series) -> pd.Timestamp | None:
    if timestamps.empty:
        return None
    if pd.api.types.is_datetime64_any_dtype(timestamps):
        parsed = pd.to_datetime(timestamps, utc=True)
    else:
        parsed = pd.to_datetime(timestamps.astype("string"), utc=True, errors="coerce", format="mixed")
    value = parsed.max()
    return None if pd.isna(value) else pd.Timestamp(value)


def _sorted(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.DataFrame:
    order = frame[list(key)].astype("string")
    idx = np.lexsort([order[c].fillna("").to_numpy(dtype=str) for c in reversed(key)])
    return frame.iloc[idx].reset_index(drop=True)


def plan_merge(
    store: EventStore,
    incoming: pd.DataFrame,
    *,
    key: tuple[str, ...],
    watermark: str,
    timestamp: str,
    since: object | None,
    full: bool = False,
) -> MergePlan:
    """Work out which partitions change when ``incoming`` (rows with watermark >= ``since``) is merged.

    ``since=None`` with ``full=True`` replaces the whole store by ``incoming`` (a full reload).
    """
    incoming = incoming.drop_duplicates(subset=list(key), keep="last").reset_index(drop=True)
    incoming = incoming.assign(_partition=partition_of(incoming[timestamp]))
    new_keys = _keys(incoming, key)
    current = store.manifest()
    parts = sorted(current.partitions) if current is not None else []
    index = store.read(columns=[*dict.fromkeys([*key, watermark, timestamp])]) if parts else pd.DataFrame()
    if parts:
        sizes = [len(pd.read_parquet(store.data / current.partitions[p], columns=[key[0]])) for p in parts]  # type: ignore[union-attr]
        index["_partition"] = np.repeat(parts, sizes)
        old_keys = _keys(index, key)
        replaced = old_keys.isin(new_keys)
        if full:
            gone = ~replaced
        elif since is not None:
            in_window = index[watermark].notna() & (index[watermark] >= since)
            gone = in_window.to_numpy() & ~replaced
        else:
            gone = np.zeros(len(index), dtype=bool)
        touched = set(index.loc[replaced | gone, "_partition"])
        reread = int(replaced.sum())
        deleted = int(gone.sum())
        kept = index.loc[~(replaced | gone)]
    else:
        old_keys = pd.MultiIndex.from_tuples([], names=list(key))
        touched, reread, deleted, kept = set(), 0, 0, pd.DataFrame(columns=[*key, watermark, timestamp])
    touched |= set(incoming["_partition"])
    if full:
        touched |= set(parts)
    changed: dict[str, pd.DataFrame] = {}
    for partition in sorted(touched):
        new_rows = incoming[incoming["_partition"] == partition].drop(columns="_partition")
        if current is not None and partition in current.partitions:
            old = pd.read_parquet(store.data / current.partitions[partition])
            drop = _keys(old, key).isin(new_keys)
            if full:
                drop[:] = True
            elif since is not None:
                window = (old[watermark].notna() & (old[watermark] >= since)).to_numpy()
                drop |= window
            merged = pd.concat([old[~drop], new_rows[old.columns]], ignore_index=True) if len(new_rows) else old[~drop]
            merged = _sorted(merged, key)
            if merged.equals(_sorted(old, key)):
                continue
        else:
            merged = _sorted(new_rows, key)
        changed[partition] = merged.reset_index(drop=True)
    stamps = pd.concat([kept[watermark], incoming[watermark]], ignore_index=True) if len(kept) else incoming[watermark]
    times = pd.concat([kept[timestamp], incoming[timestamp]], ignore_index=True) if len(kept) else incoming[timestamp]
    inserted = int((~new_keys.isin(old_keys)).sum())
    return MergePlan(
        changed=changed,
        inserted=inserted,
        reread=reread,
        deleted=deleted,
        rows=len(kept) + len(incoming),
        watermark=latest(stamps),
        data_as_of=_parsed_latest(times),
    )
