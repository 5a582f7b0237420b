"""Tests of rule and deadline checks (workbench/analysis/rules.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis.rules import (
    FirstResponseWithin,
    MaxHandovers,
    NeverAfter,
    ResolvedWithin,
    check_rules,
    load_rules,
)
from workbench.calendar import WorkingCalendar
from workbench.config import StatusMeanings
from workbench.errors import ConfigError

AS_OF = pd.Timestamp("2023-01-13 16:00", tz="UTC")  # a Friday


@pytest.fixture
def log(make_log) -> pd.DataFrame:
    return make_log(
        [
            # R1: response after 5 working hours, resolved after 50 working hours (6.25 days)
            ("R1", "Registered", "2023-01-02 08:00", "FL"),
            ("R1", "In progress", "2023-01-02 13:00", "FL"),
            ("R1", "Resolved", "2023-01-10 10:00", "FL"),
            # R2: fast, but forwarded after its resolution and handed over three times
            ("R2", "Registered", "2023-01-02 09:00", "FL"),
            ("R2", "In progress", "2023-01-02 10:00", "FL"),
            ("R2", "Forwarded", "2023-01-02 11:00", "FL"),
            ("R2", "Assigned", "2023-01-02 11:30", "P1"),
            ("R2", "Resolved", "2023-01-02 12:00", "P1"),
            ("R2", "Forwarded", "2023-01-02 13:00", "P1"),
            ("R2", "Assigned", "2023-01-02 13:30", "P2"),
            ("R2", "Sent back", "2023-01-02 14:00", "P2"),
            ("R2", "Assigned", "2023-01-02 14:30", "FL"),
            # R3: registered, nothing since (64 working hours to AS_OF)
            ("R3", "Registered", "2023-01-04 08:00", "FL"),
        ]
    )


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar(timezone="UTC", start_hour=8, end_hour=16)


def test_each_rule_type_on_a_hand_made_log(log, statuses: StatusMeanings, calendar) -> None:
    rules = [
        ResolvedWithin(working_days=5),
        FirstResponseWithin(working_hours=4, response=("In progress",)),
        NeverAfter(activity="Forwarded", after="Resolved"),
        MaxHandovers(max=2),
    ]
    res = check_rules(log, rules, statuses=statuses, calendar=calendar, as_of=AS_OF)
    v = res.violations.set_index(["rule", "case_id"])
    assert v.loc[("resolved within 5 working days", "R3"), ["status", "over"]].tolist() == ["open", 3.0]
    assert v.loc[("resolved within 5 working days", "R1"), ["status", "over"]].tolist() == ["closed", 1.25]
    assert res.case_ids("resolved within 5 working days") == ["R1", "R3"]
    # worst first within a rule
    assert res.violations.loc[res.violations["rule"] == "resolved within 5 working days", "case_id"].tolist() == [
        "R3", "R1"]
    assert v.loc[("first response within 4 working hours", "R1"), "over"] == pytest.approx(1.0)
    assert v.loc[("first response within 4 working hours", "R3"), "over"] == pytest.approx(60.0)
    assert v.loc[("'Forwarded' never after 'Resolved'", "R2"), ["measured", "over", "unit"]].tolist() == [
        1.0, 1.0, "events"]
    assert v.loc[("at most 2 handovers between teams", "R2"), ["measured", "over"]].tolist() == [3.0, 1.0]
    s = res.summary.set_index("rule")
    assert s.loc["resolved within 5 working days", ["cases_checked", "violations", "open_violations"]].tolist() == [
        3, 2, 1]
    assert s.loc["'Forwarded' never after 'Resolved'", "cases_checked"] == 2  # cases that were resolved
    assert s.loc["at most 2 handovers between teams", "violation_share"] == pytest.approx(1 / 3)


def test_calendar_hours_open_cases_before_their_deadline_are_pending(log, statuses, calendar) -> None:
    res = check_rules(log, [ResolvedWithin(hours=24)], statuses=statuses, as_of=AS_OF)
    v = res.violations.set_index("case_id")
    assert v.loc["R1", "over"] == pytest.approx(194 - 24)
    assert v.loc["R3", "over"] == pytest.approx(224 - 24)
    early = check_rules(log, [ResolvedWithin(working_days=5)], statuses=statuses, calendar=calendar,
                        as_of=pd.Timestamp("2023-01-05 08:00", tz="UTC"))
    assert early.case_ids("resolved within 5 working days") == ["R1"]
    assert early.summary.loc[0, "cases_pending"] == 1


def test_rule_errors_are_clear(log, statuses, calendar) -> None:
    with pytest.raises(ConfigError, match="needs a working calendar"):
        check_rules(log, [ResolvedWithin(working_days=5)], statuses=statuses)
    with pytest.raises(ConfigError, match=r"rule 1 \(never_after\): activities \['Closed'\] not in the log"):
        check_rules(log, [NeverAfter(activity="Closed", after="Resolved")], statuses=statuses)
    with pytest.raises(ConfigError, match=r"statuses\.resolved"):
        check_rules(log, [ResolvedWithin(hours=8)], statuses=StatusMeanings())
    with pytest.raises(ConfigError, match="repeated"):
        check_rules(log, [MaxHandovers(max=1), MaxHandovers(max=1)], statuses=statuses)


def test_yaml_rules(tmp_path: Path, log, statuses, calendar) -> None:
    cfg = tmp_path / "r.yaml"
    cfg.write_text("rules:\n  - {type: max_handovers, max: 2, name: few handovers}\n", encoding="utf-8")
    res = check_rules(log, load_rules(cfg), statuses=statuses, calendar=calendar)
    assert res.case_ids("few handovers") == ["R2"]
    cfg.write_text("rules:\n  - {type: resolved_within, hours: 8, working_days: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="exactly one of hours, working_hours, working_days"):
        load_rules(cfg)
    cfg.write_text("rules:\n  - {type: max_handover, max: 2}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="does not match any of the expected tags"):
        load_rules(cfg)


def test_shipped_rule_configs_load(repo_root: Path) -> None:
    files = sorted((repo_root / "configs" / "rules").glob("*.yaml"))
    assert files
    for f in files:
        assert load_rules(f).rules
