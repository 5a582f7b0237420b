"""Use cases: learn a simulation model, compare what-if scenarios with the baseline, validate a simulation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.compute import Executor, InProcessExecutor
from workbench.config import LogConfig
from workbench.errors import ConfigError, EventLogError
from workbench.simulation import (
    ExperimentResult,
    Scenario,
    SimulationModel,
    ValidationResult,
    apply_scenario,
    calibrate_capacity,
    calibration_note,
    discover_model,
    historical_cases,
    validate_model,
)
from workbench.simulation import run_experiment as run_paired_replications
from workbench.simulation.uncertainty import check_refits, refit_effects, with_model_uncertainty
from workbench.simulation.verdict import Verdict

__all__ = [
    "ScenarioOutcome",
    "ScenarioComparison",
    "ModelUncertainty",
    "learn_simulation_model",
    "compare_scenarios",
    "validate_simulation",
    "judge_model",
    "capacity_note",
]

#: ``progress(scenario_name, done, total)`` after each finished replication.
ReplicationProgress = Callable[[str, int, int], None]

#: the progress "scenario name" while the model is refitted for its uncertainty
REFITS = "model uncertainty (refits)"


@dataclass(frozen=True)
class ModelUncertainty:
    """Put the model's own uncertainty in every 95% interval, not only the simulation noise.

    The model was learned from one finite log: ``refits`` models are learned again from
    bootstrap resamples of ``events``' cases (keeping the model's headcount, calibrated
    like it with ``calibrate``) and every scenario runs on each
    (:func:`~workbench.simulation.uncertainty.refit_effects`); each interval becomes the
    point estimate plus or minus the refits' spread, at least the noise-only interval.
    ``key`` is the pseudonymisation key (see :func:`learn_simulation_model`).
    """

    events: pd.DataFrame
    log_config: LogConfig
    refits: int = 4
    calibrate: bool = True
    key: bytes | None = None


@dataclass(frozen=True)
class ScenarioOutcome:
    """One scenario against the baseline: ``key`` names its output folder (the scenario file's stem)."""

    key: str
    scenario: Scenario
    result: ExperimentResult


@dataclass(frozen=True)
class ScenarioComparison:
    """Every scenario of a run against the same baseline model, with the settings that produced them.

    ``refused``: no scenario was run because the model's ``verdict`` is "not usable" (and the run
    did not allow that); ``outcomes`` is then empty.
    """

    model: SimulationModel
    outcomes: tuple[ScenarioOutcome, ...]
    replications: int
    seed: int
    verdict: Verdict | None = None
    refused: bool = False

    def by_name(self) -> dict[str, ExperimentResult]:
        """The results keyed by scenario name."""
        return {o.scenario.name: o.result for o in self.outcomes}


def learn_simulation_model(
    events: pd.DataFrame,
    log_config: LogConfig | None = None,
    *,
    group_attributes: Sequence[str] | None = None,
    calibrate: bool = True,
    seed: int = 0,
    key: bytes | None = None,
) -> SimulationModel:
    """Learn a simulation model (arrivals, routing, durations, staff, calendars) from a clean log.

    ``group_attributes`` (default: the log config's) are the case attributes the model keeps,
    so results can be compared per group. With ``calibrate`` (default) each team's capacity
    is calibrated to the log's own waiting where the direct estimate misses it (replays with
    ``seed``), as :func:`~workbench.simulation.estimate_effect` does; :func:`capacity_note`
    says what that did. ``key`` is the pseudonymisation key of a pseudonymised log, so the log
    config's ``non_staff`` names match their pseudonyms.
    """
    if group_attributes is None:
        model = discover_model(events, config=log_config, key=key)
    else:
        model = discover_model(events, config=log_config, group_attributes=tuple(group_attributes), key=key)
    return calibrate_capacity(model, events, seed=seed) if calibrate else model


def capacity_note(model: SimulationModel) -> str:
    """One line on the model's capacity: how it was calibrated to the log's waiting, or why not."""
    note = calibration_note(model)
    if note is not None:
        return note
    return (
        "capacity not calibrated: the model's headcount, absences and work times are used as learned "
        "(a saved model is simulated as it was saved; learn it from the log to calibrate)"
    )


def compare_scenarios(
    model: SimulationModel,
    scenarios: Sequence[tuple[str, Scenario]],
    *,
    replications: int,
    seed: int,
    days: float | None = None,
    warmup_days: float = 14.0,
    group_attributes: Sequence[str] | None = None,
    keep_runs: bool = False,
    replay: pd.DataFrame | None = None,
    executor: Executor | None = None,
    progress: ReplicationProgress | None = None,
    verdict: Verdict | None = None,
    allow_unusable: bool = False,
    uncertainty: ModelUncertainty | None = None,
) -> ScenarioComparison:
    """Run paired replications (common random numbers) of each scenario against the baseline ``model``.

    Every scenario is applied to the model before any replication runs, so a team or an
    activity that does not exist fails at once. ``scenarios`` are ``(key, scenario)`` pairs.
    ``replay`` (see :func:`historical_cases`) replays the log's own arrivals. The same
    ``seed`` gives the same numbers whichever ``executor`` runs the replications.
    ``verdict`` is the model's (from :func:`validate_simulation`): on a "not usable" model every
    scenario is refused (:class:`~workbench.errors.ScenarioError`) unless ``allow_unusable``,
    and then every figure is marked. With ``uncertainty`` (``refits`` of at least 2) each
    interval also holds the model's own uncertainty (see :class:`ModelUncertainty`); the
    refits run through ``executor`` too, reported to ``progress`` as :data:`REFITS`.
    """
    refits = 0 if uncertainty is None else check_refits(uncertainty.refits)
    if refits and replay is not None:
        raise ConfigError("replaying the log's own cases cannot be combined with refits (a resample has other "
                          "cases): set refits to 0 with replay")
    for _, scenario in scenarios:
        apply_scenario(model, scenario)
    run_on = executor if executor is not None else InProcessExecutor()
    outcomes = []
    for key, scenario in scenarios:
        tick = None if progress is None else (lambda done, total, _n=scenario.name: progress(_n, done, total))
        result = run_paired_replications(
            model, scenario, replications=replications, seed=seed, days=days, warmup_days=warmup_days,
            group_attributes=group_attributes, keep_runs=keep_runs, replay=replay, executor=run_on, progress=tick,
            verdict=verdict, allow_unusable=allow_unusable,
        )
        outcomes.append(ScenarioOutcome(key=key, scenario=scenario, result=result))
    if refits and uncertainty is not None and outcomes:
        first = outcomes[0].result.settings
        per_scenario = refit_effects(
            uncertainty.events, [o.scenario for o in outcomes], model=model, config=uncertainty.log_config,
            refits=refits, seed=seed, replications=replications, warmup_days=warmup_days, start=first["start"],
            days=first["days"], executor=run_on, calibrate=uncertainty.calibrate, key=uncertainty.key,
            progress=None if progress is None else (lambda done, total: progress(REFITS, done, total)),
        )
        outcomes = [
            ScenarioOutcome(key=o.key, scenario=o.scenario, result=with_model_uncertainty(o.result, per, refits))
            for o, per in zip(outcomes, per_scenario, strict=True)
        ]
    return ScenarioComparison(model=model, outcomes=tuple(outcomes), replications=replications, seed=seed,
                              verdict=verdict)


def refused_comparison(
    model: SimulationModel,
    scenarios: Sequence[tuple[str, Scenario]],
    *,
    replications: int,
    seed: int,
    verdict: Verdict,
) -> ScenarioComparison:
    """A run's comparison when its model is "not usable" and that is not allowed: no scenario runs.

    Every scenario is still applied to the model, so a team or an activity that does not exist
    fails as it would otherwise; the result carries the verdict and ``refused``.
    """
    for _, scenario in scenarios:
        apply_scenario(model, scenario)
    return ScenarioComparison(model=model, outcomes=(), replications=replications, seed=seed, verdict=verdict,
                              refused=True)


def judge_model(
    events: pd.DataFrame,
    log_config: LogConfig | None = None,
    *,
    replications: int,
    seed: int,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    calibrate: bool = True,
    key: bytes | None = None,
) -> tuple[Verdict | None, str | None]:
    """The model's verdict before any what-if (see :func:`validate_simulation`), or why none could be given.

    A log too small to hold out a test period gets no verdict and a note saying so, not an error:
    the what-if still runs, and the note goes with its figures. ``calibrate`` as in
    :func:`learn_simulation_model`: the model judged is calibrated as the one simulated.
    """
    try:
        result = validate_simulation(events, log_config, replications=replications, seed=seed, executor=executor,
                                     progress=progress, calibrate=calibrate, key=key)
    except EventLogError as exc:
        return None, f"the model could not be checked against the log ({exc}); treat its figures with care"
    return result.verdict, None


def replay_cases(events: pd.DataFrame, model: SimulationModel) -> pd.DataFrame:
    """The log's own case arrivals (and attributes), to replay instead of drawing new ones."""
    return historical_cases(events, model)


def validate_simulation(
    events: pd.DataFrame,
    log_config: LogConfig | None = None,
    *,
    replications: int,
    seed: int,
    train_share: float = 0.8,
    crop: bool = True,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    calibrate: bool = True,
    key: bytes | None = None,
) -> ValidationResult:
    """Learn on the first ``train_share`` of cases, simulate the rest, and score the distance to the real log.

    With ``calibrate`` (default) the model learned from the training cases has its capacity
    calibrated to their waiting first, as a what-if's model has; the verdict's notes say how.
    ``key`` as in :func:`learn_simulation_model`.
    """
    return validate_model(
        events, config=log_config, replications=replications, seed=seed, train_share=train_share, crop=crop,
        executor=executor if executor is not None else InProcessExecutor(), progress=progress, calibrate=calibrate,
        key=key,
    )
