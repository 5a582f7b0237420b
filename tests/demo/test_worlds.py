"""Tests of the unkind observation (leave, short Fridays, pseudo-resources, dispatcher, partial starts,
mixed offsets) and of the hardened worlds the what-if benchmark judges the simulator on."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays as holiday_tables
import numpy as np
import pandas as pd
import pytest

from workbench.demo import (
    FIRST_LINE,
    PARTNER_TEAMS,
    TEAMS,
    DemoParams,
    danish_holidays,
    export_events,
    generate_demo_log,
    hardened_world,
)
from workbench.demo._observe import WORK_END_STATUSES, draw_leave
from workbench.demo._worlds import STRUCTURES, team_utilisation
from workbench.errors import ConfigError

TZ = "Europe/Copenhagen"
REPO = Path(__file__).resolve().parents[2]
UNKIND = dict(friday_end_hour=15.5, leave_weeks=5.0, pseudo_resources=True, dispatcher=True, start_event_share=0.25)


@pytest.fixture(scope="module")
def unkind():
    return generate_demo_log(DemoParams(days=90, **UNKIND), seed=11)


def _staff(events: pd.DataFrame) -> pd.DataFrame:
    agent = events["agent"]
    return events[agent.notna() & ~agent.isin(["system", "user"])]


def test_danish_holidays_come_from_the_holidays_package_plus_the_days_offices_close():
    for year in (2023, 2024, 2026):
        expected = set(holiday_tables.country_holidays("DK", years=year))
        expected |= {dt.date(year, 6, 5), dt.date(year, 12, 24), dt.date(year, 12, 31)}
        assert danish_holidays([year]) == expected
    assert dt.date(2023, 5, 5) in danish_holidays([2023])  # Store Bededag, abolished from 2024
    assert dt.date(2024, 4, 26) not in danish_holidays([2024])


def test_pseudo_resources_write_in_every_team(unkind):
    ev = unkind.events
    assert ev["agent"].notna().all()
    for name in ("system", "user"):
        assert set(ev.loc[ev["agent"].eq(name), "team"]) == set(TEAMS)
    assert ev.loc[ev["status"].isin(["Mail from user", "Reopened"]), "agent"].eq("user").all()
    assert ev.loc[ev["status"].eq("Closed") & ev["agent"].eq("user")].empty


def test_dispatcher_logs_the_assignment_under_the_destination_team(unkind):
    ev = unkind.events[unkind.events["lifecycle"].eq("complete")]
    tildelt = ev[ev["status"].str.startswith("Tildelt ")]
    assert len(tildelt) > 50
    assert (tildelt["status"].str.removeprefix("Tildelt ") == tildelt["team"]).all()
    assert tildelt["team"].isin(PARTNER_TEAMS).all()
    prev = ev.groupby("ticket_id")[["status", "agent", "team"]].shift().loc[tildelt.index]
    assert prev["status"].eq("Forwarded").all() and prev["team"].eq(FIRST_LINE).all()
    assert (prev["agent"] == tildelt["agent"]).all()  # the forwarding first-line agent
    # so first-line agents appear in partner teams: a naive head count is too high
    first_line_agents = set(ev.loc[ev["team"].eq(FIRST_LINE) & ev["status"].eq("In progress"), "agent"])
    assert set(tildelt["agent"]) <= first_line_agents


def test_start_events_for_part_of_the_work(unkind):
    ev = unkind.events
    assert set(ev["lifecycle"]) == {"start", "complete"}
    starts = ev[ev["lifecycle"].eq("start")]
    work = _staff(ev[ev["lifecycle"].eq("complete")])
    work = work[work["status"].isin(WORK_END_STATUSES)]
    assert 0.2 < len(starts) / len(work) < 0.3
    assert starts["status"].isin(WORK_END_STATUSES).all()
    nxt = ev.groupby("ticket_id")[["status", "lifecycle", "timestamp", "agent"]].shift(-1).loc[starts.index]
    assert nxt["lifecycle"].eq("complete").all() and (nxt["status"] == starts["status"]).all()
    assert (nxt["agent"] == starts["agent"]).all()
    assert (nxt["timestamp"] >= starts["timestamp"]).all()


def test_short_fridays_and_holidays_hold_for_staff_work(unkind):
    ev = _staff(unkind.events)
    ev = ev[~ev["status"].str.startswith("Tildelt ")]  # recorded half a minute after a forward
    local = ev["timestamp"].dt.tz_convert(TZ)
    hours = local.dt.hour + local.dt.minute / 60 + local.dt.second / 3600
    friday = local.dt.weekday == 4
    assert (hours[friday] <= 15.5).all() and (hours[~friday] <= 16).all()
    assert (hours[friday] > 15.25).any()  # work goes on right up to the short day's end
    days = set(local.dt.date)
    assert not days & danish_holidays([2023])


def test_staff_on_leave_record_nothing_that_week(unkind):
    p = unkind.params
    origin = dt.datetime.combine(p.start, dt.time(0), tzinfo=ZoneInfo(TZ))
    leave = draw_leave(p, origin, p.days + p.runout_days, np.random.default_rng(0))
    per_agent = pd.Series([a for _, a, _, _ in leave]).value_counts()
    assert len(per_agent) == sum(p.staff.values())
    assert per_agent.mean() == pytest.approx(p.leave_weeks * (p.days + p.runout_days) / 365, abs=0.5)
    # in the log: a week-long gap for agents on leave (an agent finishes the ticket in hand first)
    ev = _staff(unkind.events)
    ev = ev[ev["status"].isin(["In progress"])]
    gaps = ev.sort_values("timestamp").groupby("agent")["timestamp"].diff().dt.total_seconds() / 86400
    assert (gaps.groupby(ev["agent"]).max() >= 4).mean() > 0.8


def test_one_more_agent_keeps_the_others_leave():
    p = DemoParams(days=60, leave_weeks=5.0)
    more = p.with_changes(staff={**p.staff, "ESDH og Post": p.staff["ESDH og Post"] + 1})
    origin = dt.datetime(2023, 1, 2, tzinfo=dt.UTC)
    a = draw_leave(p, origin, 120, np.random.default_rng(3))
    b = draw_leave(more, origin, 120, np.random.default_rng(3))
    assert set(a) < set(b)


def test_unkind_world_keeps_common_random_numbers(unkind):
    p = unkind.params
    more = generate_demo_log(p.with_changes(staff={**p.staff, "IT-infrastruktur": 3}), seed=11)
    assert (more.truth["arrival"] == unkind.truth["arrival"]).all()
    assert (more.truth["category"] == unkind.truth["category"]).all()


def test_export_mixes_summer_and_winter_offsets_and_keeps_the_instant():
    log = generate_demo_log(DemoParams(start=dt.date(2023, 3, 13), days=30), seed=2)
    out = export_events(log.events, TZ)
    assert set(out["timestamp"].str[-6:]) == {"+01:00", "+02:00"}
    back = pd.to_datetime(out["timestamp"], utc=True, format="ISO8601")
    assert (back == log.events["timestamp"]).all()
    assert log.events["timestamp"].dtype.kind == "M"  # the input is not changed


def test_default_world_has_none_of_the_unkind_habits():
    ev = generate_demo_log(DemoParams(days=20), seed=1).events
    assert "lifecycle" not in ev.columns
    assert not ev["agent"].isin(["system", "user"]).any()
    assert not ev["status"].str.startswith("Tildelt").any()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"friday_end_hour": 7.0}, "friday_end_hour"),
        ({"leave_weeks": -1.0}, "leave_weeks"),
        ({"start_event_share": 1.5}, "start_event_share"),
    ],
)
def test_bad_unkind_params_get_a_clear_error(changes, message):
    with pytest.raises(ConfigError, match=message):
        DemoParams(**changes)


def test_hardened_worlds_are_reproducible_and_varied():
    worlds = [hardened_world(s) for s in range(12)]
    assert hardened_world(4) == worlds[4]
    structures = {tuple(w.staff[t] for t in TEAMS) for w in worlds}
    assert len(structures) >= 4 and structures <= set(STRUCTURES)
    assert len({w.days for w in worlds}) >= 6
    assert all(w.pseudo_resources and w.dispatcher and w.friday_end_hour == 15.5 for w in worlds)
    for w in worlds:
        util = team_utilisation(w)
        assert max(util.values()) < 0.8  # queues form, nobody is overloaded
        assert w.yearly_volume * 1.2 <= w.volume_ceiling


def test_hardened_world_utilisation_is_what_the_log_shows():
    from workbench.calendar import WorkingCalendar

    p = hardened_world(5)
    log = generate_demo_log(p, seed=5)
    ev = log.events[log.events["lifecycle"].eq("complete")]
    cal = WorkingCalendar(timezone=TZ, holidays=tuple(danish_holidays([2023, 2024])))
    prev = ev.groupby("ticket_id")["timestamp"].shift()
    # an agent's work: from the agent's previous event on the ticket to this one, both in working time
    same_agent = ev.groupby("ticket_id")["agent"].shift().eq(ev["agent"])
    work = same_agent & ev["agent"].str.startswith("agent-") & ~ev["status"].str.startswith("Tildelt ")
    hours = cal.working_hours_between(prev[work], ev.loc[work, "timestamp"]).groupby(ev.loc[work, "team"]).sum()
    period = pd.Series([pd.Timestamp(p.start, tz=TZ)]), pd.Series([pd.Timestamp(p.start, tz=TZ) + pd.Timedelta(days=p.days)])
    available = float(cal.working_hours_between(*period).iloc[0]) * (1 - p.leave_weeks / 52)
    measured = hours[FIRST_LINE] / (p.staff[FIRST_LINE] * available)
    assert measured == pytest.approx(team_utilisation(p)[FIRST_LINE], rel=0.2)


def test_bad_world_options_get_a_clear_error():
    with pytest.raises(ConfigError, match="size"):
        hardened_world(1, size="huge")
    with pytest.raises(ConfigError, match="utilisation"):
        hardened_world(1, utilisation=(0.5, 1.2))


@pytest.mark.slow
def test_whatif_benchmark_runs_and_prints_its_summary():
    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "whatif_worlds.py"),
            *("--worlds", "2", "--replications", "2", "--truth-replications", "1"),
            *("--validate-replications", "0", "--refits", "0", "--jobs", "1"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout
    assert "## Summary" in text and "95% interval covers the truth" in text
    assert text.count("| w1-0") >= 2 * 3 * 3 + 2  # 2 worlds x 3 scenarios x 3 KPIs, and the world rows
    assert "Verdicts: not run 2" in text
    assert "Cases by the near-full-load warning of their result: warned of a team near full load: " in text
    # how typical each world's learned period was, against that run's effects
    printed = REPO / "benchmarks" / ".whatif-test-output.md"
    try:
        printed.write_text(text, encoding="utf-8")
        periods = subprocess.run(
            [sys.executable, str(REPO / "benchmarks" / "whatif_worlds.py"), "--worlds", "2", "--truth-replications",
             "2", "--jobs", "1", "--periods", str(printed)],
            capture_output=True, text=True, timeout=600, cwd=REPO,
        )
        # the same models scored against a truth computed again (the generator is reproducible)
        rescored = subprocess.run(
            [sys.executable, str(REPO / "benchmarks" / "whatif_worlds.py"), "--worlds", "2", "--truth-replications",
             "1", "--jobs", "1", "--model-from", str(printed)],
            capture_output=True, text=True, timeout=600, cwd=REPO,
        )
    finally:
        printed.unlink(missing_ok=True)
    assert periods.returncode == 0, periods.stderr[-2000:]
    assert periods.stdout.count("| w1-0") == 2
    assert "staffing: rank correlation of the model's effect over the truth's" in periods.stdout
    assert rescored.returncode == 0, rescored.stderr[-2000:]

    def figures(output: str) -> list[list[str]]:  # world, scenario, KPI, baselines, true and simulated effect
        return [line.split("|")[1:7] for line in output.splitlines() if line.startswith("| w1-0")][: 2 * 3 * 3]

    assert figures(rescored.stdout) == figures(text)
    assert "Intervals: as printed by the earlier run" in rescored.stdout


def _benchmark():
    import importlib.util

    spec = importlib.util.spec_from_file_location("whatif_worlds", REPO / "benchmarks" / "whatif_worlds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_period_lines_set_each_worlds_learned_period_beside_its_effects():
    import types

    bench = _benchmark()
    one, three = (types.SimpleNamespace(staff={"BI-teamet": n}) for n in (1, 3))  # the busiest partner's headcount
    worlds = [bench.World(f"w9-{k:02d}", one if k < 2 else three, k, "BI-teamet") for k in range(4)]
    # the learned run (0) has 0.8, 1.0, 1.2, 1.5 times the other runs' mean work; queues alike
    periods = [
        {"world": w.name, "replication": r, "work_h": (100.0 * f if r == 0 else 100.0), "wait_h": (10.0 * f if r == 0 else 10.0)}
        for w, f in zip(worlds, (0.8, 1.0, 1.2, 1.5), strict=True) for r in range(3)
    ]
    scored = pd.DataFrame(
        [{"world": w.name, "scenario": s, "kpi": "resolution_h", "true_rel": -0.10 if s == "staffing" else 0.20,
          "sim_rel": (-0.10 if s == "staffing" else 0.20) * f}
         for w, f in zip(worlds, (0.5, 1.0, 1.3, 2.0), strict=True) for s in ("staffing", "volume")]
        # the volume effect on the queue: too large by 1.5x in every world, whatever its period
        + [{"world": w.name, "scenario": "volume", "kpi": "wait_h", "true_rel": 0.8, "sim_rel": 1.2 + 0.01 * k}
           for k, w in enumerate(worlds)]
    )
    lines = bench.period_lines(worlds, periods, scored)
    rows = [line for line in lines if line.startswith("| w9-")]
    assert rows[0] == "| w9-00 | BI-teamet | 0.80 | 0.80 | 0.50 | 0.50 | 1.50 |"
    assert rows[3] == "| w9-03 | BI-teamet | 1.50 | 1.50 | 2.00 | 2.00 | 1.54 |"
    assert "mean of 2 other runs" in lines[0]
    # effects rise with the learned period's work in every world: rank correlation +1
    assert any(line.startswith("staffing: rank correlation") and "work +1.00" in line for line in lines)
    assert any(line.startswith("volume (its queue): rank correlation") and "work +1.00" in line for line in lines)
    # only the world with 1.0 is within 10% of the mean; its effects are exact, its queue's 1.51x
    within = next(line for line in lines if "within 10% of" in line)
    assert "1; median |effect ratio - 1| 0% (resolution_h); the volume effect on the queue 1.51x" in within
    # by the team's headcount: 1.50x and 1.51x for one person, 1.52x and 1.54x for three
    assert lines[-1].endswith("(median): 1: 1.51x (2 worlds), 3: 1.53x (2 worlds)")


def test_true_queue_at_a_team_is_per_ticket_summed_over_its_pick_ups_as_the_model_reports_it():
    """The truth's ``wait_h`` is the model's ``team_wait_h``: per ticket, summed over its pick-ups there."""
    import types

    bench = _benchmark()
    start = pd.Timestamp("2024-01-01", tz="UTC")
    t0 = start + pd.Timedelta(days=bench.WARMUP_DAYS + 1)
    h = pd.Timedelta(hours=1)
    rows = [  # (ticket, hours after t0, status, team)
        ("A", 0, "Tildelt BI", "BI"), ("A", 2, "In progress", "BI"), ("A", 3, "Mail from user", "BI"),
        ("A", 7, "In progress", "BI"), ("A", 8, "Resolved with mail", "BI"),  # queued 2 h, then 4 h
        ("B", 0, "Tildelt BI", "BI"), ("B", 3, "In progress", "BI"), ("B", 4, "Sent back", "BI"),  # 3 h
        ("C", 0, "Tildelt HR", "HR"), ("C", 9, "In progress", "HR"),  # another team
    ]
    events = pd.DataFrame([{"ticket_id": t, "timestamp": t0 + k * h, "status": s, "team": team}
                           for t, k, s, team in rows])
    truth = pd.DataFrame({"ticket_id": ["A", "B", "C"], "arrival": [t0] * 3, "final_cycle_hours": [8.0, 4.0, 9.0],
                          "final_closed_at": [t0 + 10 * h] * 3})
    log = types.SimpleNamespace(params=types.SimpleNamespace(start="2024-01-01", timezone="UTC"), truth=truth,
                                events=events)
    kpis = bench.true_kpis(log, "BI")
    assert kpis["wait_h:BI"] == pytest.approx((2 + 4 + 3) / 2)  # not (2 + 4 + 3) / 3, the mean per pick-up
    assert kpis["resolution_h"] == pytest.approx(7.0)


def test_true_queue_counts_the_waits_that_end_after_the_period():
    """The truth counts each wait of the period's tickets whole, as the model's cool-down does, not cut at the end."""
    bench = _benchmark()
    world = bench.make_worlds(1, 1)[0]
    key = f"wait_h:{world.team}"
    got = bench.truth_task(world, 0)["kpis"]["base"][key]
    seed = world.log_seed * 100
    whole = generate_demo_log(world.params, seed=seed, events_to_end=True)
    cut = generate_demo_log(world.params, seed=seed)
    assert got == bench.true_kpis(whole, world.team)[key]
    assert got > bench.true_kpis(cut, world.team)[key] * 1.01  # the period's last tickets wait longest


def test_model_from_reads_each_worlds_printed_effects_back():
    bench = _benchmark()
    worlds = [bench.World("w9-00", None, 0, "BI-teamet"), bench.World("w9-01", None, 1, "HR og Personale")]
    text = "\n".join([
        "| w9-00 | staffing | resolution_h (resolution_time_h) | 50.0 / 40.0 | -10.0% ± 4.0% | -5.0% [-8.0%, -2.0%] "
        "| 50% | right | yes |",
        "| w9-00 | staffing | wait_h (team_wait_h:BI-teamet) | 20.0 / 10.0 | -80.0% ± 9.0% | -70.0% [-90.0%, +10.0%] "
        "| 12% | right | yes |",
        "| w9-00 | volume | wait_h (team_wait_h:BI-teamet) | 20.0 / 10.0 | +50.0% ± 9.0% | +99.9% [+1.0%, +2.0%] "
        "| 9% | right | no |",
        "| w9-00 | volume | wait_h (team_wait_h:BI-teamet) | 20.0 / 10.0 | +50.0% ± 9.0% | +60.0% [+40.0%, +80.0%] "
        "| 20% | right | yes |",  # printed again by a resumed run: this line counts
        "| w9-00 | misrouting | closure_h (none) | 200.0 / n/a | -1.0% | n/a | | | |",
        "<!-- | w9-00 | 97 | 4,370 | 3/2/1/1/1/1 | 3/2/1/1/1/1 | BI-teamet | usable with care | 398 | -->",
        "| w7-00 | staffing | resolution_h (resolution_time_h) | 50.0 / 40.0 | -10.0% ± 4.0% | -5.0% [-8.0%, -2.0%] "
        "| 50% | right | yes |",  # another seed's world: not read
    ])
    models = bench.parse_models(text, worlds)
    assert [m["world"] for m in models] == ["w9-00"]  # w9-01 printed nothing
    rows = models[0]["rows"]
    assert rows[0] == pytest.approx(("staffing", "resolution_h", "resolution_time_h", 40.0, -2.0, -3.2, -0.8))
    assert rows[1][:3] == ("staffing", "wait_h:BI-teamet", "team_wait_h:BI-teamet")
    assert rows[2] == pytest.approx(("volume", "wait_h:BI-teamet", "team_wait_h:BI-teamet", 10.0, 6.0, 4.0, 8.0))
    assert rows[3][:3] == ("misrouting", "closure_h", None) and np.isnan(rows[3][3])
    assert models[0]["verdict"] == "usable with care"
