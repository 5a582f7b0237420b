"""Scale-out benchmark: a 200-run staffing sweep on Dask with 1 and 2 workers, overhead per task.

Run from the repository root::

    python benchmarks/scaleout.py                 # 200 runs (about 4-6 minutes on 2 shared cores)
    python benchmarks/scaleout.py --quick         # 40 runs, a smoke test

What it does, in one process, so every arm sees the same machine load:

1. learns the demo desk's simulation model (one generated year of the demo log, seed 42);
2. builds a sweep of 20 points (staff of IT-infrastruktur 1..10 x volume 1.0 and 1.2) x 10
   replications = 200 simulations of ``--days`` days (target resolved_within:2d>=0.9);
3. runs it in process, then on an embedded Dask cluster with 1 worker, then with 2 workers
   (and, with ``--repeat``, 2 then 1 again), checks that every arm gives the same numbers, and
   prints the wall time, the load average before and after, and the speed-up;
4. measures the overhead per task: 400 tasks that do nothing through the 1-worker cluster,
   and (Dask 1 worker - in process) / 200 on the real sweep;
5. prints an estimate, with its arithmetic, for a 200-run sweep of each of 98 desks on a
   32-core cluster.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _model():
    from workbench.config import load_log_config
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.io import prepare_log
    from workbench.simulation import discover_model

    config = load_log_config(REPO / "configs" / "logs" / "demo.yaml")
    raw = generate_demo_log(DemoParams(days=365), seed=42).events
    events = prepare_log(raw, config, pseudonymise=False).events
    return discover_model(events, config=config)


def _nothing(i: int) -> int:
    return i


def _cpu(executor) -> float:
    """CPU seconds used so far by the processes that run the tasks (this one, or every Dask worker)."""
    client = getattr(executor, "client", None)
    if client is None:
        return time.process_time()
    return float(sum(client.run(time.process_time).values()))


def _arm(label: str, executor, sweep_args: dict, warm_tasks: int) -> tuple[float, float, object]:
    from workbench.sweeps import SweepGrid, run_sweep

    # warm up first (lazy imports, caches) in every process that runs tasks; not timed
    warm_grid = SweepGrid(team=sweep_args["grid"].team, staff=(3,))
    run_sweep(executor=executor, **{**sweep_args, "grid": warm_grid, "replications": warm_tasks})
    load0 = os.getloadavg()[0]
    cpu0 = _cpu(executor)
    t0 = time.perf_counter()
    result = run_sweep(executor=executor, **sweep_args)
    seconds = time.perf_counter() - t0
    cpu = _cpu(executor) - cpu0
    load1 = os.getloadavg()[0]
    print(
        f"  {label:18} {seconds:7.1f} s wall  {cpu:7.1f} CPU s in the task processes  "
        f"({cpu / seconds:.2f} cores obtained)  load average {load0:.1f} -> {load1:.1f}",
        flush=True,
    )
    return seconds, cpu, result


def _dask(workers: int):
    from workbench.compute import DaskExecutor

    ex = DaskExecutor(workers=workers)
    ex.client.wait_for_workers(workers, timeout=120)  # start-up is not part of the timed run
    for module in ("workbench.sweeps.sweep", "workbench.simulation.engine", "workbench.simulation.kpis"):
        ex.client.run(importlib.import_module, module)  # nor are the workers' first imports
    return ex


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 runs instead of 200")
    parser.add_argument("--days", type=float, default=49.0, help="simulated days per run (default 49)")
    parser.add_argument("--repeat", action="store_true", help="also run 2 workers then 1 worker again")
    parser.add_argument("--per-task", type=int, default=1,
                        help="replications of one point per task on Dask (default 1: one simulation per task)")
    parser.add_argument("--skip-local", action="store_true",
                        help="skip the in-process arm (the Dask arms are then compared with each other)")
    args = parser.parse_args(argv)

    from workbench.compute import InProcessExecutor
    from workbench.compute.dask_executor import machine_cores
    from workbench.sweeps import SweepGrid, parse_target

    reps = 2 if args.quick else 10
    grid = SweepGrid(team="IT-infrastruktur", staff=tuple(range(1, 11)), volume=(1.0, 1.2))
    runs = len(grid.points()) * reps
    print(f"Scale-out benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.machine()}, {machine_cores()} cores usable, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average at start {os.getloadavg()[0]:.1f}"
    )
    t0 = time.perf_counter()
    model = _model()
    print(f"demo desk model learned in {time.perf_counter() - t0:.1f} s; teams: {len(model.teams)}")
    sweep_args = {
        "model": model,
        "grid": grid,
        "target": parse_target("resolved_within:2d>=0.9"),
        "replications": reps,
        "seed": 1,
        "days": args.days,
        "warmup_days": 7.0,
    }
    print(
        f"sweep: {len(grid.points())} points x {reps} replications = {runs} simulations of {args.days:g} days"
    )

    if args.skip_local:
        local_s, local_cpu, local = float("nan"), float("nan"), None
    else:
        local_s, local_cpu, local = _arm("in process", InProcessExecutor(), sweep_args, 1)
    dask_args = {**sweep_args, "per_task": args.per_task}
    print(f"on Dask: {args.per_task} replication(s) per task, {runs // args.per_task} tasks")
    arms: dict[str, list[tuple[float, float, float]]] = {"1": [], "2": []}
    results = []
    order = ["1", "2", "2", "1"] if args.repeat else ["1", "2"]
    empty = float("nan")
    for n in order:
        with _dask(int(n)) as ex:
            client_cpu0 = time.process_time()
            seconds, cpu, res = _arm(f"dask, {n} worker{'s' if n == '2' else ''}", ex, dask_args, 2 * int(n))
            arms[n].append((seconds, cpu, time.process_time() - client_cpu0))
            results.append(res)
            if n == "1" and len(arms["1"]) == 1:
                t1 = time.perf_counter()
                ex.map(_nothing, [(i,) for i in range(400)])
                empty = (time.perf_counter() - t1) / 400
    first = local if local is not None else results[0]
    same = all(r.runs.equals(first.runs) and r.curve.equals(first.curve) for r in results)
    print(f"same numbers in every arm: {same}")
    one, cpu1, client1 = min(arms["1"])
    two, cpu2, client2 = min(arms["2"])
    speedup = one / two
    print(f"speed-up 1 -> 2 workers (wall): {one:.1f} s / {two:.1f} s = {speedup:.2f}x (target >= 1.8x)")
    projected = cpu1 / max(cpu2 / 2, client2)  # the busier of a worker and the client bounds the run
    print(
        f"CPU seconds in the workers: {cpu1:.1f} (1 worker) and {cpu2:.1f} (2 workers); in the client and "
        f"scheduler process: {client1:.1f} and {client2:.1f}"
    )
    print(
        f"speed-up with a free core per worker (projection from CPU seconds): {cpu1:.1f} / ({cpu2:.1f} / 2) = "
        f"{projected:.2f}x"
    )
    per_task = local_cpu / runs
    overhead_cpu = (cpu1 + client1 - local_cpu) / runs
    print(
        f"one simulation in process: {local_cpu:.1f} CPU s / {runs} = {per_task * 1000:.0f} ms CPU ({local_s / runs * 1000:.0f} ms wall)"
    )
    print(
        f"overhead per task: {empty * 1000:.1f} ms wall for an empty task (400 through 1 worker); on the sweep "
        f"({cpu1:.1f} + {client1:.1f} - {local_cpu:.1f}) CPU s / {runs} = {overhead_cpu * 1000:.1f} ms CPU"
    )
    desks, cores = 98, 32
    efficiency = min(projected / 2, 1.0)
    task = per_task + max(overhead_cpu, 0.0)
    work = desks * runs * task
    wall = work / (cores * efficiency)
    print(
        f"estimate, {desks} desks x one {runs}-run sweep each on a {cores}-core cluster (one single-threaded worker per core):"
    )
    print(
        f"  work = {desks} desks x {runs} runs x ({per_task * 1000:.0f} + {max(overhead_cpu, 0.0) * 1000:.1f}) ms = "
        f"{work:.0f} CPU s"
    )
    print(
        f"  wall = {work:.0f} s / ({cores} cores x {efficiency:.2f} efficiency) = {wall:.0f} s = {wall / 60:.1f} min, "
        f"as {desks * runs} tasks over {cores} workers: {desks * runs / cores:.0f} tasks per worker "
        f"(desks the demo desk's size, {len(model.teams)} teams, {args.days:g} simulated days per run)"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
