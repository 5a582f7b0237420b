"""The demo desk's calibrated world: who asks, about what, and who answers.

Calibrated on the Syddjurs desk (about 11,500 tickets in 2023). Each table lists a
name once with every figure that belongs to it, so a department, category or team
cannot get a share in one place and be forgotten in another;
:class:`~workbench.demo.DemoParams` takes its defaults from the columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = [
    "CATEGORY_TABLE",
    "DEPARTMENT_CATEGORY_BOOST",
    "DEPARTMENT_TABLE",
    "FORWARD_SHARE",
    "REOPEN_CATEGORY_RISK",
    "TEAM_TABLE",
    "column",
]


class Department(NamedTuple):
    share: float  # of the tickets
    users: int  # people who can raise a ticket


class Category(NamedTuple):
    share: float  # of the tickets
    forward_to: str  # the partner team that takes some of them
    forward_share: float  # share of the category's tickets forwarded there


class Team(NamedTuple):
    staff: int  # agents
    effort_hours: float  # mean hands-on hours per ticket


DEPARTMENT_TABLE: dict[str, Department] = {
    "Borgerservice": Department(0.09, 90),
    "Jobcenter": Department(0.15, 220),
    "Skole og Dagtilbud": Department(0.24, 1400),
    "Ældre og Sundhed": Department(0.22, 1100),
    "Teknik og Miljø": Department(0.10, 180),
    "Økonomi": Department(0.06, 60),
    "HR": Department(0.05, 45),
    "Kultur og Fritid": Department(0.09, 160),
}

CATEGORY_TABLE: dict[str, Category] = {
    "Adgang og login": Category(0.22, "IT-infrastruktur", 0.04),
    "Hardware": Category(0.17, "IT-infrastruktur", 0.10),
    "Netværk": Category(0.08, "IT-infrastruktur", 0.55),
    "ESDH/Post": Category(0.10, "ESDH og Post", 0.50),
    "Løn og Personale": Category(0.06, "HR og Personale", 0.60),
    "Økonomisystem": Category(0.05, "Finans og Indkøb", 0.55),
    "Rapporter og BI": Category(0.03, "BI-teamet", 0.70),
    "Software": Category(0.20, "IT-infrastruktur", 0.05),
    "Telefoni": Category(0.09, "IT-infrastruktur", 0.25),
}

TEAM_TABLE: dict[str, Team] = {
    "IT-service og support": Team(5, 0.6),
    "IT-infrastruktur": Team(2, 2.8),
    "ESDH og Post": Team(1, 1.5),
    "HR og Personale": Team(1, 1.5),
    "Finans og Indkøb": Team(1, 1.5),
    "BI-teamet": Team(1, 3.0),
}

#: How much more often a department raises a category than its share says.
DEPARTMENT_CATEGORY_BOOST: dict[str, dict[str, float]] = {
    "HR": {"Løn og Personale": 5.0},
    "Økonomi": {"Økonomisystem": 5.0, "Rapporter og BI": 3.0},
    "Borgerservice": {"ESDH/Post": 2.0},
    "Jobcenter": {"ESDH/Post": 1.8},
    "Teknik og Miljø": {"ESDH/Post": 1.5, "Rapporter og BI": 1.5},
    "Ældre og Sundhed": {"Telefoni": 1.6, "Hardware": 1.3},
    "Skole og Dagtilbud": {"Adgang og login": 1.4, "Hardware": 1.2},
}

#: Share of each category's tickets forwarded to a partner team.
FORWARD_SHARE: dict[str, dict[str, float]] = {
    category: {row.forward_to: row.forward_share} for category, row in CATEGORY_TABLE.items()
}

#: Relative risk of a real reopen per category (others: 1).
REOPEN_CATEGORY_RISK: dict[str, float] = {
    "Software": 1.8, "Netværk": 1.5, "Hardware": 1.3, "Adgang og login": 0.5, "Telefoni": 0.8,
}


def column(table: Mapping[str, tuple[object, ...]], name: str) -> dict[str, Any]:
    """One column of a table, by the names of its rows: ``column(TEAM_TABLE, "staff")``."""
    return {key: getattr(row, name) for key, row in table.items()}
