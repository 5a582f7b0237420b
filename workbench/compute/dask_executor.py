"""The Dask executor: the same tasks on a local cluster or on a real one, with the same results.

:class:`DaskExecutor` hands every task to a Dask ``distributed`` scheduler and gathers
the results **in task order**. With no address it starts an embedded local cluster
sized to the machine (one single-threaded worker process per core: the tasks are
pure-Python simulations, so threads would only fight over the GIL). With an address
(``tcp://host:8786``) it attaches to a running scheduler, e.g. one started with
``dask scheduler`` and ``dask worker tcp://host:8786`` on other machines.

Tasks go to the cluster in batches of consecutive tasks (see
:func:`~workbench.compute.executors.plan_batches`): one scheduler round trip per batch, and
a model shared by a batch's tasks is serialised once per batch. Shared arguments are not
scattered to the workers ahead of time on purpose: scattered data is lost with the worker
that holds it and cannot be recomputed, while a batch carries its own arguments and can
always be run again elsewhere.

Results do not depend on the executor: every random draw comes from a seed in the
task's arguments, so a task that is run again -- because its worker was lost mid-run
and the scheduler moved it, or because it failed and is retried (``retries``) -- gives
the same answer.

Workers import the task functions by name (``workbench.simulation.experiment._replicate``),
so every worker needs the workbench installed, at the same code as this process. On
connecting, the executor asks each worker for a digest of its workbench source and
refuses to run (one line, naming the worker) when a worker cannot import the
workbench or runs different code.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from workbench.compute.executors import ClosingExecutor, Progress, plan_batches, run_batch
from workbench.errors import ConfigError, WorkbenchError

if TYPE_CHECKING:
    from distributed import Client


__all__ = ["ComputeError", "DaskExecutor", "code_digest", "machine_cores"]

R = TypeVar("R")

#: Environment variable naming the scheduler to attach to (read at the edge, by the CLI).
SCHEDULER_ENV = "WORKBENCH_DASK_SCHEDULER"


class ComputeError(WorkbenchError, RuntimeError):
    """Work could not be run on the cluster (workers kept dying, or run other code)."""


def machine_cores() -> int:
    """Cores this process may use (the CPU affinity where the system tells it, else ``os.cpu_count``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def code_digest() -> str:
    """SHA-256 of the workbench package's Python source (relative paths and bytes, in path order).

    Run on every worker to check that it imports the same code as the client.
    """
    import workbench

    root = Path(workbench.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class DaskExecutor(ClosingExecutor):
    """Runs the tasks on a Dask cluster; results come back in task order.

    Parameters
    ----------
    address : str or None
        Scheduler to attach to, e.g. ``"tcp://10.0.0.5:8786"``. ``None`` starts an
        embedded local cluster the first time work is mapped.
    workers : int or None
        Worker processes of the embedded cluster (``None``: one per core). Ignored
        when attaching to a scheduler: that cluster has the workers it has.
    retries : int
        How often a task that raised is run again before its error is reported. A task
        whose worker died is moved to another worker by the scheduler anyway.
    connect_timeout : float
        Seconds to wait for the scheduler at ``address``.
    check_code : bool
        Check that every worker imports the same workbench code (see :func:`code_digest`).
    batch_size : int or None
        Tasks per batch (``None``: about eight batches per worker of the cluster; ``1``:
        one task per scheduler round trip). Results never depend on it.

    Notes
    -----
    The cluster is started (or attached to) lazily and kept for later ``map`` calls
    (an adaptive search maps several rounds); :meth:`close` (or ``with``) releases it.
    """

    name = "dask"

    def __init__(
        self,
        address: str | None = None,
        *,
        workers: int | None = None,
        retries: int = 2,
        connect_timeout: float = 10.0,
        check_code: bool = True,
        batch_size: int | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")
        if batch_size is not None and batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        if retries < 0:
            raise ConfigError(f"retries must be 0 or more, got {retries}")
        if address is not None and "://" not in address:
            raise ConfigError(f"scheduler address '{address}' has no protocol; write it as tcp://host:8786")
        self.address = address
        self.workers = workers
        self.retries = retries
        self.connect_timeout = connect_timeout
        self.check_code = check_code
        self.batch_size = batch_size
        self._client: Client | None = None
        self._cluster: Any = None

    # -- lifetime ------------------------------------------------------------------------------

    @property
    def client(self) -> Client:
        """The ``distributed.Client`` (starts the local cluster or connects on first use)."""
        if self._client is None:
            self._client = self._connect()
            if self.check_code:
                try:
                    self._check_workers(self._client)
                except BaseException:
                    self.close()
                    raise
        return self._client

    def _connect(self) -> Client:
        from distributed import Client, LocalCluster

        if self.address is None:
            import dask

            n = self.workers or machine_cores()
            # The workers' sampling profiler takes the GIL every 10 ms from pure-Python tasks.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self._cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                )
            return Client(self._cluster)
        try:
            return Client(self.address, timeout=self.connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler at {self.address} within {self.connect_timeout:g} s "
                f"({type(exc).__name__}); start it with 'dask scheduler' or fix --scheduler / {SCHEDULER_ENV}"
            ) from None

    def _check_workers(self, client: Client, expected: str | None = None) -> None:
        """Refuse workers that cannot import the workbench or run other code than ``expected`` (default: ours)."""
        client.wait_for_workers(1, timeout=self.connect_timeout)
        mine = expected or code_digest()
        theirs = client.run(code_digest, on_error="return")
        for worker, digest in sorted(theirs.items()):
            if isinstance(digest, BaseException):
                raise ComputeError(
                    f"Dask worker {worker} cannot import the workbench ({type(digest).__name__}: {digest}); "
                    "install the same workbench version on every worker"
                )
            if digest != mine:
                raise ComputeError(
                    f"Dask worker {worker} runs different workbench code than this process "
                    f"(source digest {digest[:12]} vs {mine[:12]}); install the same version on every worker"
                )

    def close(self) -> None:
        """Disconnect, and stop the embedded cluster if this executor started one."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    # -- work ------------------------------------------------------------------------------------

    def map(
        self, fn: Callable[..., R], tasks: Sequence[tuple[Any, ...]], *, progress: Progress | None = None
    ) -> list[R]:
        """Run ``fn(*args)`` for every ``args`` on the cluster; results in task order.

        ``progress(done, total)`` is called here, in this process, as remote tasks finish.
        """
        from distributed import as_completed


        if not tasks:
            return []
        client = self.client
        workers = len(client.scheduler_info(n_workers=-1).get("workers", {})) or 1
        batches = plan_batches(len(tasks), workers, batch_size=self.batch_size)
        futures = [
            client.submit(run_batch, fn, [tasks[i] for i in b], pure=False, retries=self.retries) for b in batches
        ]
        size = {f.key: len(b) for f, b in zip(futures, batches, strict=True)}
        try:
            done = 0
            for future in as_completed(futures):
                if future.status == "error":
                    break  # gather below raises the task's own error
                done += size[future.key]
                if progress is not None:
                    progress(done, len(tasks))
            return [r for batch in client.gather(futures) for r in batch]
        except Exception as exc:
            client.cancel([f for f in futures if not f.done()])
            if type(exc).__name__ == "KilledWorker":
                raise ComputeError(
                    f"a task of {getattr(fn, '__name__', fn)} killed every worker it ran on ({exc}); "
                    "it may need more memory per worker"
                ) from None
            raise
        finally:
            del futures  # release the results on the cluster

    def __repr__(self) -> str:
        where = self.address or f"local cluster ({self.workers or machine_cores()} workers)"
        return f"DaskExecutor({where}, retries={self.retries}, batch_size={self.batch_size})"
