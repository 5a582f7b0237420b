from __future__ import annotations

import signal
import time

import numpy as np
import pytest

from workbench.compute import InProcessExecutor, ProcessPoolExecutor, make_executor
from workbench.errors import ConfigError


def _draw(i: int, seed: np.random.SeedSequence) -> tuple[int, float]:
    return i, float(np.random.default_rng(seed).normal())


def _signal_handlers(_: int) -> tuple[str, str]:
    def name(handler: object) -> str:
        return {signal.SIG_IGN: "ignore", signal.SIG_DFL: "default"}.get(handler, "python handler")  # type: ignore[call-overload]

    return name(signal.getsignal(signal.SIGINT)), name(signal.getsignal(signal.SIGTERM))


def _tasks(n: int = 6) -> list[tuple[int, np.random.SeedSequence]]:
    return list(enumerate(np.random.SeedSequence(7).spawn(n)))


def test_results_come_back_in_task_order_and_do_not_depend_on_the_executor():
    seen: list[tuple[int, int]] = []
    local = InProcessExecutor().map(_draw, _tasks(), progress=lambda d, t: seen.append((d, t)))
    pooled = ProcessPoolExecutor(2).map(_draw, _tasks())
    assert [i for i, _ in local] == list(range(6))
    assert local == pooled
    assert seen[-1] == (6, 6)


def test_make_executor_chooses_once_and_checks_its_arguments():
    assert make_executor(workers=1).name == "in-process"
    assert make_executor(workers=2).name == "process-pool"
    with pytest.raises(ConfigError, match="unknown executor 'gpu'"):
        make_executor("gpu")
    with pytest.raises(ConfigError, match="workers must be at least 1"):
        make_executor(workers=0)


def _shared(model: dict, i: int, seed: np.random.SeedSequence) -> tuple[int, int, float]:
    """A task whose first argument is shared by many tasks (like a sweep point's model)."""
    return i, len(model["rates"]), float(np.random.default_rng(seed).normal(model["mean"]))


def _sweep_like(n_points: int = 5, reps: int = 7) -> list[tuple]:
    seeds = np.random.SeedSequence(11).spawn(reps)
    models = [{"mean": float(p), "rates": list(range(1000 + p))} for p in range(n_points)]
    return [(m, p * reps + r, seeds[r]) for p, m in enumerate(models) for r in range(reps)]


def test_batches_are_consecutive_cover_every_task_once_and_check_their_size():
    from workbench.compute.executors import plan_batches

    for n, workers, size in [(1, 4, None), (7, 2, None), (200, 2, None), (200, 32, None), (10, 2, 3), (10, 2, 50)]:
        batches = plan_batches(n, workers, batch_size=size)
        assert [i for b in batches for i in b] == list(range(n))
    assert len(plan_batches(200, 2)) == 16 and len(plan_batches(1000, 32)) == 250
    with pytest.raises(ConfigError, match="batch_size must be at least 1, got 0"):
        ProcessPoolExecutor(2, batch_size=0)


def test_batching_and_reused_workers_never_change_a_result():
    tasks = _sweep_like()
    local = InProcessExecutor().map(_shared, tasks)
    seen: list[tuple[int, int]] = []
    with ProcessPoolExecutor(2) as pool:
        auto = pool.map(_shared, tasks, progress=lambda d, t: seen.append((d, t)))
        again = pool.map(_shared, tasks)  # the same worker processes, a second round
        first = pool._pool
        assert pool.map(_shared, tasks[:3]) == local[:3] and pool._pool is first
    assert pool._pool is None  # closed on leaving
    one = ProcessPoolExecutor(2, batch_size=1, reuse=False).map(_shared, tasks)
    odd = ProcessPoolExecutor(2, batch_size=4).map(_shared, tasks)
    assert local == auto == again == one == odd
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1] == (35, 35)
    assert make_executor("process-pool", workers=2, batch_size=3).map(_shared, tasks) == local


def _fail_on(i: int) -> int:
    if i == 5:
        raise ValueError(f"task {i} failed")
    return i


def test_a_failing_task_raises_its_own_error_from_a_batch():
    with pytest.raises(ValueError, match="task 5 failed"):
        ProcessPoolExecutor(2, batch_size=3).map(_fail_on, [(i,) for i in range(12)])


@pytest.mark.parametrize("reuse", [True, False])
def test_workers_leave_interrupts_to_the_parent(reuse: bool) -> None:
    """Forked while the pipeline turns SIGTERM into an interrupt, a worker still ignores Ctrl-C and ends on SIGTERM."""
    from workbench.pipeline.runner import sigterm_as_interrupt

    with sigterm_as_interrupt(), ProcessPoolExecutor(2, reuse=reuse) as pool:
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)  # the parent's handler
        seen = set(pool.map(_signal_handlers, [(i,) for i in range(4)]))
    assert seen == {("ignore", "default")}


def _nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@pytest.mark.parametrize("reuse", [True, False])
def test_an_interrupt_stops_the_workers_without_waiting_for_their_batches(reuse: bool) -> None:
    """Ctrl-C (or SIGTERM in a pipeline run) during a map: the workers end now, not after their hour-long batches."""
    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    pool = ProcessPoolExecutor(2, batch_size=1, reuse=reuse)
    tasks = [(0.0,), *[(3600.0,)] * 4]  # the first finishes at once; the others would run for an hour
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pool.map(_nap, tasks, progress=interrupt)
    pool.close()
    assert time.monotonic() - started < 120  # waiting for the batches would take an hour
    assert pool.map(_nap, [(0.0,), (0.0,)]) == [0.0, 0.0]  # the executor still works afterwards
    pool.close()


def test_a_failing_task_leaves_no_worker_of_a_fresh_pool_behind():
    import multiprocessing

    before = {p.pid for p in multiprocessing.active_children()}
    with pytest.raises(ValueError, match="task 5 failed"):
        ProcessPoolExecutor(2, batch_size=3, reuse=False).map(_fail_on, [(i,) for i in range(12)])
    assert {p.pid for p in multiprocessing.active_children()} <= before
