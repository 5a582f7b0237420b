"""Small helpers shared by the feature code: input checks, sorting, names, category codes."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import EventLogError
from workbench.schema import ACTIVITY, CASE_ID, TIMESTAMP

__all__ = [
    "NS_PER_DAY",
    "NS_PER_HOUR",
    "category_codes",
    "check_events",
    "safe_name",
    "sorted_events",
    "time_ns",
    "unique_names",
    "vocabulary",
]

NS_PER_HOUR = 3_600_000_000_000
NS_PER_DAY = 24 * NS_PER_HOUR

_NOT_WORD = re.compile(r"[^0-9a-zA-Z]+")


def check_events(events: pd.DataFrame, *, columns: Sequence[str] = (), what: str = "event log") -> None:
    """Raise :class:`EventLogError` unless ``events`` is a non-empty canonical log with ``columns``."""
    if not isinstance(events, pd.DataFrame):
        raise EventLogError(f"{what} must be a pandas DataFrame, got {type(events).__name__}")
    needed = [CASE_ID, ACTIVITY, TIMESTAMP, *columns]
    missing = [c for c in needed if c not in events.columns]
    if missing:
        raise EventLogError(
            f"{what}: column(s) {missing} are missing; load the log with workbench.io.load_log "
            f"(columns present: {list(events.columns)[:12]})"
        )
    if len(events) == 0:
        raise EventLogError(f"{what} is empty; check the log config's source and filters")
    ts = events[TIMESTAMP]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise EventLogError(
            f"{what}: column '{TIMESTAMP}' must hold time-zone aware datetimes (UTC), got dtype {ts.dtype}; "
            "load the log with workbench.io.load_log"
        )
    if ts.isna().any():
        raise EventLogError(
            f"{what}: column '{TIMESTAMP}' has {int(ts.isna().sum())} missing values; clean the log first"
        )


def time_ns(ts: pd.Series) -> np.ndarray:
    """UTC nanoseconds since the epoch of a time-zone aware datetime series."""
    return ts.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").astype(np.int64)


def sorted_events(events: pd.DataFrame) -> pd.DataFrame:
    """The log with each case's events together and in time order (stable for equal times).

    A log that already is (the canonical order) is returned as it is, not copied.
    """
    codes = pd.factorize(events[CASE_ID], sort=False)[0]
    ts = time_ns(events[TIMESTAMP])
    grouped = len(codes) < 2 or bool((np.diff(codes) >= 0).all())
    if grouped:
        same = codes[1:] == codes[:-1]
        if (ts[1:][same] >= ts[:-1][same]).all():
            return events
    return events.sort_values([CASE_ID, TIMESTAMP], kind="stable")


def safe_name(label: object) -> str:
    """A feature-name-safe version of a label (letters, digits, underscores)."""
    name = _NOT_WORD.sub("_", str(label)).strip("_").lower()
    return name or "blank"


def unique_names(labels: Sequence[object], prefix: str) -> list[str]:
    """``prefix + safe_name(label)`` for each label, made unique with a numeric suffix."""
    out: list[str] = []
    seen: set[str] = set()
    for label in labels:
        base = f"{prefix}{safe_name(label)}"
        name, k = base, 2
        while name in seen:
            name, k = f"{base}_{k}", k + 1
        seen.add(name)
        out.append(name)
    return out


def vocabulary(values: pd.Series, *, limit: int) -> tuple[str, ...]:
    """The ``limit`` most frequent non-missing values (as strings), most frequent first."""
    counts = values.dropna().astype(str).value_counts(sort=False)
    if counts.empty:
        return ()
    # sort by count desc, then label, so the vocabulary does not depend on row order
    frame = pd.DataFrame({"label": counts.index, "n": counts.to_numpy()})
    frame = frame.sort_values(["n", "label"], ascending=[False, True], kind="stable")
    return tuple(frame["label"].head(limit))


def category_codes(values: pd.Series, categories: Sequence[str]) -> np.ndarray:
    """Codes of ``values`` in ``categories`` as floats; unknown or missing values are ``NaN``."""
    as_str = values.astype("string")
    codes = pd.Categorical(as_str, categories=list(categories)).codes.astype(float)
    codes[codes < 0] = np.nan
    return codes
