"""What-if simulation: discover a SimPy model from an event log, run scenarios, prove it against history.

The package reads like its data flow::

    discover_model(events, config=...)     -> SimulationModel  (typed, YAML/JSON, editable)
    load_scenario(path) / Scenario(...)    -> Scenario          (validated changes)
    apply_scenario(model, scenario)        -> SimulationModel   (the changed world)
    simulate(model, start=..., days=..., seed=...) -> SimulationRun (one replication)
    run_experiment(model, scenario, ...)   -> ExperimentResult  (baseline vs scenario, CIs)
    validate_model(events, config=...)     -> ValidationResult  (fit on 80%, score the rest)
"""

from __future__ import annotations

from workbench.simulation.discovery import discover_model
from workbench.simulation.distributions import Duration, fit_duration
from workbench.simulation.engine import SimulationRun, simulate
from workbench.simulation.model import (
    CalendarSpec,
    SimulationModel,
    load_model,
    model_from_yaml,
    model_to_yaml,
    save_model,
)

__all__ = [
    "CalendarSpec",
    "Duration",
    "SimulationModel",
    "SimulationRun",
    "discover_model",
    "fit_duration",
    "load_model",
    "model_from_yaml",
    "model_to_yaml",
    "save_model",
    "simulate",
]
