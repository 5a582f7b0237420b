"""Against a real PostgreSQL server: rows arrive between refreshes, SIGKILL mid-merge, a renamed view column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.refresh._scenario import NOW, change_rows, full_reload, insert, split_history, store_frame
from tests.refresh.conftest import write_configs
from tests.refresh.test_crash import crash_scenario
from workbench.refresh import EventStore, SchemaDriftError, load_refresh_config, update_store
from workbench.refresh.example import VIEW, VIEW_SQL, replace_view

pytestmark = pytest.mark.slow


def test_incremental_refreshes_match_a_full_reload(tmp_path: Path, postgres_url: str, history: pd.DataFrame) -> None:
    config = write_configs(tmp_path, postgres_url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(postgres_url, parts["first"])
    assert update_store(plan, now=NOW).rows == len(parts["first"])
    manifest = EventStore(tmp_path / "store").manifest()
    assert manifest is not None and manifest.watermark is not None
    assert manifest.watermark["kind"] == "timestamp" and manifest.columns["tidspunkt"] == "timestamp"
    change_rows(postgres_url, history, parts)
    insert(postgres_url, pd.concat([parts["second"], parts["late"]]))
    second = update_store(plan, now=NOW)
    assert second.inserted == len(parts["second"]) + len(parts["late"]) and second.deleted == 1
    insert(postgres_url, parts["third"])
    update_store(plan, now=NOW)
    again = update_store(plan, now=NOW)
    assert not again.changed
    incremental = store_frame(tmp_path / "store")
    assert len(incremental) == len(history) - 1
    assert str(incremental["tidspunkt"].dtype) == "datetime64[ns]"
    pd.testing.assert_frame_equal(incremental, full_reload(config), check_exact=True)


@pytest.mark.parametrize("step", ["partition-written", "manifest-switched"])
def test_sigkill_mid_merge_is_recovered(tmp_path: Path, postgres_url: str, history: pd.DataFrame, step: str) -> None:
    crash_scenario(tmp_path, postgres_url, history, step, 1)


def test_renamed_view_column_stops_the_refresh_with_nothing_merged(
    tmp_path: Path, postgres_url: str, history: pd.DataFrame
) -> None:
    config = write_configs(tmp_path, postgres_url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(postgres_url, parts["first"])
    update_store(plan, now=NOW)
    before = (tmp_path / "store" / "manifest.json").read_bytes()
    files = sorted(p.name for p in (tmp_path / "store" / "data").iterdir())
    insert(postgres_url, parts["second"])
    replace_view(sa.create_engine(postgres_url), timestamp_name="haendelse_tid")
    with pytest.raises(SchemaDriftError, match=r"^schema drift: column 'tidspunkt' \(columns.timestamp\) is missing "
                                               r"from table or view 'v_case_history'; was it renamed to "
                                               r"'haendelse_tid'\?"):
        update_store(plan, now=NOW)
    assert (tmp_path / "store" / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "store" / "data").iterdir()) == files


def test_retyped_column_stops_the_refresh(tmp_path: Path, postgres_url: str, history: pd.DataFrame) -> None:
    config = write_configs(tmp_path, postgres_url)
    insert(postgres_url, history.head(300))
    update_store(load_refresh_config(config), now=NOW)
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP VIEW {VIEW}"))
        conn.execute(sa.text("ALTER TABLE cases ALTER COLUMN priority TYPE INTEGER USING length(priority)"))
        conn.execute(sa.text(VIEW_SQL.format(tidspunkt="tidspunkt")))
    with pytest.raises(SchemaDriftError, match=r"column 'prioritet' \(case_attributes.priority\) .* changed type "
                                               r"from text to integer"):
        update_store(load_refresh_config(config), now=NOW)
    engine.dispose()
