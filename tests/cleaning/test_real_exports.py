"""Real exports: same-timestamp events, changing case attributes, duplicates on the whole source row."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.cleaning import clean_log
from workbench.config import LogConfig
from workbench.errors import ConfigError, EventLogError
from workbench.io import to_canonical
from workbench.models import open_cases

BASE = {
    "name": "t",
    "source": {"kind": "csv", "path": "x.csv"},
    "columns": {"case_id": "case", "activity": "act", "timestamp": "ts"},
    "statuses": {"closed": ["Closed"]},
}
T = "2024-03-01 10:00:00"


def clean(raw: pd.DataFrame, **extra: object) -> tuple[pd.DataFrame, object]:
    config = LogConfig.model_validate({**BASE, **extra})
    return clean_log(to_canonical(raw, config), config)


def finding(report, check: str):  # type: ignore[no-untyped-def]
    return next(f for f in report.findings if f.check.startswith(check))


def incidents() -> pd.DataFrame:
    """Two incidents closed at the same second as another event, which the export lists after 'Closed'."""
    return pd.DataFrame({
        "case": ["i1", "i1", "i1", "i2", "i2", "i2", "i3", "i3"],
        "act": ["Opened", "Closed", "Caused By CI", "Opened", "Closed", "Update", "Opened", "Update"],
        "ts": ["2024-03-01 09:00:00", T, T, "2024-03-01 09:00:00", T, T, "2024-03-01 09:00:00", T],
        "seq": [1, 3, 2, 1, 2, 3, 1, 2],
    })


def last_activities(events: pd.DataFrame) -> dict[str, str]:
    return events.groupby("case_id")["activity"].last().to_dict()


def test_closing_status_comes_last_among_same_timestamp_events_by_default() -> None:
    events, report = clean(incidents())
    assert last_activities(events) == {"i1": "Closed", "i2": "Closed", "i3": "Update"}
    assert list(open_cases(events, end_activities=("Closed",))) == ["i3"]
    moved = finding(report, "cases whose same-timestamp events were reordered")
    assert moved.count == 2 and "closing statuses last" in moved.detail
    assert "_source_row" not in events.columns and "_tie_break" not in events.columns


def test_tie_break_column_orders_same_timestamp_events() -> None:
    events, report = clean(incidents(), order={"tie_break": "seq"})
    # the sequence number says 'Caused By CI' came before 'Closed' in i1, 'Update' after 'Closed' in i2
    assert events[events["case_id"] == "i1"]["activity"].tolist() == ["Opened", "Caused By CI", "Closed"]
    assert events[events["case_id"] == "i2"]["activity"].tolist() == ["Opened", "Closed", "Update"]
    assert "column 'seq'" in finding(report, "cases with events sharing a timestamp").detail


def test_tie_break_numbers_compare_as_numbers() -> None:
    raw = pd.DataFrame({"case": ["a"] * 3, "act": ["x", "y", "z"], "ts": [T] * 3, "seq": ["10", "9", "100"]})
    events, _ = clean(raw, order={"tie_break": "seq"})
    assert events["activity"].tolist() == ["y", "x", "z"]


def test_activity_order_with_wildcard() -> None:
    raw = pd.DataFrame({"case": ["a"] * 4, "act": ["Closed", "Note", "Opened", "Resolved"], "ts": [T] * 4})
    events, _ = clean(raw, order={"activity_order": ["Opened", "*", "Resolved", "Closed"]})
    assert events["activity"].tolist() == ["Opened", "Note", "Resolved", "Closed"]
    events, _ = clean(raw, order={"activity_order": ["Resolved", "Closed"]})  # unlisted come first
    assert events["activity"].tolist() == ["Note", "Opened", "Resolved", "Closed"]


def test_order_config_errors() -> None:
    with pytest.raises(ValueError, match=r"'\*' \(every activity not listed\) only once"):
        LogConfig.model_validate({**BASE, "order": {"activity_order": ["*", "a", "*"]}})
    with pytest.raises(EventLogError, match=r"column 'sequence' \(named in duplicates.columns or order.tie_break\)"):
        clean(incidents(), order={"tie_break": "sequence"})


def test_sort_within_case_off_keeps_file_order() -> None:
    events, _ = clean(incidents(), cleaning={"sort_within_case": False})
    assert last_activities(events)["i1"] == "Caused By CI"


def test_counter_taken_as_last_equals_its_final_value() -> None:
    raw = pd.DataFrame({
        "case": ["a", "a", "a", "b", "b"],
        "act": ["Opened", "Reassigned", "Closed", "Opened", "Closed"],
        "ts": ["2024-03-01 09:00", "2024-03-02 09:00", "2024-03-03 09:00", "2024-03-01 09:00", "2024-03-01 10:00"],
        "reassignment_count": [0, 1, 2, 0, 0],
        "prio": ["3", "1", "1", "2", None],
    })
    attrs = {"reassignments": {"column": "reassignment_count", "take": "last"},
             "priority": {"column": "prio", "take": "event"}, "first_priority": "prio"}
    events, report = clean(raw, case_attributes=attrs)
    a = events[events["case_id"] == "a"]
    assert a["reassignments"].tolist() == [2, 2, 2]
    assert a["priority"].tolist() == ["3", "1", "1"]  # the value known at each event
    assert a["first_priority"].tolist() == ["3", "3", "3"]
    assert events[events["case_id"] == "b"]["priority"].tolist() == ["2", "2"]  # carried forward
    assert "last value" in finding(report, "case attribute 'reassignments' changes").detail
    assert "take: last or event" in finding(report, "case attribute 'first_priority' changes").detail


def test_attribute_spec_errors() -> None:
    with pytest.raises(ValueError, match=r"case attribute 'p': write \{column: <source column>, take"):
        LogConfig.model_validate({**BASE, "case_attributes": {"p": {"col": "x"}}})
    with pytest.raises(ValueError, match=r"take"):
        LogConfig.model_validate({**BASE, "case_attributes": {"p": {"column": "x", "take": "middle"}}})


def test_duplicates_are_judged_on_the_whole_source_row() -> None:
    raw = pd.DataFrame({
        "case": ["a", "a", "a", "a"], "act": ["x", "x", "x", "y"],
        "ts": [T, T, T, "2024-03-02 10:00"], "note": ["n1", "n2", "n2", "n"], "exported": [1, 2, 3, 4],
    })
    events, report = clean(raw)
    dup = finding(report, "exact duplicate events")
    assert dup.count == 0 and dup.detail == "judged on all columns of the source row"
    assert len(events) == 4
    events, report = clean(raw, duplicates={"columns": ["case", "act", "ts", "note"]})
    dup = finding(report, "exact duplicate events")
    assert dup.count == 1 and dup.detail == "judged on the source columns case, act, ts, note"
    assert len(events) == 3


def test_complete_cases_is_reported() -> None:
    _, report = clean(incidents(), complete_cases=True)
    assert "no case is treated as open" in finding(report, "finished extract").detail


def test_unknown_key_in_order_is_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from workbench.config import load_log_config

    path = tmp_path / "c.yaml"
    path.write_text("name: t\nsource: {path: x.csv}\ncolumns: {case_id: c, activity: a, timestamp: t}\n"
                    "order: {tiebreak: seq}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'order.tiebreak': unknown key"):
        load_log_config(path)


def test_finished_extract_with_same_timestamp_closings_lists_no_open_case() -> None:
    events, _ = clean(incidents(), complete_cases=True, order={"tie_break": "seq"})
    # 'Update' follows 'Closed' in i2 by the tie-break, at the same second: the closing status still decides
    assert list(open_cases(events, end_activities=("Closed",))) == ["i3"]
    assert open_cases(events, end_activities=("Closed",), complete_cases=True).empty
