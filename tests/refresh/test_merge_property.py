"""Property: whatever rows arrive, change or vanish (inside the look-back) between refreshes, the store
built by incremental refreshes equals a store built by one full reload."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.refresh._scenario import NOW, full_reload, insert, store_frame
from tests.refresh.conftest import write_configs
from workbench.refresh import load_refresh_config, update_store
from workbench.refresh.example import create_schema

step = st.tuples(
    st.integers(min_value=0, max_value=40),   # new rows
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=4),   # rows edited (by position)
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=2),   # recent rows deleted (by position)
)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=4), first=st.integers(min_value=1, max_value=80))
@example(steps=[(0, [], [0])], first=1)  # the only row deleted: the store becomes empty
def test_incremental_equals_full_reload(history: pd.DataFrame, steps: list, first: int) -> None:
    rows = history.head(80 + 40 * len(steps)).reset_index(drop=True)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        url = f"sqlite:///{root / 'tickets.db'}"
        engine = sa.create_engine(url)
        create_schema(engine)
        config = write_configs(root, url, look_back_hours=6)
        plan = load_refresh_config(config)
        clock = rows["updated_at"].iloc[first - 1]
        insert(url, rows.head(first).assign(updated_at=clock))
        loaded = first
        update_store(plan, now=NOW)
        for new, edits, deletes in steps:
            clock = clock + pd.Timedelta(hours=1)
            stamp = clock.isoformat(sep=" ")
            with engine.begin() as conn:
                ids = [r[0] for r in conn.execute(sa.text("SELECT history_id FROM history ORDER BY history_id"))]
                recent = [r[0] for r in conn.execute(
                    sa.text("SELECT history_id FROM history WHERE updated_at >= :t ORDER BY history_id"),
                    {"t": (clock - pd.Timedelta(hours=5)).isoformat(sep=" ")})]
                for i in edits if ids else ():  # every row may have been deleted by an earlier step
                    conn.execute(sa.text("UPDATE history SET agent = :a, updated_at = :u WHERE history_id = :h"),
                                 {"a": f"agent-{i}", "u": stamp, "h": ids[i % len(ids)]})
                for i in deletes:
                    if recent:
                        conn.execute(sa.text("DELETE FROM history WHERE history_id = :h"),
                                     {"h": recent[i % len(recent)]})
            batch = rows.iloc[loaded:loaded + new]
            if len(batch):
                insert(url, batch.assign(updated_at=clock))
            loaded += len(batch)
            update_store(plan, now=NOW)
        again = update_store(plan, now=NOW)
        assert not again.changed
        incremental, full = store_frame(root / "store"), full_reload(config)
        if full.empty:  # every row was deleted: a full reload builds no store at all
            assert incremental.empty
        else:
            pd.testing.assert_frame_equal(incremental, full, check_exact=True)
        engine.dispose()
