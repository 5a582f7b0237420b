"""Executors: run a list of independent tasks and return their results in task order."""

from __future__ import annotations

import concurrent.futures as cf
import os
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from workbench.errors import ConfigError

__all__ = ["Executor", "InProcessExecutor", "ProcessPoolExecutor", "Progress", "make_executor"]

R = TypeVar("R")

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


class ProcessPoolExecutor:
    """Runs the tasks in up to ``workers`` local worker processes.

    Parameters
    ----------
    workers : int or None
        Number of worker processes (``None``: one per core).
    """

    name = "process-pool"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers

    def map(
        self, fn: Callable[..., R], tasks: Sequence[tuple[Any, ...]], *, progress: Progress | None = None
    ) -> list[R]:
        n = len(tasks)
        workers = min(self.workers or os.cpu_count() or 1, n)
        if workers <= 1:
            return InProcessExecutor().map(fn, tasks, progress=progress)
        results: dict[int, R] = {}
        with cf.ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(fn, *args): i for i, args in enumerate(tasks)}
            for fut in cf.as_completed(futures):
                results[futures[fut]] = fut.result()
                if progress is not None:
                    progress(len(results), n)
        return [results[i] for i in range(n)]


def make_executor(
    kind: str = "auto",
    *,
    workers: int | None = None,
    address: str | None = None,
    retries: int = 2,
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

        return DaskExecutor(address, workers=workers, retries=retries)
    if address is not None:
        raise ConfigError(f"a scheduler address only works with the dask executor, not '{kind}'")
    if kind == "in-process" or (kind == "auto" and workers == 1):
        return InProcessExecutor()
    if kind in ("process-pool", "auto"):
        return ProcessPoolExecutor(workers)
    raise ConfigError(f"unknown executor '{kind}'; use one of: auto, in-process, process-pool, dask")
