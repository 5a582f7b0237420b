"""Who is a worker: pseudo-resources, dispatchers and declared non-staff do not count as staff."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.config import LogConfig
from workbench.schema import ACTIVITY, CASE_ID, RESOURCE
from workbench.simulation import discover_model, model_to_yaml

#: the demo desk's real headcount (DemoParams defaults), which the learned model must find
TRUE_STAFF = {
    "IT-service og support": 5,
    "IT-infrastruktur": 2,
    "ESDH og Post": 1,
    "HR og Personale": 1,
    "Finans og Indkøb": 1,
    "BI-teamet": 1,
}


def _as_real_systems_log_it(events: pd.DataFrame) -> pd.DataFrame:
    """System and user events under pseudo-resources; the forwarding agent logs the assignment."""
    ev = events.copy()
    ev[RESOURCE] = ev[RESOURCE].astype(object)
    empty = ev[RESOURCE].isna()
    ev.loc[empty & ev[ACTIVITY].isin(["Mail from user", "Reopened"]), RESOURCE] = "user"
    prev_res = ev.groupby(CASE_ID)[RESOURCE].shift()
    prev_act = ev.groupby(CASE_ID)[ACTIVITY].shift()
    dispatched = (ev[ACTIVITY] == "Assigned to team") & prev_act.isin(["Forwarded", "Sent back"])
    ev.loc[dispatched, RESOURCE] = prev_res[dispatched]
    ev.loc[ev[RESOURCE].isna(), RESOURCE] = "system"
    return ev


@pytest.fixture(scope="module")
def messy_events(demo_events: pd.DataFrame) -> pd.DataFrame:
    return _as_real_systems_log_it(demo_events)


def test_pseudo_resources_and_dispatchers_are_not_staff(messy_events, demo_config: LogConfig):
    assert (messy_events[RESOURCE] == "system").any() and (messy_events[RESOURCE] == "user").any()
    model = discover_model(messy_events, config=demo_config)
    assert {t: s.staff for t, s in model.teams.items()} == TRUE_STAFF
    assert {"system", "user"} <= set(model.non_staff)
    assert any("hand-over events" in n for n in model.estimation.notes)
    text = model_to_yaml(model)
    assert "non_staff:" in text and "the worker(s) doing most of its work" in text


def test_counting_every_name_would_overstate_headcount(messy_events, demo_config: LogConfig):
    """The rule matters: without it the partner teams look many times bigger (the log is really messy)."""
    per_team = messy_events.groupby("team")[RESOURCE].nunique()
    assert (per_team.drop("IT-service og support") >= 3).all()


def test_config_declares_non_staff_and_headcount(demo_events, demo_config: LogConfig):
    ev = demo_events.copy()
    ev[RESOURCE] = ev[RESOURCE].astype(object)
    ev.loc[ev[RESOURCE].isna(), RESOURCE] = "robot"
    config = demo_config.model_copy(update={"non_staff": ("robot",), "staff": {"IT-infrastruktur": 3}})
    model = discover_model(ev, config=config)
    assert model.non_staff["robot"].startswith("declared")
    assert model.teams["IT-infrastruktur"].staff == 3
    assert "set to 3 by the user" in model.teams["IT-infrastruktur"].note
    assert model.teams["IT-service og support"].staff == 5


def test_declared_names_match_pseudonyms_with_the_key(demo_events, demo_config: LogConfig):
    from workbench.privacy import pseudonymise_series

    key = b"k" * 32
    ev = demo_events.copy()
    ev[RESOURCE] = ev[RESOURCE].astype(object)
    ev.loc[ev[RESOURCE].isna(), RESOURCE] = "robot"
    ev[RESOURCE] = pseudonymise_series(ev[RESOURCE], key, "staff")
    config = demo_config.model_copy(update={"non_staff": ("robot",)})
    model = discover_model(ev, config=config, key=key)
    assert any(v.startswith("declared") for v in model.non_staff.values())


def test_staff_below_one_in_config_is_refused(demo_config: LogConfig):
    from pydantic import ValidationError

    data = demo_config.model_dump()
    data["staff"] = {"IT-infrastruktur": 0}
    with pytest.raises(ValidationError, match="staff of team 'IT-infrastruktur' must be at least 1"):
        LogConfig.model_validate(data)
