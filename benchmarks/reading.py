"""Reading benchmark: read + validate of a 1M-event CSV against pandas' pyarrow engine (and polars).

Run:  nice python benchmarks/reading.py [--events 1000000] [--repeats 3] [--profile] [--stages]

One process, one file, side by side: the same seeded synthetic CSV (the one of
``benchmarks/foundation.py``) is read by ``pandas.read_csv(engine="pyarrow")``, by
``polars.read_csv`` when polars is installed (skipped otherwise), by plain
``pandas.read_csv``, and by the workbench's read + validate
(:func:`workbench.usecases.load_and_validate`: sniffing, the file limits, reading,
mapping, every cleaning check and the pseudonymisation). Each is run ``--repeats``
times in turn; the medians and the ratio workbench / pyarrow are printed.
``--profile`` prints the top of a cProfile of one workbench read; ``--stages`` times the
workbench's steps one by one (read, map, clean, pseudonymise, decode; medians of ``--repeats``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine

if TYPE_CHECKING:
    from workbench.config import LogConfig

SECRET = "benchmark-secret-0123456789abcdef"
ACTIVITIES = np.array(["Registered", "Assigned", "In progress", "Waiting for user", "Mail to user",
                       "Mail from user", "Forwarded", "Resolved with mail", "Reopened", "Closed"])
TEAMS = np.array(["First line", "Infra", "ESDH", "HR", "Finance", "BI"])
CONFIG = """name: million
source: {{path: {path}}}
columns: {{case_id: ticket_id, activity: status, timestamp: timestamp, resource: agent, team: team}}
case_attributes: [department]
"""


def make_csv(path: Path, events: int, seed: int = 7) -> None:
    """The synthetic log of benchmarks/foundation.py: 10 events per case, UTC timestamps with ``Z``."""
    rng = np.random.default_rng(seed)
    cases = events // 10
    n = cases * 10
    case = np.repeat(np.arange(cases), 10)
    start = pd.Timestamp("2023-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 365 * 86400, cases), unit="s")
    offsets = np.cumsum(rng.exponential(3600, n).reshape(cases, 10), axis=1).ravel()
    ts = start.repeat(10) + pd.to_timedelta(offsets, unit="s")
    frame = pd.DataFrame({
        "ticket_id": pd.Series(case).map("T{:07d}".format),
        "status": ACTIVITIES[rng.integers(0, len(ACTIVITIES), n)],
        "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "agent": pd.Series(rng.integers(0, 60, n)).map("agent-{:03d}".format),
        "team": TEAMS[rng.integers(0, len(TEAMS), n)],
        "department": np.array(list("ABCDEFGH"))[np.repeat(rng.integers(0, 8, cases), 10)],
    })
    frame.to_csv(path, index=False)


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _stages(config: LogConfig, repeats: int) -> None:
    """Median wall time of each step of :func:`workbench.io.load_log` on the file (ms)."""
    from workbench.cleaning import clean_log, decoded
    from workbench.io.mapping import to_canonical
    from workbench.io.readers import read_csv_coded
    from workbench.privacy import pseudonymise_frame
    from workbench.schema import RESOURCE

    steps: dict[str, list[float]] = {}
    for _ in range(repeats):
        gc.collect()
        marks = [time.perf_counter()]
        raw = read_csv_coded(config.source)
        marks.append(time.perf_counter())
        canonical = to_canonical(raw, config)
        marks.append(time.perf_counter())
        events, _ = clean_log(canonical, config, decode=False)
        marks.append(time.perf_counter())
        events = pseudonymise_frame(events, {RESOURCE: "staff"}, SECRET.encode())
        marks.append(time.perf_counter())
        decoded(events)
        marks.append(time.perf_counter())
        for name, start, end in zip(("read (limits, parse, codes)", "map (with the duplicate key)", "clean",
                                     "pseudonymise", "decode to str"), marks, marks[1:], strict=False):
            steps.setdefault(name, []).append(end - start)
    print("workbench steps, median ms: " + ", ".join(f"{name} {statistics.median(t) * 1000:.0f}"
                                                  for name, t in steps.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one workbench read")
    parser.add_argument("--skip-plain", action="store_true", help="skip plain pandas.read_csv (C engine)")
    parser.add_argument("--stages", action="store_true", help="time the workbench's steps one by one")
    args = parser.parse_args()

    import pyarrow

    from workbench.config import load_log_config
    from workbench.usecases import load_and_validate

    print(f"machine: {machine()}, pandas {pd.__version__}, pyarrow {pyarrow.__version__}")
    print("load average (1, 5, 15 min) at start: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "million.csv"
        make_csv(csv, args.events)
        (Path(tmp) / "million.yaml").write_text(CONFIG.format(path=csv), encoding="utf-8")
        config = load_log_config(Path(tmp) / "million.yaml")
        print(f"file: {args.events:,} events, {csv.stat().st_size / 2**20:.0f} MB")

        arms: dict[str, Callable[[], object]] = {
            "pandas read_csv (pyarrow engine)": lambda: pd.read_csv(csv, engine="pyarrow"),
        }
        try:
            import polars as pl

            arms["polars read_csv"] = lambda: pl.read_csv(csv)
        except ImportError:
            print("polars: not installed, skipped")
        if not args.skip_plain:
            arms["pandas read_csv (C engine)"] = lambda: pd.read_csv(csv)
        arms["workbench read + validate"] = lambda: load_and_validate(config, secret=SECRET)

        loaded = load_and_validate(config, secret=SECRET)  # warm-up: imports, and a check of the result
        print(f"workbench kept {loaded.quality.events_kept:,} events in {loaded.quality.cases_kept:,} cases")
        times: dict[str, list[float]] = {name: [] for name in arms}
        for _ in range(args.repeats):
            for name, fn in arms.items():
                times[name].append(_timed(fn))
        medians = {name: statistics.median(t) for name, t in times.items()}
        first = "pandas read_csv (pyarrow engine)"
        base = medians[first]
        print(f"{'reader':36} {'median s':>9} {'x pyarrow':>10}  runs")
        for name, t in times.items():
            print(f"{name:36} {medians[name]:9.2f} {medians[name] / base:10.2f}  "
                  + ", ".join(f"{x:.2f}" for x in t))
        print(f"ratio workbench / pyarrow: {medians['workbench read + validate'] / base:.2f} (target <= 2); "
              f"of the fastest runs: {min(times['workbench read + validate']) / min(times[first]):.2f}")
        print("load average (1, 5, 15 min) at end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))

        if args.stages:
            _stages(config, args.repeats)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            load_and_validate(config, secret=SECRET)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
