"""Analysis benchmark: the process map and the desk's five questions on BPIC 2013 incidents and on
a one-million-event ticket log.

Run:  python benchmarks/analysis.py [--events 1000000] [--seed 1] [--skip-bpic] [--write]

The large log comes from the demo generator, seeded, scaled to ``--events`` (ticket
volume and staff multiplied so queues stay realistic) and mapped to the canonical
schema with configs/logs/demo.yaml. Both logs are stored as Parquet once (untimed);
then every step runs in a fresh process (see _measure.py) that reads the Parquet
file (untimed setup) and times the step: wall time and the process's peak resident
memory, which includes the loaded log (the "load only" row is that baseline).
``--write`` writes the table to benchmarks/results/analysis.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine, measure

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
SECRET = "benchmark-secret-0123456789abcdef"

SETUP = """
import pandas as pd
from workbench.analysis import (answer_questions, apply_filters, check_rules, communication, load_filters,
                                load_rules, reopens, routing, team_speed, time_split, variants)
from workbench.calendar import WorkingCalendar
from workbench.config import load_log_config
from workbench.discovery import build_process_map
config = load_log_config({config!r})
st = config.statuses
cal = WorkingCalendar.from_config(config.calendar)
events = pd.read_parquet({parquet!r})
"""

STEPS = {
    "load only (baseline)": "info = len(events)",
    "process map (build_process_map)": "m = build_process_map(events); info = len(m.edges)",
    "Q1 team speed": "r = team_speed(events, statuses=st, calendar=cal); info = len(r.table)",
    "Q2 routing": "r = routing(events, statuses=st); info = r.value('first_time_right_share')",
    "Q3 reopens": "r = reopens(events, statuses=st); info = r.value('real_reopen_rate_per_resolution')",
    "Q4 time with user vs us": "r = time_split(events, statuses=st, calendar=cal); info = r.value('waiting_on_user_share')",
    "Q5 communication": ("r = communication(events, statuses=st) if (st.message_to_user or st.message_from_user) "
                         "else None; info = None if r is None else r.value('heavy_tickets')"),
    "all five questions (answer_questions)": (
        "a = answer_questions(events, statuses=st, calendar=cal); info = sorted(a.results)"),
    "map + all five questions": (
        "m = build_process_map(events); a = answer_questions(events, statuses=st, calendar=cal); "
        "info = [len(m.edges), sorted(a.results)]"),
    "variants": "v = variants(events); info = len(v)",
    "rules": "r = check_rules(events, load_rules({rules!r}), statuses=st, calendar=cal); info = len(r.violations)",
}

MAKE_LARGE = """
from dataclasses import replace
from workbench.config import load_log_config
from workbench.demo import DemoParams, generate_demo_log
from workbench.io import prepare_log
p = DemoParams()
factor = {events} / 100_000  # one default year is about 100,000 events
params = replace(p, yearly_volume=p.yearly_volume * factor, volume_ceiling=p.volume_ceiling * factor * 1.5,
                 staff={{team: max(1, round(n * factor)) for team, n in p.staff.items()}})
demo = generate_demo_log(params, seed={seed})
loaded = prepare_log(demo.events, load_log_config({config!r}), secret={secret!r})
loaded.events.to_parquet({parquet!r})
info = {{"events": len(loaded.events), "cases": int(loaded.events["case_id"].nunique())}}
"""

MAKE_BPIC = """
from workbench.config import load_log_config
from workbench.io import load_log
loaded = load_log(load_log_config({config!r}), secret={secret!r})
loaded.events.to_parquet({parquet!r})
info = {{"events": len(loaded.events), "cases": int(loaded.events["case_id"].nunique())}}
"""


def run_dataset(name: str, config: Path, rules: Path, parquet: Path, rows: list) -> None:
    setup = SETUP.format(config=str(config), parquet=str(parquet))
    for step, code in STEPS.items():
        result = measure(code.format(rules=str(rules)), setup=setup)
        rows.append((name, step, result))
        print(f"  {step:<40} {result['seconds']:8.2f} s   peak {result['peak_mb']:7.0f} MB   {result['info']}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the generated log")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-bpic", action="store_true")
    parser.add_argument("--write", action="store_true", help="write benchmarks/results/analysis.md")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rows: list = []
    sizes: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_bpic and SHARED.is_dir():
            parquet = Path(tmp) / "bpic2013.parquet"
            config = REPO / "configs" / "logs" / "bpic2013_incidents.yaml"
            made = measure(MAKE_BPIC.format(config=str(config), secret=SECRET, parquet=str(parquet)))
            sizes["BPIC 2013 incidents"] = made["info"]
            print(f"BPIC 2013 incidents: {made['info']}")
            run_dataset("BPIC 2013 incidents", config, REPO / "configs" / "rules" / "bpic2013_incidents.yaml",
                        parquet, rows)
        elif not args.skip_bpic:
            print(f"BPIC 2013: skipped, {SHARED} is missing")
        parquet = Path(tmp) / "large.parquet"
        config = REPO / "configs" / "logs" / "demo.yaml"
        t0 = time.perf_counter()
        made = measure(MAKE_LARGE.format(events=args.events, seed=args.seed, config=str(config), secret=SECRET,
                                         parquet=str(parquet)))
        label = f"generated ticket log ({made['info']['events']:,} events)"
        sizes[label] = made["info"]
        print(f"{label}: {made['info']} (generated in {time.perf_counter() - t0:.0f} s, untimed)")
        run_dataset(label, config, REPO / "configs" / "rules" / "service_levels.yaml", parquet, rows)
    if args.write:
        write_markdown(rows, sizes, args)


def write_markdown(rows: list, sizes: dict, args: argparse.Namespace) -> None:
    lines = [
        "# Analysis benchmark: process map and the desk's five questions",
        "",
        f"Machine: {machine()}; 2 cores shared with other engineers' jobs.",
        "",
        f"Command: `python benchmarks/analysis.py --events {args.events} --seed {args.seed}"
        f"{' --skip-bpic' if args.skip_bpic else ''} --write`",
        "",
        "Each step runs in a fresh process that first reads the canonical log from Parquet (untimed). "
        "Peak memory is the process's peak resident set size, so it includes the loaded log and the "
        "imported libraries: compare with the 'load only' row.",
        "",
    ]
    for name, info in sizes.items():
        lines.append(f"- {name}: {info['events']:,} events, {info['cases']:,} cases")
    lines += ["", "| log | step | wall time (s) | peak RSS (MB) |", "|---|---|---:|---:|"]
    for name, step, result in rows:
        lines.append(f"| {name} | {step} | {result['seconds']:.2f} | {result['peak_mb']:.0f} |")
    out = REPO / "benchmarks" / "results" / "analysis.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
