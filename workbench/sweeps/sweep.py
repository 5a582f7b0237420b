"""Staffing and volume sweeps: many scenario points, each over paired replications.

A sweep point is a change to the model -- the staff of one team, a volume factor, a
routing share -- built from the scenario types of :mod:`workbench.simulation.scenarios`
(so every name is checked against the model before anything runs). Every point runs
the same ``replications``, replication ``r`` with ``SeedSequence(seed).spawn(replications)[r]``
as in :func:`~workbench.simulation.experiment.run_experiment`: common random numbers,
so the curve over staff is smooth and a point's numbers equal the scenario arm of
``run_experiment`` with the same seed. All ``points x replications`` simulations go to
the executor as one list of independent tasks, so they spread over every worker.

:func:`run_sweep` runs a grid; :func:`smallest_staff` answers "how many people does
the team need to meet the target?" by bisection over a staff range, running only the
points it needs. Both return frozen results and never print.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import numpy as np
import pandas as pd

from workbench.errors import ConfigError
from workbench.sweeps.targets import ServiceTarget, check_target, measure_run

if TYPE_CHECKING:
    from workbench.compute import Executor, Progress
    from workbench.simulation.model import SimulationModel
    from workbench.simulation.verdict import Caution, Verdict

__all__ = ["RoutingShare", "SweepGrid", "SweepResult", "StaffAnswer", "run_sweep", "smallest_staff", "sweep_cautions"]


@dataclass(frozen=True)
class RoutingShare:
    """A routing axis: the share of cases sent from activity ``at`` to ``to`` (the others rescaled)."""

    at: str
    to: str
    shares: tuple[float, ...]
    team: str | None = None


@dataclass(frozen=True)
class SweepGrid:
    """The points of a sweep: every combination of the axes.

    Attributes
    ----------
    team : str or None
        The team whose staff is swept (needed when ``staff`` is given).
    staff : tuple of int
        Staff of ``team`` (empty: as in the model).
    volume : tuple of float
        Arrival-rate factors (``1.0``: as in the model).
    routing : RoutingShare or None
        Routing shares to sweep.
    """

    team: str | None = None
    staff: tuple[int, ...] = ()
    volume: tuple[float, ...] = (1.0,)
    routing: RoutingShare | None = None

    def points(self) -> list[dict[str, Any]]:
        """One dict per point: ``staff``, ``volume``, ``routing_share`` (``None``: unchanged)."""
        staff: tuple[int | None, ...] = self.staff or (None,)
        shares: tuple[float | None, ...] = self.routing.shares if self.routing else (None,)
        return [
            {"staff": s, "volume": v, "routing_share": r}
            for s, v, r in itertools.product(staff, self.volume or (1.0,), shares)
        ]


@dataclass(frozen=True)
class SweepResult:
    """The measures of every point.

    Attributes
    ----------
    curve : pandas.DataFrame
        One row per point and measure: ``staff``, ``volume``, ``routing_share``, ``measure``,
        ``mean``, ``ci_low``, ``ci_high`` (95% t-interval over replications),
        ``replications``, and for the target's measure ``meets`` (the mean meets it) and
        ``meets_surely`` (the whole interval does).
    runs : pandas.DataFrame
        Tidy, per replication: ``staff``, ``volume``, ``routing_share``, ``replication``,
        ``measure``, ``value``.
    target : ServiceTarget or None
    settings : dict
        What was run (team, replications, seed, start, days, warm-up).
    """

    curve: pd.DataFrame
    runs: pd.DataFrame
    target: ServiceTarget | None
    settings: dict


@dataclass(frozen=True)
class StaffAnswer:
    """The smallest staff of ``team`` that meets ``target`` within ``[low, high]``.

    ``staff`` is ``None`` when even ``high`` does not meet it. ``mean``/``ci_low``/``ci_high``
    are the target measure at ``staff`` (at ``high`` when not met); ``sweep`` holds every
    point the search ran.
    """

    team: str
    target: ServiceTarget
    staff: int | None
    mean: float
    ci_low: float
    ci_high: float
    low: int
    high: int
    sweep: SweepResult


class SimulationSettings(TypedDict, total=False):
    """How every point of a sweep is simulated: these keywords of :func:`run_sweep`, which
    :func:`smallest_staff` passes on to each sweep it runs."""

    replications: int
    seed: int
    start: pd.Timestamp | str | None
    days: float | None
    warmup_days: float
    per_task: int


def _point_model(model: SimulationModel, grid: SweepGrid, point: dict[str, Any]) -> SimulationModel:
    from workbench.simulation.scenarios import (
        Change,
        RoutingChange,
        Scenario,
        StaffChange,
        VolumeChange,
        apply_scenario,
    )

    changes: list[Change] = []
    if point["staff"] is not None and grid.team is not None:
        changes.append(StaffChange(type="staff", team=grid.team, set=point["staff"]))
    if point["volume"] != 1.0:
        changes.append(VolumeChange(type="volume", factor=point["volume"]))
    if point["routing_share"] is not None and grid.routing is not None:
        r = grid.routing
        changes.append(
            RoutingChange(type="routing", at=r.at, team=r.team, next={r.to: point["routing_share"]})
        )
    if not changes:
        return model
    shown = ", ".join(f"{axis.replace('_', ' ')} {value:g}" for axis, value in point.items() if value is not None)
    return apply_scenario(model, Scenario(name=f"sweep point {shown}", changes=tuple(changes)))


def _simulate_point(
    model: SimulationModel,
    point: int,
    rep: int,
    seed: np.random.SeedSequence,
    start: pd.Timestamp,
    days: float,
    warmup_days: float,
    measures: tuple[str, ...],
) -> tuple[int, int, dict[str, float]]:
    """One replication of one point (a module-level task for any executor)."""
    from workbench.simulation.engine import simulate

    run = simulate(model, start=start, days=days, seed=seed, warmup_days=warmup_days, keep_events=False)
    return point, rep, measure_run(run, model, measures)


def _simulate_reps(
    model: SimulationModel,
    point: int,
    reps: tuple[int, ...],
    seeds: tuple[np.random.SeedSequence, ...],
    start: pd.Timestamp,
    days: float,
    warmup_days: float,
    measures: tuple[str, ...],
) -> list[tuple[int, int, dict[str, float]]]:
    """Several replications of one point in one task (each with its own seed: the numbers of
    :func:`_simulate_point`, one task and one shipped model instead of one per replication)."""
    return [_simulate_point(model, point, r, s, start, days, warmup_days, measures) for r, s in zip(reps, seeds,
                                                                                                    strict=True)]


def check_sweep(model: SimulationModel, grid: SweepGrid, *, target: ServiceTarget | None = None
                ) -> list[SimulationModel]:
    """The model of each point of ``grid``, or one line on what is wrong with the grid or the target
    (a team, an activity or a measure the model does not have), before anything is simulated."""
    if grid.staff and grid.team is None:
        raise ConfigError("a staff sweep needs the team whose staff changes (--team)")
    if any(s < 0 for s in grid.staff):
        raise ConfigError(f"staff must be 0 or more, got {list(grid.staff)}")
    if any(v <= 0 for v in grid.volume):
        raise ConfigError(f"volume factors must be positive, got {list(grid.volume)}")
    if target is not None:
        check_target(target, model)
    return [_point_model(model, grid, p) for p in grid.points()]


def sweep_cautions(model: SimulationModel, grid: SweepGrid, verdict: Verdict | None) -> tuple[Caution, ...]:
    """What the grid's staffing and volume axes cannot show on this model (as a scenario's cautions:
    :func:`~workbench.simulation.verdict.scenario_cautions`), each said once for the whole sweep."""
    from workbench.simulation.scenarios import Scenario, StaffChange, VolumeChange
    from workbench.simulation.verdict import scenario_cautions

    changes: list[StaffChange | VolumeChange] = []
    if grid.team is not None and grid.staff:
        changes.append(StaffChange(type="staff", team=grid.team, set=max(grid.staff)))
    if any(v != 1.0 for v in grid.volume):
        changes.append(VolumeChange(type="volume", factor=max(grid.volume)))
    if not changes:
        return ()
    return scenario_cautions(model, Scenario(name="sweep", changes=tuple(changes)), verdict)


def run_sweep(
    model: SimulationModel,
    grid: SweepGrid,
    *,
    target: ServiceTarget | None = None,
    replications: int = 10,
    seed: int = 0,
    start: pd.Timestamp | str | None = None,
    days: float | None = None,
    warmup_days: float = 14.0,
    executor: Executor | None = None,
    progress: Progress | None = None,
    per_task: int = 1,
) -> SweepResult:
    """Run every point of ``grid`` over ``replications`` paired replications.

    Parameters
    ----------
    model : SimulationModel
        The desk as it is.
    grid : SweepGrid
        The points (a bad team, activity or share raises before anything runs).
    target : ServiceTarget, optional
        The service target; its measure is added to the key figures and judged per point.
    replications, seed, start, days, warmup_days
        As in :func:`~workbench.simulation.experiment.run_experiment`.
    executor : Executor, optional
        Where the simulations run (default: in process); the numbers do not depend on it.
    progress : callable, optional
        ``progress(done, total)`` over all ``points x replications`` simulations.
    per_task : int, default 1
        Replications of one point run in one task. More per task means fewer tasks to ship,
        schedule and gather (the per-task overhead of a cluster) and fewer tasks to share
        among the workers; the numbers are the same for any value.
    """
    from workbench.compute import InProcessExecutor
    from workbench.simulation.experiment import simulated_period

    if replications < 1:
        raise ConfigError(f"replications must be at least 1, got {replications}")
    if per_task < 1:
        raise ConfigError(f"per_task (replications per task) must be at least 1, got {per_task}")
    points = grid.points()
    models = check_sweep(model, grid, target=target)
    start_ts, days = simulated_period(model, start=start, days=days, warmup_days=warmup_days)
    measures = (target.measure,) if target is not None else ()
    seeds = np.random.SeedSequence(seed).spawn(replications)
    run_on = executor or InProcessExecutor()
    if per_task == 1:
        tasks = [
            (m, i, r, seeds[r], start_ts, days, warmup_days, measures)
            for i, m in enumerate(models)
            for r in range(replications)
        ]
        results = run_on.map(_simulate_point, tasks, progress=progress)
    else:
        chunks = [tuple(range(r, min(r + per_task, replications))) for r in range(0, replications, per_task)]
        batches = [
            (m, i, reps, tuple(seeds[r] for r in reps), start_ts, days, warmup_days, measures)
            for i, m in enumerate(models)
            for reps in chunks
        ]
        total = len(models) * replications

        def batch_progress(done: int, _tasks: int) -> None:  # tasks done -> simulations done
            if progress is not None:
                progress(total if done == _tasks else done * total // _tasks, total)

        nested = run_on.map(_simulate_reps, batches, progress=batch_progress)
        results = [item for batch in nested for item in batch]
    rows = [(*_axes(points[i]), r, name, value) for i, r, values in results for name, value in values.items()]
    runs = pd.DataFrame(rows, columns=["staff", "volume", "routing_share", "replication", "measure", "value"])
    return SweepResult(
        curve=_curve(runs, target),
        runs=runs,
        target=target,
        settings={
            "team": grid.team,
            "replications": replications,
            "seed": seed,
            "start": str(start_ts),
            "days": days,
            "warmup_days": warmup_days,
            "points": len(points),
        },
    )


def _axes(point: dict[str, Any]) -> tuple[Any, Any, Any]:
    return point["staff"], point["volume"], point["routing_share"]


def _curve(runs: pd.DataFrame, target: ServiceTarget | None) -> pd.DataFrame:
    from workbench.simulation.experiment import mean_ci

    keys = ["staff", "volume", "routing_share", "measure"]
    rows = []
    for key, g in runs.groupby(keys, sort=False, dropna=False):
        mean, lo, hi = mean_ci(g["value"].to_numpy(dtype=float))
        rows.append((*key, mean, lo, hi, len(g)))
    curve = pd.DataFrame(rows, columns=[*keys, "mean", "ci_low", "ci_high", "replications"])
    if target is not None:
        is_t = curve["measure"] == target.measure
        bound = curve["ci_low"] if target.op == ">=" else curve["ci_high"]
        curve["meets"] = pd.array(
            [target.met_by(x) if t else pd.NA for x, t in zip(curve["mean"], is_t, strict=True)],
            dtype="boolean",
        )
        curve["meets_surely"] = pd.array(
            [target.met_by(x) if t else pd.NA for x, t in zip(bound, is_t, strict=True)], dtype="boolean"
        )
    return curve


def smallest_staff(
    model: SimulationModel,
    *,
    team: str,
    target: ServiceTarget,
    low: int,
    high: int,
    volume: float = 1.0,
    executor: Executor | None = None,
    progress: Progress | None = None,
    **settings: Unpack[SimulationSettings],
) -> StaffAnswer:
    """The smallest staff of ``team`` in ``[low, high]`` whose mean meets ``target``, by bisection.

    Assumes the measure improves with staff (more people never serve worse). Runs
    ``low`` and ``high`` first (together), then halves the range: about
    ``log2(high - low) + 2`` points instead of ``high - low + 1``. ``settings`` are passed
    to :func:`run_sweep` (:class:`SimulationSettings`: ``replications``, ``seed``, ``start``,
    ``days``, ``warmup_days``, ``per_task``).
    """
    if not 0 <= low <= high:
        raise ConfigError(f"the staff range must satisfy 0 <= low <= high, got {low}..{high}")
    ran: list[SweepResult] = []

    def run(staff: tuple[int, ...]) -> dict[int, bool]:
        grid = SweepGrid(team=team, staff=staff, volume=(volume,))
        res = run_sweep(model, grid, target=target, executor=executor, progress=progress, **settings)
        ran.append(res)
        rows = res.curve[res.curve["measure"] == target.measure]
        return {int(s): bool(m) for s, m in zip(rows["staff"], rows["meets"], strict=True)}

    met = run((low, high) if high > low else (low,))
    lo, hi = low, high
    if met[low]:
        hi = low
    elif met[high]:
        while hi - lo > 1:  # invariant: lo fails, hi meets
            mid = (lo + hi) // 2
            if run((mid,))[mid]:
                hi = mid
            else:
                lo = mid
    sweep = SweepResult(
        curve=pd.concat([r.curve for r in ran], ignore_index=True)
        .sort_values("staff", kind="stable")
        .reset_index(drop=True),
        runs=pd.concat([r.runs for r in ran], ignore_index=True),
        target=target,
        settings={**ran[0].settings, "points": sum(r.settings["points"] for r in ran), "search": "bisection"},
    )
    found = met[low] or met[high]
    at = hi if found else high
    row = sweep.curve[(sweep.curve["staff"] == at) & (sweep.curve["measure"] == target.measure)].iloc[0]
    return StaffAnswer(
        team=team,
        target=target,
        staff=at if found else None,
        mean=float(row["mean"]),
        ci_low=float(row["ci_low"]),
        ci_high=float(row["ci_high"]),
        low=low,
        high=high,
        sweep=sweep,
    )
