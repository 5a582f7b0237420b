"""An example ticket-system database (teams, cases, history and a history view), filled from the demo log.

It mirrors what the municipality's ticket system offers: normalised tables and a
database view that joins the case history into one easy list, with a column saying when
each history row last changed. The tests and the refresh benchmark use it on SQLite and
PostgreSQL; a new user can point ``workbench refresh`` at it to try the daily loop.

>>> import sqlalchemy as sa
>>> from workbench.demo import DemoParams, generate_demo_log
>>> engine = sa.create_engine("sqlite://")
>>> create_schema(engine)
>>> history = ticket_history(generate_demo_log(DemoParams(days=5), seed=1).events)
>>> insert_history(engine, history.head(10))
10
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["VIEW", "VIEW_COLUMNS", "create_schema", "ticket_history", "insert_history", "log_config_data"]

VIEW = "v_case_history"
VIEW_COLUMNS = ("historik_id", "sags_id", "status", "tidspunkt", "agent", "team", "afdeling", "kategori",
                "prioritet", "kanal", "bruger", "opdateret")

_DDL = (
    "CREATE TABLE teams (team_id INTEGER PRIMARY KEY, team_name VARCHAR(100) NOT NULL)",
    "CREATE TABLE cases (case_id VARCHAR(40) PRIMARY KEY, department VARCHAR(100), category VARCHAR(100), "
    "priority VARCHAR(20), channel VARCHAR(20), requester VARCHAR(100))",
    "CREATE TABLE history (history_id INTEGER PRIMARY KEY, case_id VARCHAR(40) NOT NULL REFERENCES cases(case_id), "
    "status VARCHAR(100) NOT NULL, changed_at TIMESTAMP NOT NULL, agent VARCHAR(100), team_id INTEGER "
    "REFERENCES teams(team_id), updated_at TIMESTAMP NOT NULL)",
    "CREATE INDEX history_updated ON history (updated_at)",
)

VIEW_SQL = (
    "CREATE VIEW v_case_history AS SELECT h.history_id AS historik_id, h.case_id AS sags_id, h.status AS status, "
    "h.changed_at AS {tidspunkt}, h.agent AS agent, t.team_name AS team, c.department AS afdeling, "
    "c.category AS kategori, c.priority AS prioritet, c.channel AS kanal, c.requester AS bruger, "
    "h.updated_at AS opdateret FROM history h JOIN cases c ON c.case_id = h.case_id "
    "LEFT JOIN teams t ON t.team_id = h.team_id"
)


def create_schema(engine: Any, *, timestamp_name: str = "tidspunkt") -> None:
    """Create the tables and the history view (``timestamp_name``: the view's name for the event time)."""
    import sqlalchemy as sa

    with engine.begin() as conn:
        for statement in _DDL:
            conn.execute(sa.text(statement))
        conn.execute(sa.text(VIEW_SQL.format(tidspunkt=timestamp_name)))


def replace_view(engine: Any, *, timestamp_name: str) -> None:
    """Recreate the view with another name for the event-time column (a vendor's release)."""
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP VIEW {VIEW}"))
        conn.execute(sa.text(VIEW_SQL.format(tidspunkt=timestamp_name)))


def ticket_history(events: pd.DataFrame) -> pd.DataFrame:
    """The demo log (source form) as history rows with a stable ``history_id`` and naive UTC times."""
    ts = pd.to_datetime(events["timestamp"], utc=True).dt.tz_localize(None).dt.floor("s")
    out = pd.DataFrame({
        "history_id": range(1, len(events) + 1),
        "case_id": events["ticket_id"].astype(str).to_numpy(),
        "status": events["status"].astype(str).to_numpy(),
        "changed_at": ts.to_numpy(),
        "agent": events["agent"].astype(object).where(events["agent"].notna(), None).to_numpy(),
        "team": events["team"].astype(object).where(events["team"].notna(), None).to_numpy(),
        "department": events["department"].astype(str).to_numpy(),
        "category": events["category"].astype(str).to_numpy(),
        "priority": events["priority"].astype(str).to_numpy(),
        "channel": events["channel"].astype(str).to_numpy(),
        "requester": events["user_id"].astype(str).to_numpy(),
    })
    out["updated_at"] = out["changed_at"]
    return out


def _value(value: Any, sqlite: bool) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ") if sqlite else value.to_pydatetime()
    return value


def insert_history(engine: Any, history: pd.DataFrame) -> int:
    """Insert history rows (and their teams and cases, when new); return the number of history rows."""
    import sqlalchemy as sa

    sqlite = engine.url.get_backend_name() == "sqlite"
    with engine.begin() as conn:
        teams = dict(conn.execute(sa.text("SELECT team_name, team_id FROM teams")).all())
        for name in history["team"].dropna().unique():
            if name not in teams:
                teams[name] = len(teams) + 1
                conn.execute(sa.text("INSERT INTO teams VALUES (:i, :n)"), {"i": teams[name], "n": name})
        known = {row[0] for row in conn.execute(sa.text("SELECT case_id FROM cases")).all()}
        first = history.drop_duplicates("case_id")
        new_cases = first[~first["case_id"].isin(known)]
        if len(new_cases):
            conn.execute(
                sa.text("INSERT INTO cases VALUES (:case_id, :department, :category, :priority, :channel, :requester)"),
                new_cases[["case_id", "department", "category", "priority", "channel", "requester"]].to_dict("records"),
            )
        rows = [
            {
                "history_id": int(r.history_id), "case_id": r.case_id, "status": r.status,
                "changed_at": _value(pd.Timestamp(r.changed_at), sqlite), "agent": _value(r.agent, sqlite),
                "team_id": teams.get(r.team) if r.team is not None else None,
                "updated_at": _value(pd.Timestamp(r.updated_at), sqlite),
            }
            for r in history.itertuples(index=False)
        ]
        if rows:
            conn.execute(
                sa.text("INSERT INTO history VALUES (:history_id, :case_id, :status, :changed_at, :agent, :team_id, "
                        ":updated_at)"),
                rows,
            )
    return len(history)


def log_config_data(*, url: str | None = None, url_env: str | None = None) -> dict[str, Any]:
    """A log config (as YAML data) for the example view, with the demo log's status meanings."""
    source: dict[str, Any] = {"kind": "sql", "table": VIEW}
    source.update({"url": url} if url is not None else {"url_env": url_env})
    return {
        "name": "ticket-system",
        "source": source,
        "columns": {"case_id": "sags_id", "activity": "status", "timestamp": "tidspunkt", "resource": "agent",
                    "team": "team"},
        "time": {"timezone": "UTC"},
        "case_attributes": {"department": "afdeling", "category": "kategori", "priority": "prioritet",
                            "channel": "kanal", "user": "bruger"},
        "group_attributes": ["department", "channel"],
        "person_columns": ["user"],
        "statuses": {
            "registered": ["Registered"], "assigned": ["Assigned to team"], "in_progress": ["In progress"],
            "waiting_on_user": ["Waiting for user"], "forwarded": ["Forwarded"], "sent_back": ["Sent back"],
            "resolved": ["Resolved with mail"], "reopened": ["Reopened"], "closed": ["Closed"],
            "message_to_user": ["Mail to user"], "message_from_user": ["Mail from user"],
            "first_line_team": "IT-service og support",
        },
        "calendar": {"timezone": "Europe/Copenhagen", "workdays": [0, 1, 2, 3, 4], "start_hour": 8, "end_hour": 16},
    }
