"""The fixed vocabulary of the demo log: statuses, teams, departments, categories.

Every name here is public; :mod:`workbench.demo` re-exports them.
"""

from __future__ import annotations

#: Every status the generator writes, in the order a ticket usually meets them.
STATUSES: tuple[str, ...] = (
    "Registered",
    "Assigned to team",
    "In progress",
    "Waiting for user",
    "Mail to user",
    "Mail from user",
    "Forwarded",
    "Sent back",
    "Resolved with mail",
    "Reopened",
    "Closed",
)
FIRST_LINE = "IT-service og support"
PARTNER_TEAMS: tuple[str, ...] = (
    "IT-infrastruktur",
    "ESDH og Post",
    "HR og Personale",
    "Finans og Indkøb",
    "BI-teamet",
)
TEAMS: tuple[str, ...] = (FIRST_LINE, *PARTNER_TEAMS)
DEPARTMENTS: tuple[str, ...] = (
    "Borgerservice",
    "Jobcenter",
    "Skole og Dagtilbud",
    "Ældre og Sundhed",
    "Teknik og Miljø",
    "Økonomi",
    "HR",
    "Kultur og Fritid",
)
CATEGORIES: tuple[str, ...] = (
    "Adgang og login",
    "Hardware",
    "Netværk",
    "ESDH/Post",
    "Løn og Personale",
    "Økonomisystem",
    "Rapporter og BI",
    "Software",
    "Telefoni",
)
#: Priorities, most urgent first; the position is the queue rank (0 is served first).
PRIORITIES: tuple[str, ...] = ("Høj", "Normal", "Lav")
CHANNELS: tuple[str, ...] = ("Portal", "Mail", "Telefon")
