"""The desk's questions run on BPI Challenge 2013 incidents from its log config alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.analysis import answer_questions, check_rules, load_rules, variants
from workbench.calendar import WorkingCalendar
from workbench.config import load_log_config
from workbench.io import load_log


@pytest.mark.slow
def test_questions_run_on_bpic2013_incidents(shared_data: Path, repo_root: Path) -> None:
    config = load_log_config(repo_root / "configs" / "logs" / "bpic2013_incidents.yaml")
    events = load_log(config).events
    calendar = WorkingCalendar.from_config(config.calendar)
    answers = answer_questions(events, statuses=config.statuses, calendar=calendar,
                               min_group_size=config.privacy.min_group_size)
    # no mail statuses in this log: the question says so, naming the missing mapping
    assert set(answers.unanswered) == {"communication"}
    assert "statuses.message_to_user" in answers.unanswered["communication"]

    reopens = answers["reopens"]
    assert reopens.value("resolutions") >= reopens.value("resolved_tickets") > 7000
    assert 0.01 < reopens.value("real_reopen_rate_per_resolution") < 0.2
    assert len(reopens.case_ids("real_reopen")) == reopens.value("real_reopen_tickets")

    routing = answers["routing"]
    assert 0.4 < routing.value("first_time_right_share") < 0.95
    assert routing.value("misrouted") == len(routing.case_ids("misrouted"))

    split = answers["time_split"]
    assert 0.02 < split.value("waiting_on_user_share") < 0.6
    table = split.table
    assert (table["elapsed_hours"] >= 0).all()
    assert (table["waiting_on_user_working_hours"] <= table["waiting_on_user_hours"] + 1e-9).all()

    speed = answers["team_speed"].table
    assert speed["suppressed"].any() and (~speed["suppressed"]).sum() > 20  # many support groups; tiny ones hidden
    assert (speed.loc[~speed["suppressed"], "median_hours"] >= 0).all()

    assert variants(events)["count"].sum() == events["case_id"].nunique()
    rules = check_rules(events, load_rules(repo_root / "configs" / "rules" / "bpic2013_incidents.yaml"),
                        statuses=config.statuses, calendar=calendar)
    assert (rules.summary["cases_checked"] > 5000).all() and (rules.summary["violations"] > 0).all()
