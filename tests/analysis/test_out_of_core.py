"""Answering on case-disjoint chunks of a log, or on its partitioned Parquet copy, gives exactly the whole log's answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.analysis import (
    Answers,
    QuestionSettings,
    answer_partitioned_log,
    answer_questions,
    answers_from_tables,
    log_facts,
    question_tables,
)
from workbench.calendar import WorkingCalendar
from workbench.compute import ProcessPoolExecutor
from workbench.config import load_log_config
from workbench.demo import DemoParams, generate_demo_log
from workbench.errors import EventLogError
from workbench.io import prepare_log
from workbench.io.partitioned import open_partitioned_log, write_partitioned_log

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo():
    config = load_log_config(REPO / "configs" / "logs" / "demo.yaml")
    generated = generate_demo_log(DemoParams(days=45), seed=7)
    events = prepare_log(generated.events, config, secret="module-scoped-test-secret-0123456789").events
    return events, config


def assert_same_answers(got: Answers, want: Answers) -> None:
    """Every headline, note, summary, table, case list and extra table identical, value for value."""
    assert list(got.results) == list(want.results)
    assert dict(got.unanswered) == dict(want.unanswered)
    for q, w in want.results.items():
        g = got.results[q]
        assert (g.question, g.title, g.headline, g.notes) == (w.question, w.title, w.headline, w.notes), q
        pd.testing.assert_frame_equal(g.summary, w.summary, check_exact=True)
        pd.testing.assert_frame_equal(g.table, w.table, check_exact=True)
        pd.testing.assert_frame_equal(g.cases, w.cases, check_exact=True)
        assert list(g.extra) == list(w.extra), q
        for name in w.extra:
            pd.testing.assert_frame_equal(g.extra[name], w.extra[name], check_exact=True, obj=f"{q}.extra[{name}]")


def answer_in_chunks(events: pd.DataFrame, chunk_of_case: dict, *, as_of=None, **kwargs) -> Answers:
    """Answer with each chunk of whole cases tabled on its own, as the out-of-core path does."""
    qs = QuestionSettings(**kwargs)
    facts = log_facts(events, as_of=as_of)
    chunk = events["case_id"].map(chunk_of_case).to_numpy()
    parts = [question_tables(events[chunk == k], settings=qs, facts=facts) for k in sorted(set(chunk))]
    return answers_from_tables(parts, settings=qs, facts=facts)


def _split(events: pd.DataFrame, n_chunks: int, seed: int) -> dict:
    cases = events["case_id"].unique()
    return dict(zip(cases, np.random.default_rng(seed).integers(n_chunks, size=len(cases)), strict=True))


def test_chunks_give_the_whole_logs_answers_on_the_demo_log(demo) -> None:
    events, config = demo
    calendar = WorkingCalendar.from_config(config.calendar)
    kwargs = dict(statuses=config.statuses, calendar=calendar, per_person=True, min_group_size=5, top_n=15)
    whole = answer_questions(events, **kwargs)
    assert len(whole.results) == 5 and not whole.unanswered
    # the demo log is cut at its horizon: open tickets are counted up to as_of, a whole-log input
    assert whole["reopens"].value("reopened_still_open") + whole["time_split"].value("tickets") > 0
    assert (whole["time_split"].table["after_resolution_hours"] >= 0).all()
    assert_same_answers(answer_in_chunks(events, _split(events, 7, seed=1), **kwargs), whole)


def test_chunks_keep_an_explicit_as_of(demo) -> None:
    events, config = demo
    as_of = events["timestamp"].max() + pd.Timedelta(days=10)
    whole = answer_questions(events, statuses=config.statuses, as_of=as_of)
    default = answer_questions(events, statuses=config.statuses)
    assert whole["time_split"].value("elapsed_hours") > default["time_split"].value("elapsed_hours")
    assert_same_answers(answer_in_chunks(events, _split(events, 4, seed=2), statuses=config.statuses, as_of=as_of),
                        whole)


def test_a_chunk_without_teams_is_answered_as_part_of_a_log_with_teams(demo) -> None:
    events, config = demo
    cases = events["case_id"].unique()
    teamless = set(cases[: len(cases) // 3])
    events = events.assign(team=events["team"].where(~events["case_id"].isin(teamless), None))
    chunk_of_case = {c: 0 if c in teamless else 1 + i % 3 for i, c in enumerate(cases)}
    whole = answer_questions(events, statuses=config.statuses)
    assert "team_speed" in whole.results and "routing" in whole.results
    assert_same_answers(answer_in_chunks(events, chunk_of_case, statuses=config.statuses), whole)


def test_a_log_without_teams_is_unanswered_in_chunks_as_whole(demo) -> None:
    events, config = demo
    events = events.assign(team=None)
    whole = answer_questions(events, statuses=config.statuses)
    assert set(whole.unanswered) == {"team_speed", "routing"}
    assert_same_answers(answer_in_chunks(events, _split(events, 3, seed=3), statuses=config.statuses), whole)


@pytest.fixture(scope="module")
def small_demo():
    config = load_log_config(REPO / "configs" / "logs" / "demo.yaml")
    events = prepare_log(generate_demo_log(DemoParams(days=14), seed=3).events, config,
                         secret="module-scoped-test-secret-0123456789").events
    return events, config


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n_chunks=st.integers(1, 9), seed=st.integers(0, 2**32 - 1), per_person=st.booleans(),
       min_messages=st.one_of(st.none(), st.integers(1, 6)))
def test_any_case_disjoint_split_gives_the_whole_logs_answers(small_demo, n_chunks, seed, per_person,
                                                                min_messages) -> None:
    events, config = small_demo
    calendar = WorkingCalendar.from_config(config.calendar)
    kwargs = dict(statuses=config.statuses, calendar=calendar, per_person=per_person, min_group_size=3,
                  min_messages=min_messages)
    whole = answer_questions(events, **kwargs)
    assert_same_answers(answer_in_chunks(events, _split(events, n_chunks, seed), **kwargs), whole)


def test_the_partitioned_log_gives_the_in_memory_answers(demo, tmp_path: Path) -> None:
    events, config = demo
    calendar = WorkingCalendar.from_config(config.calendar)
    log = write_partitioned_log(events, tmp_path / "log", buckets=6)
    kwargs = dict(statuses=config.statuses, calendar=calendar, per_person=True, min_group_size=5)
    whole = answer_questions(events, **kwargs)
    seen: list[tuple[int, int]] = []
    got = answer_partitioned_log(open_partitioned_log(log.path), settings=QuestionSettings(**kwargs),
                                 progress=lambda d, t: seen.append((d, t)))
    assert_same_answers(got, whole)
    assert seen[-1] == (6, 6)


def test_the_partitioned_log_gives_the_same_answers_in_a_process_pool(demo, tmp_path: Path) -> None:
    events, config = demo
    log = write_partitioned_log(events, tmp_path / "log", buckets=4)
    qs = QuestionSettings(statuses=config.statuses)
    in_process = answer_partitioned_log(log, settings=qs)
    with ProcessPoolExecutor(workers=2) as pool:
        assert_same_answers(answer_partitioned_log(log, settings=qs, executor=pool), in_process)


def test_a_log_written_in_several_parts_gives_the_same_answers(demo, tmp_path: Path) -> None:
    events, config = demo
    cases = events["case_id"].unique()
    first = events["case_id"].isin(cases[::2])
    write_partitioned_log(events[first], tmp_path / "log", buckets=3)
    log = write_partitioned_log(events[~first], tmp_path / "log", buckets=3, append=True)
    assert log.writes == 2
    assert_same_answers(answer_partitioned_log(log, settings=QuestionSettings(statuses=config.statuses)),
                        answer_questions(events, statuses=config.statuses))


def test_an_empty_partitioned_log_says_so(demo, tmp_path: Path) -> None:
    events, config = demo
    log = write_partitioned_log(events.head(3), tmp_path / "log", buckets=2)
    for part in log.path.glob("bucket=*/part-*.parquet"):
        part.unlink()
    with pytest.raises(EventLogError, match="holds no events"):
        answer_partitioned_log(log, settings=QuestionSettings(statuses=config.statuses))
