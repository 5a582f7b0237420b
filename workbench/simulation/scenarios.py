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
``misrouting``      multiply the rate of visits to a team that sends the case back (a wrong team, or a
                    needless forward the sender then solves) by ``factor``
``volume``          multiply the arrival rate by ``factor``
``automate``        an activity takes no time and no staff
``remove``          an activity is skipped
``duration``        scale, or replace, the work time (or the delay before) an activity
``priority``        cases with an attribute value get a queue rank offset (served later/earlier)
==================  ============================================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from workbench.config import FrozenModel, TimeZoneName, load_yaml, parse_config
from workbench.simulation._appliers import APPLY
from workbench.simulation.distributions import Duration
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


class StaffChange(FrozenModel):
    type: Literal["staff"]
    team: str
    add: int | None = None
    set: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one(self) -> StaffChange:
        if (self.add is None) == (self.set is None):
            raise ValueError("give exactly one of 'add' (e.g. 1 or -1) or 'set' (the new number of staff)")
        return self


class CalendarChange(FrozenModel):
    type: Literal["calendar"]
    team: str | None = None  # None: every team
    hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], tuple[tuple[float, float], ...]]
    timezone: TimeZoneName | None = None


class RoutingChange(FrozenModel):
    type: Literal["routing"]
    at: str
    team: str | None = None
    next: dict[str, float]

    @model_validator(mode="after")
    def _probabilities(self) -> RoutingChange:
        if any(p < 0 or p > 1 for p in self.next.values()) or sum(self.next.values()) > 1 + 1e-9:
            raise ValueError(f"'next' probabilities must be in [0, 1] and sum to at most 1, got {self.next}")
        return self


class RouteAttribute(FrozenModel):
    type: Literal["route_attribute"]
    attribute: str
    value: str
    team: str


class MisroutingChange(FrozenModel):
    type: Literal["misrouting"]
    factor: float = Field(ge=0.0)
    team: str | None = None


class VolumeChange(FrozenModel):
    type: Literal["volume"]
    factor: float = Field(ge=0.0)


class AutomateActivity(FrozenModel):
    type: Literal["automate"]
    activity: str
    team: str | None = None


class RemoveActivity(FrozenModel):
    type: Literal["remove"]
    activity: str
    team: str | None = None


class DurationChange(FrozenModel):
    type: Literal["duration"]
    activity: str
    team: str | None = None
    of: Literal["work", "delay"] = "work"
    scale: float | None = Field(default=None, ge=0.0)
    distribution: Duration | None = None

    @model_validator(mode="after")
    def _one(self) -> DurationChange:
        if (self.scale is None) == (self.distribution is None):
            raise ValueError(
                "give exactly one of 'scale' (e.g. 0.8) or 'distribution' (e.g. {family: expon, scale: 600})"
            )
        return self


class PriorityChange(FrozenModel):
    type: Literal["priority"]
    attribute: str
    value: str
    rank_offset: float = 10.0
    teams: tuple[str, ...] = ()


Change = Annotated[
    StaffChange
    | CalendarChange
    | RoutingChange
    | RouteAttribute
    | MisroutingChange
    | VolumeChange
    | AutomateActivity
    | RemoveActivity
    | DurationChange
    | PriorityChange,
    Field(discriminator="type"),
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
