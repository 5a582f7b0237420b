"""What-if accuracy on worlds the simulator was not designed around.

For each world (:func:`workbench.demo.hardened_world`: other team structures, sizes,
volumes, misrouting and work than the demo, with pseudo-resources, a dispatcher,
partial start events, mixed UTC offsets, short Fridays, public holidays and staff on
leave), this script

1. generates the world's log and writes it as a CSV export (local times with +01:00 and
   +02:00) and a log config the way a new user would from the README alone, in a
   temporary folder;
2. learns the model with the public API (``load_log``, ``discover_model``,
   ``calibrate_capacity``, ``validate_model`` and its verdict) and compares three
   scenarios with ``compare_scenarios`` as ``workbench simulate`` does, the model's own
   uncertainty from ``--refits`` bootstrap refits shared by the scenarios: one more agent
   in the busiest partner team (staffing), 20% more tickets (volume), half the
   misrouting (misrouting);
3. computes the true effect: the expected effect over ``--truth-replications``
   generator replications of both worlds with common random numbers (the same tickets
   and luck, one change), on tickets arriving after the warm-up;
4. prints, per case (world x scenario x KPI), the simulated relative effect with its
   95% interval and the true one, and in summary: the sign right where the true effect
   is above 5%, the median relative error there, how often the interval covers the
   true effect, and the verdict each model got.

KPIs: time to resolution (arrival to the last resolution), time to closure (arrival to
closing) and the time a ticket queued at the busiest partner team, summed over its pick-ups
there (the model's ``team_wait_h``).

Run from the repository root::

    python benchmarks/whatif_worlds.py --worlds 20 --jobs 2
    python benchmarks/whatif_worlds.py --worlds 2 --replications 3 --truth-replications 2   # quick

``--periods OUTPUT`` only asks how typical each world's learned period was: the busiest
partner's main work and queue in the learned log against ``--truth-replications`` other
generator runs, beside the effects an earlier run printed (no simulation)::

    python benchmarks/whatif_worlds.py --seed 3 --truth-replications 8 --periods benchmarks/results/whatif.md

``--model-from OUTPUT`` scores the effects an earlier run printed (same ``--seed``) against a
truth computed again, with no learning and no simulation (about ten minutes for 20 worlds and 30
generator replications on 2 cores): to re-score after a change to how the truth is measured::

    python benchmarks/whatif_worlds.py --seed 1 --truth-replications 30 --jobs 2 --model-from earlier-run.md

Work runs through the executor seam (``workbench.compute.make_executor``): one task per
world (learning and scenarios) and one per world and truth replication.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import inspect
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SCENARIOS: tuple[str, ...] = ("staffing", "volume", "misrouting")
SIZES: tuple[str, ...] = ("small", "small", "medium")
WARMUP_DAYS = 14.0
VOLUME_FACTOR = 1.2
MISROUTING_FACTOR = 0.5
#: A true effect above this (relative) counts for the sign and the relative error.
MATERIAL = 0.05

CONFIG_TEMPLATE = """\
# Written from the README's "Point it at your own ticket system" section.
name: {name}
source:
  path: tickets.csv
columns:
  case_id: ticket_id
  activity: status
  timestamp: timestamp
  resource: agent
  team: team
  lifecycle: lifecycle
lifecycle: {{mode: pair}}
time:
  timezone: Europe/Copenhagen
  mixed_offsets: convert
case_attributes: {{department: department, category: category, priority: priority, channel: channel, user: user_id}}
group_attributes: [department]
person_columns: [user]
statuses:
  registered: [Registered]
  assigned: [Assigned to team]
  in_progress: [In progress]
  waiting_on_user: [Waiting for user]
  forwarded: [Forwarded]
  sent_back: [Sent back]
  resolved: [Resolved with mail]
  reopened: [Reopened]
  closed: [Closed]
  message_to_user: [Mail to user]
  message_from_user: [Mail from user]
  first_line_team: IT-service og support
calendar: {{timezone: Europe/Copenhagen, workdays: [0, 1, 2, 3, 4], start_hour: 8, end_hour: 16}}
"""


@dataclasses.dataclass(frozen=True)
class World:
    """One world of the benchmark: its generator parameters and the seed of the learned log."""

    name: str
    params: Any  # DemoParams
    log_seed: int
    team: str  # the busiest partner team: where one more agent goes, whose queue is watched


def make_worlds(n: int, seed: int) -> list[World]:
    from workbench.demo import PARTNER_TEAMS, hardened_world
    from workbench.demo._worlds import team_utilisation

    worlds = []
    for k in range(n):
        params = hardened_world(seed * 1000 + k, size=SIZES[k % len(SIZES)])
        util = team_utilisation(params)
        team = max(PARTNER_TEAMS, key=lambda t: util[t])
        worlds.append(World(f"w{seed}-{k:02d}", params, seed * 1000 + k, team))
    return worlds


def changed(params: Any, scenario: str, team: str) -> Any:
    """The generator world with the scenario's change (same random streams)."""
    if scenario == "staffing":
        return params.with_changes(staff={**params.staff, team: params.staff[team] + 1})
    if scenario == "volume":
        return params.with_changes(yearly_volume=params.yearly_volume * VOLUME_FACTOR)
    if scenario == "misrouting":
        return params.with_changes(
            misrouting_rate=params.misrouting_rate * MISROUTING_FACTOR,
            first_line_misforward_rate=params.first_line_misforward_rate * MISROUTING_FACTOR,
        )
    raise ValueError(f"unknown scenario {scenario!r}; use one of {list(SCENARIOS)}")


def scenario_spec(scenario: str, team: str) -> dict[str, Any]:
    if scenario == "staffing":
        return {"type": "staff", "team": team, "add": 1}
    if scenario == "volume":
        return {"type": "volume", "factor": VOLUME_FACTOR}
    return {"type": "misrouting", "factor": MISROUTING_FACTOR}


def true_kpis(log: Any, team: str) -> dict[str, float]:
    """Resolution, closure and the team's queueing time of the tickets arriving after the warm-up.

    The queueing time is the model's ``team_wait_h:<team>``: the time a ticket waited for a worker
    of the team (from the event before each pick-up, ``In progress``, to it), summed over its
    pick-ups there, mean over the tickets picked up there. Until 2026-12-07 it was the mean per
    pick-up, which is not what the model reports: a change that removes single-pick-up visits
    (misrouted tickets sent straight back) moves the two in different directions.

    Give it a log generated with ``events_to_end=True`` (as :func:`truth_task` does): the model
    runs every case of its window to its end (the cool-down) and counts each wait whole, as
    the resolution and closure truths do. A log cut at the end of the period, as until the
    late evening of 2026-12-07, leaves out the waits of the period's last tickets that end
    after it, the longest ones, the more so the longer the queue: it halved the true volume
    effect on a one-person team's queue.
    """
    p = log.params
    start = pd.Timestamp(p.start, tz=p.timezone) + pd.Timedelta(days=WARMUP_DAYS)
    truth = log.truth[log.truth["arrival"] >= start]
    hours = pd.Timedelta(hours=1)
    out = {
        "resolution_h": float(truth["final_cycle_hours"].mean()),
        "closure_h": float(((truth["final_closed_at"] - truth["arrival"]) / hours).mean()),
    }
    ev = log.events
    if "lifecycle" in ev:
        ev = ev[ev["lifecycle"] == "complete"]
    ev = ev[ev["ticket_id"].isin(set(truth["ticket_id"]))]
    prev = ev.groupby("ticket_id", sort=False)["timestamp"].shift()
    pick = (ev["status"] == "In progress") & (ev["team"] == team) & prev.notna()
    # as the model's team_wait_h: per ticket, summed over its pick-ups there, mean over the tickets it had
    waits = (ev["timestamp"] - prev)[pick] / hours
    out[f"wait_h:{team}"] = float(waits.groupby(ev.loc[pick, "ticket_id"], sort=False).sum().mean())
    return out


def truth_task(world: World, replication: int) -> dict[str, Any]:
    """True KPIs of one generator replication: the base world and each changed world (common random numbers)."""
    from workbench.demo import generate_demo_log

    seed = world.log_seed * 100 + replication
    variants = {"base": world.params, **{s: changed(world.params, s, world.team) for s in SCENARIOS}}
    # every wait of the period's tickets whole, as the model counts them (see true_kpis)
    rows = {name: true_kpis(generate_demo_log(params, seed=seed, events_to_end=True), world.team)
            for name, params in variants.items()}
    return {"world": world.name, "replication": replication, "kpis": rows}


def _model_kpi(comparison: pd.DataFrame, kpi: str, team: str) -> str | None:
    names = set(comparison["kpi"])
    candidates = {
        "resolution_h": ("resolution_time_h", "time_to_resolution_h", "resolution_h"),
        "closure_h": ("closure_time_h", "time_to_closure_h", "cycle_time_h"),
    }.get(kpi, (f"team_wait_h:{team}",))
    return next((c for c in candidates if c in names), None)


def _verdict(result: Any) -> Any:
    """The validation's verdict object, or ``None`` when the simulator gives none."""
    return getattr(result, "verdict", None)


def _level(verdict: Any) -> str:
    if verdict is None:
        return "none given"
    return str(getattr(verdict, "level", verdict))


def _accepts(fn: Any, name: str) -> bool:
    return name in inspect.signature(fn).parameters


def config_text(name: str, readme: str) -> str:
    """The log config a new user writes from the README for this desk.

    Keys the README documents are used where this desk needs them: ``non_staff`` for the
    resources ``system`` and ``user`` every ticket system has.
    """
    text = CONFIG_TEMPLATE.format(name=name)
    if "non_staff" in readme:
        text += "non_staff: [system, user]\n"
    return text


def model_task(
    world: World, replications: int, seed: int, validate_replications: int, refits: int, calibrate: bool = True
) -> dict[str, Any]:
    """Learn the world's model as a new user would and run the three scenarios."""
    from workbench.compute import make_executor
    from workbench.config import load_log_config
    from workbench.demo import export_events, generate_demo_log
    from workbench.io import load_log
    from workbench.privacy import resolve_secret
    from workbench.simulation import Scenario, calibrate_capacity, discover_model, validate_model
    from workbench.simulation.uncertainty import BOTH
    from workbench.usecases import ModelUncertainty, compare_scenarios

    t0 = time.perf_counter()
    executor = make_executor(kind="in-process")
    log = generate_demo_log(world.params, seed=world.log_seed * 100)  # truth replication 0 is this log
    with tempfile.TemporaryDirectory(prefix="whatif-world-") as tmp:
        folder = Path(tmp)
        export_events(log.events, world.params.timezone).to_csv(folder / "tickets.csv", index=False)
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        (folder / "desk.yaml").write_text(config_text(world.name, readme), encoding="utf-8")
        config = load_log_config(folder / "desk.yaml")
        # a fixed key per world: pseudonyms (and so the learned model) do not change between runs
        secret = hashlib.sha256(f"whatif-worlds:{world.name}".encode()).hexdigest()
        events = load_log(config, secret=secret).events
    # as the CLI does: the key lets the config's non_staff names match their pseudonyms
    key = resolve_secret(secret=secret)
    model = discover_model(events, config=config, key=key)
    staff = {name: team.staff for name, team in model.teams.items()}
    verdict: Any = None
    level = "not run"
    if validate_replications > 0:
        verdict = _verdict(
            validate_model(
                events, config=config, replications=validate_replications, seed=seed, executor=executor, key=key,
                **({"calibrate": calibrate} if _accepts(validate_model, "calibrate") else {}),
            )
        )
        level = _level(verdict)
    # What a manager runs (`workbench simulate`, the pipeline, the app): the calibrated model, every
    # scenario against the same baseline, the model's uncertainty from refits shared by the scenarios.
    if calibrate:
        model = calibrate_capacity(model, events, seed=seed)
    uncertainty = ModelUncertainty(events=events, log_config=config, refits=refits, calibrate=calibrate, key=key)
    interval = BOTH if refits > 0 else "simulation noise only"
    plans = [(scenario, Scenario.model_validate({"name": scenario, "changes": [scenario_spec(scenario, world.team)]}))
             for scenario in SCENARIOS]
    compared = compare_scenarios(
        model, plans, replications=replications, seed=seed, warmup_days=WARMUP_DAYS, executor=executor,
        verdict=verdict, allow_unusable=True, uncertainty=uncertainty if refits > 0 else None,
    )
    rows: list[tuple[str, str, str | None, float, float, float, float]] = []
    # the teams each scenario moves near or from full load, as the result tells the manager
    near_full = {scenario: [c for c in outcome.result.settings.get("cautions", []) if c["kind"] == "near_full"]
                 for scenario, outcome in zip(SCENARIOS, compared.outcomes, strict=True)}
    noise: dict[tuple[str, str], tuple[float, float]] = {}
    pooled: dict[tuple[str, str], float] = {}  # the whole-log model's effect averaged with its refits'
    for scenario, outcome in zip(SCENARIOS, compared.outcomes, strict=True):
        comp = outcome.result.comparison
        for kpi in ("resolution_h", "closure_h", f"wait_h:{world.team}"):
            name = _model_kpi(comp, kpi.split(":")[0], world.team)
            if name is None:
                rows.append((scenario, kpi, None, np.nan, np.nan, np.nan, np.nan))
                continue
            c = comp.set_index("kpi").loc[name]
            rows.append((scenario, kpi, name, c["baseline"], c["difference"], c["ci_low"], c["ci_high"]))
            noise[(scenario, kpi)] = (float(c.get("noise_low", c["ci_low"])), float(c.get("noise_high", c["ci_high"])))
            if "refit_mean" in c:
                pooled[(scenario, kpi)] = (float(c["difference"]) + refits * float(c["refit_mean"])) / (refits + 1)
    return {
        "world": world.name,
        "rows": rows,
        "noise": noise,
        "pooled": pooled,
        "near_full": near_full,
        "verdict": level,
        "interval": interval,
        "staff_learned": staff,
        "seconds": time.perf_counter() - t0,
    }


def _run(kind: str, args: tuple[Any, ...]) -> dict[str, Any]:
    if kind == "period":
        return period_task(*args)
    return truth_task(*args) if kind == "truth" else model_task(*args)


def evaluate(
    worlds: list[World],
    truths: list[dict[str, Any]],
    models: list[dict[str, Any]],
    given: dict[tuple[str, str, str], tuple[float, float, float, int]] | None = None,
) -> pd.DataFrame:
    """One row per world x scenario x KPI: simulated and true relative effects.

    ``given`` holds truths printed by an earlier run of the same worlds (:func:`parse_truths`),
    used instead of ``truths``.
    """
    rows = []
    by_world = {m["world"]: m for m in models}
    for w in worlds:
        reps = [t["kpis"] for t in truths if t["world"] == w.name]
        for scenario, kpi, model_kpi, base, diff, lo, hi in by_world[w.name]["rows"]:
            if given is not None:
                true_base, true_rel, rel_sd, n_reps = given[(w.name, scenario, kpi.split(":")[0])]
            else:
                b = np.array([r["base"][kpi] for r in reps])
                c = np.array([r[scenario][kpi] for r in reps])
                true_base, n_reps = float(np.nanmean(b)), len(reps)
                true_rel = float(np.nanmean(c - b) / np.nanmean(b))
                rel_sd = float(np.nanstd(c - b, ddof=1) / np.nanmean(b)) if len(reps) > 1 else np.nan
            ok = model_kpi is not None and np.isfinite(base) and base != 0
            sim_rel, rel_lo, rel_hi = (diff / base, lo / base, hi / base) if ok else (np.nan, np.nan, np.nan)
            n_lo, n_hi = by_world[w.name].get("noise", {}).get((scenario, kpi), (np.nan, np.nan))
            pooled = by_world[w.name].get("pooled", {}).get((scenario, kpi), np.nan)
            near_full = by_world[w.name].get("near_full", {}).get(scenario)
            rows.append(
                {
                    "world": w.name,
                    "scenario": scenario,
                    "kpi": kpi.split(":")[0],
                    "model_kpi": model_kpi,
                    "true_base": true_base,
                    "sim_base": float(base) if ok else np.nan,
                    "true_rel": true_rel,
                    "true_rel_sd": rel_sd,
                    "truth_reps": n_reps,
                    "sim_rel": sim_rel,
                    "ci_low": rel_lo,
                    "ci_high": rel_hi,
                    "noise_low": n_lo / base if ok else np.nan,
                    "noise_high": n_hi / base if ok else np.nan,
                    "pooled_rel": pooled / base if ok else np.nan,
                    "near_full": None if near_full is None else bool(near_full),
                }
            )
    frame = pd.DataFrame(rows)
    material = frame["true_rel"].abs() > MATERIAL
    frame["material"] = material
    frame["sign_right"] = np.sign(frame["sim_rel"]) == np.sign(frame["true_rel"])
    frame["rel_error"] = (frame["sim_rel"] - frame["true_rel"]).abs() / frame["true_rel"].abs()
    frame["covered"] = (frame["ci_low"] <= frame["true_rel"]) & (frame["true_rel"] <= frame["ci_high"])
    frame["covered_noise"] = (frame["noise_low"] <= frame["true_rel"]) & (frame["true_rel"] <= frame["noise_high"])
    frame["width"] = frame["ci_high"] - frame["ci_low"]
    return frame


def world_line(w: World, mod: dict[str, Any]) -> str:
    """One world as a table row: its structure, the learned headcount and the verdict."""
    from workbench.demo import TEAMS

    true_staff = "/".join(str(w.params.staff[t]) for t in TEAMS)
    learned = "/".join(str(mod["staff_learned"].get(t, "-")) for t in TEAMS)
    return (
        f"| {w.name} | {w.params.days} | {w.params.yearly_volume:,.0f} | {true_staff} | {learned} | {w.team} | "
        f"{mod['verdict']} | {mod['seconds']:.0f} |"
    )


def case_line(r: Any) -> str:
    """One case as a table row."""
    head = f"| {r.world} | {r.scenario} | {r.kpi} ({r.model_kpi or 'none'}) | {r.true_base:.1f} / "
    if not np.isfinite(r.sim_rel):
        return head + f"n/a | {r.true_rel:+.1%} | n/a | | | |"
    return (
        head + f"{r.sim_base:.1f} | {r.true_rel:+.1%} ± {r.true_rel_sd:.1%} | "
        f"{r.sim_rel:+.1%} [{r.ci_low:+.1%}, {r.ci_high:+.1%}] | {r.rel_error:.0%} | "
        f"{'right' if r.sign_right else 'WRONG'}{'' if r.material else ' (<5%)'} | {'yes' if r.covered else 'no'} |"
    )


def summary_lines(frame: pd.DataFrame, models: list[dict[str, Any]]) -> list[str]:
    """The summary: sign, median relative error, coverage, verdicts (overall and per scenario)."""
    lines = ["| cases | sign right (true effect > 5%) | median relative error (true effect > 5%) | "
             "95% interval covers the truth |", "|---|---|---|---|"]
    scored = frame[frame["sim_rel"].notna()]
    groups = [("all", scored)] + [(s, scored[scored["scenario"] == s]) for s in SCENARIOS]
    groups += [(k, scored[scored["kpi"] == k]) for k in ("resolution_h", "closure_h", "wait_h")]
    for label, g in groups:
        m = g[g["material"]]
        med = f"{m['rel_error'].median():.0%}" if len(m) else "n/a"
        lines.append(
            f"| {label} ({len(g)}) | {int(m['sign_right'].sum())}/{len(m)} | {med} | "
            f"{int(g['covered'].sum())}/{len(g)} ({g['covered'].mean():.0%}) |"
            if len(g)
            else f"| {label} (0) | n/a | n/a | n/a |"
        )
    missing = frame[frame["sim_rel"].isna()]
    if len(missing):
        lines.append(
            f"\n{len(missing)} case(s) without a simulated figure (the model has no such KPI): "
            + ", ".join(sorted(set(missing["kpi"])))
        )
    noisy = scored[scored["noise_low"].notna()]
    if len(noisy):
        lines.append(
            f"\nThe simulation-noise-only interval covers the truth in {int(noisy['covered_noise'].sum())}/"
            f"{len(noisy)} ({noisy['covered_noise'].mean():.0%}) of the same cases."
        )
    lines.append(f"Median width of the 95% interval (relative effect): {scored['width'].median():.1%}.")
    lines += pooled_lines(scored)
    lines += near_full_lines(scored)
    lines += truth_precision_lines(scored)
    verdicts = pd.Series([m["verdict"] for m in models]).value_counts()
    lines.append("\nVerdicts: " + ", ".join(f"{k} {v}" for k, v in verdicts.items()))
    lines.append("Intervals: " + ", ".join(sorted({m["interval"] for m in models})))
    return lines


def near_full_lines(scored: pd.DataFrame) -> list[str]:
    """The cases whose result warned of a team near full load against the others: is the warning where the error is?"""
    if "near_full" not in scored or scored["near_full"].isna().all():
        return []
    out = []
    for label, g in (("warned of a team near full load", scored[scored["near_full"].eq(True)]),
                     ("not warned", scored[scored["near_full"].eq(False)])):
        m = g[g["material"]]
        med = f"{m['rel_error'].median():.0%}" if len(m) else "n/a"
        cover = f"{g['covered'].mean():.0%}" if len(g) else "n/a"
        out.append(f"{label}: {len(g)} cases, sign {int(m['sign_right'].sum())}/{len(m)}, median relative error "
                   f"{med}, coverage {cover}")
    return ["", "Cases by the near-full-load warning of their result: " + "; ".join(out) + "."]


def near_full_comment(mod: dict[str, Any]) -> str | None:
    """The teams each scenario moved near or from full load in one world, as a comment line."""
    parts = [f"{scenario}: " + ", ".join(f"{r['team']} {r['today']:.0%} -> {r['changed']:.0%}" for r in rows)
             for scenario, rows in mod.get("near_full", {}).items() if rows]
    return f"<!-- near full load, {mod['world']}: {'; '.join(parts)} -->" if parts else None


def pooled_lines(scored: pd.DataFrame) -> list[str]:
    """The same cases if the point estimate were the whole-log model's effect averaged with its refits'.

    The interval keeps its half-width and is centred on that average instead.
    """
    if "pooled_rel" not in scored or scored["pooled_rel"].isna().all():
        return []
    s = scored[scored["pooled_rel"].notna()]
    m = s[s["material"]]
    err = (m["pooled_rel"] - m["true_rel"]).abs() / m["true_rel"].abs()
    sign = int((np.sign(m["pooled_rel"]) == np.sign(m["true_rel"])).sum())
    half = (s["ci_high"] - s["ci_low"]) / 2
    cov = ((s["pooled_rel"] - half <= s["true_rel"]) & (s["true_rel"] <= s["pooled_rel"] + half)).mean()
    by = ", ".join(f"{k} {e:.0%}" for by_what in ("scenario", "kpi") for k, e in err.groupby(m[by_what]).median().items())
    return [
        f"Averaging the whole-log model's effect with its refits' (same half-width, recentred): sign {sign}/{len(m)}, "
        f"median relative error {err.median():.0%} ({by}), coverage {cov:.0%}."
    ]


def truth_precision_lines(scored: pd.DataFrame) -> list[str]:
    """How precisely the generator replications pin down the true effects (material cases).

    The "true effect" is itself a mean over ``--truth-replications`` generator runs, so it
    carries a standard error ``sd / sqrt(T)``. A model with no error at all would still
    show a median relative error of about 0.67 times the median relative standard error
    (the median of a normal's absolute value); below that the error figure cannot go.
    """
    if "true_rel_sd" not in scored or "truth_reps" not in scored:
        return []
    m = scored[scored["material"] & scored["true_rel_sd"].notna()]
    if m.empty:
        return []
    rel_se = m["true_rel_sd"] / np.sqrt(m["truth_reps"]) / m["true_rel"].abs()
    med = float(rel_se.median())
    return [
        f"Precision of the truth: median relative standard error of the true effects {med:.1%} "
        f"({int(m['truth_reps'].median())} generator replications); a model with no error would show a median "
        f"relative error of about {0.674 * med:.1%} from the truth's own noise."
    ]


#: The effect ratios set beside each world's learned period: (column, scenario, KPI).
RATIO_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("staffing", "staffing", "resolution_h"), ("volume", "volume", "resolution_h"), ("volume_queue", "volume", "wait_h"),
)


def period_task(world: World, replication: int) -> dict[str, Any]:
    """The busiest partner's load and queue in one generator replication (0: the log the model learns from)."""
    from workbench.demo import generate_demo_log

    log = generate_demo_log(world.params, seed=world.log_seed * 100 + replication, events_to_end=True)
    truth = log.truth
    work = float(truth.loc[truth["right_team"] == world.team, "effort_hours"].sum())
    wait = true_kpis(log, world.team)[f"wait_h:{world.team}"]
    return {"world": world.name, "replication": replication, "work_h": work, "wait_h": wait}


def period_lines(worlds: list[World], periods: list[dict[str, Any]], scored: pd.DataFrame) -> list[str]:
    """How typical each world's learned period was at its busiest partner, beside the model's effect over the truth's.

    The truth is the mean over generator runs; the model sees one run. Where that run's
    busiest partner had more or less work than the world's other runs, a model that is
    faithful to its log carries that luck into its effects.
    """
    from scipy.stats import spearmanr

    runs = pd.DataFrame(periods)
    rows = []
    for w in worlds:
        mine = runs[runs["world"] == w.name]
        learned, others = mine[mine["replication"] == 0].iloc[0], mine[mine["replication"] > 0]
        row: dict[str, Any] = {
            "world": w.name, "team": w.team, "staff": w.params.staff[w.team],
            "work": learned["work_h"] / others["work_h"].mean(), "wait": learned["wait_h"] / others["wait_h"].mean(),
        }
        for column, scenario, kpi in RATIO_COLUMNS:
            case = scored[(scored["world"] == w.name) & (scored["scenario"] == scenario) & (scored["kpi"] == kpi)]
            row[column] = float(case["sim_rel"].iloc[0] / case["true_rel"].iloc[0]) if len(case) else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    n_other = int(runs["replication"].max())
    lines = [
        f"| world | busiest partner | its main work in the learned period / mean of {n_other} other runs | its queue, same | "
        "staffing: model's effect / true (resolution_h) | volume: same | volume: same, on its queue (wait_h) |",
        "|---|---|---|---|---|---|---|",
        *(f"| {r.world} | {r.team} | {r.work:.2f} | {r.wait:.2f} | {r.staffing:.2f} | {r.volume:.2f} | "
          f"{r.volume_queue:.2f} |" for r in table.itertuples()),
        "",
    ]
    for column, scenario, kpi in RATIO_COLUMNS:
        ok = table[["work", "wait", column]].dropna()
        rho_work = spearmanr(ok["work"], ok[column]).statistic
        rho_wait = spearmanr(ok["wait"], ok[column]).statistic
        label = scenario if kpi == "resolution_h" else f"{scenario} (its queue)"
        lines.append(
            f"{label}: rank correlation of the model's effect over the truth's with the learned period's work "
            f"{rho_work:+.2f}, with its queue {rho_wait:+.2f} ({len(ok)} worlds)"
        )
    typical = table["work"].between(0.9, 1.1)
    for label, part in (("within 10% of", table[typical]), ("further from", table[~typical])):
        ratios = part[["staffing", "volume"]].stack()
        lines.append(
            f"worlds whose learned period's work is {label} the mean of other runs: {len(part)}; median |effect ratio "
            f"- 1| {float((ratios - 1).abs().median()):.0%} (resolution_h); the volume effect on the queue "
            f"{float(part['volume_queue'].median()):.2f}x the true one (median)" if len(ratios)
            else f"no world {label} the mean"
        )
    # a lean that depends on the team's size is a modelling (or scoring) error, not a period's luck
    sized = table.dropna(subset=["volume_queue"])
    if len(sized):
        parts = [f"{n}: {g.median():.2f}x ({len(g)} worlds)" for n, g in sized.groupby("staff")["volume_queue"]]
        lines.append("the volume effect on the queue over the true one by the busiest partner's headcount "
                     "(median): " + ", ".join(parts))
    return lines


def _pct(text: str) -> float:
    return float(text.strip().rstrip("%").replace("+", "")) / 100.0


def _cells(line: str) -> list[str]:
    """The cells of one printed table row (also of a row inside an HTML comment)."""
    return [c.strip() for c in line.strip().removeprefix("<!--").removesuffix("-->").strip().strip("|").split("|")]


def _is_case(cells: list[str]) -> bool:
    """Whether a row's cells are a printed case (:func:`case_line`)."""
    return len(cells) == 9 and cells[1] in SCENARIOS


def _is_world(cells: list[str]) -> bool:
    """Whether a row's cells are a printed world (:func:`world_line`)."""
    return len(cells) == 8 and cells[0].startswith("w") and cells[1].isdigit()


def _simulated(cell: str) -> tuple[float, float, float]:
    """A printed case's simulated effect and its interval, ``+1.0% [-2.0%, +3.0%]``, as fractions."""
    sim, ci = cell.split("[")
    lo, hi = ci.rstrip("]").split(",")
    return _pct(sim), _pct(lo), _pct(hi)


def parse_output(text: str) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Cases and world verdicts back from this script's printed output (for :func:`summarise`)."""
    cases, models = [], []
    for line in text.splitlines():
        cells = _cells(line)
        if _is_case(cells):
            kpi = cells[2].split(" ")[0]
            row: dict[str, Any] = {"world": cells[0], "scenario": cells[1], "kpi": kpi.split(":")[0]}
            row["true_rel"] = _pct(cells[4].split("±")[0])
            if cells[5] == "n/a":
                row.update(sim_rel=np.nan, ci_low=np.nan, ci_high=np.nan)
            else:
                sim, lo, hi = _simulated(cells[5])
                row.update(sim_rel=sim, ci_low=lo, ci_high=hi)
            row["noise_low"] = row["noise_high"] = np.nan
            cases.append(row)
        elif _is_world(cells):
            models.append({"world": cells[0], "verdict": cells[6], "interval": "as printed"})
    frame = pd.DataFrame(cases).drop_duplicates(["world", "scenario", "kpi"], keep="last")
    frame["material"] = frame["true_rel"].abs() > MATERIAL
    frame["sign_right"] = np.sign(frame["sim_rel"]) == np.sign(frame["true_rel"])
    frame["rel_error"] = (frame["sim_rel"] - frame["true_rel"]).abs() / frame["true_rel"].abs()
    frame["covered"] = (frame["ci_low"] <= frame["true_rel"]) & (frame["true_rel"] <= frame["ci_high"])
    frame["covered_noise"] = False
    frame["width"] = frame["ci_high"] - frame["ci_low"]
    seen = {m["world"]: m for m in models}
    for world in frame["world"].unique():
        seen.setdefault(world, {"world": world, "verdict": "not recorded", "interval": "as printed"})
    return frame, list(seen.values())


def parse_truths(text: str, replications: int) -> dict[tuple[str, str, str], tuple[float, float, float, int]]:
    """The true baseline, effect and its standard deviation per case, from an earlier run's printed cases.

    The effects are printed to 0.1%: scoring against them can move a case at the very edge
    of its interval or of the 5% line.
    """
    out = {}
    for line in text.splitlines():
        cells = _cells(line)
        if _is_case(cells):
            effect, sd = [*cells[4].split("±"), "nan"][:2]
            base = float(cells[3].split("/")[0])
            out[(cells[0], cells[1], cells[2].split(" ")[0])] = (base, _pct(effect), _pct(sd), replications)
    return out


def parse_models(text: str, worlds: list[World]) -> list[dict[str, Any]]:
    """Each world's simulated effects back from an earlier run's printed cases (for ``--model-from``).

    The figures are as printed (baselines to 0.1 h, effects and intervals to 0.1%); the
    simulation-noise-only interval, the refits' average and the near-full warning are not
    printed, so a summary of these models leaves them out. Where a case is printed twice
    (an interrupted run and its resumption), the later line counts.
    """
    team = {w.name: w.team for w in worlds}
    rows: dict[str, dict[tuple[str, str], tuple[str, str, str | None, float, float, float, float]]] = {}
    verdicts: dict[str, str] = {}
    for line in text.splitlines():
        cells = _cells(line)
        if _is_case(cells) and cells[0] in team:
            world, scenario = cells[0], cells[1]
            label, _, model_kpi = cells[2].partition(" ")
            kpi = f"wait_h:{team[world]}" if label == "wait_h" else label
            row: tuple[str, str, str | None, float, float, float, float]
            if cells[5] == "n/a":
                row = (scenario, kpi, None, np.nan, np.nan, np.nan, np.nan)
            else:
                base = float(cells[3].split("/")[1])
                sim, lo, hi = _simulated(cells[5])
                row = (scenario, kpi, model_kpi.strip("()"), base, sim * base, lo * base, hi * base)
            rows.setdefault(world, {})[(scenario, kpi)] = row
        elif _is_world(cells) and cells[0] in team:
            verdicts[cells[0]] = cells[6]
    return [
        {"world": w.name, "rows": list(rows[w.name].values()), "verdict": verdicts.get(w.name, "not recorded"),
         "interval": "as printed by the earlier run"}
        for w in worlds if w.name in rows
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worlds", type=int, default=20, help="number of worlds (default 20)")
    parser.add_argument("--replications", type=int, default=5, help="paired simulation replications per scenario")
    parser.add_argument(
        "--truth-replications", type=int, default=5, help="generator replications for the expected true effect"
    )
    parser.add_argument("--validate-replications", type=int, default=3, help="validation replications (0: skip)")
    parser.add_argument(
        "--refits",
        type=int,
        default=4,
        help="bootstrap refits of the model for the interval, shared by the scenarios as in `workbench simulate` "
        "(0: simulation noise only)",
    )
    parser.add_argument(
        "--no-calibrate",
        action="store_true",
        help="do not calibrate capacity to the log's waiting before the effects (with --refits > 0)",
    )
    parser.add_argument("--skip", type=int, default=0, help="skip the first worlds (to resume an interrupted run)")
    parser.add_argument("--seed", type=int, default=1, help="root seed of the worlds")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument(
        "--truth-from",
        nargs="+",
        metavar="OUTPUT",
        help="take the true effects from an earlier run's output for the same --seed and --truth-replications "
        "(printed to 0.1%%) instead of running the generator again: to compare two versions of the simulator",
    )
    parser.add_argument(
        "--model-from",
        nargs="+",
        metavar="OUTPUT",
        help="take the simulated effects from an earlier run's output for the same --seed (printed to 0.1%%) instead "
        "of learning the models again, and score them against the truth: to re-score after a change to the truth",
    )
    parser.add_argument(
        "--summarise",
        nargs="+",
        metavar="OUTPUT",
        help="only summarise the cases printed by earlier runs (e.g. an interrupted run and its resumption)",
    )
    parser.add_argument(
        "--periods",
        nargs="+",
        metavar="OUTPUT",
        help="only compare how typical each world's learned period was (its busiest partner's work and queue against "
        "--truth-replications other generator runs) with the effects an earlier run printed for the same --seed",
    )
    args = parser.parse_args(argv)
    if args.periods:
        from workbench.compute import make_executor

        scored, _ = parse_output("\n".join(Path(f).read_text(encoding="utf-8") for f in args.periods))
        worlds = [w for w in make_worlds(args.worlds, args.seed) if w.name in set(scored["world"])]
        if not worlds:
            parser.error(f"{', '.join(args.periods)} has no cases of the worlds of --seed {args.seed}")
        executor = make_executor(kind="auto", workers=args.jobs or os.cpu_count() or 1)
        tasks = [("period", (w, r)) for w in worlds for r in range(args.truth_replications + 1)]
        print("\n".join(period_lines(worlds, executor.map(_run, tasks), scored)))
        return 0
    if args.summarise:
        parsed, verdicts = parse_output("\n".join(Path(f).read_text(encoding="utf-8") for f in args.summarise))
        print(f"## Summary of {parsed['world'].nunique()} world(s) from {', '.join(args.summarise)}\n")
        print("(from the printed figures, rounded to 0.1%: a case at the very edge of its interval may flip)\n")
        print("\n".join(summary_lines(parsed, verdicts)))
        return 0
    if args.worlds < 1 or args.replications < 2 or args.truth_replications < 1:
        parser.error("need --worlds >= 1, --replications >= 2 and --truth-replications >= 1")
    from workbench.compute import make_executor

    t0 = time.perf_counter()
    print(
        f"# What-if accuracy on hardened worlds\n\nMachine: {os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}\nCommand: python benchmarks/whatif_worlds.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        flush=True,
    )
    worlds = make_worlds(args.worlds, args.seed)[args.skip :]
    given = None
    if args.truth_from:
        given = parse_truths("\n".join(Path(f).read_text(encoding="utf-8") for f in args.truth_from),
                             args.truth_replications)
        known = {world for world, _, _ in given}
        if any(w.name not in known for w in worlds):
            parser.error(f"--truth-from has no cases of {', '.join(w.name for w in worlds if w.name not in known)}")
    printed = None
    if args.model_from:
        printed = parse_models("\n".join(Path(f).read_text(encoding="utf-8") for f in args.model_from), worlds)
        known = {m["world"] for m in printed}
        if any(w.name not in known for w in worlds):
            parser.error(f"--model-from has no cases of {', '.join(w.name for w in worlds if w.name not in known)}")
    executor = make_executor(kind="auto", workers=args.jobs or os.cpu_count() or 1)

    # worlds in batches, so each world's cases are printed as soon as they are known
    batch = max(1, args.jobs or os.cpu_count() or 1)
    models: list[dict[str, Any]] = []
    truths: list[dict[str, Any]] = []
    frames = []
    print(
        "\n| world | scenario | KPI (model's) | baseline h: true / simulated | true effect ± sd | "
        "simulated [95% interval] | error | sign | covered |"
    )
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    for b in range(0, len(worlds), batch):
        chunk = worlds[b : b + batch]
        tasks: list[tuple[str, tuple[Any, ...]]] = [
            ("model", (w, args.replications, args.seed, args.validate_replications, args.refits, not args.no_calibrate))
            for w in chunk if printed is None
        ]
        if given is None:
            tasks += [("truth", (w, r)) for w in chunk for r in range(args.truth_replications)]
        results = executor.map(_run, tasks) if tasks else []
        models += [r for r in results if "rows" in r]
        if printed is not None:
            models += [m for w in chunk for m in printed if m["world"] == w.name]
        truths += [r for r in results if "kpis" in r]
        frame = evaluate(chunk, truths, models, given)
        frames.append(frame)
        for r in frame.itertuples():
            print(case_line(r), flush=True)
        if printed is None:  # the world lines (headcount, verdict, time) of models learned in this run
            for w, mod in zip(chunk, models[-len(chunk) :], strict=True):
                print(f"<!-- {world_line(w, mod)} -->", flush=True)
                comment = near_full_comment(mod)
                if comment is not None:
                    print(comment, flush=True)
        done = pd.concat(frames, ignore_index=True)
        m = done[done["material"] & done["sim_rel"].notna()]
        noisy = done["covered_noise"][done["noise_low"].notna()]
        print(
            f"<!-- after {len(models)} world(s), {time.perf_counter() - t0:.0f} s: sign {int(m['sign_right'].sum())}/"
            f"{len(m)}, median relative error {m['rel_error'].median():.0%}, coverage "
            f"{done['covered'][done['sim_rel'].notna()].mean():.0%}, noise-only coverage "
            f"{f'{noisy.mean():.0%}' if len(noisy) else 'n/a'}, median interval width "
            f"{done['width'].median():.0%} -->",
            flush=True,
        )
    frame = pd.concat(frames, ignore_index=True)
    if printed is None:
        print("\n| world | days | tickets/year | staff (true) | staff (learned) | busiest partner | verdict | seconds |")
        print("|---|---|---|---|---|---|---|---|")
        for w, mod in zip(worlds, models, strict=True):
            print(world_line(w, mod))
    print("\n## Summary\n")
    print("\n".join(summary_lines(frame, models)))
    print(
        f"\nTargets: sign right in every case with a true effect above 5%, median relative error < 20%, "
        f"coverage >= 85%. {len(worlds)} worlds, "
        + ("the simulated effects as an earlier run printed them" if printed is not None
           else f"{args.replications} simulation replications")
        + f" and {args.truth_replications} generator replications; {time.perf_counter() - t0:.0f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
