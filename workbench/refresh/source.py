"""Read the SQL source for a refresh: its schema, and the rows changed since a watermark.

Only the columns the log config uses (plus the key and the watermark) are read and kept:
a column of the ticket system that the workbench does not use never reaches the store.
Person identifiers are pseudonymised here, at load, with the same keyed pseudonyms
:func:`workbench.io.prepare_log` gives them, so the store never holds them in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.config import LogConfig, SourceConfig
from workbench.errors import SourceError
from workbench.io.readers import open_engine
from workbench.privacy import pseudonymise_series, resolve_secret
from workbench.refresh.config import RefreshPlan

__all__ = [
    "SourceSchema",
    "configured_columns",
    "person_source_columns",
    "key_check",
    "open_engine",
    "read_schema",
    "read_rows",
    "normalise",
    "pseudonymise_rows",
]


@dataclass(frozen=True)
class SourceSchema:
    """The source's columns in order, each with its type family (``text``, ``integer``, ``timestamp``, ...)."""

    where: str
    columns: dict[str, str]


def configured_columns(plan: RefreshPlan) -> dict[str, str]:
    """Source column -> the role the log config gives it (``columns.activity``, ``case_attributes.user``, ...)."""
    log = plan.log
    roles: dict[str, str] = {}
    for role, src in log.columns.model_dump().items():
        if src is not None:
            roles.setdefault(src, f"columns.{role}")
    for name, src in log.case_attributes.items():
        roles.setdefault(src, f"case_attributes.{name}")
    for name, src in log.event_attributes.items():
        roles.setdefault(src, f"event_attributes.{name}")
    for src in plan.key:
        roles.setdefault(src, "key")
    roles.setdefault(plan.watermark, "watermark")
    return roles


def person_source_columns(log: LogConfig) -> dict[str, str]:
    """Source column -> pseudonym prefix, exactly as :func:`workbench.io.prepare_log` pseudonymises."""
    if not log.privacy.pseudonymise:
        return {}
    out: dict[str, str] = {}
    if log.columns.resource is not None:
        out[log.columns.resource] = "staff"
    for name in log.person_columns:
        src = log.case_attributes.get(name) or log.event_attributes.get(name)
        if src is not None:
            out.setdefault(src, name)
    return out


def key_check(key: bytes) -> str:
    """A fingerprint of the pseudonymisation key (HMAC of a fixed text): same key, same fingerprint."""
    return hmac.new(key, b"workbench refresh store", hashlib.sha256).hexdigest()[:16]


def _family(sql_type: Any) -> str:
    import sqlalchemy as sa

    if isinstance(sql_type, sa.types.DateTime):
        return "timestamptz" if getattr(sql_type, "timezone", False) else "timestamp"
    if isinstance(sql_type, sa.types.Date):
        return "date"
    if isinstance(sql_type, sa.types.Boolean):
        return "boolean"
    if isinstance(sql_type, sa.types.Integer):
        return "integer"
    if isinstance(sql_type, (sa.types.Numeric, sa.types.Float)):
        return "number"
    if isinstance(sql_type, (sa.types.String, sa.types.Enum)):
        return "text"
    return "unknown"


def _fail(engine: Any, what: str, exc: Exception) -> SourceError:
    shown = engine.url.render_as_string(hide_password=True)
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return SourceError(f"cannot read {what} from database {shown}: {detail}")


def read_schema(engine: Any, source: SourceConfig) -> SourceSchema:
    """The source's column names and type families (types only for a table or view, not a query)."""
    import sqlalchemy as sa

    if source.table is not None:
        parts = source.table.split(".")
        name, schema = parts[-1], (parts[0] if len(parts) == 2 else None)
        what = f"table or view '{source.table}'"
        try:
            columns = sa.inspect(engine).get_columns(name, schema=schema)
        except sa.exc.NoSuchTableError:
            raise SourceError(f"{what} does not exist in the database; check source.table") from None
        except sa.exc.SQLAlchemyError as exc:
            raise _fail(engine, what, exc) from None
        return SourceSchema(what, {str(c["name"]): _family(c["type"]) for c in columns})
    what = "the query in source.query"
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(f"SELECT * FROM ({source.query}) AS src WHERE 1 = 0"))
            names = list(result.keys())
    except sa.exc.SQLAlchemyError as exc:
        raise _fail(engine, what, exc) from None
    return SourceSchema(what, {str(n): "unknown" for n in names})


def read_rows(engine: Any, source: SourceConfig, columns: list[str], watermark: str, since: Any) -> pd.DataFrame:
    """The configured ``columns`` of every source row whose ``watermark`` is at least ``since`` (all when None)."""
    import sqlalchemy as sa

    quote = engine.dialect.identifier_preparer.quote
    if source.table is not None:
        parts = source.table.split(".")
        origin = ".".join(quote(p) for p in parts)
        what = f"table or view '{source.table}'"
    else:
        origin = f"({source.query}) AS src"
        what = "the query in source.query"
    sql = f"SELECT {', '.join(quote(c) for c in columns)} FROM {origin}"
    params: dict[str, Any] = {}
    if since is not None:
        sql += f" WHERE {quote(watermark)} >= :since"
        params["since"] = since
    try:
        with engine.connect() as conn:
            frame = pd.read_sql_query(sa.text(sql), conn, params=params)
    except sa.exc.SQLAlchemyError as exc:
        raise _fail(engine, what, exc) from None
    return frame


def normalise(frame: pd.DataFrame, families: dict[str, str]) -> pd.DataFrame:
    """One dtype per column, whatever a batch of rows happens to hold (so batches merge exactly).

    Integers become ``Int64``, numbers ``float64``, booleans ``boolean``, timestamps
    ``datetime64[ns]`` (UTC when the column carries a zone); text and anything else
    Python objects with ``None`` for missing values.
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for column in frame.columns:
        values = frame[column].reset_index(drop=True)
        family = families.get(column, "unknown")
        if family == "integer":
            values = pd.to_numeric(values).astype("Int64")
        elif family == "number":
            values = pd.to_numeric(values).astype("float64")
        elif family == "boolean":
            values = values.astype("boolean")
        elif family in ("timestamp", "timestamptz") and (
            pd.api.types.is_datetime64_any_dtype(values) or values.isna().all()
        ):
            utc = family == "timestamptz" or getattr(values.dtype, "tz", None) is not None
            values = pd.to_datetime(values, utc=utc).astype("datetime64[ns, UTC]" if utc else "datetime64[ns]")
        elif family == "date" and values.notna().any() and not isinstance(values.dropna().iloc[0], str):
            values = pd.to_datetime(values).astype("datetime64[ns]")
        else:
            values = values.astype(object).where(values.notna(), None)
        out[column] = values
    return out


def pseudonymise_rows(frame: pd.DataFrame, log: LogConfig, *, secret: str | None = None) -> pd.DataFrame:
    """Replace person identifiers by keyed pseudonyms (a copy; the same as at load in ``prepare_log``)."""
    columns = person_source_columns(log)
    if not columns:
        return frame
    key = resolve_secret(secret=secret, secret_env=log.privacy.secret_env)
    out = frame.copy()
    for column, prefix in columns.items():
        if column in out.columns:
            pseudo = pseudonymise_series(out[column], key, prefix)
            out[column] = pseudo.astype(object).where(pseudo.notna(), None)
    return out


def since_value(latest: Any, look_back_hours: float) -> Any:
    """The watermark minus the look-back, in the watermark column's own form (timestamp or ISO text)."""
    delta = dt.timedelta(hours=look_back_hours)
    if latest is None:
        return None
    if isinstance(latest, str):
        parsed = pd.Timestamp(latest)
        sep = latest[10] if len(latest) > 10 and latest[10] in " T" else " "
        return (parsed - delta).strftime(f"%Y-%m-%d{sep}%H:%M:%S")
    if isinstance(latest, pd.Timestamp):
        return (latest - delta).to_pydatetime()
    if isinstance(latest, (dt.datetime, dt.date)):
        return latest - delta
    raise SourceError(
        f"the watermark column holds {type(latest).__name__} values; it must hold timestamps or ISO 8601 text"
    )
