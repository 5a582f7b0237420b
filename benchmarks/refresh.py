"""Refresh benchmark: an incremental refresh of one day's rows on a year-long store vs a full reload.

A year of the demo desk is written to the example ticket database (tables, history view);
the store is built from every day but the last; the last day's rows are inserted; then

- *incremental*: ``update_store`` on a copy of that store (reads rows changed since the
  watermark minus the look-back, merges them, commits);
- *full reload*: ``update_store`` into an empty store (reads every row, writes every partition).

Each is repeated and the median taken; the target is incremental <= 10% of the full reload.
The recomputation that follows a refresh (questions, rule checks, alerts on the whole store)
is the same after either and is timed once, separately.

    python benchmarks/refresh.py                      # a temporary SQLite database
    python benchmarks/refresh.py --url postgresql+psycopg://postgres@127.0.0.1:5433/bench   # an empty database
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.demo import DemoParams, generate_demo_log  # noqa: E402
from workbench.refresh import EventStore, load_refresh_config, refresh, update_store, write_refresh  # noqa: E402
from workbench.refresh.example import create_schema, insert_history, log_config_data, ticket_history  # noqa: E402
from workbench.refresh.run import _previous_as_of  # noqa: E402

NOW = pd.Timestamp("2030-01-01", tz="UTC")


def phases(plan, base: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The incremental refresh step by step, each step timed (the same calls ``refresh`` makes)."""
    from workbench.calendar import WorkingCalendar
    from workbench.io import OutputFolder
    from workbench.refresh import downstream
    from workbench.refresh.alerts import deadline_alerts, new_real_reopens
    from workbench.usecases import RunResults, build_run_report
    from workbench.usecases import writers as w
    from workbench.usecases.report import write_run_report

    shutil.rmtree(plan.config.store, ignore_errors=True)
    shutil.copytree(base, plan.config.store)
    times: dict[str, float] = {}

    def step(name: str, fn):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        value = fn()
        times[name] = time.perf_counter() - t0
        return value

    store = EventStore(plan.config.store)
    step("update the store (read new rows, merge, commit)", lambda: update_store(plan, now=NOW))
    rows = step("read the whole store", store.read)
    loaded = step("map and clean the stored rows (prepare_log)",
                  lambda: downstream.prepare_store_log(rows, plan.log, source="store"))
    rules = downstream.load_rule_set(plan.config.rules)
    from workbench.refresh.incremental import (
        incremental_answers,
        load_question_cache,
        map_and_answers,
        question_settings,
        save_question_cache,
    )

    cache = step("load the questions' per-case tables kept with the store",
                 lambda: load_question_cache(plan.config.store))
    questions = step("the questions, rebuilding the changed cases' tables",
                     lambda: incremental_answers(loaded.events, plan.log, question_settings(plan.log), cache=cache))
    print(f"  (questions: {questions.rebuilt:,} of {questions.cases:,} cases rebuilt, "
          f"{questions.rebuilt_time_split:,} for the time split; full: {questions.full})")
    step("save the per-case tables", lambda: save_question_cache(plan.config.store, questions.cache))
    mapped = step("rules, variants, map, model (as discover_map_and_answers)",
                  lambda: map_and_answers(loaded.events, plan.log, rules=rules, answers=questions.answers))
    events = loaded.events
    as_of = events["timestamp"].max()
    step("alerts (deadlines, new reopens)", lambda: (
        deadline_alerts(events, rules, statuses=plan.log.statuses, calendar=WorkingCalendar.from_config(
            plan.log.calendar), as_of=as_of, horizon_working_hours=8.0),
        new_real_reopens(events, statuses=plan.log.statuses, since=_previous_as_of(plan.config.outputs))))
    report = step("build_run_report", lambda: build_run_report(
        RunResults(log=loaded, discovery=mapped), title="t", subtitle="s", generated_at="now", settings={},
        language="da", log_config=plan.log))
    folder = OutputFolder.open(plan.config.outputs)
    # as write_refresh writes: one batch, committed at the end (code without batches: one file at a time)
    batch = folder.batch() if hasattr(folder, "batch") else contextlib.nullcontext()
    batch.__enter__()
    step("write data quality (load/)", lambda: w.write_quality(loaded, folder, prefix="load"))
    step("write_map_and_answers (SVG, HTML map, BPMN, tables)",
         lambda: w.write_map_and_answers(mapped, folder, prefix="discover"))
    step("write_run_report (HTML)", lambda: write_run_report(report, folder, prefix="report", pdf=False))
    step("commit the batch (fsync each changed file, rename, manifest)", lambda: batch.__exit__(None, None, None))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="Days of history in the store (default 365).")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--url", help="SQLAlchemy URL of an EMPTY database (default: a temporary SQLite file).")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--look-back-hours", type=float, default=72.0)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one whole incremental refresh")
    args = parser.parse_args()
    os.environ.setdefault("WORKBENCH_SECRET", "benchmark-key-" + "0" * 40)

    work = Path(tempfile.mkdtemp(prefix="wb-refresh-bench-"))
    url = args.url or f"sqlite:///{work / 'tickets.db'}"
    engine = sa.create_engine(url)
    started = time.perf_counter()
    history = ticket_history(generate_demo_log(DemoParams(days=args.days), seed=args.seed).events)
    # "one day": the last working day with a usual volume (the generated year ends on a holiday)
    days = history["changed_at"].dt.normalize()
    counts = days.value_counts().sort_index()
    last_day = counts[counts >= counts[counts.index.dayofweek < 5].median()].index[-1]
    history = history[days <= last_day]
    before, day = history[history["changed_at"] < last_day], history[history["changed_at"] >= last_day]
    create_schema(engine)
    insert_history(engine, before)
    print(f"{len(history):,} history rows ({history['case_id'].nunique():,} tickets, {args.days} days) on "
          f"{engine.url.get_backend_name()}; last day {last_day.date()}: {len(day):,} rows "
          f"(set up in {time.perf_counter() - started:.0f} s)")

    (work / "log.yaml").write_text(yaml.safe_dump(log_config_data(url=url)), encoding="utf-8")
    (work / "rules.yaml").write_text(yaml.safe_dump({"rules": [
        {"name": "resolved within 5 working days", "type": "resolved_within", "working_days": 5}]}), encoding="utf-8")

    def plan_for(store: str, outputs: str = "outputs"):  # type: ignore[no-untyped-def]
        path = work / f"{store}.yaml"
        path.write_text(yaml.safe_dump({"log": "log.yaml", "store": store, "outputs": outputs,
                                        "watermark": "opdateret", "key": ["historik_id"], "rules": "rules.yaml",
                                        "look_back_hours": args.look_back_hours}), encoding="utf-8")
        return load_refresh_config(path)

    update_store(plan_for("base"), now=NOW)
    # yesterday's outputs: a refresh of the store before the new day (copied in before each incremental run)
    shutil.copytree(work / "base", work / "yesterday")
    yesterday = plan_for("yesterday", outputs="out_yesterday")
    write_refresh(refresh(yesterday, now=NOW - pd.Timedelta(days=1)), yesterday.config.outputs)
    insert_history(engine, day)

    incremental, full, read = [], [], 0
    for i in range(args.repeats):
        shutil.copytree(work / "base", work / f"inc{i}")
        t0 = time.perf_counter()
        result = update_store(plan_for(f"inc{i}"), now=NOW)
        incremental.append(time.perf_counter() - t0)
        read = result.read
        t0 = time.perf_counter()
        whole = update_store(plan_for(f"full{i}"), now=NOW)
        full.append(time.perf_counter() - t0)
        same = EventStore(work / f"inc{i}").read().sort_values("historik_id", ignore_index=True).equals(
            EventStore(work / f"full{i}").read().sort_values("historik_id", ignore_index=True))
        print(f"  repeat {i + 1}: incremental {incremental[-1]:.2f} s ({result.read:,} rows read, "
              f"{result.inserted:,} new, {result.partitions_written} partitions written); full reload "
              f"{full[-1]:.2f} s ({whole.read:,} rows); stores identical: {same}")
    inc, fl = statistics.median(incremental), statistics.median(full)
    print(f"Store only -- incremental (one day, {read:,} rows read with a {args.look_back_hours:g} h look-back): "
          f"{inc:.2f} s; full reload ({len(history):,} rows): {fl:.2f} s; ratio {100 * inc / fl:.1f}% "
          f"(target <= 10%)")

    # The whole refresh, as `workbench refresh` runs it: update the store, recompute through the use
    # cases (map and answers, rules, alerts, report), write the outputs and as_of.json.
    whole_inc, whole_full = [], []
    for i in range(args.repeats):
        shutil.copytree(work / "yesterday", work / f"winc{i}")  # the store with the tables yesterday's refresh kept
        shutil.copytree(work / "out_yesterday", work / f"out_inc{i}")  # yesterday's refresh: its outputs exist
        plan = plan_for(f"winc{i}", outputs=f"out_inc{i}")
        t0 = time.perf_counter()
        write_refresh(refresh(plan, now=NOW), plan.config.outputs)
        whole_inc.append(time.perf_counter() - t0)
        plan = plan_for(f"wfull{i}", outputs=f"out_full{i}")
        t0 = time.perf_counter()
        write_refresh(refresh(plan, now=NOW), plan.config.outputs)
        whole_full.append(time.perf_counter() - t0)
        print(f"  repeat {i + 1}: whole refresh incremental {whole_inc[-1]:.2f} s; full reload {whole_full[-1]:.2f} s")
    winc, wfull = statistics.median(whole_inc), statistics.median(whole_full)
    print(f"Whole refresh -- incremental {winc:.2f} s; full reload {wfull:.2f} s; ratio {100 * winc / wfull:.1f}% "
          f"(target <= 10%)")
    if args.profile:
        import cProfile
        import pstats

        for name in ("winc0", "out_inc0"):
            shutil.rmtree(work / name)
        shutil.copytree(work / "yesterday", work / "winc0")
        shutil.copytree(work / "out_yesterday", work / "out_inc0")
        plan = plan_for("winc0", outputs="out_inc0")
        profiler = cProfile.Profile()
        profiler.enable()
        write_refresh(refresh(plan, now=NOW), plan.config.outputs)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"workbench", 50)
    print("Where an incremental refresh spends its time (one run):")
    shutil.copytree(work / "out_yesterday", work / "out_phases")
    for phase, seconds in phases(plan_for("winc0", outputs="out_phases"), work / "yesterday").items():
        print(f"  {phase:55} {seconds:6.2f} s")
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
