"""One scenario for both databases: rows arrive, are edited and deleted between refreshes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import yaml

from workbench.refresh import EventStore, load_refresh_config, update_store
from workbench.refresh.example import insert_history

NOW = pd.Timestamp("2030-01-01", tz="UTC")


def store_frame(folder: Path) -> pd.DataFrame:
    """The store's rows in key order (for exact comparison)."""
    frame = EventStore(folder).read()
    return frame.sort_values("historik_id", ignore_index=True) if len(frame.columns) else frame


def full_reload(config: Path, folder: str = "store_full") -> pd.DataFrame:
    """Build a second store from scratch with the same configs and return its rows."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["store"] = folder
    other = config.with_name("refresh_full.yaml")
    other.write_text(yaml.safe_dump(data), encoding="utf-8")
    update_store(load_refresh_config(other), now=NOW)
    return store_frame(config.parent / folder)


def split_history(history: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """First load (before day 25), late rows held back from it, then two later batches."""
    start = history["changed_at"].min().normalize()
    t1, t2 = start + pd.Timedelta(days=25), start + pd.Timedelta(days=32)
    early = history[history["changed_at"] < t1]
    late = early.sample(n=25, random_state=3)
    return {
        "first": early.drop(late.index),
        "late": late.assign(updated_at=t2),
        "second": history[(history["changed_at"] >= t1) & (history["changed_at"] < t2)],
        "third": history[history["changed_at"] >= t2],
    }


def change_rows(url: str, history: pd.DataFrame, parts: dict[str, pd.DataFrame]) -> dict[str, list[int]]:
    """Edit three rows (new agent, new updated_at) and delete one row inside the look-back window."""
    first = parts["first"]
    newest = first["updated_at"].max()
    edited = [int(i) for i in first.sort_values("changed_at").iloc[[5, 50, 500]]["history_id"]]
    deleted = int(first[first["updated_at"] > newest - pd.Timedelta(hours=12)].iloc[0]["history_id"])
    engine = sa.create_engine(url)
    stamp = newest + pd.Timedelta(hours=1)
    value = stamp.isoformat(sep=" ") if engine.url.get_backend_name() == "sqlite" else stamp.to_pydatetime()
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE history SET agent = 'agent-edited', updated_at = :u WHERE history_id IN "
                             f"({', '.join(map(str, edited))})"), {"u": value})
        conn.execute(sa.text(f"DELETE FROM history WHERE history_id = {deleted}"))
    engine.dispose()
    return {"edited": edited, "deleted": [deleted]}


def insert(url: str, rows: pd.DataFrame) -> int:
    engine = sa.create_engine(url)
    try:
        return insert_history(engine, rows)
    finally:
        engine.dispose()
