"""Readers: one function per source kind, each returning the source's table unchanged.

Mapping to the canonical schema is :func:`workbench.io.mapping.to_canonical`; the
readers only get the rows out of the file or database, or raise one clear
:class:`~workbench.errors.SourceError`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from workbench.config import SourceConfig
from workbench.errors import EventLogError, SourceError
from workbench.io.sniff import sniff_format

__all__ = ["read_source", "read_csv", "read_xes", "read_parquet", "read_sql", "read_demo"]

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


def _check_file(path: Path, expected: str, allowed: tuple[str, ...]) -> str:
    if not path.exists():
        raise SourceError(f"input file '{path}' does not exist; check source.path in the log config")
    if path.is_dir():
        raise SourceError(f"input path '{path}' is a folder; source.path must name a file")
    kind = sniff_format(path)
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
    path = Path(config.path)  # type: ignore[arg-type]
    kind = _check_file(path, "a CSV file", ("text", "gzip:text"))
    encoding = "utf-8-sig" if config.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else config.encoding
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
    return frame


def read_xes(config: SourceConfig) -> pd.DataFrame:
    """Read an XES or XES.gz file through pm4py."""
    path = Path(config.path)  # type: ignore[arg-type]
    _check_file(path, "an XES file", ("xml", "gzip:xml"))
    import pm4py
    from lxml import etree

    try:
        frame = pm4py.read_xes(str(path), variant="iterparse", show_progress_bar=False)
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"file '{path}' is not well-formed XES/XML: {exc.msg} (line {exc.lineno})") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"file '{path}' is not valid UTF-8 XML ({exc.reason}); re-export it as UTF-8") from None
    except (OSError, EOFError) as exc:
        raise SourceError(f"file '{path}' cannot be read as XES: {exc}") from None
    if not isinstance(frame, pd.DataFrame):
        frame = pm4py.convert_to_dataframe(frame)
    return frame


def read_parquet(config: SourceConfig) -> pd.DataFrame:
    """Read a Parquet file."""
    path = Path(config.path)  # type: ignore[arg-type]
    _check_file(path, "a Parquet file", ("parquet",))
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for damaged files
        raise SourceError(f"file '{path}' cannot be read as Parquet: {str(exc).splitlines()[0]}") from None


def read_sql(config: SourceConfig) -> pd.DataFrame:
    """Read a table, view or query through SQLAlchemy (SQLite, PostgreSQL, ... by URL)."""
    import sqlalchemy as sa

    url = config.url
    if url is None and config.url_env is not None:
        url = os.environ.get(config.url_env)
        if not url:
            raise SourceError(
                f"source.url_env names the environment variable {config.url_env}, but it is not set; "
                "set it to the database URL, e.g. postgresql://user@host/db"
            )
    try:
        engine = sa.create_engine(url)  # type: ignore[arg-type]
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise SourceError(f"source.url is not a usable database URL: {str(exc).splitlines()[0]}") from None
    shown = engine.url.render_as_string(hide_password=True)
    if engine.url.get_backend_name() == "sqlite":
        db = engine.url.database
        if db and db != ":memory:" and not Path(db).exists():
            raise SourceError(f"SQLite database '{db}' does not exist; check source.url")
    if config.table is not None:
        parts = config.table.split(".")
        table = sa.table(parts[-1], schema=parts[0] if len(parts) == 2 else None)
        statement = sa.select(sa.text("*")).select_from(table)
        what = f"table or view '{config.table}'"
    else:
        statement = sa.text(config.query)  # type: ignore[arg-type]
        what = "the query in source.query"
    try:
        with engine.connect() as conn:
            frame = pd.read_sql_query(statement, conn)
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise SourceError(f"cannot read {what} from database {shown}: {detail}") from None
    finally:
        engine.dispose()
    return frame


def read_demo(config: SourceConfig) -> pd.DataFrame:
    """Generate the built-in demo log (seeded) in its source-system form."""
    from workbench.demo import DemoParams, generate_demo_log

    return generate_demo_log(DemoParams(days=config.days), seed=config.seed).events


_READERS = {"csv": read_csv, "xes": read_xes, "parquet": read_parquet, "sql": read_sql, "demo": read_demo}


def read_source(config: SourceConfig) -> pd.DataFrame:
    """Read the source named by ``config`` and return its rows unchanged."""
    kind = config.resolved_kind
    frame = _READERS[kind](config)  # type: ignore[index]
    if len(frame) == 0:
        where = config.path or config.table or "the query"
        raise EventLogError(f"the log is empty: {where} has no events (0 rows); check the export or the query")
    return frame
