"""The desk's questions on a tiny hand-made desk log with hand-computed answers."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import (
    BUCKETS,
    QUESTIONS,
    MissingStatusError,
    answer_questions,
    communication,
    routing,
    team_speed,
    time_split,
)
from workbench.calendar import WorkingCalendar
from workbench.config import StatusMeanings
from workbench.errors import ConfigError

# Mon 2 Jan 2023 ...; all times UTC; teams: first line FL, partners P1 and P2
ROWS = [
    # T1: first line only, one round of waiting on the user
    ("T1", "Registered", "2023-01-02 08:00", "FL", "ann"),
    ("T1", "In progress", "2023-01-02 09:00", "FL", "ann"),
    ("T1", "Mail to user", "2023-01-02 10:00", "FL", "ann"),
    ("T1", "Waiting for user", "2023-01-02 10:01", "FL", "ann"),
    ("T1", "Mail from user", "2023-01-02 12:00", None, None),
    ("T1", "In progress", "2023-01-02 13:00", "FL", "ann"),
    ("T1", "Resolved", "2023-01-02 14:00", "FL", "ann"),
    ("T1", "Closed", "2023-01-03 14:00", "FL", None),
    # T2: forwarded to the right partner P1, which resolves it
    ("T2", "Registered", "2023-01-02 08:00", "FL", "bob"),
    ("T2", "Forwarded", "2023-01-02 09:00", "FL", "bob"),
    ("T2", "Assigned", "2023-01-02 10:00", "P1", "cat"),
    ("T2", "In progress", "2023-01-02 11:00", "P1", "cat"),
    ("T2", "Resolved", "2023-01-02 15:00", "P1", "cat"),
    ("T2", "Closed", "2023-01-04 15:00", None, None),
    # T3: misrouted to P2, sent back, forwarded again to P1 (ping-pong FL -> P2 -> FL)
    ("T3", "Registered", "2023-01-03 08:00", "FL", "bob"),
    ("T3", "Forwarded", "2023-01-03 09:00", "FL", "bob"),
    ("T3", "Assigned", "2023-01-03 09:30", "P2", "dan"),
    ("T3", "Sent back", "2023-01-03 12:30", "P2", "dan"),
    ("T3", "Assigned", "2023-01-03 13:00", "FL", "bob"),
    ("T3", "Forwarded", "2023-01-03 14:00", "FL", "bob"),
    ("T3", "Assigned", "2023-01-03 15:00", "P1", "cat"),
    ("T3", "Resolved", "2023-01-04 09:00", "P1", "cat"),
    ("T3", "Closed", "2023-01-06 09:00", None, None),
    # T4: first line; a real reopen, then a harmless one
    ("T4", "Registered", "2023-01-04 08:00", "FL", "ann"),
    ("T4", "Resolved", "2023-01-04 09:00", "FL", "ann"),
    ("T4", "Mail from user", "2023-01-04 10:00", None, None),
    ("T4", "Reopened", "2023-01-04 10:30", "FL", "ann"),
    ("T4", "In progress", "2023-01-04 11:00", "FL", "ann"),
    ("T4", "Resolved", "2023-01-04 12:00", "FL", "ann"),
    ("T4", "Mail from user", "2023-01-04 13:00", None, None),
    ("T4", "Reopened", "2023-01-04 13:10", "FL", "ann"),
    ("T4", "Closed", "2023-01-04 13:20", "FL", "ann"),
    # T5: still open at P1, blocked for a day
    ("T5", "Registered", "2023-01-05 08:00", "FL", "bob"),
    ("T5", "Forwarded", "2023-01-05 08:30", "FL", "bob"),
    ("T5", "Assigned", "2023-01-05 09:00", "P1", "cat"),
    ("T5", "Blocked", "2023-01-05 10:00", "P1", "cat"),
    ("T5", "In progress", "2023-01-06 10:00", "P1", "cat"),
]


@pytest.fixture
def desk(make_log) -> pd.DataFrame:
    return make_log(ROWS)


@pytest.fixture
def utc_calendar() -> WorkingCalendar:
    return WorkingCalendar(timezone="UTC", start_hour=8, end_hour=16)


def test_team_speed_by_team(desk: pd.DataFrame, statuses: StatusMeanings, utc_calendar: WorkingCalendar) -> None:
    res = team_speed(desk, statuses=statuses, calendar=utc_calendar, min_group_size=1)
    t = res.table.set_index("team")
    assert t.loc["FL", "is_first_line"] and not t.loc["P1", "is_first_line"]
    assert t.loc["FL", "tickets_received"] == 5 and t.loc["FL", "visits"] == 6
    assert t.loc["FL", "median_hours"] == pytest.approx(1.75)  # visits 6, 2, 1.5, 2, 1, 1 h
    assert t.loc["P1", "tickets_received"] == 3 and t.loc["P1", "open_visits"] == 1
    assert t.loc["P1", "median_hours"] == pytest.approx(11.5)  # 5 h and 18 h; T5 still open
    assert t.loc["P1", "p90_hours"] == pytest.approx(16.7)
    assert t.loc["P1", "median_working_hours"] == pytest.approx(3.5)  # 5 and 2 working hours
    assert t.loc["P2", "sent_back_share"] == 1.0 and t.loc["P1", "sent_back_share"] == 0.0
    assert res.case_ids("received", "P1") == ["T2", "T3", "T5"]
    assert res.case_ids("sent_back", "P2") == ["T3"]
    assert "by_person" not in res.extra
    assert not (res.cases["group"] == "cat").any()  # no person appears by default


def test_a_team_none_of_whose_tickets_has_left_it_says_so(make_log, statuses: StatusMeanings) -> None:
    """A team whose every visit is still open has no time to leaving: the answer says so, never 'nan h'."""
    rows = [*ROWS, ("T6", "Registered", "2023-01-05 08:00", "FL", "bob"), ("T6", "Forwarded", "2023-01-05 08:10", "FL", "bob"),
            ("T6", "Assigned", "2023-01-05 09:00", "P3", "eve")]
    res = team_speed(make_log(rows), statuses=statuses, min_group_size=1)
    assert pd.isna(res.table.set_index("team").loc["P3", "median_hours"])
    assert "P3: 1 tickets, none has left the team yet" in res.headline
    assert "nan" not in res.headline


def test_team_speed_per_person_is_opt_in_and_suppresses_small_groups(desk, statuses) -> None:
    res = team_speed(desk, statuses=statuses, per_person=True, min_group_size=3)
    people = res.extra["by_person"].set_index("resource")
    assert people.loc["cat", "tickets_received"] == 3 and not people.loc["cat", "suppressed"]
    assert people.loc["dan", "suppressed"] and pd.isna(people.loc["dan", "median_hours"])
    assert pd.isna(people.loc["dan", "tickets_received"])  # the size of a tiny group is not shown
    assert res.case_ids("person_received", "cat") == ["T2", "T3", "T5"]
    assert res.case_ids("person_received", "dan") == []  # no drill-down into a suppressed person
    teams = res.table.set_index("team")
    assert teams.loc["P2", "suppressed"] and not teams.loc["FL", "suppressed"]


def test_routing_first_time_right_and_pingpong(desk: pd.DataFrame, statuses: StatusMeanings) -> None:
    res = routing(desk, statuses=statuses)
    tickets = res.extra["tickets"].set_index("case_id")
    assert tickets["first_team"].to_dict() == {"T1": "FL", "T2": "P1", "T3": "P2", "T4": "FL", "T5": "P1"}
    assert tickets.loc["T3", "resolving_team"] == "P1" and pd.isna(tickets.loc["T5", "resolving_team"])
    assert res.value("resolved_tickets") == 4
    assert res.value("first_time_right_share") == pytest.approx(3 / 4)
    assert res.value("forwarded_first_time_right_share") == pytest.approx(1 / 2)
    assert res.case_ids("misrouted") == ["T3"]
    assert res.case_ids("first_time_right") == ["T1", "T2", "T4"]
    assert res.value("pingpong_occurrences") == 1
    assert res.case_ids("pingpong", "FL -> P2") == ["T3"]
    assert res.extra["pingpong"][["team_a", "team_b", "tickets"]].values.tolist() == [["FL", "P2", 1]]
    assert tickets.loc["T3", "handovers"] == 3


def test_time_split_hand_computed(desk: pd.DataFrame, statuses: StatusMeanings, utc_calendar) -> None:
    res = time_split(desk, statuses=statuses, calendar=utc_calendar)
    t = res.table.set_index("case_id")
    # by default a resolved ticket's time ends at its final resolution
    assert t.loc["T1", "waiting_on_user_hours"] == pytest.approx(119 / 60)
    assert t.loc["T1", "first_line_hours"] == pytest.approx(4 + 1 / 60)
    assert t.loc["T1", "after_resolution_hours"] == 0
    assert t.loc["T1", "elapsed_hours"] == pytest.approx(6)
    assert t.loc["T2", ["first_line_hours", "partner_teams_hours", "after_resolution_hours"]].tolist() == [2, 5, 0]
    # T4: resolved, reopened (1 h resolved before the reopen), resolved again; the harmless reopen is not counted
    assert t.loc["T4", ["first_line_hours", "after_resolution_hours", "elapsed_hours"]].tolist() == [3, 1, 4]
    # T5 is open: counted to the end of the log, here its own last event
    assert t.loc["T5", "blocked_other_hours"] == pytest.approx(24)
    assert t.loc["T5", "blocked_other_working_hours"] == pytest.approx(8)
    assert t.loc["T1", "waiting_on_user_working_hours"] == pytest.approx(119 / 60)
    parts = t[[f"{b}_hours" for b in BUCKETS]]
    assert parts.sum(axis=1).tolist() == pytest.approx(t["elapsed_hours"].tolist())
    assert res.case_ids("waiting_on_user") == ["T1"]
    total = t["elapsed_hours"].sum()
    assert res.value("waiting_on_user_share") == pytest.approx((119 / 60) / total)


def test_time_split_until_last_event_and_as_of(desk: pd.DataFrame, statuses: StatusMeanings) -> None:
    res = time_split(desk, statuses=statuses, until="last_event", as_of=pd.Timestamp("2023-01-07 10:00", tz="UTC"))
    t = res.table.set_index("case_id")
    assert t.loc["T1", ["after_resolution_hours", "elapsed_hours"]].tolist() == pytest.approx([24, 30])
    assert t.loc["T4", "first_line_hours"] == pytest.approx(1 + 0.5 + 0.5 + 1 + 2 / 6)
    assert t.loc["T4", "after_resolution_hours"] == pytest.approx(2)
    # the open ticket T5 runs on to as_of in the state of its last event (in progress at P1)
    assert t.loc["T5", "partner_teams_hours"] == pytest.approx(1 + 24)
    with pytest.raises(ConfigError, match="until must be"):
        time_split(desk, statuses=statuses, until="closure")


def test_communication_ranking_threshold_and_top_n(desk: pd.DataFrame, statuses: StatusMeanings) -> None:
    res = communication(desk, statuses=statuses, min_messages=2)
    assert res.table["case_id"].tolist() == ["T1", "T4"]
    assert res.table["messages"].tolist() == [2, 2]
    assert res.table[["to_user", "from_user"]].values.tolist() == [[1, 1], [0, 2]]
    assert res.value("messages") == 4 and res.value("tickets_with_messages") == 2
    top1 = communication(desk, statuses=statuses, top_n=1)
    assert top1.case_ids("heavy") == ["T1", "T4"]  # tied at the cut: both kept
    assert top1.extra["tickets"]["rank"].tolist() == [1, 1, 3, 3, 3]


def test_answer_questions_runs_all_and_names_missing_statuses(desk: pd.DataFrame, statuses) -> None:
    ans = answer_questions(desk, statuses=statuses, min_group_size=1)
    assert list(ans.results) == list(QUESTIONS) and not ans.unanswered
    assert len(ans.headlines()) == 5
    bare = StatusMeanings(resolved=("Resolved",))
    partial = answer_questions(desk, statuses=bare, min_group_size=1)
    assert set(partial.unanswered) == {"time_split", "communication"}
    assert "statuses.waiting_on_user" in partial.unanswered["time_split"]
    assert "statuses.message_to_user" in partial.unanswered["communication"]
    with pytest.raises(KeyError, match="not answered"):
        partial["communication"]
    with pytest.raises(MissingStatusError, match=r"statuses\.waiting_on_user"):
        time_split(desk, statuses=bare)
    with pytest.raises(ConfigError, match=r"statuses\.resolved"):
        routing(desk, statuses=StatusMeanings())


def test_questions_do_not_modify_input_and_ignore_row_order(desk: pd.DataFrame, statuses) -> None:
    before = desk.copy()
    a = answer_questions(desk, statuses=statuses, min_group_size=1)
    pd.testing.assert_frame_equal(desk, before)
    b = answer_questions(desk.sample(frac=1.0, random_state=7), statuses=statuses, min_group_size=1)
    for q in QUESTIONS:
        pd.testing.assert_frame_equal(a[q].summary, b[q].summary)


def test_first_line_unknown_uses_each_tickets_first_team(desk: pd.DataFrame, statuses) -> None:
    st = statuses.model_copy(update={"first_line_team": None})
    res = routing(desk, statuses=st)
    assert res.value("first_time_right_share") == pytest.approx(3 / 4)
    fallback = "no 'statuses.first_line_team' mapped: each ticket's first team is taken as its first line"
    assert res.notes == (fallback,)
    assert fallback in time_split(desk, statuses=st).notes
    assert fallback not in routing(desk, statuses=statuses).notes + time_split(desk, statuses=statuses).notes


def test_a_log_without_teams_gets_no_routing_answer_and_a_plain_time_split() -> None:
    """Without a team column, routing and team speed say so instead of reporting 0% right first time."""
    import pandas as pd

    from workbench.analysis import answer_questions
    from workbench.config import StatusMeanings

    ts = pd.to_datetime(["2024-03-04T08:00Z", "2024-03-04T09:00Z", "2024-03-04T12:00Z", "2024-03-04T13:00Z"])
    events = pd.DataFrame({"case_id": ["a"] * 4, "activity": ["In progress", "Wait", "In progress", "Resolve"],
                           "timestamp": ts, "start_timestamp": pd.NaT, "resource": pd.NA, "team": pd.NA,
                           "lifecycle": pd.NA})
    statuses = StatusMeanings(waiting_on_user=("Wait",), resolved=("Resolve",))
    answers = answer_questions(events, statuses=statuses)
    for question in ("routing", "team_speed"):
        assert answers.unanswered[question].endswith(
            "needs the team that handled each event, but the log has none; map columns.team in the log config "
            "(e.g. the ticket system's assigned group)")
    split = answers["time_split"]
    assert split.value("waiting_on_user_share") == pytest.approx(3 / 5)
    assert split.value("first_line_share") == pytest.approx(2 / 5)  # staff time is with us, not "without a team"
    assert split.notes[0].startswith("the log has no team column")
