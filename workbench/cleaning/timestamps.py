"""Parse timestamps into UTC exactly, or say precisely why that is impossible.

Rules (never a silent guess):

- values with a UTC offset are converted to UTC (the instant is kept, the label is not changed);
- naive values are local wall-clock times in the configured time zone, localised there and
  converted to UTC; times in the repeated hour when clocks go back are read as the first
  (summer-time) occurrence and times in the skipped hour are moved forward, and both are
  counted in the data-quality report;
- a column mixing values with and without an offset is an error;
- values with different offsets (e.g. +01:00 and +02:00) are an error unless the config
  says ``time.mixed_offsets: convert``;
- values that cannot be parsed are an error naming the count, the first row and the value.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.cleaning._coded import is_coded, object_values
from workbench.config import TimeConfig
from workbench.errors import EventLogError

__all__ = ["DATES_ONLY", "DATES_ONLY_DETAIL", "ParsedTimestamps", "dates_only", "parse_timestamps"]

_OFFSET = re.compile(r"(?:[Zz]|[+-]\d{2}:?\d{2})$")
_HAS_TIME = re.compile(r"\d[T ]\d|\d:\d")
#: a text column is cast in parts of at least this many values, side by side
_CAST_PART = 200_000


@dataclass(frozen=True)
class ParsedTimestamps:
    """Parsed UTC values and what happened on the way."""

    values: pd.Series
    converted_offsets: tuple[str, ...] = ()
    localised_from: str | None = None
    ambiguous: int = 0
    nonexistent: int = 0


def _first_bad(original: pd.Series, bad: np.ndarray) -> tuple[int, str]:
    pos = int(np.flatnonzero(bad)[0])
    return pos + 1, str(original.iloc[pos])


def _localise(naive: pd.Series, zone: str) -> tuple[pd.Series, int, int]:
    """Localise naive times; count ambiguous (read as DST) and nonexistent (shifted forward) ones."""
    probe = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    lost = probe.isna() & naive.notna()
    ambiguous = nonexistent = 0
    if lost.any():
        dst_read = naive.dt.tz_localize(zone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
        nonexistent = int((dst_read.isna() & naive.notna()).sum())
        ambiguous = int(lost.sum()) - nonexistent
        probe = naive.dt.tz_localize(
            zone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
        )
    return probe.dt.tz_convert("UTC"), ambiguous, nonexistent


def _parse_strings(text: pd.Series, config: TimeConfig, column: str, utc: bool) -> pd.Series:
    if config.format is not None:
        return pd.to_datetime(text, format=config.format, errors="coerce", utc=utc)
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=utc)
    failed = parsed.isna() & text.notna()
    if failed.any():
        retry = pd.to_datetime(text[failed], format="mixed", dayfirst=config.dayfirst, errors="coerce", utc=utc)
        parsed = parsed.copy()
        parsed[failed] = retry
    return parsed


def _fast_parse(text: pd.Series, missing: pd.Series, config: TimeConfig) -> pd.Series | None:
    """Parse in one vectorised call when nothing is unusual; ``None`` sends the caller to the diagnosis.

    Unusual means: a value that does not parse, offsets that differ, or offsets on some
    values only (pandas then warns or returns objects).
    """
    fmt = config.format or "ISO8601"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        except (ValueError, TypeError):
            return None
    if caught or not pd.api.types.is_datetime64_any_dtype(parsed):
        return None
    if (parsed.isna() & ~missing).any():
        return None
    if getattr(parsed.dt, "tz", None) is not None:
        # pandas reads a value without an offset as UTC when others have one: a silent guess
        rest = text[~missing & ~text.str.endswith(("Z", "z"), na=True)]  # most exports say Z; check the others
        if (~rest.str.contains(r"[+-]\d{2}:?\d{2}$", na=False)).any():
            return None
    return parsed


def _arrow_parse(values: pd.Series, config: TimeConfig) -> pd.Series | None:
    """Parse text in one multithreaded pass when every value is plain ISO 8601; ``None`` otherwise.

    pyarrow's ISO 8601 parser is stricter than pandas' (it refuses surrounding spaces,
    empty text, out-of-range dates and more than nine decimals) and accepts no value
    pandas reads differently, so whatever it parses, pandas would have parsed to the
    same instant. It is used when all values end in ``Z`` (UTC) or none carries an
    offset (local time, localised as usual); anything else -- missing values, other
    offsets, a ``time.format`` -- goes the full way with its diagnosis. Text kept coded
    (a Categorical column) is parsed once per distinct text in use; an Arrow string
    column is parsed where it is.
    """
    if config.format is not None or len(values) == 0:
        return None
    import pyarrow as pa

    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.cat.codes)
        if (codes < 0).any():
            return None  # a missing value: the full way
        used = np.flatnonzero(np.bincount(codes, minlength=len(values.cat.categories)))
        distinct = np.asarray(values.cat.categories, dtype=object)[used]
        parsed = _arrow_cast(distinct)
        if parsed is None:
            return None
        position = np.empty(len(values.cat.categories), dtype=np.int64)
        position[used] = np.arange(len(used))  # category code -> position among the parsed texts
        return pd.Series(parsed.array.take(position[codes]), index=values.index)
    if isinstance(values.dtype, pd.ArrowDtype):
        text = pa.array(values.array)
        if not pa.types.is_string(text.type):
            return None
    elif values.dtype == object:
        text = values.to_numpy()
    else:
        return None
    parsed = _arrow_cast(text)
    return None if parsed is None else parsed.set_axis(values.index)


def _arrow_cast(values: object) -> pd.Series | None:
    """ISO 8601 text (objects or an Arrow array) cast by pyarrow; ``None`` for a missing value or any doubt."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(
            values, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if text.null_count:
        return None
    aware = bool(pc.all(pc.ends_with(text, "Z")).as_py())
    try:
        parsed = _cast_in_parts(text, pa.timestamp("ns", "UTC") if aware else pa.timestamp("ns"))
    except (pa.ArrowException, ValueError):
        return None
    return pd.Series(parsed.to_pandas())


def _cast_in_parts(text: Any, to: Any) -> Any:
    """``pyarrow.compute.cast(text, to)``, the parts of a long column cast side by side on pyarrow's CPUs.

    The parts are contiguous slices cast independently, so the result is the same
    whatever the number of threads; any part that fails raises as the whole cast would.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n, workers = len(text), min(pa.cpu_count(), max(1, len(text) // _CAST_PART))
    if workers < 2:
        return pc.cast(text, to)
    from concurrent.futures import ThreadPoolExecutor

    bounds = [n * k // workers for k in range(workers + 1)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(lambda k: pc.cast(text.slice(bounds[k], bounds[k + 1] - bounds[k]), to), range(workers)))
    chunks = [c for part in parts for c in (part.chunks if isinstance(part, pa.ChunkedArray) else [part])]
    return pa.chunked_array(chunks, type=to)


def parse_timestamps(values: pd.Series, config: TimeConfig, *, column: str, required: bool) -> ParsedTimestamps:
    """Parse one timestamp column to ``datetime64[ns, UTC]``.

    Parameters
    ----------
    values : Series
        Strings, datetimes or a datetime column (aware or naive).
    config : TimeConfig
        Format, day-first, time zone of naive values, mixed-offset policy.
    column : str
        The canonical column name, for messages.
    required : bool
        If true, a missing value is an error; otherwise it stays ``NaT``.
    """
    values = values.reset_index(drop=True)
    fast_text = _arrow_parse(values, config)
    if fast_text is not None:
        if getattr(fast_text.dt, "tz", None) is not None:
            return ParsedTimestamps(fast_text.astype("datetime64[ns, UTC]", copy=False))  # new values: no copy
        utc, amb, non = _localise(fast_text.astype("datetime64[ns]", copy=False), config.timezone)
        return ParsedTimestamps(
            utc.astype("datetime64[ns, UTC]"), localised_from=config.timezone, ambiguous=amb, nonexistent=non
        )
    if is_coded(values):  # coded text the fast pass could not take: the text reader's column, the full way
        values = pd.Series(object_values(values))
    missing = values.isna() | (values.astype("string").str.strip() == "")
    if required and missing.any():
        row, _ = _first_bad(values, missing.to_numpy())
        raise EventLogError(
            f"column '{column}': {int(missing.sum()):,} events have no timestamp (first: row {row}); "
            "fill them in the export or remove those rows"
        )

    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dt, "tz", None) is not None:
            return ParsedTimestamps(values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"))
        utc, amb, non = _localise(values.astype("datetime64[ns]"), config.timezone)
        return ParsedTimestamps(utc.astype("datetime64[ns, UTC]"), localised_from=config.timezone, ambiguous=amb, nonexistent=non)

    present = values[~missing]
    is_obj_datetime = len(present) and all(isinstance(v, pd.Timestamp) or hasattr(v, "tzinfo") for v in present.head(50))
    if is_obj_datetime:
        aware = present.map(lambda v: getattr(v, "tzinfo", None) is not None)
        if aware.all():
            return ParsedTimestamps(pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]"))
        if aware.any():
            row, val = _first_bad(present, ~aware.to_numpy())
            raise EventLogError(
                f"column '{column}': mixes timestamps with and without a UTC offset (first without: {val!r}); "
                "export all timestamps the same way"
            )
        naive = pd.to_datetime(values)
        utc, amb, non = _localise(naive, config.timezone)
        return ParsedTimestamps(utc.astype("datetime64[ns, UTC]"), localised_from=config.timezone, ambiguous=amb, nonexistent=non)

    text = values.astype("string").str.strip().mask(missing)
    fast = _fast_parse(text, missing, config)
    if fast is not None:
        if getattr(fast.dt, "tz", None) is not None:
            return ParsedTimestamps(fast.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"))
        utc, amb, non = _localise(fast.astype("datetime64[ns]"), config.timezone)
        return ParsedTimestamps(
            utc.astype("datetime64[ns, UTC]"), localised_from=config.timezone, ambiguous=amb, nonexistent=non
        )
    with_time = text.str.contains(_HAS_TIME, na=False)
    offsets = text.where(with_time).str.extract(r"((?:[Zz]|[+-]\d{2}:?\d{2}))$", expand=False)
    has_offset = offsets.notna()
    n_aware, n_naive = int(has_offset.sum()), int((~has_offset & ~missing).sum())
    if n_aware and n_naive:
        first_naive = int(np.flatnonzero((~has_offset & ~missing).to_numpy())[0])
        raise EventLogError(
            f"column '{column}': {n_aware:,} timestamps carry a UTC offset and {n_naive:,} do not "
            f"(first without: row {first_naive + 1}, {text.iloc[first_naive]!r}); "
            "export all timestamps the same way (all with an offset, or all local time)"
        )
    distinct: tuple[str, ...] = ()
    if n_aware:
        norm = offsets[has_offset].str.upper().str.replace("Z", "+00:00", regex=False).str.replace(
            r"^([+-]\d{2})(\d{2})$", r"\1:\2", regex=True
        )
        distinct = tuple(sorted(norm.unique()))
        if len(distinct) > 1 and config.mixed_offsets == "error":
            counts = norm.value_counts()
            shown = ", ".join(f"{off} in {n:,} rows" for off, n in counts.head(4).items())
            raise EventLogError(
                f"column '{column}': timestamps carry {len(distinct)} different UTC offsets ({shown}); "
                "set time.mixed_offsets: convert in the log config to convert them all to UTC exactly"
            )
    parsed = _parse_strings(text, config, column, utc=bool(n_aware))
    bad = (parsed.isna() & ~missing).to_numpy()
    if bad.any():
        row, val = _first_bad(values, bad)
        fmt = f"the format {config.format!r}" if config.format else "ISO 8601 or a common date form"
        raise EventLogError(
            f"column '{column}': {int(bad.sum()):,} values could not be parsed as dates with {fmt} "
            f"(first: row {row}, {val!r}); set time.format in the log config (e.g. '%d-%m-%Y %H:%M')"
        )
    if n_aware:
        return ParsedTimestamps(
            parsed.astype("datetime64[ns, UTC]"), converted_offsets=distinct if len(distinct) > 1 else ()
        )
    utc, amb, non = _localise(parsed.astype("datetime64[ns]"), config.timezone)
    return ParsedTimestamps(
        utc.astype("datetime64[ns, UTC]"), localised_from=config.timezone, ambiguous=amb, nonexistent=non
    )


#: The finding for a log whose timestamps are dates without a time of day.
DATES_ONLY = "timestamps with a date only"
DATES_ONLY_DETAIL = ("no time of day in the log: durations count whole days, and working hours and the order of a "
                     "day's events cannot be learned from it")


def dates_only(utc: pd.Series, zone: str, *, at_least: int = 20) -> bool:
    """Whether every timestamp (UTC) is a local midnight in ``zone``: the export kept dates only.

    A log with times of day shows more than two distinct times of day (in UTC: one per offset of
    the zone) among its first thousand values, so the common case costs one small ``unique``.
    """
    if not hasattr(utc.array, "asi8"):
        return False
    day, nat = 86_400_000_000_000, np.iinfo(np.int64).min
    head = utc.array.asi8[:1000]
    if np.unique(head[head != nat] % day).size > 2:  # the common case: a log with times of day
        return False
    ns = utc.array.asi8
    ns = ns[ns != nat]
    if len(ns) < at_least:
        return False
    tod = ns % day
    times = np.unique(tod)
    if times.size > 2:
        return False
    first = [int(ns[np.argmax(tod == t)]) for t in times]
    local = pd.to_datetime(first, utc=True).tz_convert(zone)
    return bool(((local.hour == 0) & (local.minute == 0) & (local.second == 0)).all())
