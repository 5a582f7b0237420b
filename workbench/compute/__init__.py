"""Where independent work runs: one small seam for every loop of independent tasks.

Simulation replications, scenario comparisons, validation replications, tuning trials and
bootstraps are lists of independent tasks. Library code hands them to an :class:`Executor`
and gets the results back **in task order**, whichever executor ran them, so the same seed
gives the same numbers in process, in a local process pool or on a cluster. The front end
(CLI, pipeline, web app) chooses the executor once, with :func:`make_executor`;
:class:`DaskExecutor` runs the same tasks on a local or a remote Dask cluster.
"""

from __future__ import annotations

from workbench.compute.dask_executor import ComputeError, DaskExecutor
from workbench.compute.executors import (
    Executor,
    InProcessExecutor,
    ProcessPoolExecutor,
    Progress,
    make_executor,
)

__all__ = [
    "ComputeError",
    "DaskExecutor",
    "Executor",
    "InProcessExecutor",
    "ProcessPoolExecutor",
    "Progress",
    "make_executor",
]
