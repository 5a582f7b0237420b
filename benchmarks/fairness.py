"""Fairness audit benchmark: does the audit find known discrimination, and only that?

1. The four simulated logs with injected discrimination (Pohl, Berti, Qafari, van der Aalst,
   arXiv:2306.11453; ``../shared/data/fairness_sim_*_high.xes.gz``): the historical audit
   (configs/audits/fairness_<log>.yaml) must flag the protected group on the outcome where the
   bias was injected; with the protected attribute randomly permuted over cases (N seeded
   permutations per log) it must flag nothing. Permutation audits check cycle time too.
   Printed: detection per log, and the false-alarm rate (share of permuted audits with any
   flag), beside the rate a plain "interval excludes zero" rule would have.
2. The demo desk with and without a planted disadvantage for one department
   (``DemoParams(disadvantaged_department=...)``): the historical audit, the model audit of a
   remaining-time model trained on that log (workbench.models) and the process-change audit
   of a simulated scenario that lowers the department's queue priority (workbench.simulation)
   must flag that department, and the unplanted / neutral counterparts must not.

Run: ``python benchmarks/fairness.py`` (all), ``--permutations 5 --logs hiring`` (quick),
``--skip-demo``, ``--skip-model``, ``--skip-process``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
LOGS = ("hiring", "hospital", "lending", "renting")
PLANTED = "Jobcenter"


def _secret() -> None:
    # the benchmark writes nothing with identifiers; pseudonymisation still needs a key
    os.environ.setdefault("WORKBENCH_SECRET", "benchmark-only-key-" + "0" * 32)


def fairness_logs(names: tuple[str, ...], *, permutations: int, replicates: int) -> pd.DataFrame:
    from workbench.fairness import audit_history, load_audit_config
    from workbench.fairness.runner import _load_events

    rows = []
    for name in names:
        config = load_audit_config(REPO / "configs" / "audits" / f"fairness_{name}.yaml")
        t0 = time.perf_counter()
        events = _load_events(config, secret=None).events
        load_s = time.perf_counter() - t0
        activities = [o.to_outcome() for o in config.historical.outcome_activities]
        rule = config.flag.rule()
        t0 = time.perf_counter()
        result = audit_history(events, group_attributes=["protected"], outcomes=(), outcome_activities=activities,
                               replicates=replicates, seed=config.seed, rule=rule)
        audit_s = time.perf_counter() - t0
        table = result.table
        target = table[(table["group"] == "True") & (table["metric"] == activities[0].name)].iloc[0]
        flagged = result.flagged_rows
        detected = bool(target["flagged"]) and set(flagged["group"]) == {"True"}

        per_case = events.drop_duplicates("case_id").set_index("case_id")["protected"]
        rng = np.random.default_rng(2024)
        alarms = 0
        naive = 0
        for i in range(permutations):
            shuffled = dict(zip(per_case.index, rng.permutation(per_case.to_numpy()), strict=False))
            permuted = events.assign(protected=events["case_id"].map(shuffled))
            res = audit_history(permuted, group_attributes=["protected"], outcomes=("cycle_time",),
                                outcome_activities=activities, replicates=replicates, seed=1000 + i, rule=rule)
            alarms += int(res.flagged)
            t = res.table[~res.table["is_reference"]]
            worse_sig = (((t["compare"] == "ratio") & (t["worse_if"] == "higher") & (t["ratio_low"] > 1))
                         | ((t["compare"] == "difference") & (t["worse_if"] == "lower") & (t["difference_high"] < 0))
                         | ((t["compare"] == "difference") & (t["worse_if"] == "higher") & (t["difference_low"] > 0)))
            naive += int(worse_sig.any())
        rows.append({
            "log": name, "cases": events["case_id"].nunique(), "outcome": activities[0].activities[0],
            "protected_rate": target["estimate"], "overall_rate": target["reference_estimate"],
            "difference_pp": 100 * target["difference"],
            "ci_pp": f"{100 * target['difference_low']:.1f} to {100 * target['difference_high']:.1f}",
            "detected": detected, "permutations": permutations, "false_alarms": alarms,
            "false_alarm_rate": alarms / permutations if permutations else np.nan,
            "naive_rate": naive / permutations if permutations else np.nan,
            "load_s": load_s, "audit_s": audit_s,
        })
        print(f"  {name}: detected={detected}, false alarms {alarms}/{permutations} "
              f"(interval-excludes-zero rule: {naive}/{permutations}); load {load_s:.1f} s, audit {audit_s:.2f} s",
              flush=True)
    return pd.DataFrame(rows)


def _demo_events(plant: str | None, *, days: int, seed: int, strength: float = 1.0):  # type: ignore[no-untyped-def]
    from workbench.config import load_log_config
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.io import prepare_log

    log_config = load_log_config(REPO / "configs" / "logs" / "demo.yaml")
    params = DemoParams(days=days, disadvantaged_department=plant, disadvantage_strength=strength)
    raw = generate_demo_log(params, seed=seed).events
    return prepare_log(raw, log_config).events, log_config


def _flagged_groups(result) -> str:  # type: ignore[no-untyped-def]
    groups = sorted(set(result.flagged_rows["group"]))
    return ", ".join(groups) if groups else "none"


def demo_historical(*, replicates: int, days: int) -> list[dict[str, object]]:
    from workbench.fairness import audit_history

    rows = []
    for plant in (PLANTED, None):
        events, log_config = _demo_events(plant, days=days, seed=42)
        t0 = time.perf_counter()
        result = audit_history(events, group_attributes=["department"], statuses=log_config.statuses,
                               strata=["category", "priority"], replicates=replicates, seed=7, case_noun="tickets",
                               person_columns=log_config.person_columns)
        rows.append({"audit": "historical", "input": f"demo log, planted={plant}", "flagged": _flagged_groups(result),
                     "ok": (_flagged_groups(result) == PLANTED) if plant else not result.flagged,
                     "seconds": time.perf_counter() - t0,
                     "detail": "; ".join(result.verdicts(flagged_only=True))[:300]})
        print(f"  historical, planted={plant}: flagged {rows[-1]['flagged']}", flush=True)
    return rows


def demo_model(*, replicates: int, days: int, trials: int) -> list[dict[str, object]]:
    """Train a remaining-time model on each demo log and audit its test-part predictions.

    Variants: planted (strength 1), unplanted, planted with strength 2, and the unplanted
    world's model scoring the planted world (the same tickets, common random numbers): a
    model trained before the disadvantage appeared.
    """
    from workbench.fairness import audit_model
    from workbench.models import TrainingConfig, predict_frame, train_model

    config = TrainingConfig.model_validate({
        "name": "fairness-bench-duration", "log": REPO / "configs" / "logs" / "demo.yaml",
        "target": "remaining_time", "until": "resolution",
        "split": {"kind": "temporal", "test_fraction": 0.2, "validation_fraction": 0.2, "max_case_quantile": 0.98},
        "budget": {"trials": trials}, "seed": 42, "n_jobs": 2})
    rows = []
    trained_models = {}
    worlds = {}
    for plant, strength in ((PLANTED, 1.0), (None, 1.0), (PLANTED, 2.0)):
        events, log_config = _demo_events(plant, days=days, seed=42, strength=strength)
        worlds[(plant, strength)] = events
        t0 = time.perf_counter()
        trained = train_model(events, config=config, log_config=log_config)
        trained_models[(plant, strength)] = trained.model
        scores = predict_frame(trained.model, events, part="test", group_attributes=("department",))
        result = audit_model(scores, group_attributes=["department"], replicates=replicates, seed=7,
                             case_noun="tickets", time_unit="d")
        by_prefix = audit_model(scores, group_attributes=["department"], replicates=replicates, seed=7,
                                case_noun="tickets", time_unit="d", weighting="prefix")
        ok = (_flagged_groups(result) == PLANTED) if plant else not result.flagged
        rows.append({"audit": "model", "input": f"duration model trained on demo log, planted={plant}"
                     f"{f' (strength {strength:g})' if plant else ''}; test MAE "
                     f"{trained.metrics.get('test_mae', float('nan')):.2f} d, {scores['case_id'].nunique()} cases",
                     "flagged": _flagged_groups(result), "ok": ok, "seconds": time.perf_counter() - t0,
                     "flagged_by_prefix": _flagged_groups(by_prefix),
                     "detail": _model_detail(result) + " || prefix weighting: " + _model_detail(by_prefix)})
        print(f"  model, planted={plant}, strength {strength}: flagged {rows[-1]['flagged']}", flush=True)
    scores = predict_frame(trained_models[(None, 1.0)], worlds[(PLANTED, 1.0)], part="test",
                           group_attributes=("department",))
    result = audit_model(scores, group_attributes=["department"], replicates=replicates, seed=7,
                         case_noun="tickets", time_unit="d")
    by_prefix = audit_model(scores, group_attributes=["department"], replicates=replicates, seed=7,
                            case_noun="tickets", time_unit="d", weighting="prefix")
    rows.append({"audit": "model", "input": "model trained before the disadvantage, scoring the planted world",
                 "flagged": _flagged_groups(result), "ok": _flagged_groups(result) == PLANTED, "seconds": np.nan,
                 "flagged_by_prefix": _flagged_groups(by_prefix),
                 "detail": _model_detail(result) + " || prefix weighting: " + _model_detail(by_prefix)})
    print(f"  model trained before the disadvantage: flagged {rows[-1]['flagged']}", flush=True)
    return rows


def _model_detail(result) -> str:  # type: ignore[no-untyped-def]
    """The planted department's signed-error verdict, and every flagged verdict."""
    t = result.table
    own = t[(t["group"] == PLANTED) & t["metric"].isin(["mae", "mean_signed_error"])]["verdict"].tolist()
    return " | ".join(own + [v for v in result.verdicts(flagged_only=True) if v not in own])


def demo_process(*, replications: int, days: int) -> list[dict[str, object]]:
    from workbench.fairness import audit_process_change
    from workbench.simulation import discover_model
    from workbench.simulation.experiment import run_experiment
    from workbench.simulation.scenarios import Scenario

    events, log_config = _demo_events(None, days=days, seed=42)
    model = discover_model(events, config=log_config, group_attributes=("department",))
    scenarios = {
        "lower Jobcenter's queue priority": Scenario.model_validate({
            "name": "lower-jobcenter", "changes": [
                {"type": "priority", "attribute": "department", "value": PLANTED, "rank_offset": 1.0}]}),
        "add one person to IT-infrastruktur (neutral)": Scenario.model_validate({
            "name": "more-infra", "changes": [{"type": "staff", "team": "IT-infrastruktur", "add": 1}]}),
    }
    rows = []
    for label, scenario in scenarios.items():
        t0 = time.perf_counter()
        exp = run_experiment(model, scenario, replications=replications, seed=7, group_attributes=("department",),
                             n_jobs=None)
        result = audit_process_change(exp.group_kpis, exp.kpis, group_attributes=["department"],
                                      scenario_name=scenario.name)
        planted = "priority" in label
        ok = (_flagged_groups(result) == PLANTED) if planted else not result.flagged
        rows.append({"audit": "process", "input": f"scenario: {label}, {replications} replications",
                     "flagged": _flagged_groups(result), "ok": ok, "seconds": time.perf_counter() - t0,
                     "detail": "; ".join(result.verdicts(flagged_only=True))[:400]})
        print(f"  process, {label}: flagged {rows[-1]['flagged']}", flush=True)
    return rows


def synthetic_checks(*, replicates: int) -> list[dict[str, object]]:
    """The model and process audits on synthetic inputs of the documented shapes (tests' generators)."""
    sys.path.insert(0, str(REPO))
    from tests.fairness.conftest import make_group_kpis, make_scores
    from workbench.fairness import audit_model, audit_process_change

    rows = []
    for biased in ("A", None):
        for task in ("regression", "classification"):
            r = audit_model(make_scores(task=task, biased_group=biased, seed=11, n_cases=800),
                            group_attributes=["department"], replicates=replicates, time_unit="h")
            ok = (_flagged_groups(r) == biased) if biased else not r.flagged
            rows.append({"audit": "model (synthetic)", "input": f"{task}, biased group={biased}",
                         "flagged": _flagged_groups(r), "ok": ok, "seconds": np.nan, "detail": ""})
        g, k = make_group_kpis(worse_group=biased, worse_factor=1.04, overall_factor=0.9, seed=11)
        r = audit_process_change(g, k)
        ok = (_flagged_groups(r) == biased) if biased else not r.flagged
        rows.append({"audit": "process (synthetic)", "input": f"worse group={biased}, average improves 10%",
                     "flagged": _flagged_groups(r), "ok": ok, "seconds": np.nan, "detail": ""})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", nargs="*", default=list(LOGS), choices=LOGS)
    parser.add_argument("--permutations", type=int, default=20)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365, help="demo log length")
    parser.add_argument("--trials", type=int, default=5, help="Optuna trials of the demo duration model")
    parser.add_argument("--replications", type=int, default=10, help="simulation replications")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-model", action="store_true")
    parser.add_argument("--skip-process", action="store_true")
    args = parser.parse_args(argv)
    _secret()
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}; load {os.getloadavg()[0]:.1f}", flush=True)
    shared = REPO.parent / "shared" / "data"
    if args.logs and shared.is_dir():
        print(f"\n1. Simulated fairness logs: {args.permutations} permutations each, "
              f"{args.replicates} bootstrap replicates", flush=True)
        logs = fairness_logs(tuple(args.logs), permutations=args.permutations, replicates=args.replicates)
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(logs.round(3).to_string(index=False))
        total = logs["permutations"].sum()
        print(f"detected: {int(logs['detected'].sum())}/{len(logs)} logs; false-alarm rate over all permutations: "
              f"{logs['false_alarms'].sum()}/{total} = {logs['false_alarms'].sum() / max(total, 1):.3f} "
              f"(interval-excludes-zero rule alone: {logs['naive_rate'].mul(logs['permutations']).sum() / max(total, 1):.3f})")
    elif args.logs:
        print(f"\n1. skipped: {shared} is missing")
    rows: list[dict[str, object]] = []
    if not args.skip_demo:
        print(f"\n2. Demo desk ({args.days} days), planted disadvantage for '{PLANTED}'", flush=True)
        rows += demo_historical(replicates=args.replicates, days=args.days)
        if not args.skip_model:
            try:
                rows += demo_model(replicates=args.replicates, days=args.days, trials=args.trials)
            except ImportError as exc:
                rows.append({"audit": "model", "input": "demo", "flagged": "n/a", "ok": False, "seconds": np.nan,
                             "detail": f"prediction stage not available: {exc}"})
        if not args.skip_process:
            try:
                rows += demo_process(replications=args.replications, days=args.days)
            except ImportError as exc:
                rows.append({"audit": "process", "input": "demo", "flagged": "n/a", "ok": False, "seconds": np.nan,
                             "detail": f"simulation stage not available: {exc}"})
    rows += synthetic_checks(replicates=args.replicates)
    table = pd.DataFrame(rows)
    if "flagged_by_prefix" not in table.columns:
        table["flagged_by_prefix"] = ""
    table["flagged_by_prefix"] = table["flagged_by_prefix"].fillna("")
    with pd.option_context("display.width", 250, "display.max_colwidth", 90):
        print(table[["audit", "input", "flagged", "ok", "flagged_by_prefix", "seconds"]].round(1).to_string(index=False))
    for row in rows:
        if row["detail"]:
            print(f"- {row['audit']} / {row['input']}: {row['detail']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
