"""Executors: run a list of independent tasks and return their results in task order.

The executors that ship tasks to other processes send them in **batches** of consecutive
tasks (:func:`plan_batches`): one message per batch instead of one per task, and an argument
shared by the tasks of a batch (the simulation model of a sweep point) is pickled once per
batch rather than once per task (pickle keeps one copy of an object it meets twice). A batch
runs its tasks one after another with their own arguments, so batching never changes a result.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import os
import signal
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Protocol, Self, TypeVar, runtime_checkable

from workbench.errors import ConfigError

__all__ = ["ClosingExecutor", "Executor", "InProcessExecutor", "ProcessPoolExecutor", "Progress", "make_executor",
           "plan_batches", "run_batch"]

#: Batches per worker when the batch size is automatic: small enough messages, and a worker that
#: finishes early still finds work (the slowest batch is at most an eighth of a worker's share).
BATCHES_PER_WORKER = 8

R = TypeVar("R")


def _worker_signals() -> None:
    """In a worker process: leave interrupts to the parent.

    Ctrl-C in a terminal reaches every process of the foreground group; the parent stops the
    run and shuts the pool down, so a worker ignores SIGINT. A forked worker would also inherit
    a handler the parent installed for SIGTERM (``sigterm_as_interrupt``), under which a worker
    stopped by its pool raises KeyboardInterrupt instead of ending: the default is restored.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

#: ``progress(done, total)``, called after each finished task (in completion order).
Progress = Callable[[int, int], None]


@runtime_checkable
class Executor(Protocol):
    """Runs ``fn(*args)`` for every ``args`` in ``tasks``; results come back in task order.

    ``fn`` must be a module-level function (picklable) and must not depend on which
    process runs it: every random draw comes from a seed passed in ``args``.
    """

    name: str

    def map(
        self, fn: Callable[..., R], tasks: Sequence[tuple[Any, ...]], *, progress: Progress | None = None
    ) -> list[R]: ...


def plan_batches(n_tasks: int, workers: int, *, batch_size: int | None = None) -> list[range]:
    """Consecutive task ranges, in task order: ``batch_size`` tasks each, or (``None``) about
    :data:`BATCHES_PER_WORKER` batches per worker.

    Examples
    --------
    >>> [list(b) for b in plan_batches(5, 1, batch_size=2)]
    [[0, 1], [2, 3], [4]]
    >>> len(plan_batches(200, 2)), len(plan_batches(200, 2)[0])
    (16, 13)
    >>> plan_batches(3, 2)
    [range(0, 1), range(1, 2), range(2, 3)]
    """
    if batch_size is not None and batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
    size = batch_size or max(1, math.ceil(n_tasks / (max(workers, 1) * BATCHES_PER_WORKER)))
    return [range(i, min(i + size, n_tasks)) for i in range(0, n_tasks, size)]


def run_batch(fn: Callable[..., R], tasks: Sequence[tuple[Any, ...]]) -> list[R]:
    """Run ``fn(*args)`` for every ``args`` of one batch, in order (the unit a worker process receives)."""
    return [fn(*args) for args in tasks]


class InProcessExecutor:
    """Runs the tasks one after another in this process (the default; easiest to debug)."""

    name = "in-process"

    def map(
        self, fn: Callable[..., R], tasks: Sequence[tuple[Any, ...]], *, progress: Progress | None = None
    ) -> list[R]:
        results: list[R] = []
        for args in tasks:
            results.append(fn(*args))
            if progress is not None:
                progress(len(results), len(tasks))
        return results


class ClosingExecutor:
    """Base of the executors that keep workers between ``map`` calls: ``close`` releases them, also on
    leaving a ``with`` block."""

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessPoolExecutor(ClosingExecutor):
    """Runs the tasks in up to ``workers`` local worker processes, in batches.

    Parameters
    ----------
    workers : int or None
        Number of worker processes (``None``: one per core).
    batch_size : int or None
        Tasks per batch (``None``: about :data:`BATCHES_PER_WORKER` batches per worker;
        ``1``: one task per message).
    reuse : bool
        Keep the worker processes for later ``map`` calls (an adaptive search maps several
        rounds; a warm worker has its imports done). :meth:`close` (or ``with``, or the
        executor being garbage collected) stops them.
    """

    name = "process-pool"

    def __init__(self, workers: int | None = None, *, batch_size: int | None = None, reuse: bool = True) -> None:
        if batch_size is not None and batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        self.workers = workers
        self.batch_size = batch_size
        self.reuse = reuse
        self._pool: cf.ProcessPoolExecutor | None = None
        self._pool_size = 0

    def _get_pool(self, workers: int) -> cf.ProcessPoolExecutor:
        if self._pool is not None and self._pool_size >= workers:
            return self._pool
        self.close()
        self._pool = cf.ProcessPoolExecutor(max_workers=workers, initializer=_worker_signals)
        self._pool_size = workers
        weakref.finalize(self, self._pool.shutdown, wait=False, cancel_futures=True)
        return self._pool

    def close(self) -> None:
        """Stop the worker processes (a later ``map`` starts new ones)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._pool_size = 0

    def map(
        self, fn: Callable[..., R], tasks: Sequence[tuple[Any, ...]], *, progress: Progress | None = None
    ) -> list[R]:
        n = len(tasks)
        workers = min(self.workers or os.cpu_count() or 1, n)
        if workers <= 1:
            return InProcessExecutor().map(fn, tasks, progress=progress)
        if not self.reuse:
            fresh = cf.ProcessPoolExecutor(max_workers=workers, initializer=_worker_signals)
            try:
                return _run_batches(fresh, fn, tasks, workers, self.batch_size, progress)
            except KeyboardInterrupt:
                _stop_workers(fresh)
                raise
            finally:
                fresh.shutdown(wait=True)  # after _stop_workers: nothing left to wait for
        pool = self._get_pool(self.workers or os.cpu_count() or 1)
        try:
            return _run_batches(pool, fn, tasks, workers, self.batch_size, progress)
        except cf.process.BrokenProcessPool:
            self.close()  # a worker died: the next map starts a fresh pool
            raise
        except KeyboardInterrupt:
            self._pool, self._pool_size = None, 0  # the next map starts a fresh pool
            _stop_workers(pool)
            raise

    def __repr__(self) -> str:
        return f"ProcessPoolExecutor(workers={self.workers}, batch_size={self.batch_size})"


def _stop_workers(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a pool's workers now, in the middle of their batches (Ctrl-C or SIGTERM in the parent).

    ``shutdown`` alone waits for the batches already running, which can take minutes; the
    interrupted run keeps none of their results, so the workers are ended (SIGTERM, whose
    default :func:`_worker_signals` restores) and waited for. The process table is private
    to ``concurrent.futures`` (Python 3.14 adds ``terminate_workers`` for this).
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)


def _run_batches(
    pool: cf.Executor,
    fn: Callable[..., R],
    tasks: Sequence[tuple[Any, ...]],
    workers: int,
    batch_size: int | None,
    progress: Progress | None,
) -> list[R]:
    batches = plan_batches(len(tasks), workers, batch_size=batch_size)
    futures = {pool.submit(run_batch, fn, [tasks[i] for i in b]): b for b in batches}
    results: list[Any] = [None] * len(tasks)
    done = 0
    try:
        for fut in cf.as_completed(futures):
            batch = futures[fut]
            for i, value in zip(batch, fut.result(), strict=True):
                results[i] = value
            done += len(batch)
            if progress is not None:
                progress(done, len(tasks))
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return results


def make_executor(
    kind: str = "auto",
    *,
    workers: int | None = None,
    address: str | None = None,
    retries: int = 2,
    batch_size: int | None = None,
) -> Executor:
    """Choose where independent work runs.

    Parameters
    ----------
    kind : {"auto", "in-process", "process-pool", "dask"}
        ``"auto"``: Dask when an ``address`` is given, else a process pool when ``workers``
        is more than 1, else in process. ``"dask"``: the scheduler at ``address``, or an
        embedded local cluster with ``workers`` worker processes (``None``: one per core).
    workers : int or None
        Worker processes for a pool or an embedded Dask cluster (``None``: one per core).
    address : str or None
        Dask scheduler to attach to, e.g. ``"tcp://host:8786"``.
    retries : int
        Dask only: how often a failed task is run again.
    batch_size : int or None
        Tasks sent to a worker at once (``None``: automatic; see :func:`plan_batches`).
        Results never depend on it.

    Examples
    --------
    >>> make_executor(workers=1).name
    'in-process'
    >>> make_executor("process-pool", workers=2).name
    'process-pool'
    >>> make_executor().map(pow, [(2, 3), (3, 2)])
    [8, 9]
    >>> make_executor("gpu")
    Traceback (most recent call last):
    ...
    workbench.errors.ConfigError: unknown executor 'gpu'; use one of: auto, in-process, process-pool, dask
    """
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    if kind == "dask" or (kind == "auto" and address is not None):
        from workbench.compute.dask_executor import DaskExecutor

        return DaskExecutor(address, workers=workers, retries=retries, batch_size=batch_size)
    if address is not None:
        raise ConfigError(f"a scheduler address only works with the dask executor, not '{kind}'")
    if kind == "in-process" or (kind == "auto" and workers == 1):
        return InProcessExecutor()
    if kind in ("process-pool", "auto"):
        return ProcessPoolExecutor(workers, batch_size=batch_size)
    raise ConfigError(f"unknown executor '{kind}'; use one of: auto, in-process, process-pool, dask")
