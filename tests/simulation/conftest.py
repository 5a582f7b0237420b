"""Small models and logs for the simulation tests (kept small: the whole suite must stay fast)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.config import LogConfig
from workbench.simulation.distributions import Exponential, Fixed, Gamma
from workbench.simulation.model import (
    END,
    START,
    ActivitySpec,
    ArrivalSpec,
    CalendarSpec,
    CaseMix,
    CaseProfile,
    EstimationInfo,
    FitInfo,
    RoutingRule,
    SimulationModel,
    TeamSpec,
    TransitionSpec,
)

TZ = "Europe/Copenhagen"


def weekday_rate(per_hour: float) -> tuple[float, ...]:
    """``per_hour`` arrivals in working hours (Mon-Fri 8-16), a trickle otherwise."""
    return tuple(per_hour if (h % 24) in range(8, 16) and h < 120 else per_hour / 20 for h in range(168))


@pytest.fixture
def toy_model() -> SimulationModel:
    """Two teams, three steps, a loop and an attribute-dependent route; all work within 8-16 Mon-Fri."""
    cal = CalendarSpec(timezone=TZ)
    return SimulationModel(
        name="toy",
        estimation=EstimationInfo(start_times="recorded", method="written by hand"),
        fitted_on=FitInfo(first_arrival="2024-01-01 00:00:00+00:00", days=56),
        arrivals=ArrivalSpec(timezone=TZ, weekly_rate=weekday_rate(3.0)),
        case_mix=CaseMix(
            attributes=("dept",),
            profiles=(
                CaseProfile(values={"dept": "A"}, weight=0.7),
                CaseProfile(values={"dept": "B"}, weight=0.3),
            ),
        ),
        group_attributes=("dept",),
        default_calendar=cal,
        teams={"front": TeamSpec(staff=2, calendar=cal), "back": TeamSpec(staff=1, calendar=cal)},
        activities={
            "Triage": ActivitySpec(
                activity="Triage", team="front", uses_staff=True, work=Exponential(scale=900)
            ),
            "Fix": ActivitySpec(activity="Fix", team="back", uses_staff=True, work=Gamma(a=2.0, scale=600)),
            "Reply": ActivitySpec(activity="Reply", team="front", uses_staff=True, work=Fixed(value=300)),
        },
        transitions=(
            TransitionSpec(source="Triage", target="Fix", delay=Exponential(scale=1800), clock="calendar"),
        ),
        routing=(
            RoutingRule(at=START, next={"Triage": 1.0}),
            RoutingRule(at="Triage", next={"Fix": 0.5, "Reply": 0.5}),
            RoutingRule(at="Triage", when={"dept": "B"}, next={"Fix": 1.0}),
            RoutingRule(at="Fix", next={"Reply": 0.8, "Fix": 0.2}),
            RoutingRule(at="Reply", next={END: 1.0}),
        ),
    )


@pytest.fixture(scope="session")
def demo_model(demo_events: pd.DataFrame, demo_config: LogConfig) -> SimulationModel:
    from workbench.simulation import discover_model

    return discover_model(demo_events, config=demo_config)
