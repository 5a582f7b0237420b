"""Where a command's independent work runs: one ``--scheduler`` option and one way to make and close the executor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from workbench.compute import Executor


def scheduler_option(what: str = "the replications", note: str = "default: this machine") -> Any:
    """``--scheduler tcp://host:8786`` (or ``WORKBENCH_DASK_SCHEDULER``): a Dask cluster to run ``what`` on."""
    return typer.Option(
        None,
        "--scheduler",
        envvar="WORKBENCH_DASK_SCHEDULER",
        help=f"Dask scheduler to run {what} on, e.g. tcp://host:8786 ({note}).",
    )


def make_command_executor(scheduler: str | None, workers: int | None, *, local_dask: bool = False) -> Executor:
    """The Dask scheduler at ``scheduler`` (a bad address fails here, before any work), else ``workers`` here.

    ``local_dask``: without a scheduler, start a Dask cluster on this machine for the command
    (``workers`` processes, default one per core) instead of a process pool.
    """
    from workbench.compute import make_executor

    if scheduler:
        return make_executor("dask", address=scheduler)
    if local_dask:
        return make_executor("dask", workers=workers)
    return make_executor(workers=workers)


def close_executor(executor: Executor | None) -> None:
    """Release the executor's workers or cluster connection, if it holds any."""
    close = getattr(executor, "close", None)
    if close is not None:
        close()
