"""The demo desk's parameters (:class:`DemoParams`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.demo._calibration import (
    CATEGORY_TABLE,
    DEPARTMENT_CATEGORY_BOOST,
    DEPARTMENT_TABLE,
    FORWARD_SHARE,
    REOPEN_CATEGORY_RISK,
    TEAM_TABLE,
    column,
)
from workbench.demo._frozen import frozen, frozen_default
from workbench.demo._validate import validate_params

# The vocabulary, importable from here as before (the demo's modules take it with DemoParams).
from workbench.demo._vocabulary import CATEGORIES as CATEGORIES
from workbench.demo._vocabulary import CHANNELS as CHANNELS
from workbench.demo._vocabulary import DEPARTMENTS as DEPARTMENTS
from workbench.demo._vocabulary import FIRST_LINE as FIRST_LINE
from workbench.demo._vocabulary import PARTNER_TEAMS as PARTNER_TEAMS
from workbench.demo._vocabulary import PRIORITIES as PRIORITIES
from workbench.demo._vocabulary import STATUSES as STATUSES
from workbench.demo._vocabulary import TEAMS as TEAMS
from workbench.errors import ConfigError

__all__ = ["DemoParams"]

@dataclass(frozen=True)
class DemoParams:
    """Parameters of the simulated municipal IT-support desk.

    Every parameter has a default calibrated on the Syddjurs desk (about 11,500
    tickets in 2023, 342 real reopens among 13,015 resolutions). Change one with
    :func:`dataclasses.replace` to get *the same world with one change*: arrivals and
    every per-ticket draw stay the same, so the difference between two logs is the
    effect of the change, e.g. ``replace(p, staff={**p.staff, "IT-infrastruktur": 4})``
    or ``replace(p, misrouting_rate=p.misrouting_rate / 2)``.

    Mappings are stored read-only; pass plain dicts.

    Parameters
    ----------
    start : datetime.date
        First day of the log (local date in ``timezone``). Fixed, never "today".
    days : int
        Length of the observed period in days; events after it are cut off, so
        tickets still open then appear open in the log.
    runout_days : int
        Days simulated after the horizon (with arrivals continuing) so the truth
        table can report each open ticket's real future (``final_*`` columns).
    timezone : str
        IANA time zone of the desk's working calendar and of the arrival pattern.
    yearly_volume : float
        Expected number of tickets in the 365 days from ``start``.
    volume_ceiling : float
        Arrivals are drawn by thinning: candidates arrive at ``volume_ceiling`` a
        year (same weekly and seasonal shape) and each is a ticket with probability
        ``yearly_volume / volume_ceiling``. Raising ``yearly_volume`` (up to the
        ceiling) keeps every ticket with its attributes and luck and adds new ones,
        so a volume what-if is the same world with one change too. Changing the
        ceiling changes the random stream.
    weekday_factors : tuple of 7 float
        Relative arrival intensity Monday ... Sunday (Monday is the peak).
    hour_profile : tuple of 24 float
        Relative arrival intensity by local hour on a working day; weekends and
        holidays use the same profile scaled by their weekday factor and
        ``holiday_factor``. Users mail outside working hours too.
    month_factors : tuple of 12 float
        Relative arrival intensity January ... December.
    summer_weeks : tuple of int
        ISO weeks of the summer holiday (Danish "industriferie", mainly July).
    summer_factor : float
        Arrival multiplier in ``summer_weeks``.
    christmas_factor : float
        Arrival multiplier from 22 December to 1 January.
    holiday_factor : float
        Arrival multiplier on public holidays (on top of the weekday factor).
    work_start_hour, work_end_hour : float
        Staff working hours (local time). Staff events happen only inside them.
    workdays : tuple of int
        Working weekdays, Monday = 0.
    holidays : tuple of str or None
        Closed dates (ISO ``YYYY-MM-DD``); ``None`` uses the Danish public holidays
        (including Store Bededag until 2023, Christmas Eve and New Year's Eve).
    departments : mapping of str to float
        Share of tickets from each requesting department (normalised).
    department_users : mapping of str to int
        Number of employees (requesting users) in each department.
    categories : mapping of str to float
        Base share of each ticket category (normalised per department after
        ``department_category_boost``).
    department_category_boost : mapping of str to mapping of str to float
        Multipliers of the category shares for a department (e.g. HR raises more
        payroll tickets).
    priorities : mapping of str to float
        Share of "Høj", "Normal" and "Lav" tickets. Priority decides queue order.
    channels : mapping of str to float
        Share of "Portal", "Mail" and "Telefon" for tickets raised in working hours;
        outside working hours the phone is closed and its share goes to the others.
    staff : mapping of str to int
        Number of agents in each team (a capacity-limited pool with a priority
        queue). Every team must be present.
    forward_share : mapping of str to mapping of str to float
        Per category, the share of tickets that need each partner team (the
        "right team"); the rest are solved by first line.
    misrouting_rate : float
        Share of tickets needing a partner team that first line first forwards to a
        wrong partner team, which sends them back ("Sent back") to first line,
        which forwards them again.
    misrouting_by_category : mapping of str to float
        Per-category misrouting rates that replace ``misrouting_rate`` (e.g.
        ``{"Netværk": 0.0}``: network tickets always go straight to the right team).
    first_line_misforward_rate : float
        Share of tickets first line could solve itself that it forwards to a
        partner team anyway (sent back, then solved by first line).
    effort_hours : mapping of str to float
        Mean working hours of the main work on a ticket by each team.
    effort_cv : float
        Coefficient of variation of every work duration (lognormal).
    triage_hours : float
        Mean working hours first line spends before forwarding a ticket.
    sent_back_hours : float
        Mean working hours a wrong partner team spends before sending a ticket back.
    followup_hours : float
        Mean working hours of work after each user reply.
    close_hours : float
        Mean working hours to close a harmless reopen.
    rework_factor : float
        Work after a real reopen, as a multiple of the original work.
    min_effort_minutes : float
        Floor of every work duration.
    waiting_prob : float
        Probability that a ticket needs at least one round of waiting on the user
        ("Mail to user", "Waiting for user" ... "Mail from user").
    extra_round_prob : float
        Probability of each further waiting round (geometric number of rounds).
    chatty_prob : float
        Probability that a ticket has a lot of back-and-forth with the user.
    chatty_rounds : tuple of (int, int)
        Range of extra rounds of a chatty ticket.
    info_mail_prob : float
        Probability of an extra "Mail to user" while working (no waiting).
    user_reply_median_hours : float
        Median time until the user answers (lognormal), in the users' own working
        hours (``user_hours`` on working days): a user answers the next morning
        rather than at night.
    user_reply_sigma : float
        Log-scale spread of the user's reply time.
    user_hours : tuple of (float, float)
        Local hours in which employees usually answer and reopen (wider than the
        desk's hours).
    user_after_hours_prob : float
        Probability that a reply is written outside ``user_hours`` (then the reply
        time counts in calendar hours, evenings and weekends included).
    real_reopen_rate : float
        Probability that a resolution is reopened because the problem was not
        solved (the ticket is worked on and resolved with a new mail again).
    harmless_reopen_rate : float
        Probability that a resolution is reopened by a "thanks for the help" reply
        and closed again by an agent without a new mail.
    reopen_category_risk : mapping of str to float
        Relative risk of a real reopen by category (1.0 where not given): some kinds
        of problems come back more often than others. Together with
        ``reopen_quick_fix_risk`` and ``reopen_unconfirmed_risk`` these relative risks
        are normalised so the average resolution is reopened with
        ``real_reopen_rate``.
    reopen_quick_fix_risk : float
        Relative risk of a real reopen for tickets whose work was in the fastest
        third (a hurried fix), against 1.0 for the others.
    reopen_unconfirmed_risk : float
        Relative risk of a real reopen for tickets resolved without asking the user
        anything (no "Waiting for user" round), against 1.0 for the others.
    reopen_misrouted_risk : float
        Relative risk of a real reopen for misrouted tickets (outside the
        normalisation, so fewer misroutings also mean fewer reopens).
    reopen_mail_prob : float
        Probability that a real reopen comes with a "Mail from user" event.
    auto_close_working_days : float
        Working days after the (last) resolution when the system closes a ticket.
    max_reopens : int
        Maximum number of real reopens of one ticket.
    disadvantaged_department : str or None
        Plant a disadvantage for the tickets of this requesting department: their
        queue rank is lowered by ``disadvantage_strength`` priority levels (the
        recorded priority is unchanged) and their misrouting rate is multiplied by
        ``1 + disadvantage_strength``. ``None`` (default): no disadvantage.
    disadvantage_strength : float
        Strength of the planted disadvantage (0 means none).
    friday_end_hour : float or None
        Closing hour on Fridays (``15.5``: 15:30); ``None``: ``work_end_hour``.
    leave_weeks : float
        Weeks of leave per agent per year (whole working weeks at random, from its
        own random stream): a team has fewer agents while one is away; an agent
        finishes the ticket in hand before leaving. 0 (default): nobody is away.
    pseudo_resources : bool
        Record system events under the resource ``system`` and the user's events
        ("Mail from user", "Reopened") under ``user``, in the team holding the ticket,
        as ticket systems do (default: no resource).
    dispatcher : bool
        The first-line agent who forwards a ticket also records its assignment,
        ``"Tildelt <team>"``, under the destination team (default: the system records
        "Assigned to team").
    start_event_share : float
        Share of the agents' work events (forward, send-back, resolution)
        that also have a start event: a ``lifecycle`` column (``start``/``complete``)
        is added when above 0, and the start is when the agent took the ticket up.
    """

    start: dt.date = dt.date(2023, 1, 2)
    days: int = 365
    runout_days: int = 60
    timezone: str = "Europe/Copenhagen"
    yearly_volume: float = 11_500.0
    volume_ceiling: float = 23_000.0
    weekday_factors: tuple[float, ...] = (1.3, 1.1, 1.0, 0.95, 0.75, 0.06, 0.05)
    hour_profile: tuple[float, ...] = (
        0.02, 0.01, 0.01, 0.01, 0.02, 0.05, 0.15, 0.5,  # 00-07
        1.2, 1.4, 1.3, 1.1, 0.8, 1.05, 0.95, 0.7,  # 08-15
        0.35, 0.2, 0.15, 0.15, 0.15, 0.12, 0.08, 0.04,  # 16-23
    )  # fmt: skip
    month_factors: tuple[float, ...] = (1.08, 1.02, 1.02, 0.97, 0.98, 0.98, 0.85, 1.1, 1.08, 1.0, 1.0, 0.92)
    summer_weeks: tuple[int, ...] = (28, 29, 30)
    summer_factor: float = 0.5
    christmas_factor: float = 0.35
    holiday_factor: float = 0.1
    work_start_hour: float = 8.0
    work_end_hour: float = 16.0
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    holidays: tuple[str, ...] | None = None
    departments: Mapping[str, float] = frozen_default(column(DEPARTMENT_TABLE, "share"))
    department_users: Mapping[str, int] = frozen_default(column(DEPARTMENT_TABLE, "users"))
    categories: Mapping[str, float] = frozen_default(column(CATEGORY_TABLE, "share"))
    department_category_boost: Mapping[str, Mapping[str, float]] = frozen_default(DEPARTMENT_CATEGORY_BOOST)
    priorities: Mapping[str, float] = frozen_default({"Høj": 0.08, "Normal": 0.80, "Lav": 0.12})
    channels: Mapping[str, float] = frozen_default({"Portal": 0.55, "Mail": 0.30, "Telefon": 0.15})
    staff: Mapping[str, int] = frozen_default(column(TEAM_TABLE, "staff"))
    forward_share: Mapping[str, Mapping[str, float]] = frozen_default(FORWARD_SHARE)
    misrouting_rate: float = 0.15
    misrouting_by_category: Mapping[str, float] = frozen_default({})
    first_line_misforward_rate: float = 0.01
    effort_hours: Mapping[str, float] = frozen_default(column(TEAM_TABLE, "effort_hours"))
    effort_cv: float = 1.0
    triage_hours: float = 0.2
    sent_back_hours: float = 0.4
    followup_hours: float = 0.25
    close_hours: float = 0.05
    rework_factor: float = 0.6
    min_effort_minutes: float = 2.0
    waiting_prob: float = 0.28
    extra_round_prob: float = 0.3
    chatty_prob: float = 0.03
    chatty_rounds: tuple[int, int] = (4, 14)
    info_mail_prob: float = 0.12
    user_reply_median_hours: float = 4.0
    user_reply_sigma: float = 1.3
    user_hours: tuple[float, float] = (7.0, 17.0)
    user_after_hours_prob: float = 0.12
    real_reopen_rate: float = 0.026
    harmless_reopen_rate: float = 0.06
    reopen_category_risk: Mapping[str, float] = frozen_default(REOPEN_CATEGORY_RISK)
    reopen_quick_fix_risk: float = 2.5
    reopen_unconfirmed_risk: float = 1.6
    reopen_misrouted_risk: float = 1.5
    reopen_mail_prob: float = 0.85
    auto_close_working_days: float = 5.0
    max_reopens: int = 3
    disadvantaged_department: str | None = None
    disadvantage_strength: float = 1.0
    friday_end_hour: float | None = None
    leave_weeks: float = 0.0
    pseudo_resources: bool = False
    dispatcher: bool = False
    start_event_share: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "departments",
            "department_users",
            "categories",
            "department_category_boost",
            "priorities",
            "channels",
            "staff",
            "forward_share",
            "misrouting_by_category",
            "effort_hours",
            "reopen_category_risk",
        ):
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                raise ConfigError(f"DemoParams.{name}: must be a mapping, got {type(value).__name__}")
            object.__setattr__(self, name, frozen(value))
        for name in ("weekday_factors", "hour_profile", "month_factors", "summer_weeks", "workdays", "chatty_rounds",
                 "user_hours"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.holidays is not None:
            object.__setattr__(self, "holidays", tuple(str(d) for d in self.holidays))
        validate_params(self)

    # dataclasses.replace works as usual; this helper reads better in scenarios.
    def with_changes(self, **changes: Any) -> DemoParams:
        """Return the same world with ``changes`` applied (see :func:`dataclasses.replace`)."""
        return dataclasses.replace(self, **changes)
