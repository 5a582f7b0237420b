"""Tests of the reopen question (workbench/analysis/reopens.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import reopen_events, reopens
from workbench.config import StatusMeanings
from workbench.errors import ConfigError


@pytest.fixture
def desk_log(make_log) -> pd.DataFrame:
    return make_log(
        [
            # real reopen: resolved, reopened, resolved again, closed
            ("A", "Registered", "2023-01-02 08:00", "FL"),
            ("A", "Resolved", "2023-01-02 09:00", "FL"),
            ("A", "Mail from user", "2023-01-02 10:00"),
            ("A", "Reopened", "2023-01-02 10:05", "FL"),
            ("A", "Resolved", "2023-01-02 12:00", "FL"),
            ("A", "Closed", "2023-01-05 12:00", "FL"),
            # harmless reopen: "thanks" reply, reopened, closed without a new resolution
            ("B", "Registered", "2023-01-02 08:00", "FL"),
            ("B", "Resolved", "2023-01-02 09:00", "P1"),
            ("B", "Mail from user", "2023-01-02 10:00"),
            ("B", "Reopened", "2023-01-02 10:01", "FL"),
            ("B", "Closed", "2023-01-02 10:02", "FL"),
            # plain: resolved and closed
            ("C", "Registered", "2023-01-02 08:00", "FL"),
            ("C", "Resolved", "2023-01-02 09:00", "FL"),
            ("C", "Closed", "2023-01-04 09:00", "FL"),
            # reopened and still open
            ("D", "Registered", "2023-01-02 08:00", "FL"),
            ("D", "Resolved", "2023-01-02 09:00", "FL"),
            ("D", "Reopened", "2023-01-03 09:00", "FL"),
            # never resolved
            ("E", "Registered", "2023-01-02 08:00", "FL"),
        ]
    )


def test_reopen_events_one_row_per_resolution(statuses: StatusMeanings, desk_log: pd.DataFrame) -> None:
    log = desk_log
    before = log.copy()
    got = reopen_events(log, statuses=statuses)
    pd.testing.assert_frame_equal(log, before)  # the caller's frame is untouched
    assert got.columns.tolist()[:3] == ["case_id", "resolution_no", "resolved_at"]
    assert got["case_id"].tolist() == ["A", "A", "B", "C", "D"]
    assert got["resolution_no"].tolist() == [1, 2, 1, 1, 1]
    assert got["reopened"].tolist() == [True, False, True, False, True]
    assert got["real"].tolist() == [True, False, False, False, False]
    assert got["harmless"].tolist() == [False, False, True, False, False]
    assert got.loc[0, "reopened_at"] == pd.Timestamp("2023-01-02 10:05", tz="UTC")
    assert got.loc[0, "next_resolved_at"] == pd.Timestamp("2023-01-02 12:00", tz="UTC")
    assert got["team"].tolist() == ["FL", "FL", "P1", "FL", "FL"]
    assert str(got["resolved_at"].dtype) == "datetime64[ns, UTC]"


def test_reopen_question_counts_rates_and_case_ids(statuses: StatusMeanings, desk_log: pd.DataFrame) -> None:
    res = reopens(desk_log, statuses=statuses)
    assert res.value("resolutions") == 5
    assert res.value("real_reopens") == 1
    assert res.value("harmless_reopens") == 1
    assert res.value("real_reopen_rate_per_resolution") == pytest.approx(1 / 5)
    assert res.value("real_reopen_rate_per_ticket") == pytest.approx(1 / 4)
    assert res.case_ids("real_reopen") == ["A"]
    assert res.case_ids("harmless_reopen") == ["B"]
    assert res.case_ids("open_after_reopen") == ["D"]
    assert "1 real reopens" in res.headline


def test_inferred_reopens_without_a_reopened_status(make_log) -> None:
    # BPIC 2013 style: no reopen status; work after a resolution means it was reopened
    st = StatusMeanings(resolved=("Completed/Resolved",), closed=("Completed/Closed",))
    log = make_log(
        [
            ("A", "Accepted/In Progress", "2023-01-02 08:00", "G1"),
            ("A", "Completed/Resolved", "2023-01-02 09:00", "G1"),
            ("A", "Accepted/In Progress", "2023-01-03 09:00", "G2"),
            ("A", "Completed/Resolved", "2023-01-03 10:00", "G2"),
            ("A", "Completed/Closed", "2023-01-04 10:00", "G2"),
            ("B", "Accepted/In Progress", "2023-01-02 08:00", "G1"),
            ("B", "Completed/Resolved", "2023-01-02 09:00", "G1"),
            ("B", "Completed/Closed", "2023-01-03 09:00", "G1"),
            ("C", "Accepted/In Progress", "2023-01-02 08:00", "G1"),
            ("C", "Completed/Resolved", "2023-01-02 09:00", "G1"),
            ("C", "Accepted/Wait - User", "2023-01-02 10:00", "G1"),
            ("C", "Completed/Closed", "2023-01-03 09:00", "G1"),
        ]
    )
    got = reopen_events(log, statuses=st)
    assert got["real"].tolist() == [True, False, False, False]
    assert got["harmless"].tolist() == [False, False, False, True]
    assert reopens(log, statuses=st).notes  # says the definition was inferred


def test_missing_resolved_status_is_a_clear_config_error(desk_log: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match=r"statuses\.resolved"):
        reopen_events(desk_log, statuses=StatusMeanings())


def test_unsorted_input_gives_the_same_answer(statuses: StatusMeanings, desk_log: pd.DataFrame) -> None:
    log = desk_log
    shuffled = log.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(reopen_events(shuffled, statuses=statuses), reopen_events(log, statuses=statuses))
