"""Out-of-core benchmark: the desk's five questions on a partitioned Parquet log of tens of millions of events.

Run:  python benchmarks/outofcore.py [--events 50000000] [--pandas-events 10000000] [--buckets-per-million 2]
                                     [--folder /tmp/workbench-outofcore] [--write]

The log is built cheaply: one demo year (seeded, mapped to the canonical schema with
configs/logs/demo.yaml, about 100,000 events) is tiled. Copy ``k`` gets case ids prefixed
``Dkkk-`` and its times shifted by ``k mod 10`` whole years of 364 days (weekdays stay
weekdays), so the log reads as desks times ten years of one region. Copies are written
to the partitioned log (:mod:`workbench.io.partitioned`) a group at a time, so the builder
never holds more than one group. When the log reaches ``--pandas-events`` it is also
copied aside: the log that pandas answers in memory.

Then each step runs in a fresh process and reports wall time and the process's peak
resident memory, read from the kernel's high-water mark (``VmHWM`` in /proc/self/status,
which starts afresh at exec; ``ru_maxrss`` would carry over the parent's peak): the out-of-core questions on the large log, and on the
pandas-sized log both the in-memory ``answer_questions`` (the log read whole into one
DataFrame, untimed, then answered) and the out-of-core path. The two answers on the
pandas-sized log are compared by their headlines. ``--write`` writes the figures to
benchmarks/results/outofcore.md. The folder is deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine

REPO = Path(__file__).resolve().parents[1]
SECRET = "benchmark-secret-0123456789abcdef"
YEARS = 10

SETUP = """
import pandas as pd
from workbench.analysis import QuestionSettings, answer_partitioned_log, answer_questions
from workbench.calendar import WorkingCalendar
from workbench.config import load_log_config
from workbench.io.partitioned import open_partitioned_log
config = load_log_config({config!r})
cal = WorkingCalendar.from_config(config.calendar)
log = open_partitioned_log({folder!r})
"""

OUT_OF_CORE = """
answers = answer_partitioned_log(log, settings=QuestionSettings(statuses=config.statuses, calendar=cal))
info = {"headlines": answers.headlines(), "tickets": int(answers["reopens"].value("tickets"))}
"""

IN_MEMORY_SETUP = SETUP + """
events = pd.concat(list(log.iter_buckets()), ignore_index=True)
"""

IN_MEMORY = """
answers = answer_questions(events, statuses=config.statuses, calendar=cal)
info = {"headlines": answers.headlines(), "tickets": int(answers["reopens"].value("tickets"))}
"""

LOAD_ONLY = """
info = {"events": len(events)}
"""


_STEP = """
import json, time
{setup}
t0 = time.perf_counter()
{step}
seconds = time.perf_counter() - t0
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print("@@RESULT@@" + json.dumps({{"seconds": seconds, "peak_mb": peak_kb / 1024, "info": info}}))
"""


def measure_step(step: str, setup: str, timeout: float = 7200) -> dict:
    """Run ``setup`` (untimed) and ``step`` (timed, sets ``info``) in a new interpreter: seconds, peak MB, info."""
    code = _STEP.format(setup=textwrap.dedent(setup), step=textwrap.dedent(step))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("@@RESULT@@"):
            return dict(json.loads(line[len("@@RESULT@@"):]))
    raise RuntimeError(f"benchmark step failed:\n{proc.stderr[-3000:]}")


def build(args: argparse.Namespace, config_path: Path) -> dict:
    """Write the tiled log (and the pandas-sized copy); return its sizes and the build time."""
    from workbench.config import load_log_config
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.io import prepare_log
    from workbench.io.partitioned import write_partitioned_log

    t0 = time.perf_counter()
    config = load_log_config(config_path)
    year = prepare_log(generate_demo_log(DemoParams(), seed=args.seed).events, config, secret=SECRET).events
    per_copy = len(year)
    copies = max(1, round(args.events / per_copy))
    pandas_copies = max(1, min(copies, round(args.pandas_events / per_copy)))
    group = max(1, min(args.group_events // per_copy, pandas_copies))
    buckets = max(1, round(copies * per_copy / 1e6 * args.buckets_per_million))
    big, small = args.folder / "log", args.folder / "pandas-log"
    shutil.rmtree(args.folder, ignore_errors=True)
    args.folder.mkdir(parents=True)
    written = 0
    while written < copies:
        end = min(copies, written + group, pandas_copies if written < pandas_copies else copies)
        tiles = [_tile(year, k) for k in range(written, end)]
        write_partitioned_log(pd.concat(tiles, ignore_index=True), big, buckets=buckets, append=written > 0)
        del tiles
        written = end
        if written == pandas_copies:
            shutil.copytree(big, small)
        print(f"  wrote {written}/{copies} copies ({written * per_copy:,} events)", flush=True)
    return {
        "events": copies * per_copy, "cases": copies * int(year["case_id"].nunique()), "copies": copies,
        "events_per_copy": per_copy, "buckets": buckets, "pandas_copies": pandas_copies,
        "pandas_events": pandas_copies * per_copy, "build_seconds": time.perf_counter() - t0,
        "disk_mb": _size_mb(big), "pandas_disk_mb": _size_mb(small),
    }


def _tile(year: pd.DataFrame, k: int) -> pd.DataFrame:
    """Copy ``k`` of the demo year: case ids prefixed ``Dkkk-``, times shifted by ``k mod 10`` years of 364 days."""
    shift = pd.Timedelta(days=364 * (k % YEARS))
    return year.assign(case_id=f"D{k:03d}-" + year["case_id"], timestamp=year["timestamp"] + shift,
                       start_timestamp=year["start_timestamp"] + shift)


def _size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000_000, help="events in the large partitioned log")
    parser.add_argument("--pandas-events", type=int, default=10_000_000,
                        help="events in the log pandas answers in memory (and the out-of-core path too)")
    parser.add_argument("--buckets-per-million", type=float, default=2.0, help="buckets per million events")
    parser.add_argument("--group-events", type=int, default=2_000_000, help="events per write while building")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/workbench-outofcore"))
    parser.add_argument("--skip-large", action="store_true", help="build and measure only the pandas-sized log")
    parser.add_argument("--keep", action="store_true", help="keep the folder")
    parser.add_argument("--write", action="store_true", help="write benchmarks/results/outofcore.md")
    args = parser.parse_args()
    if args.skip_large:
        args.events = args.pandas_events
    config_path = REPO / "configs" / "logs" / "demo.yaml"
    print(f"building the partitioned logs in {args.folder} ...", flush=True)
    built = measure_step(f"info = build(argparse.Namespace(**{vars(args)!r}), {config_path!r})",
                         "import argparse, sys\nfrom pathlib import PosixPath\n"
                         f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\nfrom outofcore import build")
    sizes = built["info"] | {"build_peak_mb": built["peak_mb"]}
    print(json.dumps(sizes), flush=True)
    rows = []
    try:
        small = {"config": str(config_path), "folder": str(args.folder / "pandas-log")}
        steps = [
            ("pandas", "load only: the whole log in one DataFrame (baseline)", IN_MEMORY_SETUP.format(**small),
             LOAD_ONLY),
            ("pandas", "in memory: answer_questions", IN_MEMORY_SETUP.format(**small), IN_MEMORY),
            ("pandas", "out of core: answer_partitioned_log", SETUP.format(**small), OUT_OF_CORE),
        ]
        if not args.skip_large:
            big = {"config": str(config_path), "folder": str(args.folder / "log")}
            steps.append(("large", "out of core: answer_partitioned_log", SETUP.format(**big), OUT_OF_CORE))
        for which, name, setup, step in steps:
            t0 = time.perf_counter()
            result = measure_step(step, setup)
            result["wall_with_setup"] = time.perf_counter() - t0
            rows.append((which, name, result))
            print(f"{which:7s} {name:55s} {result['seconds']:9.1f} s  peak {result['peak_mb']:9,.0f} MB", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(args.folder, ignore_errors=True)
    same = rows[1][2]["info"]["headlines"] == rows[2][2]["info"]["headlines"]
    print(f"in-memory and out-of-core headlines on the pandas-sized log identical: {same}")
    if args.write:
        write_markdown(rows, sizes, same, args)


def write_markdown(rows: list, sizes: dict, same: bool, args: argparse.Namespace) -> None:
    command = " ".join(["python", "benchmarks/outofcore.py", *sys.argv[1:]])
    label = {"pandas": f"{sizes['pandas_events']:,} events", "large": f"{sizes['events']:,} events"}
    lines = [
        "# Out-of-core benchmark: the five questions on a partitioned Parquet log",
        "",
        f"Machine: {machine()}; 2 cores shared with other engineers' jobs, 23 GB RAM.",
        "",
        f"Command: `{command}`",
        "",
        f"- large log: {sizes['events']:,} events, {sizes['cases']:,} tickets ({sizes['copies']} copies of one "
        f"demo year of {sizes['events_per_copy']:,} events), {sizes['buckets']} buckets, "
        f"{sizes['disk_mb']:,.0f} MB of Parquet",
        f"- pandas-sized log: {sizes['pandas_events']:,} events ({sizes['pandas_copies']} copies), "
        f"{sizes['pandas_disk_mb']:,.0f} MB of Parquet",
        f"- building both (generate, tile, write): {sizes['build_seconds']:,.0f} s, peak {sizes['build_peak_mb']:,.0f} MB",
        f"- in-memory and out-of-core headlines on the pandas-sized log identical: {same}",
        "",
        "| log | step | wall time (s) | peak RSS (MB) |",
        "|---|---|---:|---:|",
    ]
    for which, name, r in rows:
        lines.append(f"| {label[which]} | {name} | {r['seconds']:,.1f} | {r['peak_mb']:,.0f} |")
    lines += ["", "## Notes", "", "(see below)", ""]
    out = REPO / "benchmarks" / "results" / "outofcore.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
