"""Staffing and volume sweeps: the curve of a service measure over staff, volume and routing.

:func:`run_sweep` runs a grid of scenario points; :func:`smallest_staff` finds the
smallest staffing that meets a service target such as ``resolved_within:2d>=0.9``
(see :func:`parse_target`). The simulations go through an executor
(:mod:`workbench.compute`), so the same sweep runs in process, in a local pool or on a
Dask cluster, with the same numbers.
"""

from __future__ import annotations

from workbench.sweeps.sweep import (
    RoutingShare,
    SimulationSettings,
    StaffAnswer,
    SweepGrid,
    SweepResult,
    check_sweep,
    run_sweep,
    smallest_staff,
    sweep_cautions,
)
from workbench.sweeps.targets import ServiceTarget, parse_target

__all__ = [
    "RoutingShare",
    "ServiceTarget",
    "SimulationSettings",
    "StaffAnswer",
    "SweepGrid",
    "SweepResult",
    "check_sweep",
    "parse_target",
    "run_sweep",
    "smallest_staff",
    "sweep_cautions",
]
