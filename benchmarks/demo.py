"""Benchmark: time and peak memory to generate the demo log, and its headline figures.

Run ``python benchmarks/demo.py`` (one year, 3 repeats) or e.g.
``python benchmarks/demo.py --days 60 --repeats 1`` for a quick check. Prints the
wall time of each repeat, the peak traced Python memory (tracemalloc, separate run)
and the process's peak resident set size, then the figures of the generated log
that matter for the desk's questions and for the what-if and fairness knobs.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="length of the log in days (default 365)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats (default 3)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--what-if", action="store_true", help="also generate the what-if and fairness worlds")
    args = parser.parse_args(argv)

    import pandas as pd

    from workbench.demo import PARTNER_TEAMS, DemoParams, generate_demo_log

    params = DemoParams(days=args.days)
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"demo log: {args.days} days, seed {args.seed}")
    times, cpu = [], []
    log = None
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        log = generate_demo_log(params, seed=args.seed)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    assert log is not None
    ev, truth = log.events, log.truth
    print(f"wall time: {' '.join(f'{t:.2f}' for t in times)} s (median {statistics.median(times):.2f} s); "
          f"CPU time: median {statistics.median(cpu):.2f} s; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"throughput: {len(ev) / statistics.median(times):,.0f} events/s")

    tracemalloc.start()
    generate_demo_log(params, seed=args.seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak traced memory: {peak / 2**20:.0f} MiB; peak RSS of the process: {rss_kb / 1024:.0f} MiB")

    n_res = int(truth["n_resolutions"].sum())
    n_real = int(truth["n_real_reopens"].sum())
    print(f"tickets: {len(truth):,}; events: {len(ev):,}; open at the horizon: {int(truth['is_open'].sum()):,}")
    print(f"real reopens: {n_real} of {n_res:,} resolutions ({n_real / max(n_res, 1):.2%}); "
          f"harmless reopens: {int(truth['n_harmless_reopens'].sum())}")  # fmt: skip
    partner = truth["right_team"].isin(PARTNER_TEAMS)
    print(f"forwarded to a partner: {partner.mean():.1%}; misrouted: {truth['misrouted'].mean():.1%} of tickets; "
          f"sent back: {int(truth['n_sent_back'].sum())}")  # fmt: skip
    print(f"cycle time (arrival to last resolution, h): mean {truth['final_cycle_hours'].mean():.1f}, "
          f"median {truth['final_cycle_hours'].median():.1f}")  # fmt: skip
    print(f"messages per ticket: mean {truth['n_messages'].mean():.2f}, max {int(truth['n_messages'].max())}; "
          f"tickets with >= 10: {int((truth['n_messages'] >= 10).sum())}")  # fmt: skip
    print("per right team: tickets, median / mean cycle hours, mean partner queue hours")
    summary = truth.groupby("right_team").agg(
        tickets=("ticket_id", "size"),
        median_h=("final_cycle_hours", "median"),
        mean_h=("final_cycle_hours", "mean"),
        partner_queue_h=("queue_hours_partners", "mean"),
    )
    with pd.option_context("display.width", 120):
        print(summary.round(1).to_string())

    if args.what_if:
        base_mean = truth["final_cycle_hours"].mean()
        team = truth.loc[partner, "right_team"].value_counts().idxmax()
        worlds = {
            f"+1 agent in {team}": replace(params, staff={**params.staff, team: params.staff[team] + 1}),
            "misrouting halved": replace(params, misrouting_rate=params.misrouting_rate / 2),
        }
        for name, p in worlds.items():
            other = generate_demo_log(p, seed=args.seed).truth
            diff = other["final_cycle_hours"].mean() - base_mean
            print(f"true effect of {name}: mean cycle time {base_mean:.2f} -> "
                  f"{other['final_cycle_hours'].mean():.2f} h ({diff:+.2f} h, {diff / base_mean:+.1%})")  # fmt: skip
        planted = generate_demo_log(replace(params, disadvantaged_department="Jobcenter"), seed=args.seed).truth

        def dep_mean(t: pd.DataFrame) -> float:
            return float(t.loc[t["department"].eq("Jobcenter"), "final_cycle_hours"].mean())

        print(f"planted disadvantage (Jobcenter, strength 1): its mean cycle time {dep_mean(truth):.1f} -> "
              f"{dep_mean(planted):.1f} h")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
