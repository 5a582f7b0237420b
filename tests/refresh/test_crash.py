"""A refresh killed with SIGKILL at any step of its commit is finished or rolled back by the next run."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.refresh._scenario import NOW, change_rows, full_reload, insert, split_history, store_frame
from tests.refresh.conftest import write_configs
from workbench.refresh import EventStore, load_refresh_config, update_store

REPO = Path(__file__).resolve().parents[2]

KILLER = """
import os, signal, sys
import pandas as pd
from workbench.refresh import load_refresh_config, update_store

step, times, seen = sys.argv[2], int(sys.argv[3]), []

def on_step(name):
    if name == step:
        seen.append(name)
        if len(seen) == times:
            os.kill(os.getpid(), signal.SIGKILL)

update_store(load_refresh_config(sys.argv[1]), now=pd.Timestamp("2030-01-02", tz="UTC"), on_step=on_step)
"""


def kill_refresh_at(config: Path, step: str, times: int = 1) -> None:
    done = subprocess.run([sys.executable, "-c", KILLER, str(config), step, str(times)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]


def crash_scenario(tmp_path: Path, url: str, history: pd.DataFrame, step: str, times: int) -> None:
    config = write_configs(tmp_path, url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(url, parts["first"])
    update_store(plan, now=NOW)
    before = store_frame(tmp_path / "store")
    change_rows(url, history, parts)
    insert(url, pd.concat([parts["second"], parts["late"]]))

    kill_refresh_at(config, step, times)
    store = EventStore(tmp_path / "store")
    assert (tmp_path / "store" / "journal.json").exists()
    switched = step == "manifest-switched"
    if not switched:  # killed before the commit point: readers still see the old generation, whole
        pd.testing.assert_frame_equal(store_frame(tmp_path / "store"), before)

    after = update_store(plan, now=NOW)
    assert after.recovered is not None
    assert after.recovered.startswith("finished" if switched else "rolled back")
    assert not (tmp_path / "store" / "journal.json").exists()
    manifest = store.manifest()
    assert manifest is not None
    assert sorted(p.name for p in store.data.iterdir()) == sorted(manifest.partitions.values())
    pd.testing.assert_frame_equal(store_frame(tmp_path / "store"), full_reload(config), check_exact=True)


@pytest.mark.slow
@pytest.mark.parametrize(("step", "times"), [("journal-written", 1), ("partition-written", 1),
                                             ("manifest-switched", 1)])
def test_sigkill_during_a_refresh_is_recovered_sqlite(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame, step: str, times: int
) -> None:
    crash_scenario(tmp_path, sqlite_url, history, step, times)


def test_exception_mid_merge_leaves_the_old_generation(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame
) -> None:
    config = write_configs(tmp_path, sqlite_url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(sqlite_url, parts["first"])
    update_store(plan, now=NOW)
    before = store_frame(tmp_path / "store")
    insert(sqlite_url, parts["second"])

    def fail(name: str) -> None:
        if name == "partition-written":
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        update_store(plan, now=NOW, on_step=fail)
    pd.testing.assert_frame_equal(store_frame(tmp_path / "store"), before)
    assert update_store(plan, now=NOW).recovered.startswith("rolled back")  # type: ignore[union-attr]


@pytest.mark.slow
def test_sigkill_while_the_store_is_first_built_is_rolled_back(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame
) -> None:
    config = write_configs(tmp_path, sqlite_url)
    insert(sqlite_url, history)
    kill_refresh_at(config, "partition-written", 1)
    assert EventStore(tmp_path / "store").manifest() is None
    after = update_store(load_refresh_config(config), now=NOW)
    assert after.recovered is not None and after.recovered.startswith("rolled back")
    assert after.full and after.rows == len(history)
    pd.testing.assert_frame_equal(store_frame(tmp_path / "store"), full_reload(config), check_exact=True)


def test_a_half_written_manifest_of_a_first_build_is_cleaned_up(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    (tmp_path / "store" / "data").mkdir(parents=True)
    (tmp_path / "store" / "data" / "part-2024-01-g00000001.parquet").write_bytes(b"half")
    (tmp_path / "store" / ".manifest.json.tmp").write_text("{")
    (tmp_path / "store" / "journal.json").write_text('{"generation": 1, "files": ["part-2024-01-g00000001.parquet"]}')
    assert store.recover() == "rolled back the interrupted refresh (generation 1)"
    assert store.manifest() is None
    assert sorted(p.name for p in (tmp_path / "store").rglob("*")) == ["data"]
