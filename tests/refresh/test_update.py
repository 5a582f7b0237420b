"""The store on SQLite: incremental refreshes match a full reload; idempotent; pseudonymised; drift stops it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.refresh._scenario import NOW, change_rows, full_reload, insert, split_history, store_frame
from tests.refresh.conftest import write_configs
from workbench.errors import PrivacyError
from workbench.refresh import EventStore, SchemaDriftError, load_refresh_config, update_store
from workbench.refresh.example import replace_view


def test_incremental_refreshes_match_a_full_reload(tmp_path: Path, sqlite_url: str, history: pd.DataFrame) -> None:
    config = write_configs(tmp_path, sqlite_url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(sqlite_url, parts["first"])
    first = update_store(plan, now=NOW)
    assert first.full and first.read == len(parts["first"]) == first.rows
    changed = change_rows(sqlite_url, history, parts)
    insert(sqlite_url, pd.concat([parts["second"], parts["late"]]))
    second = update_store(plan, now=NOW)
    assert not second.full and second.read < len(parts["first"])
    assert second.inserted == len(parts["second"]) + len(parts["late"])
    assert second.deleted == 1
    insert(sqlite_url, parts["third"])
    update_store(plan, now=NOW)

    incremental = store_frame(tmp_path / "store")
    assert len(incremental) == len(history) - 1
    assert set(changed["deleted"]).isdisjoint(incremental["historik_id"])
    edited = incremental[incremental["historik_id"].isin(changed["edited"])]
    assert edited["agent"].nunique() == 1 and edited["agent"].iloc[0].startswith("staff-")
    pd.testing.assert_frame_equal(incremental, full_reload(config), check_exact=True)


def test_running_twice_changes_nothing(tmp_path: Path, sqlite_url: str, history: pd.DataFrame) -> None:
    config = write_configs(tmp_path, sqlite_url)
    plan = load_refresh_config(config)
    insert(sqlite_url, history)
    update_store(plan, now=NOW)
    manifest = (tmp_path / "store" / "manifest.json").read_bytes()
    files = sorted(p.name for p in (tmp_path / "store" / "data").iterdir())
    again = update_store(plan, now=NOW + pd.Timedelta(days=1))
    assert again.read > 0 and again.reread == again.read  # the look-back window was read again ...
    assert not again.changed and again.inserted == again.deleted == 0  # ... and nothing changed
    assert (tmp_path / "store" / "manifest.json").read_bytes() == manifest
    assert sorted(p.name for p in (tmp_path / "store" / "data").iterdir()) == files


def test_store_holds_only_pseudonyms_and_the_configured_columns(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame
) -> None:
    from workbench.config import load_log_config
    from workbench.io import load_log
    from workbench.refresh.downstream import prepare_store_log

    config = write_configs(tmp_path, sqlite_url)
    insert(sqlite_url, history)
    plan = load_refresh_config(config)
    update_store(plan, now=NOW)
    rows = store_frame(tmp_path / "store")
    assert not set(history["requester"]) & set(rows["bruger"])
    assert not set(history["agent"].dropna()) & set(rows["agent"].dropna())
    # the same canonical log as the workbench's own full load of the source
    from_store = prepare_store_log(rows, plan.log, source="store").events
    direct = load_log(load_log_config(tmp_path / "log.yaml")).events
    key = ["case_id", "timestamp", "activity"]
    pd.testing.assert_frame_equal(
        from_store.sort_values(key, ignore_index=True), direct.sort_values(key, ignore_index=True)
    )


def test_renamed_column_stops_the_refresh_with_nothing_merged(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame
) -> None:
    config = write_configs(tmp_path, sqlite_url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(sqlite_url, parts["first"])
    update_store(plan, now=NOW)
    before = (tmp_path / "store" / "manifest.json").read_bytes()
    insert(sqlite_url, parts["second"])
    replace_view(sa.create_engine(sqlite_url), timestamp_name="tidspunkt_hændelse")
    with pytest.raises(SchemaDriftError, match=r"column 'tidspunkt' \(columns.timestamp\) is missing .* renamed to "
                                               r"'tidspunkt_hændelse'.*nothing was merged"):
        update_store(plan, now=NOW)
    assert (tmp_path / "store" / "manifest.json").read_bytes() == before


def test_another_key_is_refused(tmp_path: Path, sqlite_url: str, history: pd.DataFrame,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_configs(tmp_path, sqlite_url)
    insert(sqlite_url, history.head(200))
    update_store(load_refresh_config(config), now=NOW)
    monkeypatch.setenv("WORKBENCH_SECRET", "another-key-another-key-another-key")
    with pytest.raises(PrivacyError, match="pseudonymised with another key"):
        update_store(load_refresh_config(config), now=NOW)
    rebuilt = update_store(load_refresh_config(config), now=NOW, full=True)
    assert rebuilt.full and rebuilt.rows == 200


def test_store_partitions_are_months_and_the_watermark_is_recorded(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame
) -> None:
    config = write_configs(tmp_path, sqlite_url)
    insert(sqlite_url, history)
    update_store(load_refresh_config(config), now=NOW)
    manifest = EventStore(tmp_path / "store").manifest()
    assert manifest is not None
    months = sorted(pd.to_datetime(history["changed_at"]).dt.strftime("%Y-%m").unique())
    assert sorted(manifest.partitions) == months
    assert manifest.watermark == {"kind": "text", "value": history["updated_at"].max().isoformat(sep=" ")}
    assert manifest.columns["historik_id"] == "integer" and manifest.columns["tidspunkt"] == "timestamp"
