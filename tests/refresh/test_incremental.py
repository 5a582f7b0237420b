"""The questions answered from the per-case tables kept with the store equal a full recomputation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.refresh._scenario import NOW, change_rows, insert, split_history
from tests.refresh.conftest import write_configs
from workbench.refresh import EventStore, load_refresh_config, refresh, write_refresh
from workbench.refresh.incremental import CACHE, load_question_cache
from workbench.refresh.run import recompute
from workbench.usecases import discover_map_and_answers


def full_tables(plan, rows_from: Path) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """Every table of the map and answers, recomputed on the whole store without a cache."""
    parts = recompute(plan, EventStore(rows_from), previous_as_of=None)
    return parts.discovery.tables()


def assert_same_tables(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    assert sorted(left) == sorted(right)
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], check_exact=True, obj=name)


def days(history: pd.DataFrame, start: pd.Timestamp, count: int) -> list[pd.DataFrame]:
    stamp = history["changed_at"].dt.normalize()
    return [history[stamp == start + pd.Timedelta(days=i)] for i in range(count)]


def test_day_by_day_refreshes_answer_as_a_full_recomputation(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame
) -> None:
    config = write_configs(tmp_path, sqlite_url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(sqlite_url, parts["first"])
    first = refresh(plan, now=NOW)
    assert first.recomputed is not None and first.recomputed.questions is not None
    assert first.recomputed.questions.full  # no cache yet
    assert (tmp_path / "store" / CACHE).exists()
    change_rows(sqlite_url, history, parts)  # three rows edited, one deleted, inside the look-back
    batches = [pd.concat([parts["late"], d]) if i == 0 else d
               for i, d in enumerate(days(parts["second"], parts["second"]["changed_at"].min().normalize(), 7))]
    for batch in batches:
        insert(sqlite_url, batch)
        result = refresh(plan, now=NOW)
        assert result.recomputed is not None and result.recomputed.questions is not None
        q = result.recomputed.questions
        assert not q.full and q.rebuilt < q.cases  # only the cases that changed were rebuilt
        assert_same_tables(result.recomputed.discovery.tables(), full_tables(plan, tmp_path / "store"))
        # ... and the use case itself on the same events gives the same tables
        plain = discover_map_and_answers(result.recomputed.loaded.events, plan.log,
                                         rules=load_rules(plan))
        assert_same_tables(result.recomputed.discovery.tables(), plain.tables())


def load_rules(plan):  # type: ignore[no-untyped-def]
    from workbench.refresh.downstream import load_rule_set

    return load_rule_set(plan.config.rules)


def test_a_cache_from_another_generation_or_a_damaged_one_gives_the_same_answers(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame
) -> None:
    """A refresh killed after the store's commit and before the cache's leaves an older cache: still exact."""
    config = write_configs(tmp_path, sqlite_url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(sqlite_url, parts["first"])
    refresh(plan, now=NOW)
    old = tmp_path / "old_cache.pkl"
    shutil.copyfile(tmp_path / "store" / CACHE, old)
    change_rows(sqlite_url, history, parts)
    insert(sqlite_url, pd.concat([parts["second"], parts["late"]]))
    refresh(plan, now=NOW)
    insert(sqlite_url, parts["third"])
    shutil.copyfile(old, tmp_path / "store" / CACHE)  # the cache two generations back
    result = refresh(plan, now=NOW)
    assert result.recomputed is not None and result.recomputed.questions is not None
    assert not result.recomputed.questions.full
    assert_same_tables(result.recomputed.discovery.tables(), full_tables(plan, tmp_path / "store"))
    cache = load_question_cache(tmp_path / "store")
    assert cache is not None and cache.generation == EventStore(tmp_path / "store").manifest().generation  # type: ignore[union-attr]
    (tmp_path / "store" / CACHE).write_bytes(b"not a cache")
    again = refresh(plan, now=NOW)
    assert again.recomputed is not None and again.recomputed.questions is not None
    assert again.recomputed.questions.full
    assert_same_tables(again.recomputed.discovery.tables(), result.recomputed.discovery.tables())


def test_the_cache_is_not_used_with_other_settings(tmp_path: Path, sqlite_url: str, history: pd.DataFrame) -> None:
    config = write_configs(tmp_path, sqlite_url)
    plan = load_refresh_config(config)
    insert(sqlite_url, history)
    refresh(plan, now=NOW)
    log = plan.log.model_copy(update={"privacy": plan.log.privacy.model_copy(update={"min_group_size": 3})})
    other = plan.model_copy(update={"log": log})
    result = refresh(other, now=NOW)
    assert result.recomputed is not None and result.recomputed.questions is not None
    assert result.recomputed.questions.full


@pytest.mark.slow
def test_an_incremental_refresh_writes_the_files_of_a_full_reload(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame
) -> None:
    config = write_configs(tmp_path, sqlite_url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(sqlite_url, parts["first"])
    write_refresh(refresh(plan, now=NOW - pd.Timedelta(days=1)), plan.config.outputs)
    # yesterday's outputs for the full reload too (the new-reopens alert counts from their as-of)
    shutil.copytree(plan.config.outputs, tmp_path / "outputs_yesterday")
    change_rows(sqlite_url, history, parts)
    insert(sqlite_url, pd.concat([parts["second"], parts["late"]]))
    result = refresh(plan, now=NOW)
    assert result.recomputed is not None and result.recomputed.questions is not None
    assert not result.recomputed.questions.full
    write_refresh(result, plan.config.outputs)

    # the full reload in the same folders (the data-quality text names the store's folder)
    (tmp_path / "store").rename(tmp_path / "store_incremental")
    (tmp_path / "outputs").rename(tmp_path / "outputs_incremental")
    shutil.copytree(tmp_path / "outputs_yesterday", plan.config.outputs)
    reloaded = refresh(plan, now=NOW, full=True)
    assert reloaded.recomputed is not None and reloaded.recomputed.questions is not None
    assert reloaded.recomputed.questions.full and reloaded.update.full
    write_refresh(reloaded, plan.config.outputs)
    # the same model; its BPMN and PNML files are not compared byte for byte, since pm4py gives
    # their elements fresh random ids on every run (two full recomputations differ too)
    assert str(result.recomputed.discovery.process_model.tree) == str(reloaded.recomputed.discovery.process_model.tree)

    def files(root: Path) -> dict[str, bytes]:
        skip = {"refresh_status.json", "as_of.json"}  # the stamps name the store's generation and the rows read
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
                if p.is_file() and p.name not in skip and not p.name.startswith(".")
                and p.suffix not in (".bpmn", ".pnml")}

    incremental, full = files(tmp_path / "outputs_incremental"), files(plan.config.outputs)
    assert len(incremental) > 30 and sorted(incremental) == sorted(full)
    assert [name for name in incremental if incremental[name] != full[name]] == []


KILLER = """
import os, signal, sys
import pandas as pd
from workbench.refresh import incremental, load_refresh_config, refresh

where = sys.argv[2]

def on_step(name):
    if where == "store-committed" and name == "cleaned":
        os.kill(os.getpid(), signal.SIGKILL)

def replace(src, dst):
    os.kill(os.getpid(), signal.SIGKILL)

if where == "cache-renamed":
    incremental.os.replace = replace  # killed with the new cache written to its temporary file
refresh(load_refresh_config(sys.argv[1]), now=pd.Timestamp("2030-01-02", tz="UTC"), on_step=on_step)
"""


@pytest.mark.slow
@pytest.mark.parametrize("where", ["store-committed", "cache-renamed"])
def test_a_refresh_killed_between_the_store_and_the_cache_is_exact_on_the_next_run(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame, where: str
) -> None:
    import signal
    import subprocess
    import sys

    config = write_configs(tmp_path, sqlite_url)
    plan = load_refresh_config(config)
    parts = split_history(history)
    insert(sqlite_url, parts["first"])
    refresh(plan, now=NOW)
    cache = (tmp_path / "store" / CACHE).read_bytes()
    change_rows(sqlite_url, history, parts)
    insert(sqlite_url, pd.concat([parts["second"], parts["late"]]))
    done = subprocess.run([sys.executable, "-c", KILLER, str(config), where], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert (tmp_path / "store" / CACHE).read_bytes() == cache  # the store moved on, the cache did not
    insert(sqlite_url, parts["third"])
    result = refresh(plan, now=NOW)
    assert result.recomputed is not None and result.recomputed.questions is not None
    assert not result.recomputed.questions.full
    assert_same_tables(result.recomputed.discovery.tables(), full_tables(plan, tmp_path / "store"))
    assert (tmp_path / "store" / CACHE).read_bytes() != cache
