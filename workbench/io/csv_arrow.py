"""Read a plain UTF-8 CSV file with pyarrow's multithreaded parser, exactly as the C engine would read it.

:func:`read_csv_table` parses the file into an Arrow table of text columns (or returns
``None`` when the two engines could read it differently: the caller then uses pandas'
C engine, which also gives the one-line error for a broken file). Columns whose first
rows repeat their values (status, team, case id, ...) are parsed straight into
dictionary-encoded columns: each distinct text is kept once, with one integer code per
row.

Two conversions to pandas:

- :func:`text_frame`: text columns of ``str`` with ``NaN`` for missing values, the
  frame ``pandas.read_csv(dtype=str, keep_default_na=False, engine="c")`` gives;
- :func:`coded_frame`: the same values, kept coded -- a dictionary column becomes a
  ``Categorical`` (its categories are the distinct texts in order of first appearance),
  any other column an Arrow-backed string column. Cleaning works on the codes and
  gives back the text frame's columns (see :func:`workbench.cleaning.decoded`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from workbench.config import SourceConfig
from workbench.io.limits import CsvBytes

__all__ = ["read_csv_table", "text_frame", "coded_frame"]

#: the first rows, used to decide which columns are dictionary-encoded
_SAMPLE_ROWS = 4096


def _repeats(column: pa.Array | pa.ChunkedArray) -> bool:
    """True when at most half of the first rows hold distinct values (worth one code per row)."""
    head = column.slice(0, _SAMPLE_ROWS)
    return len(head) == 0 or pc.count_distinct(head, mode="all").as_py() <= len(head) // 2


def read_csv_table(path: Path, config: SourceConfig, scan: CsvBytes | None = None) -> pa.Table | None:
    """The file's rows as an Arrow table of text (dictionary or string) columns; ``None`` if unsure.

    ``None`` for whatever pyarrow and the C engine could read differently: a header with
    repeated or empty names, rows with more or fewer fields, bytes that are not UTF-8, a
    NUL byte, quoting the parser rejects. ``scan`` is what
    :func:`workbench.io.limits.check_csv_file` saw in the file; without it the file is
    read into memory and looked at here.
    """
    sep = config.delimiter
    try:
        if scan is None:
            raw = path.read_bytes()
            scan = CsvBytes(quote=b'"' in raw, nul=b"\x00" in raw)
            data = pa.py_buffer(raw)

            def source() -> pa.NativeFile:
                return pa.BufferReader(data)
        else:
            def source() -> pa.NativeFile:
                return pa.OSFile(str(path))  # read by pyarrow's own threads; no decompression by name
    except OSError:
        return None
    if scan.nul:
        return None  # the C engine treats a NUL byte its own way
    # a quoted field may hold a line break only when the file has a quote at all; telling the
    # parser so costs a slower, serial scan, so it is asked only then
    parse = pacsv.ParseOptions(delimiter=sep, newlines_in_values=scan.quote, double_quote=True)
    try:
        with source() as stream, pacsv.open_csv(stream, read_options=pacsv.ReadOptions(block_size=1 << 20),
                                                parse_options=parse) as head:
            names = [str(n) for n in head.schema.names]
    except (pa.ArrowException, OSError, UnicodeError, ValueError):
        return None
    if not names or len(set(names)) != len(names) or any(not n.strip() for n in names):
        return None  # the C engine renames such columns ('a.1', 'Unnamed: 0')
    try:
        convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                       null_values=list(config.na_values), strings_can_be_null=True,
                                       quoted_strings_can_be_null=True)
        with source() as stream:
            table = pacsv.read_csv(stream, read_options=pacsv.ReadOptions(use_threads=True, encoding="utf8"),
                                   parse_options=parse, convert_options=convert)
    except (pa.ArrowException, OSError, UnicodeError, ValueError):
        return None
    if table.column_names != names:
        return None
    return pa.table(_encoded(table.columns), names=names)


def _encoded(columns: list[pa.ChunkedArray]) -> list[pa.Array | pa.ChunkedArray]:
    """``columns`` with the repeated text dictionary-encoded (one dictionary per column).

    The columns are encoded side by side on pyarrow's number of CPUs (``pyarrow.cpu_count``,
    the threads its CSV reader uses too); the result does not depend on it.
    """
    chosen = [i for i, column in enumerate(columns) if _repeats(column)]

    def encode(i: int) -> pa.Array:
        return pc.dictionary_encode(columns[i]).combine_chunks()

    workers = min(len(chosen), pa.cpu_count())
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            encoded = dict(zip(chosen, pool.map(encode, chosen), strict=True))
    else:
        encoded = {i: encode(i) for i in chosen}
    return [encoded.get(i, column) for i, column in enumerate(columns)]


def _codes_and_texts(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A dictionary column's codes (``-1`` for missing) and its distinct texts (``str`` objects)."""
    if column.num_chunks == 0:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=object)
    dictionary = column.chunk(0).dictionary  # one chunk: the column was combined after encoding
    parts = [(pc.fill_null(chunk.indices, -1) if chunk.null_count else chunk.indices).to_numpy()
             for chunk in column.chunks]
    codes = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return codes.astype(np.int32, copy=False), dictionary.to_numpy(zero_copy_only=False).astype(object)


def _text_values(column: pa.ChunkedArray) -> np.ndarray:
    """``str`` objects with ``NaN`` for missing values, as the C engine gives."""
    if pa.types.is_dictionary(column.type):
        codes, texts = _codes_and_texts(column)
        return np.append(texts, np.nan)[codes]  # one Python string per distinct text, shared by its rows
    values = column.to_numpy(zero_copy_only=False)
    if column.null_count:
        values[np.asarray(column.is_null())] = np.nan
    return values


def text_frame(table: pa.Table) -> pd.DataFrame:
    """The frame of ``str`` cells and ``NaN`` for missing values that the C engine reads (``dtype=str``)."""
    columns = {name: _text_values(column) for name, column in zip(table.column_names, table.columns, strict=True)}
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False)


def coded_frame(table: pa.Table) -> pd.DataFrame:
    """The same values kept coded: ``Categorical`` for dictionary columns, Arrow strings for the others.

    ``text_frame(table)`` equals this frame with every column turned back into ``str``
    objects and ``NaN`` (:func:`workbench.cleaning.object_values`).
    """
    columns: dict[str, object] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_dictionary(column.type):
            codes, texts = _codes_and_texts(column)
            dtype = pd.CategoricalDtype(pd.Index(texts, dtype=object))
            columns[name] = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
        else:
            columns[name] = pd.arrays.ArrowExtensionArray(column)
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False)
