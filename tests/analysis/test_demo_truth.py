"""On the demo log every question's answer matches the generator's known truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import communication, reopen_events, reopens, routing, team_speed, time_split
from workbench.calendar import WorkingCalendar
from workbench.config import load_log_config
from workbench.demo import DemoParams, generate_demo_log
from workbench.io import prepare_log

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo():
    config = load_log_config(REPO / "configs" / "logs" / "demo.yaml")
    generated = generate_demo_log(DemoParams(days=60), seed=11)
    loaded = prepare_log(generated.events, config, secret="module-scoped-test-secret-0123456789")
    return generated, loaded.events, config


def test_reopens_match_truth(demo) -> None:
    generated, events, config = demo
    truth = generated.truth.set_index("ticket_id")
    per_res = reopen_events(events, statuses=config.statuses)
    real = per_res.groupby("case_id")["real"].sum().reindex(truth.index, fill_value=0)
    harmless = per_res.groupby("case_id")["harmless"].sum().reindex(truth.index, fill_value=0)
    assert truth["n_real_reopens"].sum() > 10 and truth["n_harmless_reopens"].sum() > 10
    pd.testing.assert_series_equal(real.astype("int64"), truth["n_real_reopens"], check_names=False)
    pd.testing.assert_series_equal(harmless.astype("int64"), truth["n_harmless_reopens"], check_names=False)
    res = reopens(events, statuses=config.statuses)
    assert res.value("real_reopens") == truth["n_real_reopens"].sum()
    assert res.value("resolutions") == truth["n_resolutions"].sum()
    assert res.case_ids("real_reopen") == sorted(truth.index[truth["n_real_reopens"] > 0])
    assert res.case_ids("harmless_reopen") == sorted(truth.index[truth["n_harmless_reopens"] > 0])


def test_routing_matches_truth(demo) -> None:
    generated, events, config = demo
    truth = generated.truth.set_index("ticket_id")
    res = routing(events, statuses=config.statuses)
    tickets = res.extra["tickets"].set_index("case_id")
    resolved = tickets.index[tickets["resolved"]]
    assert truth.loc[resolved, "misrouted"].sum() > 10
    assert res.case_ids("misrouted") == sorted(resolved[truth.loc[resolved, "misrouted"].to_numpy()])
    pd.testing.assert_series_equal(
        tickets.loc[resolved, "resolving_team"], truth.loc[resolved, "resolving_team"], check_names=False
    )
    assert res.value("first_time_right_share") == pytest.approx(1 - truth.loc[resolved, "misrouted"].mean())


def test_team_speed_sent_back_matches_truth(demo) -> None:
    generated, events, config = demo
    truth = generated.truth
    res = team_speed(events, statuses=config.statuses, min_group_size=1)
    assert res.table["sent_back_tickets"].sum() == (truth["n_sent_back"] > 0).sum()
    sent = set(res.cases.loc[res.cases["figure"] == "sent_back", "case_id"])
    assert sent == set(truth.loc[truth["n_sent_back"] > 0, "ticket_id"])
    forwarded_to = res.table.set_index("team")["tickets_received"]
    partners = forwarded_to.drop(config.statuses.first_line_team)
    assert partners.sum() == truth["n_forwards"].sum()  # every forward is one arrival at a partner


def test_messages_match_truth(demo) -> None:
    generated, events, config = demo
    truth = generated.truth.set_index("ticket_id")
    res = communication(events, statuses=config.statuses, min_messages=8)
    tickets = res.extra["tickets"].set_index("case_id")
    pd.testing.assert_series_equal(tickets["messages"], truth.loc[tickets.index, "n_messages"], check_names=False)
    assert res.case_ids("heavy") == sorted(truth.index[truth["n_messages"] >= 8])


def test_time_with_the_user_matches_truth(demo) -> None:
    generated, events, config = demo
    truth = generated.truth.set_index("ticket_id")
    calendar = WorkingCalendar.from_config(config.calendar)
    res = time_split(events, statuses=config.statuses, calendar=calendar, as_of=generated.horizon)
    table = res.table.set_index("case_id")
    # tickets reopened and not resolved again by the horizon: the truth stops at the last resolution,
    # while the workbench (rightly) counts them as open; leave those few out of the comparison
    per_res = reopen_events(events, statuses=config.statuses).groupby("case_id").tail(1).set_index("case_id")
    pending = per_res.index[per_res["reopened"] & ~per_res["real"] & ~per_res["harmless"]]
    keep = table.index.difference(pending)
    assert len(pending) < 0.02 * len(table)
    pairs = {
        "waiting_on_user_hours": "hours_waiting_on_user",
        "first_line_hours": "hours_with_first_line",
        "partner_teams_hours": "hours_with_partners",
        "after_resolution_hours": "hours_resolved_before_reopen",
        "waiting_on_user_working_hours": "work_hours_waiting_on_user",
        "first_line_working_hours": "work_hours_with_first_line",
        "partner_teams_working_hours": "work_hours_with_partners",
    }
    for mine, theirs in pairs.items():
        np.testing.assert_allclose(table.loc[keep, mine], truth.loc[keep, theirs], atol=1e-6, err_msg=mine)
    assert truth["hours_waiting_on_user"].sum() > 100
