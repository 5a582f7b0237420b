"""Tests of the ordered filter pipeline (workbench/analysis/filters.py, filtering.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis import (
    ActivityFilter,
    AttributeFilter,
    CaseDurationFilter,
    CaseIdFilter,
    FilterPipeline,
    FollowsFilter,
    ReworkFilter,
    TimeframeFilter,
    VariantFilter,
    apply_filters,
    load_filters,
)
from workbench.errors import ConfigError


@pytest.fixture
def log(make_log) -> pd.DataFrame:
    rows = [
        # c1: a b c (Jan), 2 hours
        ("c1", "a", "2023-01-10 08:00"), ("c1", "b", "2023-01-10 09:00"), ("c1", "c", "2023-01-10 10:00"),
        # c2: a b c (Jan)
        ("c2", "a", "2023-01-11 08:00"), ("c2", "b", "2023-01-11 08:30"), ("c2", "c", "2023-01-11 09:00"),
        # c3: a c b b (Jan-Feb), 3 weeks
        ("c3", "a", "2023-01-20 08:00"), ("c3", "c", "2023-01-21 08:00"), ("c3", "b", "2023-02-05 08:00"),
        ("c3", "b", "2023-02-10 08:00"),
        # c4: a x c (Feb)
        ("c4", "a", "2023-02-01 08:00"), ("c4", "x", "2023-02-01 09:00"), ("c4", "c", "2023-02-01 10:00"),
    ]
    prio = ["high"] * 3 + ["low"] * 3 + ["high"] * 4 + ["low"] * 3
    return make_log(rows, extra={"priority": prio})


def cases(result) -> list[str]:
    return sorted(result.events["case_id"].unique())


def test_event_then_case_filter_differs_from_case_then_event(log: pd.DataFrame) -> None:
    drop_x = ActivityFilter(activities=("x",), action="drop")  # event filter
    direct_ac = FollowsFilter(a="a", b="c")  # case filter: a directly followed by c
    first = apply_filters(log, [drop_x, direct_ac])
    second = apply_filters(log, [direct_ac, drop_x])
    # removing x first makes c4 read "a c", so it now matches a -> c
    assert cases(first) == ["c3", "c4"]
    assert cases(second) == ["c3"]
    assert first.report["cases_kept"].tolist() == [4, 4, 2]
    assert second.report["cases_kept"].tolist() == [4, 1, 1]
    assert first.report["events_kept"].tolist() == [13, 12, 6]
    assert second.report["kind"].tolist() == ["", "case", "event"]


def test_caller_frame_is_not_modified(log: pd.DataFrame) -> None:
    before = log.copy()
    apply_filters(log, [ActivityFilter(activities=("x",), action="drop"), VariantFilter(top_k=1)])
    pd.testing.assert_frame_equal(log, before)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("contained", ["c1", "c2"]),
        ("intersecting", ["c1", "c2", "c3"]),
        ("started", ["c1", "c2", "c3"]),
        ("completed", ["c1", "c2"]),
    ],
)
def test_timeframe_case_modes(log: pd.DataFrame, mode: str, expected: list[str]) -> None:
    step = TimeframeFilter(start="2023-01-01", end="2023-02-01", mode=mode)
    assert cases(apply_filters(log, [step])) == expected


def test_timeframe_events_mode_and_time_zone(log: pd.DataFrame) -> None:
    got = apply_filters(log, [TimeframeFilter(start="2023-02-01", mode="events")])
    assert len(got.events) == 5  # two b of c3 and all of c4
    # 09:00 in Copenhagen is 08:00 UTC, so c1's first event (08:00 UTC) is inside
    local = apply_filters(log, [TimeframeFilter(start="2023-01-10T09:00", end="2023-01-10T10:00",
                                                mode="events", timezone="Europe/Copenhagen")])
    assert local.events["timestamp"].tolist() == [pd.Timestamp("2023-01-10 08:00", tz="UTC")]


def test_attribute_event_and_case_level(log: pd.DataFrame) -> None:
    case_level = apply_filters(log, [AttributeFilter(attribute="priority", values=("high",))])
    assert cases(case_level) == ["c1", "c3"]
    drop_events = apply_filters(log, [AttributeFilter(attribute="priority", values=("high",), action="drop",
                                                      level="event")])
    assert cases(drop_events) == ["c2", "c4"]


def test_activity_case_level_any_and_all(log: pd.DataFrame) -> None:
    any_ = apply_filters(log, [ActivityFilter(activities=("x", "b"), level="case")])
    all_ = apply_filters(log, [ActivityFilter(activities=("x", "a"), level="case", match="all")])
    none_ = apply_filters(log, [ActivityFilter(activities=("x",), level="case", action="drop")])
    assert cases(any_) == ["c1", "c2", "c3", "c4"]
    assert cases(all_) == ["c4"]
    assert cases(none_) == ["c1", "c2", "c3"]


def test_variants_top_k_min_count_min_share(log: pd.DataFrame) -> None:
    assert cases(apply_filters(log, [VariantFilter(top_k=1)])) == ["c1", "c2"]
    assert cases(apply_filters(log, [VariantFilter(min_count=2)])) == ["c1", "c2"]
    assert cases(apply_filters(log, [VariantFilter(min_share=0.25)])) == ["c1", "c2", "c3", "c4"]
    assert cases(apply_filters(log, [VariantFilter(top_k=1, action="drop")])) == ["c3", "c4"]
    # ties are broken by the variant label: "a -> c -> b -> b" sorts before "a -> x -> c"
    assert cases(apply_filters(log, [VariantFilter(top_k=2)])) == ["c1", "c2", "c3"]


def test_follows_directly_and_eventually(log: pd.DataFrame) -> None:
    assert cases(apply_filters(log, [FollowsFilter(a="a", b="b")])) == ["c1", "c2"]
    assert cases(apply_filters(log, [FollowsFilter(a="a", b="b", relation="eventually")])) == ["c1", "c2", "c3"]
    assert cases(apply_filters(log, [FollowsFilter(a="c", b="a", relation="eventually")])) == []
    assert cases(apply_filters(log, [FollowsFilter(a="a", b="b", action="drop")])) == ["c3", "c4"]


def test_case_duration_rework_and_case_ids(log: pd.DataFrame, tmp_path: Path) -> None:
    assert cases(apply_filters(log, [CaseDurationFilter(max_hours=2)])) == ["c1", "c2", "c4"]
    assert cases(apply_filters(log, [CaseDurationFilter(min_hours=2, max_hours=100)])) == ["c1", "c4"]
    assert cases(apply_filters(log, [ReworkFilter()])) == ["c3"]
    assert cases(apply_filters(log, [ReworkFilter(activities=("a",))])) == []
    assert cases(apply_filters(log, [CaseIdFilter(ids=("c2", "c4"))])) == ["c2", "c4"]
    ids = tmp_path / "ids.txt"
    ids.write_text("# tickets to look at\nc1\n\nc3\n", encoding="utf-8")
    assert cases(apply_filters(log, [CaseIdFilter.from_file(ids, action="drop")])) == ["c2", "c4"]


def test_unknown_activity_and_attribute_list_what_exists(log: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match=r"filter step 1 \(activities\): activities \['Closed'\] not in the log; "
                                          r"the log has: 'a', 'b', 'c', 'x'"):
        apply_filters(log, [ActivityFilter(activities=("Closed",))])
    with pytest.raises(ConfigError, match=r"step 2 \(attribute\): attribute 'department' is not a column.*priority"):
        apply_filters(log, [VariantFilter(top_k=1), AttributeFilter(attribute="department", values=("HR",))])
    with pytest.raises(ConfigError, match=r"value\(s\) \['urgent'\] of 'priority' not in the log.*'high', 'low'"):
        apply_filters(log, [AttributeFilter(attribute="priority", values=("urgent",))])


def test_yaml_pipeline_round_trip(log: pd.DataFrame, tmp_path: Path) -> None:
    (tmp_path / "ids.txt").write_text("c1\nc2\nc3\n", encoding="utf-8")
    cfg = tmp_path / "f.yaml"
    cfg.write_text(
        "description: test\n"
        "steps:\n"
        "  - type: case_ids\n    file: ids.txt\n"
        "  - type: activities\n    activities: [x]\n    action: drop\n"
        "  - {type: follows, a: a, b: c, name: a then c}\n",
        encoding="utf-8",
    )
    pipe = load_filters(cfg)
    assert isinstance(pipe, FilterPipeline) and pipe.steps[0].ids == ("c1", "c2", "c3")
    got = apply_filters(log, pipe)
    assert cases(got) == ["c3"]
    assert got.report["name"].tolist() == ["input", "", "", "a then c"]
    assert "kept 1 cases" in got.lines()[-1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("steps:\n  - type: activities\n    activities: [a]\n    acton: drop\n", r"acton.*unknown key"),
        ("steps:\n  - type: sorting\n", r"steps\.0.*does not match any of the expected tags"),
        ("steps:\n  - type: variants\n    top_k: 3\n    min_count: 2\n", r"exactly one of top_k"),
        ("steps:\n  - type: timeframe\n    start: 2023-02-01\n    end: 2023-01-01\n", r"must be before end"),
        ("steps:\n  - type: case_ids\n    file: nowhere.txt\n", r"case id file .*nowhere.txt' does not exist"),
    ],
)
def test_bad_yaml_gives_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_filters(cfg)


def test_shipped_filter_configs_load() -> None:
    root = Path(__file__).resolve().parents[2] / "configs" / "filters"
    files = sorted(root.glob("*.yaml"))
    assert files, "configs/filters/ should ship examples"
    for f in files:
        assert load_filters(f).steps
