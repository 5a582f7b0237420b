"""Experiments: replications of a baseline and a scenario, compared with paired confidence intervals.

Each replication ``r`` gets its own child of ``numpy.random.SeedSequence(seed)``, and the
baseline and the scenario of replication ``r`` run with that same child: common random
numbers, so the same cases arrive with the same attributes and the same luck in both
arms and the difference is the scenario's effect, not noise. Replications run in
parallel processes (``n_jobs``); the result does not depend on ``n_jobs``.

For every KPI the result reports the baseline and scenario means over replications and
the paired difference with a t-interval: ``mean(d) +- t(0.975, n-1) * sd(d) / sqrt(n)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.compute import Executor, make_executor
from workbench.errors import ScenarioError
from workbench.simulation.engine import simulate
from workbench.simulation.kpis import run_kpis
from workbench.simulation.model import SimulationModel
from workbench.simulation.scenarios import Scenario, apply_scenario
from workbench.simulation.verdict import (
    UNUSABLE_MARK,
    Caution,
    Verdict,
    caution_note,
    check_usable,
    scenario_cautions,
)

__all__ = [
    "NEAR_FULL",
    "ExperimentResult",
    "default_period",
    "mean_ci",
    "near_full_teams",
    "paired_ci",
    "run_experiment",
    "simulated_period",
]

ARMS = ("baseline", "scenario")


@dataclass(frozen=True)
class ExperimentResult:
    """Baseline versus scenario over replications.

    Attributes
    ----------
    kpis : pandas.DataFrame
        Tidy: ``replication, arm, kpi, value, n_cases`` (``arm`` is "baseline" or "scenario").
    group_kpis : pandas.DataFrame
        Tidy: ``replication, arm, attribute, group, kpi, value, n_cases`` for every group
        attribute (KPIs ``cycle_time_h``, ``waiting_time_h``, ``waiting_on_user_h``, ``work_time_h``).
    comparison : pandas.DataFrame
        Per KPI: ``baseline``, ``scenario`` (means), ``difference``, ``ci_low``, ``ci_high``
        (95% paired t-interval), ``relative`` (difference / baseline), ``replications``.
    group_comparison : pandas.DataFrame
        The same per ``attribute`` and ``group``, with ``n_cases`` (mean per replication).
    runs : dict
        ``(arm, replication) -> SimulationRun`` when ``keep_runs`` was set, else empty.
    settings : dict
        What was run: scenario name, replications, seed, start, days, warm-up.
    """

    kpis: pd.DataFrame
    group_kpis: pd.DataFrame
    comparison: pd.DataFrame
    group_comparison: pd.DataFrame
    runs: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    #: one line each, for the user: e.g. a model learned from too few cases to trust
    warnings: tuple[str, ...] = ()


def paired_ci(
    baseline: Sequence[float], scenario: Sequence[float], level: float = 0.95
) -> tuple[float, float, float]:
    """Mean paired difference ``scenario - baseline`` and its t confidence interval.

    With fewer than two pairs the interval is ``(nan, nan)``.
    """
    return mean_ci(np.asarray(scenario, dtype=float) - np.asarray(baseline, dtype=float), level)


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of the finite ``values`` (replications of one figure) and its t confidence interval.

    No finite value: all three are NaN; one: the interval is ``(nan, nan)``.
    """
    from scipy import stats

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return np.nan, np.nan, np.nan
    mean = float(v.mean())
    if len(v) < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))
    return mean, mean - half, mean + half


def default_period(model: SimulationModel) -> tuple[pd.Timestamp, float]:
    """The period the model was learned on: its first arrival's day and its length in days (at least 28)."""
    try:
        start = pd.Timestamp(model.fitted_on.first_arrival).tz_convert("UTC").floor("D")
    except (ValueError, TypeError):
        start = pd.Timestamp("2024-01-01", tz="UTC")
    return start, max(float(round(model.fitted_on.days)), 28.0)


def replication_executor(executor: Executor | None, n_jobs: int | None) -> Executor:
    """``executor``, or when none is given ``n_jobs`` worker processes (``None``: one per core; ``1``: this process)."""
    if executor is not None:
        return executor
    return make_executor(workers=(os.cpu_count() or 1) if n_jobs is None else max(1, int(n_jobs)))


def simulated_period(
    model: SimulationModel, *, start: pd.Timestamp | str | None, days: float | None, warmup_days: float
) -> tuple[pd.Timestamp, float]:
    """The start (UTC) and length in days of a simulation, defaulting to :func:`default_period`.

    Raises :class:`~workbench.errors.ScenarioError` when the warm-up does not fit in the period.
    """
    p_start, p_days = default_period(model)
    start_ts = pd.Timestamp(start) if start is not None else p_start
    start_ts = start_ts.tz_localize("UTC") if start_ts.tzinfo is None else start_ts.tz_convert("UTC")
    length = float(days) if days is not None else p_days
    if not 0 <= warmup_days < length:
        raise ScenarioError(
            f"warmup_days must be in [0, days), got {warmup_days:g} with days={length:g}: the {warmup_days:g}-day "
            f"warm-up is left out of the KPIs, so simulate more days (--days) or shorten the warm-up (--warmup-days)"
        )
    return start_ts, length


def historical_cases(events: pd.DataFrame, model: SimulationModel) -> pd.DataFrame:
    """The log's cases as arrivals to replay: ``arrival`` (first start, else first timestamp) and attributes."""
    from workbench.schema import CASE_ID, START_TIMESTAMP, TIMESTAMP

    first = events[TIMESTAMP]
    if START_TIMESTAMP in events:
        first = events[START_TIMESTAMP].fillna(events[TIMESTAMP])
    grouped = events.assign(_first=first).groupby(CASE_ID, sort=False)
    out = pd.DataFrame({"arrival": grouped["_first"].min()})
    for attr in model.case_mix.attributes:
        if attr in events:
            out[attr] = grouped[attr].first().astype("string")
    return out.sort_values("arrival", kind="stable").reset_index()


def _replicate(
    models: tuple[SimulationModel, SimulationModel],
    rep: int,
    seed: np.random.SeedSequence,
    start: pd.Timestamp,
    days: float,
    warmup_days: float,
    groups: tuple[str, ...],
    keep_runs: bool,
    replay: pd.DataFrame | None = None,
) -> tuple[int, list[pd.DataFrame], list[pd.DataFrame], dict]:
    kpi_frames, group_frames, runs = [], [], {}
    for arm, model in zip(ARMS, models, strict=True):
        run = simulate(
            model,
            start=start,
            days=days,
            seed=seed,
            warmup_days=warmup_days,
            keep_events=keep_runs,
            replay=replay,
        )
        k, g = run_kpis(run, group_attributes=groups)
        kpi_frames.append(k.assign(replication=rep, arm=arm))
        group_frames.append(g.assign(replication=rep, arm=arm))
        if keep_runs:
            runs[(arm, rep)] = run
    return rep, kpi_frames, group_frames, runs


def run_experiment(
    model: SimulationModel,
    scenario: Scenario | None = None,
    *,
    replications: int = 10,
    seed: int = 0,
    start: pd.Timestamp | str | None = None,
    days: float | None = None,
    warmup_days: float = 14.0,
    group_attributes: Sequence[str] | None = None,
    n_jobs: int | None = 1,
    keep_runs: bool = False,
    progress: Callable[[int, int], None] | None = None,
    replay: pd.DataFrame | None = None,
    executor: Executor | None = None,
    verdict: Verdict | None = None,
    allow_unusable: bool = False,
) -> ExperimentResult:
    """Run ``replications`` paired replications of the baseline ``model`` and ``scenario``.

    Parameters
    ----------
    model : SimulationModel
        The baseline.
    scenario : Scenario, optional
        The change to evaluate (validated against ``model``; a bad name raises
        :class:`~workbench.errors.ScenarioError` before anything runs). ``None`` runs the
        baseline twice, which must give a zero difference.
    replications : int
        Number of paired replications (at least 2 for confidence intervals).
    seed : int
        Root seed; replication ``r`` uses ``SeedSequence(seed).spawn(replications)[r]``.
    start, days : optional
        The simulated period (default: the period the model was learned on).
    warmup_days : float
        Cases arriving in the first days load the queues but are not measured.
    group_attributes : sequence of str, optional
        Case attributes for per-group KPIs (default: the model's ``group_attributes``).
    n_jobs : int or None
        Worker processes when no ``executor`` is given (``None``: one per core; ``1``: run
        in this process).
    executor : Executor, optional
        Where the replications run (see :mod:`workbench.compute`); the results do not
        depend on it.
    keep_runs : bool
        Keep every replication's simulated event log in ``runs``.
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication (e.g. by the CLI).
    replay : pandas.DataFrame, optional
        Replay these historical cases (see :func:`historical_cases`) instead of drawing
        arrivals: "what would last year have looked like with this change". Work times,
        routing and delays are still drawn from the model.
    verdict : Verdict, optional
        The model's verdict (from :func:`validate_model`): a scenario on a "not usable"
        model raises :class:`~workbench.errors.ScenarioError` unless ``allow_unusable``,
        and then ``settings["marked"]`` is true and the comparison's ``mark`` column says so.
    """
    marked = check_usable(verdict, allow_unusable=allow_unusable)
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    scenario_model = apply_scenario(model, scenario) if scenario is not None else model
    groups = tuple(group_attributes if group_attributes is not None else model.group_attributes)
    unknown = [g for g in groups if g not in model.case_mix.attributes]
    if unknown:
        raise ScenarioError(
            f"group attribute '{unknown[0]}' is not a case attribute of the model; attributes: "
            f"{list(model.case_mix.attributes)}"
        )
    start_ts, days = simulated_period(model, start=start, days=days, warmup_days=warmup_days)
    seeds = np.random.SeedSequence(seed).spawn(replications)
    args = [
        ((model, scenario_model), r, seeds[r], start_ts, days, warmup_days, groups, keep_runs, replay)
        for r in range(replications)
    ]
    executor = replication_executor(executor, n_jobs)
    results = executor.map(_replicate, args, progress=progress)
    kpis = pd.concat([f for r in results for f in r[1]], ignore_index=True)
    kpis = kpis[["replication", "arm", "kpi", "value", "n_cases"]]
    group_frames = [f for r in results for f in r[2]]
    group_kpis = pd.concat(group_frames, ignore_index=True) if group_frames else pd.DataFrame()
    group_kpis = group_kpis.reindex(
        columns=["replication", "arm", "attribute", "group", "kpi", "value", "n_cases"]
    )
    runs = {k: v for r in results for k, v in r[3].items()}
    mark = UNUSABLE_MARK if marked else ""
    cautions = [*scenario_cautions(model, scenario, verdict), *(near_full_teams(kpis) if scenario is not None else [])]
    return ExperimentResult(
        kpis=kpis,
        group_kpis=group_kpis,
        comparison=_compare(kpis, ["kpi"]).assign(mark=mark),
        group_comparison=_compare(group_kpis, ["attribute", "group", "kpi"]).assign(mark=mark),
        runs=runs,
        warnings=_few_cases_warning(model),
        settings={
            "scenario": scenario.name if scenario is not None else None,
            "replications": replications,
            "seed": seed,
            "start": str(start_ts),
            "days": days,
            "warmup_days": warmup_days,
            "group_attributes": list(groups),
            "arrivals": "replayed from the log" if replay is not None else "drawn from the model",
            "verdict": verdict.level if verdict is not None else None,
            "marked": marked,
            "cautions": cautions,
            "notes": [caution_note(c) for c in cautions],
        },
    )


#: a team busy this share of its working time (mean over replications) is near full load
NEAR_FULL = 0.85
#: ... and a change that moves its busy share by less than this does not touch its queue
_MOVED = 0.01


def near_full_teams(kpis: pd.DataFrame) -> list[Caution]:
    """The teams a change moves near or from full load, busiest first, as cautions.

    Each is ``{"kind": "near_full", "team", "today", "changed"}`` (busy shares, means over
    replications).

    A team counts when it is busy at least :data:`NEAR_FULL` of its working time today or
    with the change, and the change moves its busy share by at least a percentage point
    (a full team the change does not touch keeps its queue).

    Near full load a queue's waiting grows steeply with its load (as ``load / (1 - load)`` in the
    simplest queue: at 85% a 5% heavier load adds some 45% to the waiting), so a
    few percent of error in the learned volume or work moves the effect a lot: the
    direction of the effect is then more certain than its size.
    """
    used = kpis[kpis["kpi"].str.startswith("utilisation:")]
    if used.empty:
        return []
    busy = used.groupby(["kpi", "arm"])["value"].mean().unstack("arm").reindex(columns=list(ARMS))
    busy = busy[(busy >= NEAR_FULL).any(axis=1) & ((busy["scenario"] - busy["baseline"]).abs() >= _MOVED)]
    busy = busy.assign(top=busy.max(axis=1)).sort_values("top", ascending=False, kind="stable")
    return [
        {"kind": "near_full", "team": str(kpi).split(":", 1)[1], "today": round(float(row["baseline"]), 4),
         "changed": round(float(row["scenario"]), 4)}
        for kpi, row in busy.iterrows()
    ]


#: below this many learned cases a simulation result gets a warning
FEW_CASES = 30


def _few_cases_warning(model: SimulationModel) -> tuple[str, ...]:
    cases = model.fitted_on.cases
    if 0 < cases < FEW_CASES:
        return (
            f"the model was learned from only {cases} case{'s' if cases != 1 else ''} of '{model.fitted_on.log}': "
            f"arrivals, routing and durations rest on too few cases to trust (fewer than {FEW_CASES}); "
            "treat the numbers as a sketch",
        )
    return ()


def _compare(tidy: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    cols = [
        *keys,
        "baseline",
        "scenario",
        "difference",
        "ci_low",
        "ci_high",
        "relative",
        "replications",
        "n_cases",
    ]
    if tidy.empty:
        return pd.DataFrame(columns=cols)
    wide = tidy.pivot_table(index=[*keys, "replication"], columns="arm", values="value", aggfunc="first")
    counts = tidy.groupby(keys, sort=False)["n_cases"].mean()
    rows = []
    for key, g in wide.groupby(level=keys if len(keys) > 1 else keys[0], sort=False):
        base = g.get("baseline", pd.Series(dtype=float)).to_numpy(dtype=float)
        scen = g.get("scenario", pd.Series(dtype=float)).to_numpy(dtype=float)
        diff, lo, hi = paired_ci(base, scen)
        b = float(np.nanmean(base)) if len(base) and np.isfinite(base).any() else np.nan
        s = float(np.nanmean(scen)) if len(scen) and np.isfinite(scen).any() else np.nan
        key = key if isinstance(key, tuple) else (key,)
        rel = diff / b if b and np.isfinite(b) and b != 0 else np.nan
        rows.append(
            (*key, b, s, diff, lo, hi, rel, len(g), float(counts.loc[key if len(key) > 1 else key[0]]))
        )
    order = {k: i for i, k in enumerate(dict.fromkeys(tidy[keys[-1]]))}
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(keys[-1], key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
