"""Readers: one function per source kind, each returning the source's table unchanged.

Mapping to the canonical schema is :func:`workbench.io.mapping.to_canonical`; the
readers only get the rows out of the file or database, or raise one clear
:class:`~workbench.errors.SourceError`.
"""

from __future__ import annotations

import codecs
import gzip
import os
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from workbench.cleaning import CODED_TEXT
from workbench.config import SourceConfig
from workbench.errors import EventLogError, SourceError, reading
from workbench.io.csv_arrow import coded_frame, read_csv_table, text_frame
from workbench.io.limits import check_columns, check_csv_file, check_xml_file, xml_error_line
from workbench.io.sniff import sniff_format, wide_encoding

__all__ = ["read_source", "read_csv", "read_csv_coded", "read_xes", "read_parquet", "read_sql", "open_engine", "Reader", "NESTED_COLUMNS"]

_NAMES = {
    "xml": "an XML file",
    "text": "a text (CSV) file",
    "parquet": "a Parquet file",
    "zip": "a ZIP archive (an Excel .xlsx file is one; export the sheet as CSV)",
    "sqlite": "a SQLite database (use source.kind: sql with url: sqlite:///<path>)",
    "pdf": "a PDF document",
    "binary": "a binary file",
    "empty": "an empty file",
    "gzip:corrupt": "a damaged gzip file",
}


def _describe(kind: str) -> str:
    if kind.startswith("gzip:") and kind != "gzip:corrupt":
        return "a gzip-compressed " + _NAMES.get(kind[5:], kind[5:]).removeprefix("a ").removeprefix("an ")
    return _NAMES.get(kind, kind)


def _check_file(path: Path, expected: str, allowed: tuple[str, ...], encoding: str | None = None) -> str:
    if not path.exists():
        raise SourceError(f"input file '{path}' does not exist; check source.path in the log config")
    if path.is_dir():
        raise SourceError(f"input path '{path}' is a folder; source.path must name a file")
    try:
        kind = sniff_format(path, encoding)
    except PermissionError:
        raise SourceError(f"input file '{path}' cannot be read: permission denied") from None
    except OSError as exc:
        raise SourceError(f"input file '{path}' cannot be read: {exc.strerror or exc}") from None
    if kind == "gzip:corrupt":
        raise SourceError(
            f"file '{path}' is a damaged gzip file (it ends early or its data is corrupt: a truncated "
            "download or copy?); get the file again"
        )
    if kind == "empty" or kind == "gzip:empty":
        raise EventLogError(f"the log is empty: '{path}' has no content; export the events again")
    if kind not in allowed:
        raise SourceError(
            f"file '{path}' does not look like {expected}: it looks like {_describe(kind)}; "
            f"fix the file or set source.kind in the log config"
        )
    return kind


def _encoding_error_line(path: Path, encoding: str, compressed: bool) -> str:
    import gzip

    opener = gzip.open if compressed else open
    line = 1
    with opener(path, "rb") as fh:
        for raw in fh:
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as exc:
                bad = raw[exc.start : exc.start + 1].hex()
                return f"line {line} (byte 0x{bad})"
            line += 1
    return "an unknown line"


def read_csv(config: SourceConfig) -> pd.DataFrame:
    """Read a CSV file as text columns (parsing of timestamps happens in cleaning)."""
    return _read_csv(config, coded=False)


def read_csv_coded(config: SourceConfig) -> pd.DataFrame:
    """Read a CSV file like :func:`read_csv`, keeping repeated text coded where the fast reader can.

    The values are those of :func:`read_csv`; a plain UTF-8 file read by pyarrow gives
    ``Categorical`` columns for repeated text and Arrow string columns for the rest
    (:func:`workbench.io.csv_arrow.coded_frame`), which mapping and cleaning take as
    they are and turn back into ``str`` objects at the end. Any other file is read by
    the C engine, as :func:`read_csv` reads it.
    """
    return _read_csv(config, coded=True)


def _read_csv(config: SourceConfig, *, coded: bool) -> pd.DataFrame:
    path = Path(config.path)  # type: ignore[arg-type]
    kind = _check_file(path, "a CSV file", ("text", "gzip:text"), config.encoding)
    encoding = "utf-8-sig" if config.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else config.encoding
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SourceError(
            f"unknown encoding {config.encoding!r} in source.encoding; use a name such as utf-8, utf-16 or cp1252"
        ) from None
    if len(config.delimiter) != 1:
        raise SourceError(
            f"source.delimiter must be one character (e.g. ',' or ';' or '\\t'), got {config.delimiter!r}"
        )
    compressed = kind.startswith("gzip")
    _check_bom(path, config.encoding, compressed)
    scan = check_csv_file(path, compressed=compressed, encoding=encoding, delimiter=config.delimiter,
                          limits=config.limits)
    table = None if compressed or encoding != "utf-8-sig" else read_csv_table(path, config, scan)
    if table is not None:
        fast = coded_frame(table) if coded else text_frame(table)
        if coded:
            fast.attrs[CODED_TEXT] = True
        check_columns(fast.shape[1], f"file '{path}'", config.limits)
        return fast
    try:
        frame = pd.read_csv(
            path,
            sep=config.delimiter,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            na_values=list(config.na_values),
            compression="gzip" if kind.startswith("gzip") else None,
            engine="c",
        )
    except UnicodeDecodeError:
        where = _encoding_error_line(path, encoding, kind.startswith("gzip"))
        raise SourceError(
            f"file '{path}' is not valid {config.encoding} text at {where}; "
            f"set source.encoding in the log config (e.g. cp1252 or latin-1)"
        ) from None
    except UnicodeError as exc:  # e.g. "UTF-16 stream does not start with BOM"
        raise SourceError(
            f"file '{path}' is not valid {config.encoding} text ({exc}); set source.encoding in the log config "
            "(utf-16-le or utf-16-be for UTF-16 without a byte-order mark)"
        ) from None
    except pd.errors.EmptyDataError:
        raise EventLogError(f"the log is empty: '{path}' has no header and no rows") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1].replace("Error tokenizing data. C error: ", "")
        raise SourceError(
            f"file '{path}' is not well-formed CSV: {detail}; check source.delimiter "
            f"(now {config.delimiter!r}) and quoting"
        ) from None
    except LookupError:
        raise SourceError(f"unknown encoding {config.encoding!r} in source.encoding") from None
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise SourceError(f"file '{path}' is a damaged gzip file; get the file again") from None
    except pd.errors.DtypeWarning:  # pragma: no cover - dtype=str reads every column as text
        raise
    check_columns(frame.shape[1], f"file '{path}'", config.limits)
    return frame


def _read_csv_arrow(path: Path, config: SourceConfig) -> pd.DataFrame | None:
    """Read a plain UTF-8 CSV file with pyarrow's multithreaded reader, as the C engine would; ``None`` if unsure.

    The result equals the C engine's (``dtype=str``, ``keep_default_na=False``,
    ``na_values``): text columns of ``str`` with ``NaN`` for missing values. Whatever
    the two engines could read differently returns ``None`` (see
    :func:`workbench.io.csv_arrow.read_csv_table`).
    """
    table = read_csv_table(path, config)
    return None if table is None else text_frame(table)


def _check_bom(path: Path, declared: str, compressed: bool) -> None:
    """Refuse a UTF-16/32 file (byte-order mark) whose config declares another encoding."""
    opener = gzip.open if compressed else open
    with opener(path, "rb") as fh:
        head = fh.read(4)
    wide = wide_encoding(head)
    name = declared.lower().replace("_", "-")
    if wide is not None and not name.replace("-", "").startswith(wide.replace("-", "")):
        raise SourceError(
            f"file '{path}' is {wide.upper()} text (it starts with a {wide.upper()} byte-order mark), but "
            f"source.encoding is {declared!r}; set source.encoding: {wide} in the log config"
        )


def read_xes(config: SourceConfig) -> pd.DataFrame:
    """Read an XES or XES.gz file through pm4py."""
    path = Path(config.path)  # type: ignore[arg-type]
    kind = _check_file(path, "an XES file", ("xml", "gzip:xml"))
    check_xml_file(path, compressed=kind.startswith("gzip"), limits=config.limits)
    import pm4py
    from lxml import etree

    etree.clear_error_log()
    try:
        frame = pm4py.read_xes(str(path), variant="iterparse", show_progress_bar=False)
    except etree.XMLSyntaxError as exc:
        raise SourceError(xml_error_line(path, exc)) from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"file '{path}' is not valid UTF-8 XML ({exc.reason}); re-export it as UTF-8") from None
    except (OSError, EOFError) as exc:
        raise SourceError(f"file '{path}' cannot be read as XES: {exc}") from None
    if not isinstance(frame, pd.DataFrame):
        frame = pm4py.convert_to_dataframe(frame)
    check_columns(frame.shape[1], f"file '{path}'", config.limits)
    return frame


def read_parquet(config: SourceConfig) -> pd.DataFrame:
    """Read a Parquet file."""
    path = Path(config.path)  # type: ignore[arg-type]
    _check_file(path, "a Parquet file", ("parquet",))
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        check_columns(len(schema.names), f"file '{path}'", config.limits)
        frame = pd.read_parquet(path)
    except SourceError:
        raise
    except Exception as exc:  # pyarrow raises many types for damaged files
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SourceError(f"file '{path}' cannot be read as Parquet: {detail}") from None
    nested = [f.name for f in schema if pa.types.is_nested(f.type) and f.name in frame.columns]
    if nested:
        frame = frame.copy()
        for name in nested:  # lists/structs/maps become JSON text; mapping one of them is refused later
            frame[name] = [_json_text(v) for v in frame[name]]
        frame.attrs[NESTED_COLUMNS] = tuple(nested)
    return frame


#: ``frame.attrs`` key naming the Parquet columns that held lists, structs or maps.
NESTED_COLUMNS = "workbench_nested_columns"


def _json_text(value: object) -> str | None:
    import json

    import numpy as np

    def plain(v: object) -> object:
        if isinstance(v, np.ndarray):
            return [plain(x) for x in v.tolist()]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    if value is None or (isinstance(value, float) and value != value):
        return None
    return json.dumps(plain(value), default=str, ensure_ascii=False)


def open_engine(config: SourceConfig) -> Any:
    """An SQLAlchemy engine for an SQL source (``source.url`` or ``source.url_env``), or one line saying why not."""
    import sqlalchemy as sa

    url = config.url
    if url is None and config.url_env is not None:
        url = os.environ.get(config.url_env)
        if not url:
            raise SourceError(
                f"source.url_env names the environment variable {config.url_env}, but it is not set; "
                "set it to the database URL, e.g. postgresql+psycopg://user@host/db"
            )
    try:
        engine = sa.create_engine(url)  # type: ignore[arg-type]
    except ImportError as exc:
        raise SourceError(_missing_driver(url or "", exc)) from None
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise SourceError(f"source.url is not a usable database URL: {str(exc).splitlines()[0]}") from None
    if engine.url.get_backend_name() == "sqlite":
        db = engine.url.database
        if db and db != ":memory:" and not Path(db).exists():
            raise SourceError(f"SQLite database '{db}' does not exist; check source.url")
    return engine


def read_sql(config: SourceConfig) -> pd.DataFrame:
    """Read a table, view or query through SQLAlchemy (SQLite, PostgreSQL, ... by URL)."""
    import sqlalchemy as sa

    engine = open_engine(config)
    shown = engine.url.render_as_string(hide_password=True)
    if config.table is not None:
        parts = config.table.split(".")
        table = sa.table(parts[-1], schema=parts[0] if len(parts) == 2 else None)
        statement = sa.select(sa.text("*")).select_from(table)
        what = f"table or view '{config.table}'"
    else:
        statement = sa.text(config.query)  # type: ignore[arg-type,assignment]
        what = "the query in source.query"
    try:
        with engine.connect() as conn:
            frame = pd.read_sql_query(statement, conn)
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise SourceError(f"cannot read {what} from database {shown}: {detail}") from None
    except ImportError as exc:
        raise SourceError(_missing_driver(shown, exc)) from None
    finally:
        engine.dispose()
    check_columns(frame.shape[1], what, config.limits)
    return frame


#: The pip extra of the workbench that installs the driver of a database URL's dialect.
_EXTRAS = {"postgresql": "postgres", "postgres": "postgres"}


def _missing_driver(url: str, exc: ImportError) -> str:
    dialect = url.split(":", 1)[0].split("+", 1)[0].lower()
    module = getattr(exc, "name", None) or str(exc)
    extra = _EXTRAS.get(dialect)
    fix = (f'install it with: pip install -e ".[{extra}]"' if extra
           else f"install the Python driver for {dialect or 'this database'} (module '{module}')")
    return f"the database driver for source.url ({dialect}) is not installed (no module '{module}'); {fix}"


#: A reader: a source config in, the source's rows out.
Reader = Callable[[SourceConfig], pd.DataFrame]

_READERS: Mapping[str, Reader] = MappingProxyType(
    {"csv": read_csv, "xes": read_xes, "parquet": read_parquet, "sql": read_sql}
)


def read_source(config: SourceConfig, *, readers: Mapping[str, Reader] | None = None) -> pd.DataFrame:
    """Read the source named by ``config`` and return its rows unchanged.

    ``readers`` adds readers for other source kinds (e.g. ``{"demo": ...}``, which
    :func:`workbench.io.load_log` passes from :mod:`workbench.demo.source`), so this
    module knows only files and databases.
    """
    kind = config.resolved_kind
    reader = (readers or {}).get(kind or "") or _READERS.get(kind or "")
    if reader is None:
        raise SourceError(f"no reader for source kind '{kind}' here; use workbench.io.load_log")
    with reading(config.path or config.table or config.url):
        frame = reader(config)
    if len(frame) == 0:
        where = config.path or config.table or "the query"
        raise EventLogError(f"the log is empty: {where} has no events (0 rows); check the export or the query")
    return frame
