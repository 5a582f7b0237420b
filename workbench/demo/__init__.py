"""The built-in demo data: a simulated municipal IT-support desk and its ticket log.

Modelled on the desk of Syddjurs Kommune (about 11,500 tickets in 2023 in the Nilex
ticket system; 342 real reopens among 13,015 resolutions), the generator is a real
queueing process, so "the same year with one more person in IT-infrastruktur" is a
question it can answer exactly.

The model
---------
*Arrivals.* A non-homogeneous Poisson process by local hour (Europe/Copenhagen):
an hour-of-day profile (morning peak, users also mail in the evening and at
weekends), weekday factors (Monday peak), month factors, a summer-holiday dip
(ISO weeks 28-30), a Christmas dip and Danish public holidays; scaled to
``yearly_volume`` tickets per 365 days, drawn by thinning a process of
``volume_ceiling`` candidates so that more volume adds tickets to the same world. Phone tickets arrive only in working hours
and are registered by a first-line agent; portal and mail tickets by the system.

*Tickets.* Each ticket has a requesting employee (``user_id``) of one of eight
departments, a category (its mix depends on the department), a priority (Høj,
Normal, Lav: the queue order) and a channel. The category decides the *right
team*: first line ("IT-service og support") or a partner team.

*Teams.* Every team is a pool of agents (``staff``) with one priority queue
(SimPy ``PriorityResource``); agents work only in working hours (Mon-Fri 8-16
local time, no public holidays), so every staff event lies inside them; user and
system events may lie outside.

*Flow.* "Registered" -> "Assigned to team" (first line) -> first line picks it up
("In progress"). Tickets for a partner are triaged and "Forwarded", then "Assigned
to team" at the partner. With probability ``misrouting_rate`` first line forwards
to a wrong partner, which looks at it and "Sent back" to first line, which forwards
it again. The resolving team works the ticket; with ``waiting_prob`` it needs
rounds of "Mail to user", "Waiting for user" ... "Mail from user" (the time between
is with the user; a few tickets have long back-and-forth). It ends with "Resolved
with mail". Then, per resolution: a *real reopen* (``real_reopen_rate``, "Reopened",
usually with "Mail from user", work, "Resolved with mail" again), a *harmless
reopen* (``harmless_reopen_rate``: a "thanks for the help" reply, "Reopened", and an
agent "Closed" without a new mail), or the system "Closed" after
``auto_close_working_days`` working days. A real reopen is likelier for some
categories (``reopen_category_risk``), after a hurried fix, when the user was never
asked to confirm, and for misrouted tickets, so reopen risk can be predicted (weakly,
as in real desks) from what is known when a ticket is resolved.

*Observation.* Events after the horizon (``start + days``) are cut off, so tickets
still open then are open in the log; the simulation runs on (with arrivals) so the
truth table also knows each open ticket's future.

*Common random numbers.* Arrivals, attributes, routing, work, user behaviour and
reopens each have their own random stream spawned from one ``SeedSequence``; every
per-ticket quantity is drawn up front. Change one parameter with
:func:`dataclasses.replace` and the tickets, their arrival times, attributes and
luck stay the same: the difference between the two logs is the true effect of the
change (e.g. ``staff`` of one team + 1, ``misrouting_rate`` halved,
``misrouting_by_category={"Netværk": 0.0}``, ``yearly_volume`` up 20%). Match
tickets between worlds by ``ticket_id`` (by ``arrival`` when the volume changes).

*Planted disadvantage.* ``disadvantaged_department`` (off by default) lowers the
queue rank of that department's tickets by ``disadvantage_strength`` priority
levels (its recorded priority is unchanged) and multiplies its misrouting rate by
``1 + disadvantage_strength``: its tickets wait longer and bounce more, for the
fairness audit to find.

*Unkind observation* (off in the default desk; see :mod:`workbench.demo._observe`):
staff on leave (``leave_weeks``), short Fridays (``friday_end_hour``), pseudo-resources
``system`` and ``user`` (``pseudo_resources``), a dispatcher logging "Tildelt <team>"
under the destination team (``dispatcher``), start events for only part of the work
(``start_event_share``) and, in the export (:func:`export_events`), mixed
``+01:00``/``+02:00`` offsets. :func:`hardened_world` draws whole other desks (team
structures, sizes, loads) with all of them on, for judging the simulator on worlds it
was not designed around.

*Simplifications.* Agents of a team are interchangeable (the agent who had a ticket
takes it again when free), users always answer eventually, and there is no "blocked
by a supplier" status.

Examples
--------
>>> from dataclasses import replace
>>> from workbench.demo import DemoParams, generate_demo_log
>>> log = generate_demo_log(DemoParams(days=30), seed=1)
>>> list(log.events.columns)[:4]
['ticket_id', 'status', 'timestamp', 'agent']
>>> p = DemoParams(days=30)
>>> more = generate_demo_log(replace(p, staff={**p.staff, "IT-infrastruktur": 3}), seed=1)
>>> bool((more.truth["arrival"] == log.truth["arrival"]).all())
True
"""

from __future__ import annotations

from workbench.demo._calendar import WorkCalendar, danish_holidays
from workbench.demo._log import EVENT_COLUMNS, DemoLog, generate_demo_log
from workbench.demo._observe import export_events
from workbench.demo._params import DemoParams
from workbench.demo._vocabulary import (
    CATEGORIES,
    CHANNELS,
    DEPARTMENTS,
    FIRST_LINE,
    PARTNER_TEAMS,
    PRIORITIES,
    STATUSES,
    TEAMS,
)
from workbench.demo._worlds import hardened_world

__all__ = [
    "DemoParams",
    "DemoLog",
    "generate_demo_log",
    "EVENT_COLUMNS",
    "STATUSES",
    "FIRST_LINE",
    "PARTNER_TEAMS",
    "TEAMS",
    "DEPARTMENTS",
    "CATEGORIES",
    "PRIORITIES",
    "CHANNELS",
    "danish_holidays",
    "WorkCalendar",
    "export_events",
    "hardened_world",
]
