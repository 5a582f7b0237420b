"""Benchmark of the simulation stage: fidelity against history, speed, what-if accuracy.

Run from the repository root (needs WORKBENCH_SECRET for the real logs' pseudonyms)::

    python benchmarks/simulation.py                      # everything (about 30 minutes on 2 cores)
    python benchmarks/simulation.py --sections speed     # one part
    python benchmarks/simulation.py --quick              # small smoke run

Sections
--------
fidelity  The validation protocol (workbench.simulation.validate_model): learn on the first 80% of
          cases by start, simulate the rest with as many cases (10 replications), score with
          log-distance-measures. Logs: BPIC 2012 work items (W_*), BPIC 2013 incidents, the demo desk.
speed     Simulated activity instances per second of CPU on one core (calendars on) and the wall
          time of one simulated year of the demo desk, end to end (event log included).
verdicts  The verdict before any what-if (good / usable with care / not usable, from the cycle-time,
          waiting and load-response checks) on every shipped config of a public log whose file is
          there, as `workbench simulate`, `sweep` and `run` give it (3 replications, capacity calibrated).
whatif    For several demo worlds (generator seeds): learn a model from the unchanged log, simulate
          "add one person to the busiest partner team" and "halve misrouting" (paired replications,
          common random numbers) and compare with the true effect: the generator run again with the
          change and the same random streams. Effect = change in mean cycle time (hours).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FIDELITY_LOGS = {
    "bpic2012": ("configs/logs/bpic2012.yaml", "^W_"),
    "bpic2013": ("configs/logs/bpic2013_incidents.yaml", None),
    "demo": ("configs/logs/demo.yaml", None),
}
PUBLISHED = (
    "BPIC 2012 W (published): Simod 0.720 / 155.5 h, AgentSimulator 0.151 / 89.1 h, ProSiT 0.351 / 32.1 h"
)


#: folder of the real logs when not where the configs say (``--data``)
DATA: list[Path] = []


def _events(name: str) -> tuple[pd.DataFrame, object]:
    from workbench.config import load_log_config
    from workbench.io import load_log

    path, pattern = FIDELITY_LOGS[name]
    config = load_log_config(REPO / path)
    if DATA and config.source.path is not None:
        source = config.source.model_copy(update={"path": DATA[0] / config.source.path.name})
        config = config.model_copy(update={"source": source})
    events = load_log(config).events
    if pattern:
        events = events[events["activity"].astype(str).str.match(pattern)]
    return events, config


def fidelity(logs: list[str], replications: int, jobs: int | None, calibrate: bool = False) -> None:
    from workbench.simulation.validation import validate_model

    how = ", capacity calibrated to the training cases' waiting as `workbench validate-sim` does" if calibrate else ""
    print(f"\n## Fidelity (validation protocol, {replications} replications{how})\n")
    print(
        "| log | cases (train/test) | 3-gram distance | cycle-time distance (h) | absolute event distance (h) "
        "| circadian event distance (h) | seconds |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in logs:
        t0 = time.perf_counter()
        events, config = _events(name)
        res = validate_model(events, config=config, replications=replications, seed=0, n_jobs=jobs, calibrate=calibrate)
        s = res.summary.set_index("metric")
        cells = [f"{s.loc[m, 'mean']:.3f} ± {s.loc[m, 'std']:.3f}" for m in s.index]
        st = res.settings
        print(
            f"| {name} | {st['train_cases']}/{st['test_cases']} | "
            + " | ".join(cells)
            + f" | {time.perf_counter() - t0:.0f} |",
            flush=True,
        )
    print(
        f"\n{PUBLISHED}. Mean ± standard deviation over replications; simulated events after the log's last "
        "event are cut off, as the log cut them off."
    )


def verdicts(replications: int = 3) -> None:
    """The verdict the commands give before any what-if, on every shipped public log that is here."""
    import math

    from workbench.config import load_log_config
    from workbench.privacy import resolve_secret
    from workbench.usecases import judge_model, load_and_validate

    print(f"\n## The verdict before any what-if, on every public log ({replications} replications, capacity "
          "calibrated, seed 0)\n")
    print("| log | cases | verdict | cycle time, simulated / real | waiting | load response | seconds |")
    print("|---|---|---|---|---|---|---|")
    for path in sorted((REPO / "configs" / "logs").glob("*.yaml")):
        config = load_log_config(path)
        if config.source.resolved_kind not in ("csv", "xes"):
            continue
        if DATA and config.source.path is not None:
            config = config.model_copy(update={"source": config.source.model_copy(
                update={"path": DATA[0] / config.source.path.name})})
        if config.source.path is None or not config.source.path.exists():
            print(f"| {path.stem} | (file not here) | | | | | |")
            continue
        t0 = time.perf_counter()
        events = load_and_validate(config).events
        verdict, why_not = judge_model(events, config, replications=replications, seed=0, key=resolve_secret())
        if verdict is None:
            print(f"| {path.stem} | {events['case_id'].nunique():,} | none: {why_not} | | | | "
                  f"{time.perf_counter() - t0:.0f} |", flush=True)
            continue
        cells = []
        for check in verdict.checks:
            ratio = f"{math.exp(check.figure):.2f}x" if math.isfinite(check.figure) else "-"
            cells.append(f"{ratio} ({check.level or 'not checked'}): {check.detail}")
        print(f"| {path.stem} | {events['case_id'].nunique():,} | **{verdict.level}** | " + " | ".join(cells)
              + f" | {time.perf_counter() - t0:.0f} |", flush=True)


def _demo_model(seed: int = 42):
    from workbench.config import load_log_config
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.io import prepare_log
    from workbench.simulation import discover_model

    config = load_log_config(REPO / "configs/logs/demo.yaml")
    demo = generate_demo_log(DemoParams(), seed=seed)
    events = prepare_log(demo.events, config, pseudonymise=False).events
    return discover_model(events, config=config), events, demo


def speed(repeats: int) -> None:
    from workbench.simulation import simulate
    from workbench.simulation.experiment import default_period

    model, _, _ = _demo_model()
    start, days = default_period(model)
    print("\n## Speed (one core, calendars on: every team works 8-16 on weekdays, holidays closed)\n")
    print("| run | activity instances | wall s | CPU s | instances per CPU second |")
    print("|---|---|---|---|---|")
    rates = []
    for k in range(repeats):
        for keep in (True, False):
            w0, c0 = time.perf_counter(), time.process_time()
            run = simulate(model, start=start, days=days, seed=k, keep_events=keep)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            label = "one year of the demo desk" + (" (event log built)" if keep else " (KPIs only)")
            rates.append(run.activity_instances / cpu)
            print(
                f"| {label}, seed {k} | {run.activity_instances:,} | {wall:.2f} | {cpu:.2f} | "
                f"{run.activity_instances / cpu:,.0f} |",
                flush=True,
            )
    print(f"\nMedian: {np.median(rates):,.0f} activity instances per CPU second.")
    # every replication compiles the model; the distributions' quantile tables are kept per process
    from workbench.simulation import _compiled

    cold, warm = [], []
    for _ in range(repeats):
        _compiled._cached_table.cache_clear()
        c0 = time.process_time()
        _compiled.compile_model(model, start.to_pydatetime())
        cold.append(time.process_time() - c0)
        c0 = time.process_time()
        _compiled.compile_model(model, start.to_pydatetime())
        warm.append(time.process_time() - c0)
    print(
        f"Compiling the model for a run: {np.median(cold):.3f} CPU s with the quantile tables computed "
        f"(a fresh process), {np.median(warm):.3f} CPU s with them kept (every later replication)."
    )


def _busiest_partner(model, exp) -> str:
    util = exp.comparison.set_index("kpi")["baseline"]
    first = model.statuses.first_line_team
    partners = {k.split(":", 1)[1]: v for k, v in util.items() if k.startswith("utilisation:")}
    partners.pop(first, None)
    return max(partners, key=partners.get)


def _true_effects(seed: int, team: str) -> tuple[float, float]:
    """True effects (h) of the two changes in one generator world (same random streams)."""
    from workbench.demo import DemoParams, generate_demo_log

    p = DemoParams()
    col = "final_cycle_hours"
    base = generate_demo_log(p, seed=seed).truth[col].mean()
    staff = dataclasses.replace(p, staff={**p.staff, team: p.staff[team] + 1})
    mis = dataclasses.replace(p, misrouting_rate=p.misrouting_rate / 2)
    return (
        generate_demo_log(staff, seed=seed).truth[col].mean() - base,
        generate_demo_log(mis, seed=seed).truth[col].mean() - base,
    )


def whatif(worlds: list[int], replications: int, jobs: int | None, truth_worlds: int) -> None:
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.simulation.experiment import run_experiment
    from workbench.simulation.scenarios import Scenario

    print(f"\n## What-if accuracy ({len(worlds)} demo worlds, {replications} paired replications each)\n")
    print("| world (seed) | scenario | simulated effect (h) [95% CI] | true effect (h) | error | sign |")
    print("|---|---|---|---|---|---|")
    rows = []
    base_params = DemoParams()
    col = "final_cycle_hours"
    for seed in worlds:
        model, _, demo = _demo_model(seed)
        probe = run_experiment(model, None, replications=2, seed=seed, warmup_days=0, n_jobs=jobs)
        team = _busiest_partner(model, probe)
        changes = {
            f"add one person to {team}": (
                Scenario(name="staff", changes=[{"type": "staff", "team": team, "add": 1}]),
                dataclasses.replace(
                    base_params, staff={**base_params.staff, team: base_params.staff[team] + 1}
                ),
            ),
            "halve misrouting": (
                Scenario(name="misrouting", changes=[{"type": "misrouting", "factor": 0.5}]),
                dataclasses.replace(base_params, misrouting_rate=base_params.misrouting_rate / 2),
            ),
        }
        for label, (scenario, params) in changes.items():
            truth = generate_demo_log(params, seed=seed).truth[col].mean() - demo.truth[col].mean()
            exp = run_experiment(
                model, scenario, replications=replications, seed=1000 + seed, warmup_days=0, n_jobs=jobs
            )
            c = exp.comparison.set_index("kpi").loc["cycle_time_h"]
            err = (c["difference"] - truth) / abs(truth)
            rows.append((seed, label.split(" to ")[0], c["difference"], truth))
            print(
                f"| {seed} | {label} | {c['difference']:.2f} [{c['ci_low']:.2f}, {c['ci_high']:.2f}] | {truth:.2f} "
                f"| {err:+.0%} | {'right' if np.sign(c['difference']) == np.sign(truth) else 'WRONG'} |",
                flush=True,
            )
    frame = pd.DataFrame(rows, columns=["world", "scenario", "simulated", "true"])
    # the true effect of one world is one draw; its expectation is the mean over many generator worlds
    extra = [_true_effects(s, team) for s in range(100, 100 + truth_worlds)]
    expected = {
        "add one person": float(
            np.mean([t for t, _ in extra] + frame[frame["scenario"] == "add one person"]["true"].tolist())
        ),
        "halve misrouting": float(
            np.mean([m for _, m in extra] + frame[frame["scenario"] == "halve misrouting"]["true"].tolist())
        ),
    }
    n_truth = truth_worlds + len(worlds)
    print(
        "\n| scenario | mean simulated effect (h) | mean true effect, these worlds (h) | error of the means | "
        f"expected true effect, {n_truth} worlds (h) | worlds within 25% of their own true effect | "
        "worlds within 25% of the expected true effect | right sign |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, g in frame.groupby("scenario", sort=False):
        sim, true = g["simulated"].mean(), g["true"].mean()
        own = int(((g["simulated"] - g["true"]).abs() <= 0.25 * g["true"].abs()).sum())
        exp_true = expected[label]
        vs_expected = int(((g["simulated"] - exp_true).abs() <= 0.25 * abs(exp_true)).sum())
        sign = int((np.sign(g["simulated"]) == np.sign(g["true"])).sum())
        print(
            f"| {label} | {sim:.2f} | {true:.2f} | {(sim - true) / abs(true):+.0%} | {exp_true:.2f} | "
            f"{own}/{len(g)} | {vs_expected}/{len(g)} | {sign}/{len(g)} |"
        )
    spread = pd.DataFrame(extra, columns=["staff", "misrouting"]).std()
    print(
        f"\nSpread of the true effect between generator worlds (sd over {truth_worlds} extra worlds): "
        f"{spread['staff']:.2f} h (one more person), {spread['misrouting']:.2f} h (halve misrouting)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sections", default="fidelity,speed,whatif", help="comma-separated: fidelity,speed,verdicts,whatif"
    )
    parser.add_argument("--logs", default="bpic2012,bpic2013,demo", help="fidelity logs (comma-separated)")
    parser.add_argument("--data", type=Path, default=None, help="folder of the real logs (default: as the configs say)")
    parser.add_argument("--replications", type=int, default=10, help="validation replications")
    parser.add_argument(
        "--worlds", type=int, default=5, help="what-if: number of demo worlds (seeds 42, 43, ...)"
    )
    parser.add_argument(
        "--whatif-replications", type=int, default=10, help="what-if: paired replications per world"
    )
    parser.add_argument(
        "--truth-worlds",
        type=int,
        default=8,
        help="what-if: extra generator worlds (seeds 100, ...) for the expected true effect",
    )
    parser.add_argument("--speed-repeats", type=int, default=3, help="speed: repeats")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument(
        "--calibrate", action="store_true",
        help="fidelity: calibrate the learned model's capacity first, as `workbench validate-sim` does by default",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small smoke run (demo only, few replications)"
    )
    args = parser.parse_args(argv)
    sections = set(args.sections.split(","))
    logs = args.logs.split(",")
    if args.data is not None:
        DATA.append(args.data)
    if args.quick:
        logs, args.replications, args.worlds, args.whatif_replications, args.speed_repeats = (
            ["demo"],
            2,
            1,
            3,
            1,
        )
        args.truth_worlds = 2
    print(
        f"# Simulation benchmark\n\nMachine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    if "speed" in sections:
        speed(args.speed_repeats)
    if "fidelity" in sections:
        fidelity(logs, args.replications, args.jobs, args.calibrate)
    if "verdicts" in sections:
        verdicts()
    if "whatif" in sections:
        whatif(list(range(42, 42 + args.worlds)), args.whatif_replications, args.jobs, args.truth_worlds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
