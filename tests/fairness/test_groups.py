from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import ConfigError, EventLogError, PrivacyError
from workbench.fairness.groups import MISSING, add_intersections, case_groups, check_group_attributes


def test_staff_attributes_are_refused_unless_allowed():
    with pytest.raises(PrivacyError, match=r"group attribute 'team' describes staff.*allow_staff_attributes: true"):
        check_group_attributes(["department", "team"])
    with pytest.raises(PrivacyError, match="'agent_grade' describes staff"):
        check_group_attributes(["agent_grade"], staff_attributes=["agent_grade"])
    assert check_group_attributes(["team"], allow_staff_attributes=True) == ("team",)


def test_person_identifiers_are_never_group_attributes():
    with pytest.raises(PrivacyError, match="'user' is a person identifier"):
        check_group_attributes(["user"], person_columns=["user"], allow_staff_attributes=True)


def test_no_group_attributes_is_an_error():
    with pytest.raises(ConfigError, match="no group attributes to audit"):
        check_group_attributes([])


def test_case_groups_label_missing_values_and_booleans():
    events = pd.DataFrame({"case_id": ["a", "a", "b", "c"], "protected": [True, True, False, None],
                           "department": [None, "HR", "IT", "IT"]})
    groups = case_groups(events, ["protected", "department"])
    assert groups.loc["a", "protected"] == "True" and groups.loc["b", "protected"] == "False"
    assert groups.loc["c", "protected"] == MISSING
    assert groups.loc["a", "department"] == "HR"  # first non-missing value of the case
    with pytest.raises(EventLogError, match="group attribute 'region' not in the event log"):
        case_groups(events, ["region"])


def test_intersections_join_labels():
    groups = pd.DataFrame({"department": ["HR", "IT"], "channel": ["Mail", "Portal"]})
    out, names = add_intersections(groups, ["department", "channel"])
    assert names == ("department × channel",)
    assert out["department × channel"].tolist() == ["HR × Mail", "IT × Portal"]
