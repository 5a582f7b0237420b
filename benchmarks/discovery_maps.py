"""Benchmark: time and peak memory of the process map (build, SVG, interactive HTML) and the BPMN model.

Run ``python benchmarks/discovery_maps.py`` (BPIC 2013 incidents and a synthetic
one-million-event log with 30 activities) or e.g. ``python benchmarks/discovery_maps.py
--events 100000 --skip-bpic`` for a quick check. For every step it prints the wall time of
each repeat, the CPU time of this process (Graphviz runs in child processes and is not in
it), and the peak traced memory of the step (tracemalloc, in a separate untimed run), then
the process's peak resident set size.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
BPIC_CONFIG = REPO / "configs" / "logs" / "bpic2013_incidents.yaml"


def synthetic_log(n_events: int, *, n_activities: int = 30, seed: int = 7) -> pd.DataFrame:
    """A canonical log of at least ``n_events`` events from a seeded random Markov chain.

    Each activity has 3 to 7 likely successors; a case ends with probability 0.1 after
    each event (so about 10 events per case); waiting times are exponential with an
    activity-specific mean between 6 minutes and 1.3 days.
    """
    rng = np.random.default_rng(seed)
    a = n_activities
    weights = np.full((a, a), 0.02)
    for i in range(a):
        successors = rng.choice(a, size=rng.integers(3, 8), replace=False)
        weights[i, successors] += rng.dirichlet(np.ones(len(successors))) * 20
    weights = weights / weights.sum(axis=1, keepdims=True) * 0.9
    cumulative = np.cumsum(np.hstack([weights, np.full((a, 1), 0.1)]), axis=1)
    mean_gap_h = 10 ** rng.uniform(-1.0, 1.5, size=a)

    n_cases = int(n_events / 10 * 1.3) + 10
    current = rng.integers(0, 3, size=n_cases)  # three start activities
    clock = rng.uniform(0, 365 * 24, size=n_cases)  # hours after the origin
    cases, acts, times, steps = [], [], [], []
    alive = np.arange(n_cases)
    step = 0
    while len(alive):
        cases.append(alive)
        acts.append(current)
        times.append(clock)
        steps.append(np.full(len(alive), step))
        u = rng.random(len(alive))
        nxt = (u[:, None] > cumulative[current]).sum(axis=1)
        go_on = (nxt < a) | (step == 0)
        nxt = np.where(nxt < a, nxt, rng.integers(0, a, size=len(alive)))
        clock = clock[go_on] + rng.exponential(mean_gap_h[nxt[go_on]])
        alive, current = alive[go_on], nxt[go_on]
        step += 1
    case = np.concatenate(cases)
    order = np.lexsort((np.concatenate(steps), case))
    case, act, hours = case[order], np.concatenate(acts)[order], np.concatenate(times)[order]
    lengths = np.bincount(case, minlength=n_cases)
    keep_cases = int(np.searchsorted(np.cumsum(lengths), n_events)) + 1
    keep = case < keep_cases
    origin = pd.Timestamp("2025-01-01", tz="UTC")
    names = np.array([f"Activity {i + 1:02d}" for i in range(a)], dtype=object)
    n = int(keep.sum())
    return pd.DataFrame(
        {
            "case_id": pd.Series(case[keep]).map("C{:07d}".format).to_numpy(dtype=object),
            "activity": names[act[keep]],
            "timestamp": origin + pd.to_timedelta(np.round(hours[keep] * 3600), unit="s"),
            "start_timestamp": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]"),
            "resource": pd.Series(pd.NA, index=range(n), dtype="object"),
            "team": pd.Series(pd.NA, index=range(n), dtype="object"),
            "lifecycle": pd.Series(pd.NA, index=range(n), dtype="object"),
        }
    )


def bpic2013() -> pd.DataFrame:
    from workbench.config import load_log_config
    from workbench.io import load_log

    return load_log(load_log_config(BPIC_CONFIG), pseudonymise=False).events


def measure(name: str, step: Callable[[], Any], repeats: int) -> tuple[Any, dict[str, float]]:
    walls, cpus = [], []
    result = None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        result = step()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures = {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "peak_mb": peak / 2**20}
    print(
        f"  {name:<24} wall {' '.join(f'{w:.2f}' for w in walls)} s (median {figures['wall']:.2f} s), "
        f"CPU {figures['cpu']:.2f} s, peak traced {figures['peak_mb']:.0f} MB",
        flush=True,
    )
    return result, figures


def run(label: str, events: pd.DataFrame, *, repeats: int, model: bool, share: float) -> dict[str, Any]:
    from workbench.discovery import build_process_map, discover_process_model, render_html, render_svg

    n_act = events["activity"].nunique()
    print(
        f"{label}: {len(events):,} events, {events['case_id'].nunique():,} cases, {n_act} activities",
        flush=True,
    )
    pmap, build = measure("build_process_map", lambda: build_process_map(events), repeats)
    svg, svg_fig = measure(
        f"render_svg (share {share})", lambda: render_svg(pmap, min_case_share=share), repeats
    )
    page, html_fig = measure("render_html", lambda: render_html(pmap, title=label), repeats)
    out = {"label": label, "events": len(events), "cases": pmap.n_cases, "activities": n_act,
           "edges": len(pmap.edges), "build": build, "svg": svg_fig, "html": html_fig,
           "svg_kb": len(svg.encode()) / 1024, "html_mb": len(page.encode()) / 2**20}  # fmt: skip
    total = build["wall"] + svg_fig["wall"] + html_fig["wall"]
    print(f"  map + SVG + HTML: {total:.2f} s; SVG {out['svg_kb']:.0f} kB, HTML {out['html_mb']:.1f} MB, "
          f"{len(pmap.edges)} paths", flush=True)  # fmt: skip
    if model:
        _, out["model"] = measure("inductive miner (IMf 0.2)", lambda: discover_process_model(events), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="size of the synthetic log (default 1e6)"
    )
    parser.add_argument("--activities", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=2, help="timed repeats per step (default 2)")
    parser.add_argument("--share", type=float, default=0.0, help="min_case_share of the SVG (default 0)")
    parser.add_argument("--skip-bpic", action="store_true", help="skip BPIC 2013 incidents")
    parser.add_argument("--skip-model", action="store_true", help="skip the inductive miner")
    args = parser.parse_args(argv)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    if not args.skip_bpic:
        t0 = time.perf_counter()
        events = bpic2013()
        print(f"(BPIC 2013 loaded in {time.perf_counter() - t0:.1f} s, not measured below)")
        run("BPIC 2013 incidents", events, repeats=args.repeats, model=not args.skip_model, share=args.share)
        del events
    t0 = time.perf_counter()
    events = synthetic_log(args.events, n_activities=args.activities, seed=args.seed)
    print(
        f"(synthetic log generated in {time.perf_counter() - t0:.1f} s, seed {args.seed}, not measured below)"
    )
    run(f"synthetic {len(events):,} events", events, repeats=args.repeats, model=not args.skip_model,
        share=args.share)  # fmt: skip
    print(f"peak resident set size of the whole run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
