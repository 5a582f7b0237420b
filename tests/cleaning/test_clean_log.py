"""Validation and cleaning: every problem gets a pinned error or a recorded fix."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.cleaning import clean_log, parse_timestamps
from workbench.config import LogConfig, TimeConfig
from workbench.errors import EventLogError
from workbench.schema import ACTIVITY, CASE_ID, START_TIMESTAMP, TIMESTAMP

BASE = {
    "name": "t",
    "source": {"kind": "csv", "path": "x.csv"},
    "columns": {"case_id": "case", "activity": "act", "timestamp": "ts"},
}


def config(**extra: object) -> LogConfig:
    return LogConfig.model_validate({**BASE, **extra})


def frame(rows: list[tuple], columns=("case_id", "activity", "timestamp")) -> pd.DataFrame:
    from workbench.io import to_canonical

    raw = pd.DataFrame(rows, columns=["case", "act", "ts", *columns[3:]][: len(rows[0])])
    cfg_cols = {"case_id": "case", "activity": "act", "timestamp": "ts"}
    if "lifecycle" in columns:
        cfg_cols["lifecycle"] = "lifecycle"
    if "start" in columns:
        cfg_cols["start_timestamp"] = "start"
    return to_canonical(raw, LogConfig.model_validate({**BASE, "columns": cfg_cols}))


def finding(report, check: str):
    return next(f for f in report.findings if f.check.startswith(check))


def test_unparseable_timestamps_count_first_row_and_value() -> None:
    rows = [("a", "x", "2024-01-01 10:00"), ("a", "y", "31-02-2023 10:00"), ("b", "x", "not a date")]
    with pytest.raises(
        EventLogError,
        match=r"column 'timestamp': 2 values could not be parsed as dates with ISO 8601 or a common date form "
        r"\(first: row 2, '31-02-2023 10:00'\); set time.format",
    ):
        clean_log(frame(rows), config())


def test_missing_timestamps_are_an_error() -> None:
    rows = [("a", "x", "2024-01-01 10:00"), ("a", "y", None)]
    with pytest.raises(EventLogError, match=r"column 'timestamp': 1 events have no timestamp \(first: row 2\)"):
        clean_log(frame(rows), config())


def test_configured_format_and_dayfirst() -> None:
    rows = [("a", "x", "05-03-2024 10:00"), ("a", "y", "06-03-2024 11:00")]
    out, _ = clean_log(frame(rows), config(time={"format": "%d-%m-%Y %H:%M"}))
    assert out[TIMESTAMP].iloc[0] == pd.Timestamp("2024-03-05T10:00Z")


def test_mixed_offsets_are_an_error_by_default() -> None:
    rows = [("a", "x", "2024-03-30T10:00:00+01:00"), ("a", "y", "2024-04-02T10:00:00+02:00"),
            ("a", "z", "2024-04-03T10:00:00+02:00")]
    with pytest.raises(
        EventLogError,
        match=r"column 'timestamp': timestamps carry 2 different UTC offsets \(\+02:00 in 2 rows, \+01:00 in 1 rows\); "
        r"set time.mixed_offsets: convert",
    ):
        clean_log(frame(rows), config())


def test_mixed_offsets_converted_to_utc_exactly_when_asked() -> None:
    rows = [("a", "x", "2024-03-30T10:00:00+01:00"), ("a", "y", "2024-04-02T10:00:00+02:00")]
    out, report = clean_log(frame(rows), config(time={"mixed_offsets": "convert"}))
    assert out[TIMESTAMP].tolist() == [pd.Timestamp("2024-03-30T09:00Z"), pd.Timestamp("2024-04-02T08:00Z")]
    assert finding(report, "timestamp: mixed UTC offsets converted").action == "fixed"


def test_timestamps_with_and_without_offset_are_an_error() -> None:
    rows = [("a", "x", "2024-03-30T10:00:00Z"), ("a", "y", "2024-04-02 10:00")]
    with pytest.raises(EventLogError, match=r"1 timestamps carry a UTC offset and 1 do not \(first without: row 2"):
        clean_log(frame(rows), config())


def test_naive_timestamps_use_the_configured_zone_across_dst() -> None:
    rows = [("a", "x", "2024-03-30 10:00"), ("a", "y", "2024-04-02 10:00")]
    out, report = clean_log(frame(rows), config(time={"timezone": "Europe/Copenhagen"}))
    assert out[TIMESTAMP].tolist() == [pd.Timestamp("2024-03-30T09:00Z"), pd.Timestamp("2024-04-02T08:00Z")]
    assert "Europe/Copenhagen" in finding(report, "timestamp: time zone").detail


def test_a_log_of_dates_only_is_said_to_be_one() -> None:
    """Traffic fines' export: '2006-07-24', no time of day; in local time across a DST change too."""
    days = pd.date_range("2024-03-20", periods=24, freq="D").strftime("%Y-%m-%d")
    rows = [(f"c{i // 2}", "x" if i % 2 == 0 else "y", day) for i, day in enumerate(days)]
    for zone in ("UTC", "Europe/Copenhagen"):
        _, report = clean_log(frame(rows), config(time={"timezone": zone}))
        found = finding(report, "timestamps with a date only")
        assert found.count == 24 and found.action == "info" and "whole days" in found.detail
    timed = [(c, a, f"{d} 09:{i:02d}") for i, (c, a, d) in enumerate(rows)]
    _, report = clean_log(frame(timed), config())
    assert not any(f.check.startswith("timestamps with a date only") for f in report.findings)
    _, report = clean_log(frame(rows[:6]), config())  # a handful of events says nothing either way
    assert not any(f.check.startswith("timestamps with a date only") for f in report.findings)


def test_dst_ambiguous_and_skipped_local_times_are_counted() -> None:
    rows = [("a", "x", "2024-10-27 02:30"), ("a", "y", "2024-03-31 02:30"), ("a", "z", "2024-11-01 09:00")]
    parsed = parse_timestamps(pd.Series([r[2] for r in rows]), TimeConfig(timezone="Europe/Copenhagen"),
                              column="timestamp", required=True)
    assert parsed.ambiguous == 1 and parsed.nonexistent == 1
    assert parsed.values.iloc[0] == pd.Timestamp("2024-10-27T00:30Z")  # summer time (+02:00) occurrence


def test_exact_duplicates_dropped_and_counted() -> None:
    rows = [("a", "x", "2024-01-01 10:00"), ("a", "x", "2024-01-01 10:00"), ("a", "y", "2024-01-01 11:00")]
    out, report = clean_log(frame(rows), config())
    assert len(out) == 2
    assert finding(report, "exact duplicate events").count == 1


def test_events_out_of_order_are_sorted_and_counted() -> None:
    rows = [("a", "y", "2024-01-01 11:00"), ("b", "x", "2024-01-01 09:00"), ("a", "x", "2024-01-01 10:00"),
            ("b", "y", "2024-01-01 12:00")]
    out, report = clean_log(frame(rows), config())
    assert out[ACTIVITY].tolist() == ["x", "y", "x", "y"]
    f = finding(report, "cases with events out of time order")
    assert (f.count, f.action) == (1, "fixed")


def test_single_event_cases_flagged_or_dropped() -> None:
    rows = [("a", "x", "2024-01-01 10:00"), ("a", "y", "2024-01-01 11:00"), ("b", "x", "2024-01-01 10:00")]
    out, report = clean_log(frame(rows), config())
    assert len(out) == 3 and finding(report, "cases with a single event").count == 1
    out, report = clean_log(frame(rows), config(cleaning={"drop_single_event_cases": True}))
    assert out[CASE_ID].unique().tolist() == ["a"]


def test_rows_without_case_id_dropped_and_counted() -> None:
    rows = [("a", "x", "2024-01-01 10:00"), (None, "y", "2024-01-01 11:00"), ("a", "z", "2024-01-01 12:00")]
    out, report = clean_log(frame(rows), config())
    f = finding(report, "missing case_id")
    assert (len(out), f.count, f.detail) == (2, 1, "first at row 2")


def test_empty_after_cleaning_is_an_error() -> None:
    rows = [(None, "x", "2024-01-01 10:00")]
    with pytest.raises(EventLogError, match=r"the log is empty after cleaning: all 1 events"):
        clean_log(frame(rows), config())


def test_lifecycle_pair_gives_start_timestamps() -> None:
    rows = [
        ("a", "W", "2024-01-01 09:00", "SCHEDULE"),
        ("a", "W", "2024-01-01 10:00", "START"),
        ("a", "W", "2024-01-01 10:30", "COMPLETE"),
        ("a", "A", "2024-01-01 10:40", "COMPLETE"),
        ("a", "W", "2024-01-01 11:00", "START"),
        ("a", "W", "2024-01-01 12:00", "COMPLETE"),
    ]
    cfg = config(columns={**BASE["columns"], "lifecycle": "lifecycle"},
                 lifecycle={"mode": "pair", "start": ["START"], "complete": ["COMPLETE"]})
    out, report = clean_log(frame(rows, ("case_id", "activity", "timestamp", "lifecycle")), cfg)
    assert out[ACTIVITY].tolist() == ["W", "A", "W"]
    assert out[START_TIMESTAMP].tolist() == [pd.Timestamp("2024-01-01T10:00Z"), pd.NaT, pd.Timestamp("2024-01-01T11:00Z")]
    assert finding(report, "lifecycle transitions neither").count == 1


def test_lifecycle_append_and_activity_map() -> None:
    rows = [("a", "Accepted", "2024-01-01 10:00", "Wait - User"), ("a", "Completed", "2024-01-01 11:00", "Closed")]
    cfg = config(columns={**BASE["columns"], "lifecycle": "lifecycle"}, lifecycle={"mode": "append"},
                 activity_map={"Completed/Closed": "Closed"})
    out, _ = clean_log(frame(rows, ("case_id", "activity", "timestamp", "lifecycle")), cfg)
    assert out[ACTIVITY].tolist() == ["Accepted/Wait - User", "Closed"]


def test_case_attributes_spread_over_the_case() -> None:
    from workbench.io import to_canonical

    raw = pd.DataFrame({"case": ["a", "a", "b"], "act": ["x", "y", "x"],
                        "ts": ["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-01 10:00"], "age": [None, 70, 40]})
    cfg = config(case_attributes={"age": "age"})
    out, _ = clean_log(to_canonical(raw, cfg), cfg)
    assert out["age"].tolist() == [70, 70, 40]


def test_input_frame_is_not_changed() -> None:
    rows = [("a", "y", "2024-01-01 11:00"), ("a", "x", "2024-01-01 10:00"), ("a", "x", "2024-01-01 10:00")]
    original = frame(rows)
    before = original.copy()
    clean_log(original, config())
    pd.testing.assert_frame_equal(original, before)
