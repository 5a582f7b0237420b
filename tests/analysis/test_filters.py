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


# --- the questions under filters: whole tickets, whatever the filter order ---------------------------------------

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "configs" / "filters").glob("*.yaml"))


@pytest.fixture(scope="module")
def demo_desk():
    from workbench.config import load_log_config
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.io import prepare_log

    config = load_log_config(REPO / "configs" / "logs" / "demo.yaml")
    generated = generate_demo_log(DemoParams(days=90), seed=5)
    loaded = prepare_log(generated.events, config, secret="filters-test-secret-0123456789abcdef")
    return loaded.events, config


def _per_ticket(answers, question: str, frame: str | None = None) -> pd.DataFrame:
    table = answers[question].extra[frame] if frame else answers[question].table
    key = ["case_id"] + (["resolution_no"] if "resolution_no" in table.columns else [])
    return table.sort_values(key).reset_index(drop=True)


def test_shipped_filters_exist() -> None:
    assert {p.stem for p in SHIPPED} >= {"mainstream", "partner_tickets", "real_reopens"}


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_questions_under_each_shipped_filter_match_the_unfiltered_truth(path: Path, demo_desk) -> None:
    from workbench.analysis import answer_questions
    from workbench.analysis.run import discover_log
    from workbench.calendar import WorkingCalendar

    events, config = demo_desk
    found = discover_log(events, config, filters=load_filters(path))
    kept = sorted(found.events["case_id"].unique())
    assert 0 < len(kept) < events["case_id"].nunique()
    truth = answer_questions(events, statuses=config.statuses, calendar=WorkingCalendar.from_config(config.calendar))
    got = found.answers
    for question, frame in (("time_split", None), ("reopens", None), ("routing", "tickets")):
        expected = _per_ticket(truth, question, frame)
        expected = expected[expected["case_id"].isin(kept)].reset_index(drop=True)
        pd.testing.assert_frame_equal(_per_ticket(got, question, frame), expected, check_dtype=False)
    # the case ids behind question 3 are the truth's, restricted to the kept tickets
    def ids(result, figure: str) -> list[str]:
        return sorted(result.cases.loc[result.cases["figure"] == figure, "case_id"])

    for figure in ("real_reopen", "harmless_reopen", "open_after_reopen"):
        assert ids(got["reopens"], figure) == [c for c in ids(truth["reopens"], figure) if c in set(kept)]


def test_dropping_the_closing_step_keeps_finished_tickets_finished(demo_desk) -> None:
    """The reported bug: without 'Closed', harmlessly reopened tickets ran to the end of the log."""
    from workbench.analysis import answer_questions
    from workbench.analysis.run import discover_log

    events, config = demo_desk
    pipeline = load_filters(REPO / "configs" / "filters" / "partner_tickets.yaml")
    found = discover_log(events, config, filters=pipeline)
    assert not (found.events["activity"] == "Closed").any()
    # answered on the event-filtered log alone, harmless reopens vanish and tickets look open
    naive = answer_questions(found.events, statuses=config.statuses)
    right = found.answers
    truth = answer_questions(events, statuses=config.statuses)
    assert naive["reopens"].value("harmless_reopens") == 0 < right["reopens"].value("harmless_reopens")
    assert naive["time_split"].value("waiting_on_user_share") != pytest.approx(
        right["time_split"].value("waiting_on_user_share"))
    kept = set(found.events["case_id"])
    t = truth["time_split"].table.set_index("case_id")
    r = right["time_split"].table.set_index("case_id")
    assert r["elapsed_hours"].to_dict() == pytest.approx(t.loc[sorted(kept), "elapsed_hours"].to_dict())
    assert found.filtered is not None and found.filtered.cut_cases
    assert any("judge each kept case with all its events" in n for n in right["time_split"].notes)


def test_filter_order_does_not_change_the_answers(demo_desk) -> None:
    events, config = demo_desk
    from workbench.analysis.run import discover_log

    drop_closed = ActivityFilter(activities=("Closed",), action="drop")
    forwarded = ActivityFilter(activities=("Forwarded",), level="case")
    first = discover_log(events, config, filters=FilterPipeline(steps=(drop_closed, forwarded)))
    second = discover_log(events, config, filters=FilterPipeline(steps=(forwarded, drop_closed)))
    for q in ("time_split", "reopens", "team_speed", "routing", "communication"):
        pd.testing.assert_frame_equal(first.answers[q].summary, second.answers[q].summary)


def test_event_window_keeps_whole_cases_and_says_so(log: pd.DataFrame) -> None:
    got = apply_filters(log, [TimeframeFilter(start="2023-02-01", mode="events")])
    assert sorted(got.events["case_id"].unique()) == ["c3", "c4"]
    assert len(got.whole_cases) == 7 and got.cut_cases == ("c3",)
    assert "removed events from 1 of the 2 cases kept" in got.note()
    assert apply_filters(log, [VariantFilter(top_k=1)]).note() == ""
