"""The simulation model: typed, frozen, readable and editable as YAML or JSON.

A :class:`SimulationModel` is what :func:`~workbench.simulation.discover_model` learns
from an event log and what the engine runs. Every part is plain data a user can read
and change in a text editor (``save_model`` / ``load_model``):

- ``arrivals``: new cases per hour of the week (local time) times a level per month;
- ``case_mix``: the joint mix of case attributes (e.g. department, category, channel);
- ``teams``: capacity pools with their number of staff and weekly working calendar;
- ``activities``: the steps (an activity done by a team), each with its default work time;
- ``transitions``: for each pair of consecutive steps, the delay outside the team's
  capacity (e.g. waiting on the user), the work time of the second step, and whether the
  same worker carries on without queueing again;
- ``users_calendar``: the hours in which users answer; a user's reply (a delay with
  ``clock: users``) comes in them, so one at 16:30 waits for the team's next morning;
- ``routing``: next-step probabilities, from general (``at``) to specific
  (``before``: the previous step, ``visit``: the k-th time at this step, ``when``: a case
  attribute value), the most specific rule that matches wins;
- ``queue_priority``: which case attribute orders the queues, if any.

All durations are seconds. Work times are in working time of the team's calendar;
delays are in the team's working time, calendar time or the users' hours as their
``clock`` says.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from workbench.config import CalendarConfig, FrozenModel, TimeZoneName
from workbench.simulation.distributions import Duration

__all__ = [
    "END",
    "START",
    "WEEKDAYS",
    "ActivitySpec",
    "ArrivalSpec",
    "AttributeRoute",
    "CalendarSpec",
    "CaseMix",
    "CaseProfile",
    "EstimationInfo",
    "FitInfo",
    "PriorityRule",
    "QueuePriority",
    "RoutingRule",
    "SimulationModel",
    "StatusRoles",
    "TeamSpec",
    "TransitionSpec",
    "load_model",
    "model_from_yaml",
    "model_to_yaml",
    "node_name",
    "save_model",
]

#: Routing sentinels: before the first step, and after the last.
START = "START"
END = "END"
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _office_hours() -> dict[Weekday, tuple[tuple[float, float], ...]]:
    """8 to 16, Monday to Friday: the default when a log does not show its hours."""
    return {day: ((8.0, 16.0),) for day in WEEKDAYS[:5]}


def node_name(activity: str, team: str | None, variant: str | None = None) -> str:
    """The name of a step: ``"activity @ team"``, plus ``" [variant]"`` when given."""
    name = activity if team is None else f"{activity} @ {team}"
    return name if variant is None else f"{name} [{variant}]"


class CalendarSpec(FrozenModel):
    """Weekly working hours in a local time zone (``[[8, 12], [12.5, 16]]`` per weekday), with holidays."""

    timezone: TimeZoneName = "UTC"
    hours: dict[Weekday, tuple[tuple[float, float], ...]] = Field(default_factory=lambda: _office_hours())
    holidays: tuple[str, ...] = ()
    #: public holidays of this country (ISO code, e.g. DK) are closed too (``holidays`` package)
    public_holidays: str | None = None

    @field_validator("hours")
    @classmethod
    def _check_hours(cls, value: dict) -> dict:
        for day, spans in value.items():
            for start, end in spans:
                if not 0 <= start < end <= 24:
                    raise ValueError(
                        f"{day}: working span [{start}, {end}] must satisfy 0 <= start < end <= 24"
                    )
        return value


    @classmethod
    def from_config(cls, config: CalendarConfig) -> CalendarSpec:
        """The calendar of a log config (a daily window on the working weekdays, per weekday if given)."""
        span = ((float(config.start_hour), float(config.end_hour)),)
        hours: dict[str, tuple[tuple[float, float], ...]] = {WEEKDAYS[d]: span for d in sorted(set(config.workdays))}
        hours.update({d: ((float(a), float(b)),) for d, (a, b) in config.hours.items()})
        return cls(
            timezone=config.timezone,
            hours={d: hours[d] for d in WEEKDAYS if d in hours},
            holidays=tuple(str(h) for h in config.holidays),
            public_holidays=config.public_holidays,
        )

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> CalendarSpec:
        """A calendar open around the clock (delays and work in plain elapsed time)."""
        return cls(timezone=timezone, hours={day: ((0.0, 24.0),) for day in WEEKDAYS})

    @property
    def is_always_open(self) -> bool:
        return not self.holidays and not self.public_holidays and all(self.hours.get(d) == ((0.0, 24.0),) for d in WEEKDAYS)

    def weekly_intervals(self) -> list[tuple[tuple[float, float], ...]]:
        """Working spans per weekday, Monday first."""
        return [tuple(sorted(self.hours.get(d, ()))) for d in WEEKDAYS]

    def weekly_hours(self) -> float:
        """Working hours in a week without holidays."""
        return sum(end - start for spans in self.hours.values() for start, end in spans)


class TeamSpec(FrozenModel):
    """A capacity pool: ``staff`` workers who work only within ``calendar``."""

    staff: int = Field(ge=0)
    calendar: CalendarSpec
    note: str = ""
    #: staff away (leave, illness): the first day (ISO date, UTC) of a period of ``away_days`` days -> workers away
    away: dict[str, int] = Field(default_factory=dict)
    #: days each entry of ``away`` covers: 1 (learned per day) or 7 (per week, models saved before)
    away_days: int = Field(default=7, ge=1)


class ActivitySpec(FrozenModel):
    """One step of the process: an activity done by a team (or by nobody: a system or user event)."""

    activity: str
    team: str | None = None
    uses_staff: bool = False
    #: work time when no transition gives one (working seconds of the team's calendar)
    work: Duration | None = None
    #: the time after this event, until the next, is waiting on the user
    user_wait_after: bool = False
    automated: bool = False
    removed: bool = False
    count: int = 0


class TransitionSpec(FrozenModel):
    """What happens between two consecutive steps ``source`` -> ``target``."""

    source: str
    target: str
    #: only for the ``visit``-th time at ``target`` (the highest visit given for a pair of steps
    #: also stands for later visits)
    visit: int | None = Field(default=None, ge=1)
    #: delay outside the team's capacity before ``target`` starts (None: no delay)
    delay: Duration | None = None
    #: the clock of ``delay``: the team's working hours, elapsed time, or the users' hours
    #: (``users_calendar``; a user's reply to the team)
    clock: Literal["working", "calendar", "users"] = "working"
    #: the worker of ``source`` goes on with ``target`` without queueing again
    same_worker: bool = False
    #: work time of ``target`` after this transition (None: the activity's default)
    work: Duration | None = None
    count: int = 0


class RoutingRule(FrozenModel):
    """Next-step probabilities at step ``at``, optionally only after ``before``, at the
    ``visit``-th time, or for cases whose attribute has a value (``when``)."""

    at: str
    before: str | None = None
    visit: int | None = Field(default=None, ge=1)
    when: dict[str, str] = Field(default_factory=dict)
    next: dict[str, float]
    count: int = 0

    @field_validator("next")
    @classmethod
    def _normalise(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("needs at least one next step")
        if any(p < 0 for p in value.values()):
            raise ValueError(f"probabilities must not be negative, got {value}")
        total = sum(value.values())
        if total <= 0:
            raise ValueError(f"probabilities must have a positive sum, got {value}")
        if abs(total - 1.0) <= 1e-5:  # rounded probabilities: keep them as written
            return dict(value)
        return {k: v / total for k, v in value.items()}

    @field_validator("when")
    @classmethod
    def _one_condition(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 1:
            raise ValueError(f"a rule conditions on one attribute at most, got {sorted(value)}")
        return value


class QueuePriority(FrozenModel):
    """Queues are ordered by ``attribute``: a lower rank is served first."""

    attribute: str
    ranks: dict[str, float]
    default_rank: float = 0.0


class PriorityRule(FrozenModel):
    """Cases whose ``attribute`` equals ``value`` get ``rank_offset`` added to their queue rank."""

    attribute: str
    value: str
    rank_offset: float
    teams: tuple[str, ...] = ()  # empty: every team


class AttributeRoute(FrozenModel):
    """Cases whose ``attribute`` equals ``value`` have every assignment step sent to ``team``."""

    attribute: str
    value: str
    team: str


class ArrivalSpec(FrozenModel):
    """New cases per hour of the week (local time, Monday 0:00 first) times a level per month."""

    timezone: str = "UTC"
    weekly_rate: tuple[float, ...] = Field(min_length=168, max_length=168)
    monthly_level: tuple[float, ...] = Field(default=(1.0,) * 12, min_length=12, max_length=12)
    scale: float = Field(default=1.0, ge=0.0)
    #: days the desk is closed (local dates; and the public holidays of ``public_holidays``): new
    #: cases come in at ``holiday_rate`` per local hour of the day (times the month's level), not
    #: at the weekday's rate -- nobody writes to the desk on Ascension Day as on a Thursday
    holidays: tuple[str, ...] = ()
    public_holidays: str | None = None
    holiday_rate: tuple[float, ...] | None = Field(default=None, min_length=24, max_length=24)

    @property
    def cases_per_week(self) -> float:
        return float(sum(self.weekly_rate)) * self.scale


class CaseProfile(FrozenModel):
    values: dict[str, str]
    weight: float = Field(gt=0.0)


class CaseMix(FrozenModel):
    """The joint mix of case attributes new cases are drawn from."""

    attributes: tuple[str, ...] = ()
    profiles: tuple[CaseProfile, ...] = ()

    def values_of(self, attribute: str) -> list[str]:
        return sorted({p.values[attribute] for p in self.profiles if attribute in p.values})


class StatusRoles(FrozenModel):
    """The status meanings scenarios use (from the log config's ``statuses``)."""

    assigned: tuple[str, ...] = ()
    forwarded: tuple[str, ...] = ()
    sent_back: tuple[str, ...] = ()
    waiting_on_user: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    first_line_team: str | None = None


class EstimationInfo(FrozenModel):
    """How work and waiting were told apart in the log the model was learned from."""

    start_times: Literal["recorded", "partial", "estimated"]
    method: str
    notes: tuple[str, ...] = ()


class FitInfo(FrozenModel):
    log: str = ""
    cases: int = 0
    events: int = 0
    first_arrival: str = ""
    last_event: str = ""
    days: float = 0.0


class SimulationModel(FrozenModel):
    """A discovered (or hand-written) simulation model; see the module docstring."""

    name: str
    version: int = 1
    time_unit: Literal["seconds"] = "seconds"
    estimation: EstimationInfo
    fitted_on: FitInfo = FitInfo()
    arrivals: ArrivalSpec
    case_mix: CaseMix = CaseMix()
    group_attributes: tuple[str, ...] = ()
    statuses: StatusRoles = StatusRoles()
    default_calendar: CalendarSpec = CalendarSpec()
    #: the hours in which users answer (learned from when their replies come in); a delay with
    #: ``clock: users`` runs in them. ``None``: such delays run in the team's hours
    users_calendar: CalendarSpec | None = None
    teams: dict[str, TeamSpec] = Field(default_factory=dict)
    activities: dict[str, ActivitySpec]
    transitions: tuple[TransitionSpec, ...] = ()
    routing: tuple[RoutingRule, ...]
    queue_priority: QueuePriority | None = None
    priority_rules: tuple[PriorityRule, ...] = ()
    attribute_routes: tuple[AttributeRoute, ...] = ()
    #: resources not counted as staff (systems, users, dispatchers) and why
    non_staff: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> SimulationModel:
        nodes = set(self.activities)
        for name, act in self.activities.items():
            if act.team is not None and act.team not in self.teams:
                raise ValueError(f"activity '{name}' names team '{act.team}', which is not in teams")
            if act.uses_staff and act.team is None:
                raise ValueError(f"activity '{name}' uses staff but has no team")
        for rule in self.routing:
            if rule.at not in nodes and rule.at != START:
                raise ValueError(f"routing rule at '{rule.at}': no such activity")
            if rule.before is not None and rule.before not in nodes and rule.before != START:
                raise ValueError(f"routing rule before '{rule.before}': no such activity")
            for target in rule.next:
                if target not in nodes and target != END:
                    raise ValueError(f"routing rule at '{rule.at}' leads to '{target}': no such activity")
            for attr in rule.when:
                if attr not in self.case_mix.attributes:
                    raise ValueError(f"routing rule at '{rule.at}' conditions on unknown attribute '{attr}'")
        if not any(r.at == START for r in self.routing):
            raise ValueError("routing needs a rule at 'START' (where cases begin)")
        for tr in self.transitions:
            for end in (tr.source, tr.target):
                if end not in nodes and end != START:
                    raise ValueError(f"transition {tr.source!r} -> {tr.target!r}: no activity '{end}'")
        for attr in self.group_attributes:
            if attr not in self.case_mix.attributes:
                raise ValueError(f"group attribute '{attr}' is not in case_mix.attributes")
        return self

    def node_names(self) -> list[str]:
        return list(self.activities)


# the model's text form lives in ``_model_io.py``; these names stay importable from here
from workbench.simulation._model_io import (  # noqa: E402  (needs SimulationModel, defined above)
    load_model,
    model_from_yaml,
    model_to_yaml,
    save_model,
)
