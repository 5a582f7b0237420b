"""What-if scenarios: a validated list of changes applied to a simulation model.

A scenario is a YAML file (see ``configs/scenarios/``)::

    name: add one person to IT-infrastruktur
    changes:
      - {type: staff, team: IT-infrastruktur, add: 1}

:func:`load_scenario` checks the file's shape (unknown keys are errors);
:func:`apply_scenario` checks every name against the model -- a team, activity,
attribute or value that does not exist raises :class:`~workbench.errors.ScenarioError`
naming it and listing what exists -- and returns the changed model. The change types:

==================  ============================================================================
``staff``           add (or remove, negative) staff of a team, or ``set`` the number
``calendar``        new weekly working hours for a team (or every team)
``routing``         set next-step probabilities at an activity (the others are rescaled)
``route_attribute`` cases with an attribute value are assigned straight to a team
``misrouting``      multiply the rate of visits to a wrong team (sent back, then sent on) by ``factor``
``volume``          multiply the arrival rate by ``factor``
``automate``        an activity takes no time and no staff
``remove``          an activity is skipped
``duration``        scale, or replace, the work time (or the delay before) an activity
``priority``        cases with an attribute value get a queue rank offset (served later/earlier)
==================  ============================================================================
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from workbench.config import FrozenModel, load_yaml, parse_config
from workbench.simulation._appliers import APPLY
from workbench.simulation._changes import (
    AutomateActivity,
    CalendarChange,
    Change,
    DurationChange,
    MisroutingChange,
    PriorityChange,
    RemoveActivity,
    RouteAttribute,
    RoutingChange,
    StaffChange,
    VolumeChange,
)
from workbench.simulation.model import SimulationModel

__all__ = [
    "AutomateActivity",
    "CalendarChange",
    "Change",
    "DurationChange",
    "MisroutingChange",
    "PriorityChange",
    "RemoveActivity",
    "RouteAttribute",
    "RoutingChange",
    "Scenario",
    "StaffChange",
    "VolumeChange",
    "apply_scenario",
    "load_scenario",
]


class Scenario(FrozenModel):
    """A named list of changes to a simulation model."""

    name: str
    description: str = ""
    changes: tuple[Change, ...] = Field(min_length=1)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (raises :class:`ConfigError` on a malformed file)."""
    return parse_config(Scenario, load_yaml(path), source=f"scenario '{path}'")


def apply_scenario(model: SimulationModel, scenario: Scenario) -> SimulationModel:
    """Return ``model`` with every change of ``scenario`` applied (``model`` is not modified)."""
    for i, change in enumerate(scenario.changes, start=1):
        where = f"scenario '{scenario.name}', change {i} ({change.type})"
        model = APPLY[change.type](model, change, where)
    return model
