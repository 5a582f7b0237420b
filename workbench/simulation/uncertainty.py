"""Intervals that cover the truth: a what-if effect with simulation noise *and* model uncertainty.

A paired interval from :func:`~workbench.simulation.run_experiment` only says how
much the effect would vary if the *learned model* were simulated again; the model
itself was learned from one finite log. :func:`estimate_effect` also refits the model on
bootstrap resamples of the log's cases (drawn with replacement, each copy a case of
its own) and runs the same experiment on every refit:

- the point estimate is the experiment on the model learned from the whole log;
- the spread of the refits' effects holds both sources of uncertainty (each refit's
  effect is itself a mean over ``replications`` noisy runs), so the 95% interval is
  the point estimate plus or minus ``t(0.975, refits - 1)`` times the refits' standard
  deviation, widened to at least the paired interval of the whole-log experiment.

With ``calibrate`` (default) every model's capacity is first calibrated to the log's
waiting (:mod:`workbench.simulation.calibration`). Refits keep the whole-log model's
headcount and non-staff resources (a copy of a case
would look like a worker handling two cases at once). Every refit runs as one task
through the executor seam (:mod:`workbench.compute`) with its own seed, so the result
does not depend on where it ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workbench.compute import Executor, Progress, make_executor
from workbench.config import LogConfig
from workbench.errors import ConfigError, ScenarioError
from workbench.schema import CASE_ID
from workbench.simulation.calibration import calibrate_capacity, calibration_note
from workbench.simulation.discovery import discover_model
from workbench.simulation.experiment import ExperimentResult, run_experiment
from workbench.simulation.model import SimulationModel, TeamSpec
from workbench.simulation.scenarios import Scenario
from workbench.simulation.verdict import Verdict

__all__ = ["BOTH", "DEFAULT_REFITS", "EffectEstimate", "check_refits", "estimate_effect", "refit_effects", "resample_cases", "with_model_uncertainty"]

#: refits a what-if runs unless told otherwise (the command line, the pipeline, the app)
DEFAULT_REFITS = 4
#: what a 95% interval holds when the model's own uncertainty is in it
BOTH = "bootstrap refits + simulation noise"


@dataclass(frozen=True)
class EffectEstimate:
    """A scenario's effect with an interval for simulation noise and model uncertainty.

    Attributes
    ----------
    comparison : pandas.DataFrame
        Per KPI: ``baseline``, ``scenario``, ``difference`` (whole-log model), ``ci_low``,
        ``ci_high`` (95%, both sources), ``relative``, ``noise_low``, ``noise_high`` (the
        simulation-noise-only interval), ``refit_sd``, ``refit_mean``, ``refits``, ``replications``,
        ``mark``.
    refits : pandas.DataFrame
        Per refit and KPI: ``refit``, ``kpi``, ``baseline``, ``difference``.
    model : SimulationModel
        The model learned from the whole log.
    settings : dict
    """

    comparison: pd.DataFrame
    refits: pd.DataFrame
    model: SimulationModel
    settings: dict = field(default_factory=dict)


def resample_cases(events: pd.DataFrame, seed: np.random.SeedSequence | int) -> pd.DataFrame:
    """A bootstrap resample of the log's cases, with replacement; the k-th copy of a case gets ``"#k"``."""
    rng = np.random.default_rng(seed)
    ids = pd.unique(events[CASE_ID])
    drawn = rng.choice(len(ids), size=len(ids), replace=True)
    counts = np.bincount(drawn, minlength=len(ids))
    by_case = events.groupby(CASE_ID, sort=False).indices
    parts = []
    for k in range(1, int(counts.max()) + 1 if len(counts) else 1):
        chosen = ids[counts >= k]
        if not len(chosen):
            break
        rows = np.concatenate([by_case[c] for c in chosen])
        part = events.iloc[rows]
        if k > 1:
            part = part.assign(**{CASE_ID: part[CASE_ID].astype(str) + f"#{k}"})
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def check_refits(refits: int, *, name: str = "refits") -> int:
    """``refits`` if it can make an interval (0: simulation noise only, else at least 2), else one clear line."""
    if refits == 1 or refits < 0:
        raise ConfigError(f"{name} must be 0 (simulation noise only) or at least 2 for an interval, got {refits}")
    return refits


def _refit(
    events: pd.DataFrame,
    config: LogConfig | None,
    scenarios: tuple[Scenario, ...],
    seed: np.random.SeedSequence,
    replications: int,
    warmup_days: float,
    start: str,
    days: float,
    discover_kwargs: dict,
    calibrate: bool = False,
    teams: Mapping[str, TeamSpec] | None = None,
) -> list[pd.DataFrame]:
    """One bootstrap refit: the model learned from a resample of the cases, every scenario run on it.

    A team of the whole-log model (``teams``) that does no work in the resample (a small team none of
    whose cases was drawn) is kept as it is, idle, so a scenario naming it still applies.
    """
    sample_seed, run_seed = seed.spawn(2)
    sample = resample_cases(events, sample_seed)
    model = discover_model(sample, config=config, **discover_kwargs)
    if calibrate:
        model = calibrate_capacity(model, sample, seed=int(sample_seed.generate_state(1)[0]))
    idle = {t: spec for t, spec in (teams or {}).items() if t not in model.teams}
    if idle:
        model = model.model_copy(update={"teams": {**model.teams, **idle}})
    out = []
    for scenario in scenarios:
        exp = run_experiment(
            model, scenario, replications=replications, seed=int(run_seed.generate_state(1)[0]),
            warmup_days=warmup_days, executor=make_executor(kind="in-process"), start=start, days=days,
        )
        out.append(exp.comparison[["kpi", "baseline", "difference"]])
    return out


def refit_effects(
    events: pd.DataFrame,
    scenarios: Sequence[Scenario],
    *,
    model: SimulationModel,
    config: LogConfig | None = None,
    refits: int = 4,
    seed: int = 0,
    replications: int = 4,
    warmup_days: float = 14.0,
    start: str,
    days: float,
    executor: Executor | None = None,
    calibrate: bool = True,
    progress: Progress | None = None,
    **discover_kwargs,
) -> list[pd.DataFrame]:
    """Per scenario, the effects on ``refits`` models learned from bootstrap resamples of the log.

    Each refit keeps ``model``'s headcount and non-staff resources, is calibrated like it
    (with ``calibrate``) and runs every scenario with ``replications`` paired replications
    over the same period (``start``, ``days``). One task per refit goes through ``executor``;
    refit ``b`` draws from the ``b + 1``-th child of ``seed`` (the first is the point
    estimate's, in :func:`estimate_effect`). Returns one frame per scenario:
    ``refit, kpi, baseline, difference``.
    """
    if refits < 2:
        raise ScenarioError(f"refits must be at least 2 for an interval, got {refits}")
    _, *refit_seeds = np.random.SeedSequence(seed).spawn(refits + 1)
    fixed = {
        **discover_kwargs,
        "staff": {t: s.staff for t, s in model.teams.items()},
        "non_staff": tuple(model.non_staff),
        "detect_non_staff": False,
        "unknown_staff": "ignore",  # a small team may have no case in a resample: it is put back below
    }
    args = [
        (events, config, tuple(scenarios), refit_seeds[b], replications, warmup_days, start, days, fixed, calibrate,
         model.teams)
        for b in range(refits)
    ]
    results = (executor or make_executor(kind="in-process")).map(_refit, args, progress=progress)
    return [
        pd.concat([r[i].assign(refit=b) for b, r in enumerate(results)], ignore_index=True)
        for i in range(len(scenarios))
    ]


def with_model_uncertainty(result: ExperimentResult, per_refit: pd.DataFrame, refits: int) -> ExperimentResult:
    """``result`` with its 95% intervals widened by the refits' spread (see the module's docstring).

    The comparison keeps the simulation-noise-only interval as ``noise_low``/``noise_high``
    and gains ``refit_sd``, ``refit_mean`` (the refits' mean difference) and ``refits``; the
    group comparison's intervals stay noise only.
    """
    return replace(
        result,
        comparison=_combine(result.comparison, per_refit, refits),
        settings={**result.settings, "refits": refits, "interval": BOTH},
    )


def _experiment(
    model: SimulationModel,
    events: pd.DataFrame,
    scenario: Scenario,
    *,
    calibrate: bool,
    calibration_seed: int,
    seed: int,
    replications: int,
    warmup_days: float,
    **run_kwargs,
) -> tuple[SimulationModel, ExperimentResult]:
    """The experiment on ``model``, its capacity first calibrated to ``events`` (unless it already was)."""
    if calibrate and calibration_note(model) is None:
        model = calibrate_capacity(model, events, seed=calibration_seed)
    exp = run_experiment(
        model, scenario, replications=replications, seed=seed, warmup_days=warmup_days,
        executor=make_executor(kind="in-process"), **run_kwargs,
    )
    return model, exp


def estimate_effect(
    events: pd.DataFrame,
    scenario: Scenario,
    *,
    config: LogConfig | None = None,
    refits: int = 8,
    replications: int = 4,
    seed: int = 0,
    warmup_days: float = 14.0,
    executor: Executor | None = None,
    verdict: Verdict | None = None,
    allow_unusable: bool = False,
    model: SimulationModel | None = None,
    calibrate: bool = True,
    **discover_kwargs,
) -> EffectEstimate:
    """The effect of ``scenario`` with a 95% interval for simulation noise and model uncertainty.

    Parameters
    ----------
    events : pandas.DataFrame
        The canonical event log the model is learned from.
    scenario : Scenario
        The change to evaluate.
    config : LogConfig, optional
        The log config (statuses, calendar, ``staff``, ``non_staff``).
    refits : int
        Bootstrap refits of the model (at least 2).
    replications : int
        Paired replications of every experiment.
    seed : int
        Root seed; the whole-log experiment and every refit get their own child.
    warmup_days : float
        Warm-up of every experiment (see :func:`run_experiment`).
    executor : Executor, optional
        Where the refits run (one task each); the result does not depend on it.
    verdict, allow_unusable
        As in :func:`run_experiment`: a "not usable" model refuses the scenario unless overridden.
    model : SimulationModel, optional
        The model already learned from ``events`` (else it is learned here).
    calibrate : bool
        Calibrate every model's capacity to the log's waiting
        (:func:`~workbench.simulation.calibration.calibrate_capacity`) before the experiment; a
        ``model`` that was calibrated already (its notes say so) is not calibrated again.
    discover_kwargs
        Passed to :func:`discover_model`.
    """
    if refits < 2:
        raise ScenarioError(f"refits must be at least 2 for an interval, got {refits}")
    full = model if model is not None else discover_model(events, config=config, **discover_kwargs)
    point_seed = np.random.SeedSequence(seed).spawn(refits + 1)[0]
    full, base = _experiment(
        full, events, scenario, calibrate=calibrate, calibration_seed=seed, seed=int(point_seed.generate_state(1)[0]),
        replications=replications, warmup_days=warmup_days, verdict=verdict, allow_unusable=allow_unusable,
    )
    [per_refit] = refit_effects(
        events, [scenario], model=full, config=config, refits=refits, seed=seed, replications=replications,
        warmup_days=warmup_days, start=base.settings["start"], days=base.settings["days"], executor=executor,
        calibrate=calibrate, **discover_kwargs,
    )
    combined = with_model_uncertainty(base, per_refit, refits)
    return EffectEstimate(
        comparison=combined.comparison,
        refits=per_refit[["refit", "kpi", "baseline", "difference"]],
        model=full,
        settings={**combined.settings, "calibrated": calibrate},
    )


def _combine(point: pd.DataFrame, per_refit: pd.DataFrame, refits: int) -> pd.DataFrame:
    from scipy import stats

    by_kpi = per_refit.groupby("kpi")["difference"]
    sd, n, mean = by_kpi.std(ddof=1), by_kpi.count(), by_kpi.mean()
    out = point.copy().rename(columns={"ci_low": "noise_low", "ci_high": "noise_high"})
    out["refit_sd"] = out["kpi"].map(sd).to_numpy(dtype=float)
    out["refit_mean"] = out["kpi"].map(mean).to_numpy(dtype=float)
    t = np.array([stats.t.ppf(0.975, max(int(k) - 1, 1)) for k in out["kpi"].map(n).fillna(2)])
    half = t * out["refit_sd"].to_numpy(dtype=float)
    noise_half = (out["noise_high"] - out["noise_low"]).to_numpy(dtype=float) / 2
    half = np.fmax(half, noise_half)
    out["ci_low"] = out["difference"] - half
    out["ci_high"] = out["difference"] + half
    out["refits"] = refits
    cols = ["kpi", "baseline", "scenario", "difference", "ci_low", "ci_high", "relative", "noise_low", "noise_high"]
    rest = [c for c in out.columns if c not in cols]
    return out[cols + rest]
