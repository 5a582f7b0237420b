"""Prediction benchmark: remaining-time MAE against the published tables, reopen risk, tuning time.

Figures printed (markdown tables):

1. Remaining time to case end, MAE in days, under the published 64/16/20 holdout protocol
   (cases sorted by start; prefixes of length 2 to n-1; MAE averaged over all test
   prefixes) on ``bpic2013_incidents``, ``helpdesk_4tu``, ``bpic2012`` and ``sepsis``, beside
   the baseline (mean remaining time per prefix length) and the best published figure.
   The logs are read as the published work read them: every event kept (no duplicate
   removal), activity = concept:name, combined with lifecycle:transition for BPIC 2013
   (status/sub-status) and BPIC 2012 (PGTNet's (activity, lifecycle) classes, all 262,200
   events), every case treated as finished. Beside it, the MAE of the same test prefixes seen
   as of a random moment before their next event (as open cases are scored, from ``as_of``).
2. The same under the leakage-free temporal split (Weytjens & De Weerdt).
3. Reopen risk (AUC, average precision, calibration error, Brier) on the demo log and on
   BPIC 2013 incidents, beside the base rate.
4. Wall time of the shipped 50-trial config ``configs/training/bpic2013_duration.yaml``.
5. (``open``) the demo's open tickets scored as of the horizon against the generator's future;
   (``cut``) a real log cut at a date, its open cases scored as of the cut: where their
   expected ends lie.

Usage::

    python benchmarks/prediction.py                       # everything (about an hour on 2 busy cores)
    python benchmarks/prediction.py --logs sepsis --parts holdout --trials 5   # a quick look
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PUBLISHED = {  # best published holdout MAE (days), PGTNet paper (CAiSE 2024) table
    "bpic2013_incidents": (2.39, "PGTNet"),
    "helpdesk_4tu": (4.80, "GGNN (PGTNet 5.41)"),
    "bpic2012": (5.49, "PGTNet"),
    "sepsis": (15.71, "DALSTM"),
}
LOGS = tuple(PUBLISHED)
# BPIC 2013 incidents holds only incidents closed between 2012-04-30 and 2012-05-22, so with the
# default maximum duration (95th percentile, 36 days) no kept case ends before the split time;
# the fallback keeps the cases of at most a week (an easier, different population: say so).
TEMPORAL_FALLBACK = {"bpic2013_incidents": 7.0}
PARTS = ("holdout", "temporal", "reopen", "timing", "open", "cut")
CUT = ("helpdesk_4tu", "2012-06-01")  # a log cut at a date, for the 'cut' part


def _log_config(name: str, *, protocol: bool) -> Any:
    """The shipped log config; for the published protocol: keep duplicates, BPIC 2012 with all lifecycle events."""
    from workbench.config import load_log_config

    config = load_log_config(REPO / "configs" / "logs" / f"{name}.yaml")
    if protocol:
        config = config.model_copy(update={"cleaning": config.cleaning.model_copy(update={"drop_duplicates": False})})
        if name == "bpic2012":
            config = config.model_copy(update={"lifecycle": config.lifecycle.model_copy(update={"mode": "append"})})
    return config


def _events(config: Any) -> Any:
    from workbench.io import load_log

    # a throw-away key: the benchmark writes no identifiers
    return load_log(config, secret=secrets.token_hex(32)).events


def _training_config(name: str, log: str, *, split: dict[str, Any], trials: int, seconds: float | None,
                     target: str = "remaining_time", until: str = "end", n_jobs: int = 1,
                     snapshots: int | None = None) -> Any:
    from workbench.models import TrainingConfig

    return TrainingConfig.model_validate({
        "name": name, "log": REPO / "configs" / "logs" / f"{log}.yaml", "target": target, "until": until,
        "split": split, "budget": {"trials": trials, "seconds": seconds}, "seed": 42,
        "assume_complete": target == "remaining_time", "n_jobs": n_jobs,
        "features": {"include_staff_attributes": True, **({"snapshots": snapshots} if snapshots is not None else {})},
    })


def remaining_time_rows(logs: list[str], *, kind: str, trials: int, seconds: float | None,
                        n_jobs: int, notes: list[str], snapshots: int | None = None) -> list[dict[str, Any]]:
    from workbench.errors import WorkbenchError
    from workbench.models import train_model

    rows = []
    for log in logs:
        protocol = kind == "holdout"
        log_config = _log_config(log, protocol=protocol)
        events = _events(log_config)
        split = {"kind": "holdout"} if protocol else {"kind": "temporal", "test_fraction": 0.2,
                                                      "validation_fraction": 0.2}
        config = _training_config(f"bench-{log}-{kind}", log, split=split, trials=trials, seconds=seconds,
                                  n_jobs=n_jobs, snapshots=snapshots)
        t0 = time.perf_counter()
        try:
            result = train_model(events, config=config, log_config=log_config)
        except WorkbenchError as exc:
            if protocol or log not in TEMPORAL_FALLBACK:
                raise
            print(f"  {log} {kind}: default split impossible: {exc}", flush=True)
            notes.append(f"{log}: {exc}")
            split = {**split, "max_case_days": TEMPORAL_FALLBACK[log]}
            config = _training_config(f"bench-{log}-{kind}", log, split=split, trials=trials, seconds=seconds,
                                      n_jobs=n_jobs, snapshots=snapshots)
            result = train_model(events, config=config, log_config=log_config)
        m = result.metrics
        row = {
            "log": log, "split": kind, "events": len(events), "cases": int(events["case_id"].nunique()),
            "test_prefixes": int(m["test_n"]), "mae": m["test_mae"], "baseline_mae": m["baseline_mae"],
            "as_of_mae": m.get("test_as_of_mae", float("nan")),
            "trials": int(m.get("tuning_trials", 0)), "pruned": int(m.get("tuning_pruned", 0)),
            "seconds": time.perf_counter() - t0, "published": PUBLISHED[log],
            "max_case_days": result.params.get("split_max_case_days"),
            "top_features": ", ".join(result.importance["feature"].head(3)),
        }
        rows.append(row)
        print(f"  {log} {kind}: MAE {row['mae']:.2f} d (baseline {row['baseline_mae']:.2f}; "
              f"seen as of a moment between events: {row['as_of_mae']:.2f}), "
              f"{row['test_prefixes']} prefixes, {row['trials']} trials, {row['seconds']:.0f} s", flush=True)
    return rows


def reopen_rows(*, trials: int, seconds: float | None, n_jobs: int) -> list[dict[str, Any]]:
    from workbench.models import load_training_config, train_model

    rows = []
    demo_config = load_training_config(REPO / "configs" / "training" / "demo_reopen.yaml")
    demo_config = demo_config.model_validate({**demo_config.model_dump(), "n_jobs": n_jobs,
                                              "budget": {"trials": trials, "seconds": seconds}})
    # BPIC 2013 holds only incidents closed in three weeks of 2012, so no temporal split: holdout by start
    bpic = _training_config("bench-bpic2013-reopen", "bpic2013_incidents", target="reopen",
                            split={"kind": "holdout"}, trials=trials, seconds=seconds, n_jobs=n_jobs)
    for name, config in (("demo", demo_config), ("bpic2013_incidents", bpic)):
        log_config = _log_config(name, protocol=False)
        events = _events(log_config)
        t0 = time.perf_counter()
        result = train_model(events, config=config, log_config=log_config)
        m = result.metrics
        rows.append({
            "log": name, "test_resolutions": int(m["test_n"]), "base_rate": m["test_base_rate"],
            "auc": m.get("test_auc", float("nan")), "ap": m.get("test_average_precision", float("nan")),
            "ece": m["test_calibration_error"], "brier": m["test_brier"], "baseline_brier": m["baseline_brier"],
            "trials": int(m.get("tuning_trials", 0)), "seconds": time.perf_counter() - t0,
            "examples": result.counts, "split": config.split.kind,
            "positives": round(m["test_n"] * m["test_base_rate"]),
        })
        print(f"  reopen {name}: AUC {rows[-1]['auc']:.3f}, AP {rows[-1]['ap']:.3f} "
              f"(base rate {rows[-1]['base_rate']:.3f}), ECE {rows[-1]['ece']:.4f}", flush=True)
    return rows


def timing_row(*, n_jobs: int | None) -> dict[str, Any]:
    """The shipped 50-trial BPIC 2013 config, end to end (features, tuning, final fit, evaluation)."""
    from workbench.config import load_log_config
    from workbench.models import load_training_config, train_model

    config = load_training_config(REPO / "configs" / "training" / "bpic2013_duration.yaml")
    if n_jobs is not None:
        config = config.model_validate({**config.model_dump(), "n_jobs": n_jobs})
    log_config = load_log_config(config.log)
    events = _events(log_config)
    t0 = time.perf_counter()
    result = train_model(events, config=config, log_config=log_config)
    m = result.metrics
    row = {"seconds": time.perf_counter() - t0, "tuning_seconds": m["tuning_seconds"],
           "trials": int(m["tuning_trials"]), "complete": int(m["tuning_complete"]),
           "pruned": int(m["tuning_pruned"]), "mae": m["test_mae"], "baseline_mae": m["baseline_mae"],
           "n_jobs": config.n_jobs, "budget_seconds": config.budget.seconds}
    print(f"  timing: {row['seconds']:.0f} s for {row['trials']} trials ({row['pruned']} pruned), "
          f"MAE {row['mae']:.2f} d", flush=True)
    return row


def open_case_row(*, trials: int) -> dict[str, Any]:
    """Score the demo's open tickets at the horizon and compare with the generator's known future."""
    import numpy as np

    from workbench.demo import generate_demo_log
    from workbench.models import load_training_config, score_open_cases, train_model

    config = load_training_config(REPO / "configs" / "training" / "demo_duration.yaml")
    config = config.model_validate({**config.model_dump(), "budget": {"trials": trials}})
    log_config = _log_config("demo", protocol=False)
    events = _events(log_config)
    model = train_model(events, config=config, log_config=log_config).model
    scored = score_open_cases(events, models=[model])
    truth = generate_demo_log(seed=log_config.source.seed).truth.set_index("ticket_id")
    final = truth.loc[scored["case_id"], "final_resolved_at"].to_numpy()
    # counted from the moment of scoring; a ticket already finally resolved then has 0 days left
    true_days = np.maximum((pd_to_utc(final) - scored["as_of"]).dt.total_seconds().to_numpy() / 86400, 0.0)
    ok = np.isfinite(true_days)
    pred = scored["predicted_remaining_days"].to_numpy()[ok]
    true = true_days[ok]
    unresolved = scored["last_activity"].to_numpy()[ok] != "Resolved with mail"
    row = {"open": len(scored), "compared": int(ok.sum()), "unresolved": int(unresolved.sum()),
           "mae_unresolved": float(np.abs(pred - true)[unresolved].mean()),
           "median_baseline_unresolved": float(np.abs(np.median(true[unresolved]) - true[unresolved]).mean()),
           "mae_all": float(np.abs(pred - true).mean())}
    print(f"  open demo tickets: {row}", flush=True)
    return row


def cut_row() -> dict[str, Any]:
    """A real log cut at a date: train (untuned) on it as it was then, score its open cases as of the cut."""
    import pandas as pd

    from workbench.models import score_open_cases, train_model

    log, day = CUT
    log_config = _log_config(log, protocol=False)
    cut = pd.Timestamp(day, tz="UTC")
    events = _events(log_config)
    seen = events[events["timestamp"] <= cut]
    config = _training_config(f"bench-{log}-cut", log, split={"kind": "holdout"}, trials=0, seconds=None)
    model = train_model(seen, config=config, log_config=log_config).model
    scored = score_open_cases(seen, models=[model], as_of=cut)
    from_last = scored["last_event_at"] + pd.to_timedelta(scored["predicted_remaining_days"], unit="D")
    row = {"log": log, "cut": day, "open": len(scored),
           "at_or_after": float((scored["predicted_end"] >= cut).mean()),
           "after": float((scored["predicted_end"] > cut).mean()),
           "from_last_before": float((from_last < cut).mean())}
    print(f"  {log} cut at {day}: {row}", flush=True)
    return row


def pd_to_utc(values: Any) -> Any:
    import pandas as pd

    return pd.Series(pd.to_datetime(values, utc=True))


def _print_tables(holdout: list, temporal: list, reopen: list, timing: dict | None,
                  open_row: dict | None = None) -> None:
    print()
    if holdout or temporal:
        print("| log | split | events | test prefixes | MAE (days) | baseline MAE | MAE as of a moment | best published |"
              " trials | time |")
        print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|")
        for r in holdout + temporal:
            pub = f"{r['published'][0]:.2f} ({r['published'][1]})" if r["split"] == "holdout" else "-"
            print(f"| {r['log']} | {r['split']} | {r['events']:,} | {r['test_prefixes']:,} | **{r['mae']:.2f}** | "
                  f"{r['baseline_mae']:.2f} | {r['as_of_mae']:.2f} | {pub} | {r['trials']} ({r['pruned']} pruned) | {r['seconds']:.0f} s |")
        for r in temporal:
            print(f"  temporal {r['log']}: max case duration {r['max_case_days']} d; top features {r['top_features']}")
        for r in holdout:
            print(f"  holdout {r['log']}: top features {r['top_features']}")
    if reopen:
        print()
        print("| log | split | test resolutions (real reopens) | base rate | AUC | average precision |"
              " calibration error (ECE) | Brier | Brier of base rate |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in reopen:
            print(f"| {r['log']} | {r['split']} | {r['test_resolutions']:,} ({r['positives']}) | {r['base_rate']:.3f} |"
                  f" {r['auc']:.3f} | {r['ap']:.3f} | {r['ece']:.4f} | {r['brier']:.4f} | {r['baseline_brier']:.4f} |")
    if timing:
        print()
        print(f"50-trial run (configs/training/bpic2013_duration.yaml, n_jobs={timing['n_jobs']}): "
              f"{timing['seconds']:.0f} s wall ({timing['seconds'] / 60:.1f} min; tuning {timing['tuning_seconds']:.0f} s), "
              f"{timing['trials']} trials, {timing['complete']} complete, {timing['pruned']} pruned; "
              f"test MAE {timing['mae']:.2f} d (baseline {timing['baseline_mae']:.2f}); target < 600 s: "
              f"{'met' if timing['seconds'] < 600 and timing['trials'] >= 50 else 'MISSED'}")
    if open_row:
        print()
        print(f"Open demo tickets at the horizon: {open_row['open']} scored, {open_row['compared']} with a known final "
              f"resolution; {open_row['unresolved']} not resolved yet: MAE {open_row['mae_unresolved']:.2f} d "
              f"(oracle constant, their true median: {open_row['median_baseline_unresolved']:.2f} d); all compared: MAE "
              f"{open_row['mae_all']:.2f} d")
    print(f"\nMachine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"load average {os.getloadavg()[0]:.1f} at the end; Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", default=",".join(LOGS), help="comma-separated subset of " + ", ".join(LOGS))
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated subset of " + ", ".join(PARTS))
    parser.add_argument("--trials", type=int, default=50, help="Optuna trials per model (remaining time)")
    parser.add_argument("--seconds", type=float, default=900, help="tuning time cap per model")
    parser.add_argument("--reopen-trials", type=int, default=30)
    parser.add_argument("--n-jobs", type=int, default=1, help="LightGBM threads (1 is fastest on a shared machine)")
    parser.add_argument("--snapshots", type=int, default=None,
                        help="training snapshots per prefix (features.snapshots; 0: at events only)")
    args = parser.parse_args(argv)
    logs = [x for x in args.logs.split(",") if x]
    parts = set(args.parts.split(","))
    unknown = (set(logs) - set(LOGS)) | (parts - set(PARTS))
    if unknown:
        parser.error(f"unknown log or part: {sorted(unknown)}")
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    notes: list[str] = []
    holdout = remaining_time_rows(logs, kind="holdout", trials=args.trials, seconds=args.seconds,
                                  n_jobs=args.n_jobs, notes=notes, snapshots=args.snapshots) if "holdout" in parts else []
    temporal = remaining_time_rows(logs, kind="temporal", trials=args.trials, seconds=args.seconds,
                                   n_jobs=args.n_jobs, notes=notes, snapshots=args.snapshots) if "temporal" in parts else []
    reopen = reopen_rows(trials=args.reopen_trials, seconds=args.seconds, n_jobs=args.n_jobs) \
        if "reopen" in parts else []
    timing = timing_row(n_jobs=None) if "timing" in parts else None
    open_row = open_case_row(trials=20) if "open" in parts else None
    cut = cut_row() if "cut" in parts else None
    _print_tables(holdout, temporal, reopen, timing, open_row)
    if cut:
        print(f"\n{cut['log']} cut at {cut['cut']}: {cut['open']} open cases; expected end at or after the cut: "
              f"{cut['at_or_after']:.1%}, strictly after: {cut['after']:.1%} (the same days counted from each "
              f"case's last event would put {cut['from_last_before']:.1%} before the cut)")
    for note in notes:
        print(f"Note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
