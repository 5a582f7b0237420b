"""A canonical event log kept as Parquet, partitioned by case, read back one bucket at a time.

Every case lies wholly in one bucket (a stable hash of its id, modulo the bucket count),
so a bucket is a set of whole cases and the desk's questions can be answered bucket by
bucket (:func:`workbench.analysis.out_of_core.answer_partitioned_log`) with only one
bucket in memory. The folder is a hive-style Parquet dataset that pyarrow, DuckDB, Dask
or Spark read as they are::

    <folder>/_log.json                      bucket count, column dtypes, number of writes
    <folder>/bucket=07/part-00000.parquet   the events of bucket 7 from the first write
    <folder>/bucket=07/part-00001.parquet   ... from the second (``append=True``)

Rows keep the order they were written in, sorted by case and time within each write,
and a bucket read back has the dtypes of the frame that was written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from workbench.errors import EventLogError, OutputError, SourceError
from workbench.schema import CASE_ID, TIMESTAMP, check_canonical

__all__ = ["PartitionedLog", "case_buckets", "open_partitioned_log", "write_partitioned_log"]

#: The file describing the log, next to the bucket folders.
META_FILE = "_log.json"
_FORMAT = "workbench partitioned event log"
_VERSION = 1
#: The key of pandas' SipHash of the case ids: fixed, so a case lands in the same bucket on every write.
_HASH_KEY = "workbench-cases!"


def case_buckets(case_ids: pd.Series | Sequence[object], buckets: int) -> np.ndarray:
    """The bucket (``0 .. buckets - 1``) of each case id: a stable hash of its text, modulo ``buckets``.

    Examples
    --------
    >>> case_buckets(["T1", "T2", "T1"], 8).tolist()
    [0, 1, 0]
    """
    codes, uniques = pd.factorize(pd.Series(case_ids, dtype="object"), sort=False)
    text = np.asarray([str(u) for u in uniques], dtype=object)
    hashed = pd.util.hash_array(text, hash_key=_HASH_KEY, categorize=False)
    return (hashed % np.uint64(buckets)).astype("int64")[codes]


@dataclass(frozen=True)
class PartitionedLog:
    """An event log stored as Parquet partitioned by case (open one with :func:`open_partitioned_log`).

    Attributes
    ----------
    path : pathlib.Path
        The folder.
    buckets : int
        The number of buckets cases are hashed into.
    dtypes : tuple of (str, str)
        The columns and their pandas dtypes, as written.
    writes : int
        How many writes (the first and each append) made the log.
    missing : tuple of (str, str)
        For object columns with missing values: which missing value they held (``"NA"``,
        ``"None"`` or ``"NaN"``); Parquet keeps only that a value is missing.
    """

    path: Path
    buckets: int
    dtypes: tuple[tuple[str, str], ...]
    writes: int
    missing: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> list[str]:
        return [name for name, _ in self.dtypes]

    def bucket_folder(self, bucket: int) -> Path:
        return self.path / f"bucket={bucket:0{_width(self.buckets)}d}"

    def present_buckets(self) -> list[int]:
        """The buckets that hold events, in order."""
        return [b for b in range(self.buckets) if any(self.bucket_folder(b).glob("part-*.parquet"))]

    def read_bucket(self, bucket: int, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The events of one bucket (whole cases), with the dtypes they were written with."""
        if not 0 <= bucket < self.buckets:
            raise SourceError(f"partitioned log {self.path}: no bucket {bucket}; buckets are 0 to {self.buckets - 1}")
        files = sorted(self.bucket_folder(bucket).glob("part-*.parquet"))
        wanted = list(columns) if columns is not None else self.columns
        if not files:
            return pd.DataFrame({c: pd.Series(dtype=d) for c, d in self.dtypes if c in wanted})
        table = ds.dataset([str(f) for f in files], format="parquet").to_table(columns=wanted)
        frame = table.to_pandas()
        for name, dtype in self.dtypes:
            if name in frame.columns and str(frame[name].dtype) != dtype:
                frame[name] = frame[name].astype(dtype)
        for name, marker in self.missing:
            if name in frame.columns and marker != "None" and table.column(name).null_count:
                values = frame[name].to_numpy(dtype=object, copy=True)
                values[pd.isna(values)] = _MARKERS[marker]
                frame[name] = pd.Series(values, index=frame.index, dtype=object)
        return frame

    def iter_buckets(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """Every non-empty bucket in turn: only one is in memory at a time."""
        for bucket in self.present_buckets():
            yield self.read_bucket(bucket, columns)

    def scan(self, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        """Stream ``columns`` of the whole log as Arrow record batches (for whole-log facts)."""
        dataset = ds.dataset(str(self.path), format="parquet", partitioning="hive")
        yield from dataset.to_batches(columns=list(columns))

    def __len__(self) -> int:
        """The number of events (from the Parquet footers, without reading the data)."""
        return sum(pq.ParquetFile(f).metadata.num_rows for f in self.path.glob("bucket=*/part-*.parquet"))


def open_partitioned_log(path: str | Path) -> PartitionedLog:
    """Open the partitioned log in the folder ``path`` (a :class:`SourceError` when it is not one)."""
    path = Path(path)
    if not path.is_dir():
        raise SourceError(f"partitioned log {path}: no such folder; write one with write_partitioned_log "
                          f"(or check the path)")
    meta_path = path / META_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(f"{path} is not a partitioned event log: it has no {META_FILE}; write one with "
                          f"write_partitioned_log") from None
    except (OSError, ValueError) as exc:
        raise SourceError(f"partitioned log {path}: {META_FILE} cannot be read ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT or meta.get("version") != _VERSION:
        raise SourceError(f"partitioned log {path}: {META_FILE} is not version {_VERSION} of the "
                          f"'{_FORMAT}' format; write the log again with write_partitioned_log")
    return PartitionedLog(path=path, buckets=int(meta["buckets"]),
                          dtypes=tuple((str(c), str(d)) for c, d in meta["dtypes"]), writes=int(meta["writes"]),
                          missing=tuple((str(c), str(m)) for c, m in meta.get("missing", [])))


def write_partitioned_log(events: pd.DataFrame, path: str | Path, *, buckets: int = 32, append: bool = False
                          ) -> PartitionedLog:
    """Write a canonical event log to ``path`` as Parquet partitioned by case.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical event log (see :mod:`workbench.schema`), usually from ``load_log``.
    path : str or Path
        The folder; it must not exist or be empty, unless ``append``.
    buckets : int
        How many buckets the cases are hashed into. Choose it so that one bucket fits in
        memory several times over (a bucket holds about ``len(log) / buckets`` events).
    append : bool
        Add ``events`` to the log already in ``path`` (same columns and dtypes, same bucket
        count). A case written over several calls still lies in one bucket, which is read
        whole, so the questions' answers do not depend on how the log was written.

    Returns
    -------
    PartitionedLog
        The log as written.
    """
    check_canonical(events, what="partitioned log", allow_empty=False)
    if buckets < 1:
        raise EventLogError(f"buckets must be at least 1, got {buckets}")
    path = Path(path)
    dtypes = tuple((str(c), str(t)) for c, t in events.dtypes.items())
    writes = 0
    missing = _missing_markers(events)
    if append and (path / META_FILE).exists():
        log = open_partitioned_log(path)
        if log.buckets != buckets:
            raise EventLogError(f"partitioned log {path} has {log.buckets} buckets; append with buckets={log.buckets}")
        if log.dtypes != dtypes:
            raise EventLogError(f"partitioned log {path}: the columns {dict(dtypes)} differ from the log's "
                                f"{dict(log.dtypes)}; append events with the same columns and dtypes")
        writes = log.writes
        missing = {**missing, **dict(log.missing)}  # the first write's marker stays
    elif path.exists() and any(path.iterdir()):
        raise OutputError(f"{path} exists and is not empty; write the partitioned log to a new folder "
                          f"(or pass append=True to add to a partitioned log there)")
    bucket = case_buckets(events[CASE_ID], buckets)
    order = pd.DataFrame({"b": bucket, "c": events[CASE_ID].to_numpy(), "t": events[TIMESTAMP].to_numpy()}) \
        .sort_values(["b", "c", "t"], kind="stable").index.to_numpy()
    try:
        table = pa.Table.from_pandas(events.take(order), preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise EventLogError(f"partitioned log: the events cannot be stored as Parquet ({exc})") from None
    counts = np.bincount(bucket, minlength=buckets)
    start = 0
    for b in range(buckets):
        n = int(counts[b])
        if n:
            folder = Path(path) / f"bucket={b:0{_width(buckets)}d}"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(table.slice(start, n), folder / f"part-{writes:05d}.parquet")
        start += n
    meta = {"format": _FORMAT, "version": _VERSION, "buckets": buckets, "dtypes": [list(d) for d in dtypes],
            "writes": writes + 1, "missing": [list(m) for m in missing.items()]}
    tmp = path / f".{META_FILE}.tmp"
    tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    os.replace(tmp, path / META_FILE)
    return PartitionedLog(path=path, buckets=buckets, dtypes=dtypes, writes=writes + 1,
                          missing=tuple(missing.items()))


_MARKERS: dict[str, object] = {"NA": pd.NA, "NaN": np.nan, "None": None}


def _missing_markers(events: pd.DataFrame) -> dict[str, str]:
    """For each object column with a missing value: the kind of its first missing value."""
    out: dict[str, str] = {}
    for name in events.columns:
        column = events[name]
        if column.dtype != object:
            continue
        gaps = column[column.isna()]
        if len(gaps):
            first = gaps.iloc[0]
            out[str(name)] = "NA" if first is pd.NA else "None" if first is None else "NaN"
    return out


def _width(buckets: int) -> int:
    return max(2, len(str(buckets - 1)))
