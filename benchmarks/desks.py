"""Executor overhead and the sweep speed-up: tasks one by one (as before) against batches, in one run.

Run from the repository root (niced: the machine is shared)::

    nice python benchmarks/desks.py                 # 200-run sweep of 14 simulated days, ~15 min under load
    nice python benchmarks/desks.py --quick         # 40 runs, a smoke test

Every arm runs in this one process, interleaved, so all arms see the same machine load, and
the reference (tasks one by one: ``batch_size=1``; for the process pool also a fresh pool per
map, as the pool worked before) is measured in the same run as the batched executors:

1. the cost of shipping the model: pickling and unpickling the demo desk's simulation model;
2. overhead per task: 400 tasks that do nothing but receive a model (20 models, each shared by
   20 consecutive tasks, like a sweep's points) through a 2-process pool and a 1-worker Dask
   cluster, one by one and batched -- wall time and CPU time of this (client and, for Dask,
   scheduler) process per task;
3. a 200-run staffing sweep (20 points x 10 replications) in process, on a 2-process pool and
   on Dask with 1 and 2 workers, one by one and batched; wall time, CPU seconds of the task
   processes and of this process, the speed-up 1 -> 2 workers, and whether every arm gives the
   same numbers (it must).
"""

from __future__ import annotations

import argparse
import copy
import importlib
import os
import pickle
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


def _receive(model: object, i: int) -> int:
    """A task that does nothing but receive a model."""
    return i


def _children_cpu() -> float:
    """CPU seconds of this process's child processes (pool workers, Dask workers and nannies):
    the ones alive now, plus the ones that have ended (a pool's workers when the pool shuts down)."""
    import resource

    import psutil

    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = ended.ru_utime + ended.ru_stime
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _timed(fn):  # type: ignore[no-untyped-def]
    load0 = os.getloadavg()[0]
    c0, k0, t0 = time.process_time(), _children_cpu(), time.perf_counter()
    value = fn()
    wall = time.perf_counter() - t0
    own, kids = time.process_time() - c0, _children_cpu() - k0
    return value, wall, own, kids, load0, os.getloadavg()[0]


def _dask(workers: int):
    from workbench.compute import DaskExecutor

    ex = DaskExecutor(workers=workers)
    ex.client.wait_for_workers(workers, timeout=120)  # start-up is not timed
    for module in ("workbench.sweeps.sweep", "workbench.simulation.engine", "workbench.simulation.kpis"):
        ex.client.run(importlib.import_module, module)  # nor the workers' first imports
    return ex


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 runs instead of 200")
    parser.add_argument("--days", type=float, default=14.0, help="simulated days per run (default 14)")
    parser.add_argument("--empty", type=int, default=400, help="empty tasks for the overhead per task")
    args = parser.parse_args(argv)

    from workbench.compute import InProcessExecutor, ProcessPoolExecutor
    from workbench.compute.dask_executor import machine_cores
    from workbench.sweeps import SweepGrid, parse_target, run_sweep

    print(f"Executor overhead benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.machine()}, {machine_cores()} cores usable, Python {platform.python_version()}, "
          f"nice {os.nice(0)}, load average at start {os.getloadavg()[0]:.1f}")
    model = _model()

    # 1. shipping the model
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    t0 = time.perf_counter()
    for _ in range(20):
        pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    dump_ms = (time.perf_counter() - t0) / 20 * 1000
    t0 = time.perf_counter()
    for _ in range(20):
        pickle.loads(blob)
    load_ms = (time.perf_counter() - t0) / 20 * 1000
    print(f"\n1. the model pickles to {len(blob) / 1024:.0f} kB: {dump_ms:.1f} ms to pickle, {load_ms:.1f} ms to unpickle")

    # 2. overhead per task
    models = [copy.deepcopy(model) for _ in range(20)]
    n = args.empty
    empty = [(models[i * 20 // n], i) for i in range(n)]
    print(f"\n2. overhead per task: {n} empty tasks, each receiving a model (20 models x {n // 20} tasks)")
    print("   arm                                  wall ms/task  this process CPU ms/task  workers CPU ms/task")
    rows: dict[str, float] = {}

    def report(label: str, wall: float, own: float, kids: float) -> None:
        rows[label] = wall / n * 1000
        print(f"   {label:38} {wall / n * 1000:11.2f}  {own / n * 1000:24.2f}  {kids / n * 1000:19.2f}", flush=True)

    one_by_one = ProcessPoolExecutor(2, batch_size=1, reuse=False)
    with ProcessPoolExecutor(2) as pool:
        pool.map(_receive, empty[:40])  # start and warm the kept workers (not timed)
        for label, ex in (("pool 2, one by one, fresh pool (before)", one_by_one), ("pool 2, batched, kept workers", pool)):
            out, wall, own, kids, _, _ = _timed(lambda ex=ex: ex.map(_receive, empty))
            assert out == list(range(n))
            report(label, wall, own, kids)
    with _dask(1) as ex:
        for size, label in ((1, "dask 1 worker, one by one (before)"), (None, "dask 1 worker, batched")):
            ex.batch_size = size
            out, wall, own, kids, _, _ = _timed(lambda ex=ex: ex.map(_receive, empty))
            assert out == list(range(n))
            report(label, wall, own, kids)

    # 3. the sweep
    reps = 2 if args.quick else 10
    grid = SweepGrid(team="IT-infrastruktur", staff=tuple(range(1, 11)), volume=(1.0, 1.2))
    runs = len(grid.points()) * reps
    sweep_args = {"model": model, "grid": grid, "target": parse_target("resolved_within:2d>=0.9"),
                  "replications": reps, "seed": 1, "days": args.days, "warmup_days": min(7.0, args.days / 2)}
    print(f"\n3. sweep: {len(grid.points())} points x {reps} replications = {runs} simulations of {args.days:g} days")
    print("   arm                                  wall s   this process CPU s   task processes CPU s  "
          "cores obtained  load average")
    walls: dict[str, float] = {}
    cpus: dict[str, tuple[float, float]] = {}
    results = []

    def sweep(label: str, ex) -> None:  # type: ignore[no-untyped-def]
        res, wall, own, kids, l0, l1 = _timed(lambda: run_sweep(executor=ex, **sweep_args))
        results.append(res)
        walls[label] = wall
        cpus[label] = (own, kids)
        cores = (own + kids) / wall
        print(f"   {label:38} {wall:6.1f}   {own:18.1f}   {kids:20.1f}  {cores:14.2f}  {l0:.1f} -> {l1:.1f}", flush=True)

    sweep("in process", InProcessExecutor())
    with _dask(1) as ex1:
        for size, label in ((1, "dask 1 worker, one by one (before)"), (None, "dask 1 worker, batched")):
            ex1.batch_size = size
            sweep(label, ex1)
    with _dask(2) as ex2:
        for size, label in ((1, "dask 2 workers, one by one (before)"), (None, "dask 2 workers, batched")):
            ex2.batch_size = size
            sweep(label, ex2)
    sweep("pool 2, one by one, fresh pool (before)", ProcessPoolExecutor(2, batch_size=1, reuse=False))
    with ProcessPoolExecutor(2) as pool:
        pool.map(_receive, empty[:40])  # start the kept workers (not timed)
        sweep("pool 2, batched, kept workers", pool)

    same = all(r.runs.equals(results[0].runs) and r.curve.equals(results[0].curve) for r in results)
    print(f"\nsame numbers in every arm: {same}")
    for kind in ("one by one (before)", "batched"):
        one, two = walls[f"dask 1 worker, {kind}"], walls[f"dask 2 workers, {kind}"]
        print(f"speed-up 1 -> 2 Dask workers, {kind}: {one:.1f} / {two:.1f} = {one / two:.2f}x (target >= 1.8x)")
    local_cpu = cpus["in process"][0]
    for kind in ("one by one (before)", "batched"):
        (own1, kids1), (own2, kids2) = cpus[f"dask 1 worker, {kind}"], cpus[f"dask 2 workers, {kind}"]
        projected = kids1 / max(kids2 / 2, own2)  # the busier of a worker and the client bounds the run
        print(f"Dask, {kind}: overhead per task on the sweep ({kids1:.1f} + {own1:.1f} - {local_cpu:.1f}) CPU s / "
              f"{runs} = {(kids1 + own1 - local_cpu) / runs * 1000:.0f} ms CPU; speed-up with a free core per "
              f"worker (projection from CPU seconds): {kids1:.1f} / max({kids2:.1f} / 2, {own2:.1f}) = {projected:.2f}x")
    ref = walls["in process"]
    for label in ("pool 2, one by one, fresh pool (before)", "pool 2, batched, kept workers"):
        print(f"speed-up in process -> {label}: {ref:.1f} / {walls[label]:.1f} = {ref / walls[label]:.2f}x")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
