"""What-if simulation: discover a SimPy model from an event log, run scenarios, prove it against history.

The package reads like its data flow::

    discover_model(events, config=...)     -> SimulationModel  (typed, YAML/JSON, editable)
    load_scenario(path) / Scenario(...)    -> Scenario          (validated changes)
    apply_scenario(model, scenario)        -> SimulationModel   (the changed world)
    simulate(model, start=..., days=..., seed=...) -> SimulationRun (one replication)
    run_experiment(model, scenario, ...)   -> ExperimentResult  (baseline vs scenario, CIs)
    estimate_effect(events, scenario, ...) -> EffectEstimate    (CIs with bootstrap refits of the model)
    validate_model(events, config=...)     -> ValidationResult  (fit on 80%, score the rest, .verdict)
"""

from __future__ import annotations

from workbench.simulation._clock import WorkClock
from workbench.simulation.calibration import calibrate_capacity, calibration_note
from workbench.simulation.discovery import discover_model
from workbench.simulation.distributions import Duration, fit_duration
from workbench.simulation.engine import SimulationRun, simulate
from workbench.simulation.experiment import ExperimentResult, historical_cases, paired_ci, run_experiment
from workbench.simulation.kpis import run_kpis
from workbench.simulation.model import (
    CalendarSpec,
    SimulationModel,
    load_model,
    model_from_yaml,
    model_to_yaml,
    save_model,
)
from workbench.simulation.scenarios import Scenario, apply_scenario, load_scenario
from workbench.simulation.uncertainty import EffectEstimate, estimate_effect
from workbench.simulation.validation import ValidationResult, score_logs, split_log, validate_model
from workbench.simulation.verdict import Check, Verdict

__all__ = [
    "CalendarSpec",
    "Check",
    "Duration",
    "EffectEstimate",
    "ExperimentResult",
    "Scenario",
    "SimulationModel",
    "SimulationRun",
    "ValidationResult",
    "Verdict",
    "WorkClock",
    "apply_scenario",
    "calibrate_capacity",
    "calibration_note",
    "discover_model",
    "estimate_effect",
    "fit_duration",
    "historical_cases",
    "load_model",
    "load_scenario",
    "model_from_yaml",
    "model_to_yaml",
    "paired_ci",
    "run_experiment",
    "run_kpis",
    "save_model",
    "score_logs",
    "simulate",
    "split_log",
    "validate_model",
]
