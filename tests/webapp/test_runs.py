"""Runs in their own spawned processes: results, failures, the queue, cancel, a killed child, a restart."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.errors import ScenarioError
from workbench.webapp.runs import RunManager, cpu_job
from workbench.webapp.store import INTERRUPTED, RunRecord, Store


def sum_job(spec: dict[str, Any], progress: Callable[[float, str], None]) -> dict[str, Any]:
    """A real job: sums squares in steps, reporting progress, and says in which process it ran."""
    total, n = 0, int(spec["n"])
    for step in range(4):
        total += sum(i * i for i in range(step * n // 4, (step + 1) * n // 4))
        progress((step + 1) / 4, f"quarter {step + 1}")
        time.sleep(float(spec.get("pause", 0.0)))
    if spec.get("bad_scenario"):
        raise ScenarioError("team 'IT-infrastruktur' is not in the model")
    if spec.get("not_a_number"):
        return {"total": float("nan")}
    return {"total": total, "pid": os.getpid()}


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    found = Store(f"sqlite:///{tmp_path / 'app.sqlite'}")
    yield found
    found.dispose()


def _wait(store: Store, run_id: int, statuses: tuple[str, ...] = ("done", "failed", "cancelled"),
          timeout: float = 60.0) -> RunRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = store.run(run_id)
        if record.status in statuses:
            return record
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} is still {store.run(run_id).status} after {timeout} s")


def test_a_job_runs_in_its_own_process_and_its_result_is_stored(store: Store) -> None:
    manager = RunManager(store, sum_job, max_parallel=2)
    try:
        run_id = manager.submit(spec={"n": 10_000}, user="mona")
        record = _wait(store, run_id)
        assert record.status == "done", record.error
        assert record.result is not None and record.result["total"] == sum(i * i for i in range(10_000))
        assert record.result["pid"] != os.getpid()
        assert record.progress == 1.0 and record.finished_at is not None
        assert [(t.user, t.action) for t in store.trail()] == [("mona", "run_scenario")]
    finally:
        manager.shutdown()


def test_a_failing_job_is_failed_with_its_one_line(store: Store) -> None:
    manager = RunManager(store, sum_job)
    try:
        bad = manager.submit(spec={"n": 100, "bad_scenario": True}, user="mona")
        record = _wait(store, bad)
        assert (record.status, record.error, record.result) == (
            "failed", "team 'IT-infrastruktur' is not in the model", None)
        bug = manager.submit(spec={}, user="mona")  # KeyError 'n': a bug, with its trace
        record = _wait(store, bug)
        assert record.status == "failed" and record.error is not None
        assert record.error.startswith("unexpected failure (KeyError: 'n')") and "Traceback" in record.error
    finally:
        manager.shutdown()


def test_a_result_the_store_cannot_keep_fails_the_run_with_the_reason(store: Store) -> None:
    manager = RunManager(store, sum_job)
    try:
        record = _wait(store, manager.submit(spec={"n": 10, "not_a_number": True}, user="mona"))
        assert record.status == "failed" and record.result is None
        assert record.error is not None and record.error.startswith("the run's result could not be stored:")
    finally:
        manager.shutdown()


def test_runs_beyond_max_parallel_wait_in_the_queue(store: Store) -> None:
    manager = RunManager(store, cpu_job, max_parallel=1)
    try:
        first = manager.submit(spec={"seconds": 1.5, "steps": 3}, user="mona")
        second = manager.submit(spec={"seconds": 0.1, "steps": 1}, user="lars")
        _wait(store, first, ("running",))
        assert store.run(second).status == "queued" and manager.waiting() == [second]
        assert _wait(store, first).status == "done"
        assert _wait(store, second).status == "done"
        assert store.run(first).finished_at <= store.run(second).finished_at  # type: ignore[operator]
    finally:
        manager.shutdown()


def test_cancel_stops_the_process_and_a_queued_run(store: Store) -> None:
    manager = RunManager(store, sum_job, max_parallel=1)
    try:
        running = manager.submit(spec={"n": 1000, "pause": 30}, user="mona")
        queued = manager.submit(spec={"n": 1000}, user="mona")
        _wait(store, running, ("running",))
        deadline = time.monotonic() + 30
        while store.run(running).progress < 0.25 and time.monotonic() < deadline:  # the child is alive and busy
            time.sleep(0.05)
        pid = manager._active[running].process.pid
        assert manager.cancel(queued, user="mona")
        assert manager.cancel(running, user="mona")
        assert store.run(running).status == "cancelled" and store.run(queued).status == "cancelled"
        deadline = time.monotonic() + 10
        while manager.active() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert manager.active() == [] and manager.waiting() == []
        with pytest.raises(ProcessLookupError):  # terminated and reaped
            os.kill(pid, 0)
        assert store.run(running).message == "cancelled by mona"
        assert not manager.cancel(running, user="mona")
        assert [t.action for t in store.trail()].count("cancel_run") == 2
    finally:
        manager.shutdown()


def test_a_child_that_dies_without_a_result_fails_its_run(store: Store) -> None:
    manager = RunManager(store, sum_job, max_parallel=1)
    try:
        run_id = manager.submit(spec={"n": 1000, "pause": 30}, user="mona")
        _wait(store, run_id, ("running",))
        deadline = time.monotonic() + 30
        while not manager._active and time.monotonic() < deadline:
            time.sleep(0.05)
        # "running" is recorded just before the process starts: its pid exists once it reports progress.
        while store.run(run_id).progress == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = manager._active[run_id].process.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        record = _wait(store, run_id)
        assert record.status == "failed" and record.error == "the run's process stopped without a result (exit code -9)"
    finally:
        manager.shutdown()


def test_a_restart_fails_the_runs_it_interrupted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    store = Store(url)
    manager = RunManager(store, cpu_job, max_parallel=1)
    running = manager.submit(spec={"seconds": 30, "steps": 30}, user="mona")
    queued = manager.submit(spec={"seconds": 1}, user="mona")
    _wait(store, running, ("running",))
    # The app dies here: nothing is finished. A new app opens the same database.
    restarted = Store(url)
    assert restarted.fail_interrupted_runs() == 2
    for run_id in (running, queued):
        record = restarted.run(run_id)
        assert (record.status, record.error, record.result) == ("failed", INTERRUPTED, None)
    manager.shutdown()  # (stop the orphaned child this test left behind)
    assert store.run(running).error == INTERRUPTED  # a late shutdown does not overwrite it
    restarted.dispose()
    store.dispose()


def test_shutdown_fails_what_is_still_running(store: Store) -> None:
    manager = RunManager(store, cpu_job, max_parallel=1)
    running = manager.submit(spec={"seconds": 30, "steps": 30}, user="mona")
    queued = manager.submit(spec={"seconds": 1}, user="mona")
    _wait(store, running, ("running",))
    manager.shutdown()
    assert store.run(running).status == "failed" and store.run(queued).status == "failed"
    assert "shut down" in (store.run(running).error or "")
    with pytest.raises(Exception, match="shutting down"):
        manager.submit(spec={}, user="mona")


def test_killing_one_run_leaves_the_others_running(store: Store) -> None:
    """Each child has its own pipe: one killed in the middle of reporting harms no other run."""
    manager = RunManager(store, cpu_job, max_parallel=2)
    try:
        chatty = manager.submit(spec={"seconds": 30, "steps": 3000}, user="mona")
        other = manager.submit(spec={"seconds": 2, "steps": 200}, user="lars")
        _wait(store, chatty, ("running",))
        deadline = time.monotonic() + 30
        while store.run(chatty).progress == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert manager.cancel(chatty, user="mona")  # terminated while it sends progress ten times a second
        record = _wait(store, other)
        assert record.status == "done" and record.progress == 1.0
        assert store.run(chatty).status == "cancelled"
    finally:
        manager.shutdown()
