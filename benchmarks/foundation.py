"""Foundation benchmark: read + validate + clean real logs and a 1-million-event CSV; generate the demo year.

Run:  python benchmarks/foundation.py [--events 1000000] [--skip-bpic2012]

Each step runs in a fresh process (see _measure.py); the figures are wall time and
peak resident memory of that process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine, measure

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"

LOAD = """
from workbench.config import load_log_config
from workbench.io import load_log
loaded = load_log(load_log_config({config!r}), secret="benchmark-secret-0123456789abcdef")
info = {{"events": loaded.quality.events_kept, "cases": loaded.quality.cases_kept}}
"""

MAKE_CSV = """
import numpy as np, pandas as pd
rng = np.random.default_rng(7)
n = {events}
cases = n // 10
case = np.repeat(np.arange(cases), 10)
start = pd.Timestamp("2023-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 365 * 86400, cases), unit="s")
offsets = np.cumsum(rng.exponential(3600, n).reshape(cases, 10), axis=1).ravel()
ts = start.repeat(10) + pd.to_timedelta(offsets, unit="s")
acts = np.array(["Registered", "Assigned", "In progress", "Waiting for user", "Mail to user", "Mail from user",
                 "Forwarded", "Resolved with mail", "Reopened", "Closed"])
frame = pd.DataFrame({{
    "ticket_id": pd.Series(case).map("T{{:07d}}".format),
    "status": acts[rng.integers(0, len(acts), n)],
    "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "agent": pd.Series(rng.integers(0, 60, n)).map("agent-{{:03d}}".format),
    "team": np.array(["First line", "Infra", "ESDH", "HR", "Finance", "BI"])[rng.integers(0, 6, n)],
    "department": np.array(["A", "B", "C", "D", "E", "F", "G", "H"])[np.repeat(rng.integers(0, 8, cases), 10)],
}})
frame.to_csv({path!r}, index=False)
"""

CSV_CONFIG = """name: million
source: {{path: {path}}}
columns: {{case_id: ticket_id, activity: status, timestamp: timestamp, resource: agent, team: team}}
case_attributes: [department]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the synthetic CSV")
    parser.add_argument("--skip-bpic2012", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rows = []
    for name in ("bpic2013_incidents", "bpic2012"):
        if name == "bpic2012" and args.skip_bpic2012:
            continue
        if not SHARED.is_dir():
            print(f"{name}: skipped, {SHARED} is missing")
            continue
        result = measure(LOAD.format(config=str(REPO / "configs" / "logs" / f"{name}.yaml")))
        rows.append((f"read+validate {name}", result))
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "million.csv"
        measure("info = None\n" + MAKE_CSV.format(events=args.events, path=str(csv)))
        (Path(tmp) / "million.yaml").write_text(CSV_CONFIG.format(path=csv))
        result = measure(LOAD.format(config=str(Path(tmp) / "million.yaml")))
        rows.append((f"read+validate CSV of {args.events:,} events", result))
    result = measure(
        "demo = generate_demo_log(DemoParams(days=365), seed=42)\n"
        "info = {'events': len(demo.events), 'cases': int(demo.events['ticket_id'].nunique())}",
        setup="from workbench.demo import DemoParams, generate_demo_log",
    )
    rows.append(("generate one year of demo log", result))
    print(f"{'step':45} {'seconds':>8} {'peak MB':>8}  result")
    for label, r in rows:
        print(f"{label:45} {r['seconds']:8.2f} {r['peak_mb']:8.0f}  {r['info']}")


if __name__ == "__main__":
    main()
