"""The changes a scenario is made of: one validated model per ``type`` (see :mod:`workbench.simulation.scenarios`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from workbench.config import FrozenModel, TimeZoneName
from workbench.simulation.distributions import Duration

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
    "StaffChange",
    "VolumeChange",
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
