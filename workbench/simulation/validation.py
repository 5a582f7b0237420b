"""Validation against history, the field's standard protocol.

1. Split the log by case start: the first ``train_share`` (80%) of cases train the model,
   the rest are the test log.
2. Learn the model from the training cases only.
3. Simulate the test period ``replications`` times: from the first test case's start,
   with as many cases as the test log has; events after the log's last event are cut
   off (``crop``), as the real log cut them off.
4. Score each simulated log against the test log with ``log-distance-measures``:
   3-gram distance (control flow, 0 = same), cycle-time distribution distance (hours,
   1-hour bins), absolute and circadian event distribution distances (hours).

Logs without recorded start times are compared on their end timestamps only (start
set to end on both sides), so estimated starts are not scored against missing ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.compute import Executor
from workbench.config import LogConfig
from workbench.errors import EventLogError
from workbench.schema import ACTIVITY, CASE_ID, RESOURCE, START_TIMESTAMP, TIMESTAMP
from workbench.simulation._checks import (
    cycle_mean_h,
    cycle_time_check,
    load_response_check,
    pickup_waits,
    waiting_check,
)
from workbench.simulation.calibration import calibrate_capacity, calibration_note
from workbench.simulation.discovery import discover_model
from workbench.simulation.engine import simulate
from workbench.simulation.experiment import replication_executor
from workbench.simulation.model import SimulationModel
from workbench.simulation.verdict import Verdict, verdict_from_checks

__all__ = ["METRICS", "ValidationResult", "score_logs", "split_log", "validate_model"]

#: Metric names, in report order.
METRICS: tuple[str, ...] = (
    "ngram_3_distance",
    "cycle_time_distance_h",
    "absolute_event_distance_h",
    "circadian_event_distance_h",
)


@dataclass(frozen=True)
class ValidationResult:
    """Scores of the simulated test period against the real one.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per replication and metric: ``replication``, ``metric``, ``value``.
    summary : pandas.DataFrame
        Per metric: ``mean``, ``std``, ``min``, ``max`` over replications.
    model : SimulationModel
        The model learned from the training cases.
    test_log : pandas.DataFrame
        The real test cases.
    simulated_log : pandas.DataFrame
        The first replication's simulated test period.
    settings : dict
        Split point, case counts, replications, seed, whether starts were recorded.
    verdict : Verdict, optional
        Good / usable with care / not usable, from the cycle-time, waiting and
        load-response checks (see :mod:`workbench.simulation.verdict`).
    """

    scores: pd.DataFrame
    summary: pd.DataFrame
    model: SimulationModel
    test_log: pd.DataFrame
    simulated_log: pd.DataFrame
    settings: dict = field(default_factory=dict)
    verdict: Verdict | None = None


def split_log(
    events: pd.DataFrame, *, train_share: float = 0.8
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """Split by case start: the first ``train_share`` of cases, the rest, and the first test start."""
    if not 0 < train_share < 1:
        raise ValueError(f"train_share must be between 0 and 1, got {train_share}")
    start = _case_starts(events).sort_values(kind="stable")
    if len(start) < 10:
        raise EventLogError(
            f"event log has {len(start)} cases; validation needs at least 10 (better hundreds)"
        )
    k = round(train_share * len(start))
    train_ids = set(start.index[:k])
    is_train = events[CASE_ID].isin(train_ids)
    return events[is_train], events[~is_train], start.iloc[k]


def _case_starts(events: pd.DataFrame) -> pd.Series:
    first = events[TIMESTAMP]
    if START_TIMESTAMP in events:
        first = (
            events[START_TIMESTAMP]
            .fillna(events[TIMESTAMP])
            .where(events[START_TIMESTAMP].fillna(events[TIMESTAMP]) <= events[TIMESTAMP], events[TIMESTAMP])
        )
    return first.groupby(events[CASE_ID]).min()


def _for_metrics(events: pd.DataFrame, use_starts: bool) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "case": events[CASE_ID].astype(str).to_numpy(),
            "activity": events[ACTIVITY].astype(str).to_numpy(),
            "end": events[TIMESTAMP].to_numpy(),
            "resource": events[RESOURCE].astype(str).to_numpy() if RESOURCE in events else "",
        }
    )
    out["end"] = pd.to_datetime(out["end"], utc=True)
    if use_starts and START_TIMESTAMP in events:
        out["start"] = pd.to_datetime(events[START_TIMESTAMP].to_numpy(), utc=True)
        out["start"] = out["start"].fillna(out["end"])
    else:
        out["start"] = out["end"]
    return out


def score_logs(real: pd.DataFrame, simulated: pd.DataFrame, *, use_starts: bool = True) -> dict[str, float]:
    """The four distances between two canonical logs (see :data:`METRICS`)."""
    from log_distance_measures.absolute_event_distribution import absolute_event_distribution_distance
    from log_distance_measures.circadian_event_distribution import circadian_event_distribution_distance
    from log_distance_measures.config import AbsoluteTimestampType, EventLogIDs, discretize_to_hour
    from log_distance_measures.cycle_time_distribution import cycle_time_distribution_distance
    from log_distance_measures.n_gram_distribution import n_gram_distribution_distance

    if real.empty or simulated.empty:
        return {m: np.nan for m in METRICS}
    ids = EventLogIDs(
        case="case", activity="activity", start_time="start", end_time="end", resource="resource"
    )
    a, b = _for_metrics(real, use_starts), _for_metrics(simulated, use_starts)
    return {
        "ngram_3_distance": float(n_gram_distribution_distance(a, ids, b, ids, n=3)),
        "cycle_time_distance_h": float(
            cycle_time_distribution_distance(a, ids, b, ids, bin_size=dt.timedelta(hours=1))
        ),
        "absolute_event_distance_h": float(
            absolute_event_distribution_distance(
                a,
                ids,
                b,
                ids,
                discretize_type=AbsoluteTimestampType.BOTH,
                discretize_event=discretize_to_hour,
            )
        ),
        "circadian_event_distance_h": float(
            circadian_event_distribution_distance(a, ids, b, ids, discretize_type=AbsoluteTimestampType.BOTH)
        ),
    }


def _simulate_and_score(model, rep, seed, start, n_cases, days, crop_end, test, use_starts):
    run = simulate(model, start=start, days=days, seed=seed, n_cases=n_cases, case_prefix=f"sim{rep}-")
    sim = run.events
    if crop_end is not None:
        sim = sim[sim[TIMESTAMP] <= crop_end]
    figures = (cycle_mean_h(sim), pickup_waits(sim, model, use_starts=use_starts))
    return rep, score_logs(test, sim, use_starts=use_starts), sim if rep == 0 else None, figures


def _replay_history(model, seed, start, days, replay, use_starts):
    run = simulate(model, start=start, days=days, seed=seed, replay=replay, case_prefix="replay-")
    return pickup_waits(run.events, model, use_starts=use_starts)


def validate_model(
    events: pd.DataFrame,
    *,
    config: LogConfig | None = None,
    replications: int = 10,
    seed: int = 0,
    train_share: float = 0.8,
    crop: bool = True,
    n_jobs: int | None = 1,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
    checks: bool = True,
    calibrate: bool = False,
    **discover_kwargs,
) -> ValidationResult:
    """Run the validation protocol (see the module docstring) and return the scores.

    With ``checks`` (default) the result carries a :class:`Verdict` from the cycle-time,
    waiting and load-response checks; the load-response check replays the training
    cases through the model once more. With ``calibrate`` the model learned from the
    training cases gets its capacity calibrated to their waiting first
    (:func:`~workbench.simulation.calibrate_capacity`, as :func:`estimate_effect` does), so
    the model judged is the one a what-if runs on; the verdict's notes say what the
    calibration did (the waiting check is then partly in-sample). ``discover_kwargs`` go
    to :func:`~workbench.simulation.discover_model`.
    """
    train, test, split = split_log(events, train_share=train_share)
    model = discover_model(train, config=config, **discover_kwargs)
    if calibrate:
        model = calibrate_capacity(model, train, seed=seed)
    use_starts = START_TIMESTAMP in events and bool(events[START_TIMESTAMP].notna().mean() >= 0.5)
    n_cases = int(test[CASE_ID].nunique())
    log_end = events[TIMESTAMP].max()
    days = max((log_end - split) / pd.Timedelta(days=1), 1.0)
    crop_end = log_end if crop else None
    seeds = np.random.SeedSequence(seed).spawn(replications)
    args = [
        (model, r, seeds[r], split, n_cases, days, crop_end, test, use_starts) for r in range(replications)
    ]
    executor = replication_executor(executor, n_jobs)
    results = executor.map(_simulate_and_score, args, progress=progress)
    verdict = _verdict(model, train, test, results, use_starts, seed, executor) if checks else None
    if verdict is not None and calibrate:
        note = calibration_note(model)
        if note:
            verdict = dataclasses.replace(verdict, notes=(*verdict.notes, f"{note} (on the training cases)"))
    scores = pd.DataFrame(
        [(rep, m, s[m]) for rep, s, _, _ in results for m in METRICS], columns=["replication", "metric", "value"]
    )
    summary = (
        scores.groupby("metric", sort=False)["value"]
        .agg(["mean", "std", "min", "max"])
        .reindex(list(METRICS))
        .reset_index()
    )
    return ValidationResult(
        scores=scores,
        summary=summary,
        model=model,
        test_log=test,
        simulated_log=next(sim for _, _, sim, _ in results if sim is not None),
        settings={
            "train_cases": int(train[CASE_ID].nunique()),
            "test_cases": n_cases,
            "split": str(split),
            "log_end": str(log_end),
            "replications": replications,
            "seed": seed,
            "start_times_scored": use_starts,
            "cropped_at_log_end": crop,
            "verdict": verdict.to_dict() if verdict is not None else None,
        },
        verdict=verdict,
    )


def _verdict(model, train, test, results, use_starts, seed, executor) -> Verdict:
    from workbench.simulation.experiment import historical_cases

    checks = [cycle_time_check(test, [f[0] for _, _, _, f in results])]
    replay = historical_cases(train, model)
    start = replay["arrival"].min().floor("D")
    days = max((replay["arrival"].max() - start) / pd.Timedelta(days=1), 1.0) + 1e-3
    child = np.random.SeedSequence([seed, 1]).spawn(1)[0]
    (replayed,) = executor.map(_replay_history, [(model, child, start, days, replay, use_starts)])
    history = pickup_waits(train, model, use_starts=use_starts)
    checks.append(waiting_check(history, replayed, 1))
    checks.append(load_response_check(history, replayed, replay["arrival"]))
    return verdict_from_checks(tuple(checks))
