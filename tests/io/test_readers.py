"""Reading event logs from CSV, XES, Parquet and SQL into the canonical schema."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import yaml

from workbench.config import LogConfig, load_log_config
from workbench.errors import EventLogError, SourceError
from workbench.io import load_log, write_table
from workbench.schema import ACTIVITY, CASE_ID, CORE_COLUMNS, RESOURCE, START_TIMESTAMP, TEAM, TIMESTAMP

ROWS = [
    ("c1", "Registered", "2024-03-04T08:00:00Z", "anna", "Desk", "HR"),
    ("c1", "In progress", "2024-03-04T09:30:00Z", "bo", "Desk", "HR"),
    ("c1", "Resolved", "2024-03-04T10:00:00Z", "bo", "Desk", "HR"),
    ("c2", "Registered", "2024-03-05T08:00:00Z", "anna", "Desk", "IT"),
    ("c2", "Resolved", "2024-03-05T12:00:00Z", "carl", "Infra", "IT"),
]
COLUMNS = ["ticket", "status", "time", "agent", "team", "dept"]


def log_config(tmp_path: Path, source: dict, **extra: object) -> LogConfig:
    data = {
        "name": "t",
        "source": source,
        "columns": {"case_id": "ticket", "activity": "status", "timestamp": "time", "resource": "agent", "team": "team"},
        "case_attributes": {"department": "dept"},
        "group_attributes": ["department"],
        **extra,
    }
    path = tmp_path / "log.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_log_config(path)


def write_csv(path: Path, rows=ROWS, sep: str = ",", encoding: str = "utf-8") -> Path:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    path.write_bytes(frame.to_csv(index=False, sep=sep).encode(encoding))
    return path


def test_csv_reads_into_canonical_schema(tmp_path: Path) -> None:
    write_csv(tmp_path / "log.csv")
    loaded = load_log(log_config(tmp_path, {"path": "log.csv"}))
    ev = loaded.events
    assert list(ev.columns[: len(CORE_COLUMNS)]) == list(CORE_COLUMNS)
    assert str(ev[TIMESTAMP].dtype) == "datetime64[ns, UTC]"
    assert str(ev[START_TIMESTAMP].dtype) == "datetime64[ns, UTC]"
    assert ev[CASE_ID].tolist() == ["c1", "c1", "c1", "c2", "c2"]
    assert ev[TEAM].tolist() == ["Desk", "Desk", "Desk", "Desk", "Infra"]
    assert ev["department"].tolist() == ["HR"] * 3 + ["IT"] * 2
    assert loaded.quality.events_kept == 5 and loaded.quality.cases_kept == 2


def test_csv_delimiter_encoding_and_na_values(tmp_path: Path) -> None:
    rows = [(*r[:3], "?" if i == 1 else r[3], *r[4:]) for i, r in enumerate(ROWS)]
    rows[0] = ("c1", "Registreret på æøå", *rows[0][2:])
    write_csv(tmp_path / "log.csv", rows, sep=";", encoding="cp1252")
    config = log_config(tmp_path, {"path": "log.csv", "delimiter": ";", "encoding": "cp1252"})
    loaded = load_log(config)
    assert loaded.events[ACTIVITY].iloc[0] == "Registreret på æøå"
    assert loaded.events[RESOURCE].isna().sum() == 1  # '?' read as missing


def test_wrong_delimiter_lists_columns_and_suggests_delimiter(tmp_path: Path) -> None:
    write_csv(tmp_path / "log.csv", sep=";")
    with pytest.raises(EventLogError, match=r"columns that exist: 'ticket;status;time.*set source.delimiter"):
        load_log(log_config(tmp_path, {"path": "log.csv"}))


def test_non_utf8_bytes_name_the_line_and_the_fix(tmp_path: Path) -> None:
    write_csv(tmp_path / "log.csv", [("c1", "Afsluttet på mail", *ROWS[0][2:]), *ROWS[1:]], encoding="cp1252")
    with pytest.raises(SourceError, match=r"not valid utf-8 text at line 2 \(byte 0xe5\); set source.encoding"):
        load_log(log_config(tmp_path, {"path": "log.csv"}))


def test_malformed_csv(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("ticket,status,time\nc1,a,2024-01-01\nc1,b,2024-01-02,extra,fields\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"is not well-formed CSV: Expected 3 fields in line 3, saw 5"):
        load_log(log_config(tmp_path, {"path": "log.csv"}))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("log.csv", b"PAR1\x00\x00binary", "does not look like a CSV file: it looks like a Parquet file"),
        ("log.xes", b"ticket,status,time\nc1,a,2024\n", "does not look like an XES file: it looks like a text"),
        ("log.parquet", b"ticket,status\n", "does not look like a Parquet file: it looks like a text"),
        ("log.csv", b"PK\x03\x04xlsx", "looks like a ZIP archive \\(an Excel .xlsx file is one"),
    ],
)
def test_file_not_what_its_extension_says(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(SourceError, match=message):
        load_log(log_config(tmp_path, {"path": name}))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"input file '.*nope.csv' does not exist; check source.path"):
        load_log(log_config(tmp_path, {"path": "nope.csv"}))


@pytest.mark.parametrize("content", [b"", b"ticket,status,time,agent,team,dept\n"])
def test_empty_log(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "log.csv").write_bytes(content)
    with pytest.raises(EventLogError, match=r"^the log is empty"):
        load_log(log_config(tmp_path, {"path": "log.csv"}))


def test_parquet_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    write_table(frame, tmp_path / "log.parquet")
    loaded = load_log(log_config(tmp_path, {"path": "log.parquet"}))
    assert loaded.events[TIMESTAMP].iloc[-1] == pd.Timestamp("2024-03-05T12:00:00Z")


def test_xes_gz_through_pm4py(tmp_path: Path, shared_data: Path) -> None:
    data = {
        "name": "running",
        "source": {"path": str(shared_data / "pm4py_running_example.xes")},
        "columns": {"case_id": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp",
                    "resource": "org:resource"},
    }
    gz = tmp_path / "running.xes.gz"
    gz.write_bytes(gzip.compress((shared_data / "pm4py_running_example.xes").read_bytes()))
    for path in (shared_data / "pm4py_running_example.xes", gz):
        data["source"] = {"path": str(path)}
        (tmp_path / "c.yaml").write_text(yaml.safe_dump(data))
        loaded = load_log(load_log_config(tmp_path / "c.yaml"))
        assert loaded.quality.cases_kept == 6 and loaded.quality.events_kept == 42


def test_malformed_xes(tmp_path: Path) -> None:
    (tmp_path / "bad.xes").write_text("<?xml version='1.0'?><log><trace><event></trace></log>")
    with pytest.raises(SourceError, match=r"is not well-formed XES/XML"):
        load_log(log_config(tmp_path, {"path": "bad.xes"}))


def make_sqlite(path: Path) -> None:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    with sqlite3.connect(path) as conn:
        frame.to_sql("events", conn, index=False)
        conn.execute("CREATE VIEW v_hr AS SELECT * FROM events WHERE dept = 'HR'")


@pytest.mark.parametrize(
    ("source", "cases"),
    [
        ({"table": "events"}, 2),
        ({"table": "v_hr"}, 1),
        ({"query": "SELECT * FROM events WHERE ticket = 'c2'"}, 1),
    ],
)
def test_sql_table_view_and_query(tmp_path: Path, source: dict, cases: int) -> None:
    make_sqlite(tmp_path / "tickets.db")
    loaded = load_log(log_config(tmp_path, {"kind": "sql", "url": "sqlite:///tickets.db", **source}))
    assert loaded.quality.cases_kept == cases
    assert str(loaded.events[TIMESTAMP].dtype) == "datetime64[ns, UTC]"


def test_sql_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_sqlite(tmp_path / "tickets.db")
    monkeypatch.setenv("TICKETS_DB", f"sqlite:///{tmp_path / 'tickets.db'}")
    loaded = load_log(log_config(tmp_path, {"kind": "sql", "url_env": "TICKETS_DB", "table": "events"}))
    assert loaded.quality.cases_kept == 2


def test_sql_errors_are_one_line(tmp_path: Path) -> None:
    make_sqlite(tmp_path / "tickets.db")
    with pytest.raises(SourceError, match=r"cannot read table or view 'nope' from database sqlite:///.*no such table"):
        load_log(log_config(tmp_path, {"kind": "sql", "url": "sqlite:///tickets.db", "table": "nope"}))
    with pytest.raises(SourceError, match=r"SQLite database '.*missing.db' does not exist"):
        load_log(log_config(tmp_path, {"kind": "sql", "url": "sqlite:///missing.db", "table": "events"}))
    with pytest.raises(SourceError, match=r"source.url is not a usable database URL"):
        load_log(log_config(tmp_path, {"kind": "sql", "url": "nosuchdb://x", "table": "events"}))


def test_postgres_url_goes_through_the_same_code(tmp_path: Path) -> None:
    """A PostgreSQL URL is accepted by the config and reaches SQLAlchemy (no server here: a clear error)."""
    config = log_config(tmp_path, {"kind": "sql", "url": "postgresql+psycopg://u:pw@127.0.0.1:1/db", "table": "events"})
    with pytest.raises(SourceError) as info:
        load_log(config)
    message = str(info.value)
    assert "pw" not in message  # the password is never printed
    assert message.startswith(("cannot read table or view 'events' from database postgresql",
                               "the database driver for source.url (postgresql) is not installed"))


def test_a_missing_database_driver_names_the_extra_to_install(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("psycopg is installed here")
    config = log_config(tmp_path, {"kind": "sql", "url": "postgresql://u:pw@127.0.0.1:1/db", "table": "events"})
    with pytest.raises(SourceError, match=r"not installed \(no module 'psycopg'\); install it with: "
                                         r"pip install -e \"\.\[postgres\]\""):
        load_log(config)
