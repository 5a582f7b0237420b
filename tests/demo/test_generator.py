"""Tests of the demo log generator: reproducibility, the log's form, its truth, what-if worlds, fairness knob."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from workbench.demo import (
    CATEGORIES,
    CHANNELS,
    DEPARTMENTS,
    EVENT_COLUMNS,
    FIRST_LINE,
    PARTNER_TEAMS,
    PRIORITIES,
    STATUSES,
    TEAMS,
    DemoParams,
    generate_demo_log,
)
from workbench.errors import ConfigError

TZ = "Europe/Copenhagen"
#: Staff statuses (an agent sets them); the others are user or system events.
STAFF_STATUSES = {"In progress", "Waiting for user", "Mail to user", "Forwarded", "Sent back", "Resolved with mail"}
USER_OR_SYSTEM = {"Assigned to team", "Mail from user", "Reopened"}
#: Danish public holidays in 2023, written out by hand (Store Bededag 5 May still existed).
HOLIDAYS_2023 = {
    "2023-01-01", "2023-04-06", "2023-04-07", "2023-04-09", "2023-04-10", "2023-05-05", "2023-05-18",
    "2023-05-28", "2023-05-29", "2023-06-05", "2023-12-24", "2023-12-25", "2023-12-26", "2023-12-31",
}  # fmt: skip


@pytest.fixture(scope="module")
def small():
    return generate_demo_log(DemoParams(days=60), seed=7)


@pytest.fixture(scope="module")
def year():
    return generate_demo_log(seed=42)


def _day_codes(local) -> np.ndarray:
    """YYYYMMDD integers of local timestamps (fast holiday look-ups)."""
    if isinstance(local, pd.Series):
        local = pd.DatetimeIndex(local)
    return np.asarray(local.year * 10_000 + local.month * 100 + local.day)


HOLIDAY_CODES = [int(d.replace("-", "")) for d in HOLIDAYS_2023]


def _sequences(events: pd.DataFrame) -> dict[str, list[str]]:
    return events.groupby("ticket_id", sort=False)["status"].agg(list).to_dict()


# --- reproducibility -----------------------------------------------------------------------------
def test_same_seed_gives_identical_log(small):
    again = generate_demo_log(DemoParams(days=60), seed=7)
    pd.testing.assert_frame_equal(small.events, again.events)
    pd.testing.assert_frame_equal(small.truth, again.truth)


def test_other_seed_gives_other_log(small):
    other = generate_demo_log(DemoParams(days=60), seed=8)
    assert len(other.events) != len(small.events) or not other.events.equals(small.events)
    assert not np.array_equal(other.truth["arrival"].to_numpy()[:50], small.truth["arrival"].to_numpy()[:50])


def test_default_params_and_seed():
    p = DemoParams()
    assert p.start == dt.date(2023, 1, 2) and p.days == 365 and p.yearly_volume == 11_500
    assert p.disadvantaged_department is None


# --- the form of the log -------------------------------------------------------------------------
def test_columns_dtypes_and_vocabulary(small):
    ev = small.events
    assert tuple(ev.columns) == EVENT_COLUMNS
    assert str(ev["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert set(ev["status"]) == set(STATUSES)  # 60 days are enough to see every status
    assert set(ev["team"]) == set(TEAMS)
    assert set(ev["department"]) <= set(DEPARTMENTS) and ev["department"].nunique() == len(DEPARTMENTS)
    assert set(ev["category"]) == set(CATEGORIES)
    assert set(ev["priority"]) == set(PRIORITIES)
    assert set(ev["channel"]) == set(CHANNELS)
    assert ev["ticket_id"].str.fullmatch(r"T20\d\d-\d{6}").all()
    assert ev["user_id"].str.fullmatch(r"user-\d{5}").all()
    agents = ev["agent"].dropna()
    assert agents.str.fullmatch(r"agent-\d{3}").all()
    # case attributes are constant within a ticket
    assert (ev.groupby("ticket_id")[["user_id", "department", "category", "priority", "channel"]].nunique() == 1).all().all()


def test_sorted_and_strictly_increasing_within_ticket(small):
    ev = small.events
    assert ev.index.equals(pd.RangeIndex(len(ev)))
    assert ev["ticket_id"].is_monotonic_increasing
    step = ev.groupby("ticket_id")["timestamp"].diff().dropna()
    assert (step > pd.Timedelta(0)).all()
    assert ev.groupby("ticket_id")["status"].first().eq("Registered").all()


def test_who_records_what(small):
    ev = small.events
    staff = ev["status"].isin(STAFF_STATUSES)
    assert ev.loc[staff, "agent"].notna().all()
    assert ev.loc[ev["status"].isin(USER_OR_SYSTEM), "agent"].isna().all()
    phone = ev["channel"].eq("Telefon")
    registered = ev["status"].eq("Registered")
    assert ev.loc[registered & phone, "agent"].notna().all()  # phone tickets are registered by an agent
    assert ev.loc[registered & ~phone, "agent"].isna().all()
    # agents belong to one team
    assert (ev.dropna(subset=["agent"]).groupby("agent")["team"].nunique() == 1).all()


def test_forward_and_send_back_patterns(small):
    ev = small.events
    nxt = ev.groupby("ticket_id")[["status", "team"]].shift(-1)
    fwd = ev["status"].eq("Forwarded")
    assert ev.loc[fwd, "team"].eq(FIRST_LINE).all()
    assert nxt.loc[fwd, "status"].eq("Assigned to team").all()
    assert nxt.loc[fwd, "team"].isin(PARTNER_TEAMS).all()
    back = ev["status"].eq("Sent back")
    assert back.any() and ev.loc[back, "team"].isin(PARTNER_TEAMS).all()
    cut = nxt.loc[back, "status"].isna()  # a send-back at the very horizon
    assert nxt.loc[back & ~cut.reindex(ev.index, fill_value=False), "status"].eq("Assigned to team").all()
    assert nxt.loc[back, "team"].dropna().eq(FIRST_LINE).all()


@pytest.mark.parametrize("which", ["small", "year"])
def test_staff_events_only_in_working_hours(which, request):
    log = request.getfixturevalue(which)
    ev = log.events  # the full year crosses both daylight-saving changes
    staff = ev[ev["agent"].notna()]
    local = staff["timestamp"].dt.tz_convert(TZ)
    hours = local.dt.hour + local.dt.minute / 60 + local.dt.second / 3600
    assert (local.dt.weekday < 5).all()
    assert ((hours >= 8) & (hours <= 16)).all()
    assert not np.isin(_day_codes(local), HOLIDAY_CODES).any()
    # users mostly answer in their own hours (7-17), but some mail outside them
    user = ev[ev["status"].eq("Mail from user")]["timestamp"].dt.tz_convert(TZ)
    outside = (user.dt.hour < 7) | (user.dt.hour >= 17) | (user.dt.weekday >= 5)
    assert 0.02 < outside.mean() < 0.25
    summer = user[user.dt.month.isin([5, 6, 8])]
    if len(summer):  # daylight-saving time: local hours, not shifted by the UTC offset
        assert (summer.dt.hour == 7).sum() > 0.3 * (summer.dt.hour == 16).sum()


def test_working_calendar_follows_local_time_across_daylight_saving():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from workbench.demo import WorkCalendar, danish_holidays

    zone = ZoneInfo(TZ)
    origin = dt.datetime(2023, 3, 20, tzinfo=zone)  # a week before summer time starts
    cal = WorkCalendar(origin=origin, first_day=origin.date(), n_days=14, timezone=TZ, start_hour=8, end_hour=16,
                       workdays=(0, 1, 2, 3, 4), holidays=danish_holidays([2023]))  # fmt: skip
    assert cal.opens[0] == 8.0 and cal.closes[0] == 16.0
    assert cal.opens[5] == 7 * 24 + 8 - 1  # Monday 27 March 08:00 CEST is an hour earlier in UTC terms
    assert cal.add_working(15.5, 1.0) == 24 + 8.5  # work continues the next morning
    assert cal.next_open(16.0) == 32.0 and cal.next_open(9.0) == 9.0
    assert cal.worked(cal.closes[4]) == 40.0


def test_open_tickets_are_cut_at_the_horizon(small):
    truth, ev = small.truth, small.events
    assert ev["timestamp"].max() < small.horizon
    assert truth["arrival"].max() < small.horizon
    assert truth["is_open"].any() and not truth["is_open"].all()
    closed = ev.loc[ev["status"].eq("Closed"), "ticket_id"]
    assert set(truth.loc[~truth["is_open"], "ticket_id"]) == set(closed)
    open_ = truth[truth["is_open"]]
    assert (open_["final_closed_at"] >= small.horizon).all()  # the future is known


def test_events_to_end_keeps_the_period_tickets_lives_past_the_horizon(small):
    whole = generate_demo_log(small.params, seed=small.seed, events_to_end=True)
    pd.testing.assert_frame_equal(whole.truth, small.truth)  # the truth is the log's view either way
    ev = whole.events
    assert set(ev["ticket_id"]) == set(small.truth["ticket_id"])  # no ticket of the run-out
    before = ev[ev["timestamp"] < small.horizon].reset_index(drop=True)
    pd.testing.assert_frame_equal(before, small.events.reset_index(drop=True))
    # every ticket ends: the last event of each is its final closure
    last = ev.groupby("ticket_id")["timestamp"].max()
    final = small.truth.set_index("ticket_id")["final_closed_at"]
    pd.testing.assert_series_equal(last.sort_index(), final.sort_index(), check_names=False)
    assert (ev["timestamp"] >= small.horizon).any()
    # with start events, which work carries one is drawn over more events; the completions are the same
    partial = replace(small.params, start_event_share=0.3)
    cut, kept = (generate_demo_log(partial, seed=small.seed, events_to_end=e).events for e in (False, True))
    done = kept[(kept["lifecycle"] == "complete") & (kept["timestamp"] < small.horizon)].reset_index(drop=True)
    pd.testing.assert_frame_equal(done, cut[cut["lifecycle"] == "complete"].reset_index(drop=True))


# --- truth agrees with the events ----------------------------------------------------------------
def _count_patterns(seq: list[str]) -> tuple[int, int]:
    """Real reopens: Resolved -> Reopened -> ... -> Resolved; harmless: Reopened -> ... -> Closed, no Resolved."""
    real = harmless = 0
    reopened = False
    resolved_before = False
    for status in seq:
        if status == "Resolved with mail":
            if reopened:
                real += 1
            reopened = False
            resolved_before = True
        elif status == "Reopened" and resolved_before:
            reopened = True
        elif status == "Closed" and reopened:
            harmless += 1
            reopened = False
    return real, harmless


def test_truth_counts_match_the_event_patterns(small):
    truth = small.truth.set_index("ticket_id")
    seqs = _sequences(small.events)
    assert set(seqs) == set(truth.index)
    counted = pd.DataFrame({t: _count_patterns(s) for t, s in seqs.items()}, index=["real", "harmless"]).T
    counted = counted.loc[truth.index]
    assert (counted["real"] == truth["n_real_reopens"]).all()
    assert (counted["harmless"] == truth["n_harmless_reopens"]).all()
    assert truth["n_real_reopens"].sum() > 0 and truth["n_harmless_reopens"].sum() > 0
    status_counts = small.events.groupby(["ticket_id", "status"]).size().unstack(fill_value=0).loc[truth.index]
    assert (status_counts["Sent back"] == truth["n_sent_back"]).all()
    assert (status_counts["Forwarded"] == truth["n_forwards"]).all()
    assert (status_counts["Resolved with mail"] == truth["n_resolutions"]).all()
    mails = status_counts["Mail to user"] + status_counts["Mail from user"]
    assert (mails == truth["n_messages"]).all()
    assert truth["n_messages"].max() >= 10  # some tickets have a lot of back-and-forth


def test_truth_times_match_the_events(small):
    ev, truth = small.events, small.truth.set_index("ticket_id")
    first = ev.groupby("ticket_id")["timestamp"].first()
    assert (first.loc[truth.index] == truth["arrival"]).all()
    res = ev[ev["status"].eq("Resolved with mail")].groupby("ticket_id")["timestamp"].last()
    assert (truth["resolved_at"].dropna() == res.loc[truth["resolved_at"].dropna().index]).all()
    assert truth["resolved_at"].isna().sum() == len(truth) - len(res)
    # time with the user, recomputed: each "Waiting for user" to the next event (the user's reply)
    nxt = ev.groupby("ticket_id")["timestamp"].shift(-1).fillna(small.horizon)
    waiting = ev["status"].eq("Waiting for user")
    hours = ((nxt - ev["timestamp"])[waiting].dt.total_seconds() / 3600).groupby(ev.loc[waiting, "ticket_id"]).sum()
    expected = hours.reindex(truth.index, fill_value=0.0)
    np.testing.assert_allclose(expected.to_numpy(), truth["hours_waiting_on_user"].to_numpy(), atol=1e-9)
    assert (truth["hours_waiting_on_user"] > 0).mean() > 0.1


def test_routing_truth(small):
    truth = small.truth
    fl = truth["right_team"].eq(FIRST_LINE)
    assert 0.6 < fl.mean() < 0.9  # first line resolves most tickets
    assert (truth["misrouted"] == (truth["first_team"] != truth["right_team"])).all()
    done = truth["resolving_team"].notna()
    assert (truth.loc[done, "resolving_team"] == truth.loc[done, "right_team"]).all()
    misrouted_done = truth["misrouted"] & ~truth["is_open"]
    assert (truth.loc[misrouted_done, "n_sent_back"] >= 1).all()
    assert (truth.loc[~truth["misrouted"], "n_sent_back"] == 0).all()


def test_truth_keeps_each_tickets_main_work_at_its_right_team(year):
    truth, p = year.truth, year.params
    assert (truth["effort_hours"] >= p.min_effort_minutes / 60.0).all()
    mean = truth.groupby("right_team")["effort_hours"].mean()
    for team, hours in mean.items():
        assert hours == pytest.approx(p.effort_hours[team], rel=0.15), team


# --- a full year ---------------------------------------------------------------------------------
def test_full_year_volume_reopens_and_seasons(year):
    truth, ev = year.truth, year.events
    assert 10_800 < len(truth) < 12_200
    share = truth["n_real_reopens"].sum() / truth["n_resolutions"].sum()
    assert 0.02 <= share <= 0.03  # the desk: 342 of 13,015
    assert truth["n_harmless_reopens"].sum() > truth["n_real_reopens"].sum()
    local = truth["arrival"].dt.tz_convert(TZ)
    by_weekday = local.dt.weekday.value_counts()
    assert by_weekday.idxmax() == 0  # Monday peak
    assert by_weekday[5] + by_weekday[6] < 0.05 * len(truth)
    by_month = local.dt.month.value_counts()
    assert by_month[7] < 0.75 * by_month[6]  # summer holiday
    assert by_month[12] < 0.9 * by_month[11]  # Christmas
    assert truth["is_open"].any()
    assert set(ev["status"]) == set(STATUSES)


# --- the same world with one change --------------------------------------------------------------
def _busiest_partner(truth: pd.DataFrame) -> str:
    return truth.loc[truth["right_team"].isin(PARTNER_TEAMS), "right_team"].value_counts().idxmax()


def test_one_more_person_shares_the_world_and_cuts_the_wait(small):
    p = small.params
    team = _busiest_partner(small.truth)
    assert team == "IT-infrastruktur"
    more = generate_demo_log(replace(p, staff={**p.staff, team: p.staff[team] + 1}), seed=7)
    shared = ["ticket_id", "arrival", "department", "category", "priority", "channel", "user_id", "right_team"]
    pd.testing.assert_frame_equal(small.truth[shared], more.truth[shared])

    def team_wait(log):
        t = log.truth
        return t.loc[t["right_team"].eq(team), "queue_hours_partners"].mean()

    assert team_wait(more) < 0.7 * team_wait(small)
    assert more.truth["final_cycle_hours"].mean() < small.truth["final_cycle_hours"].mean()


def test_halving_misrouting_keeps_the_luck(small):
    p = small.params
    half = generate_demo_log(replace(p, misrouting_rate=p.misrouting_rate / 2), seed=7)
    assert (half.truth["arrival"] == small.truth["arrival"]).all()
    before, after = small.truth["misrouted"], half.truth["misrouted"]
    assert after.sum() < before.sum()
    assert not (after & ~before).any()  # tickets misrouted in the better world were misrouted before too
    assert half.truth["n_sent_back"].sum() < small.truth["n_sent_back"].sum()


# --- the planted disadvantage --------------------------------------------------------------------
def test_disadvantage_is_off_by_default(small):
    assert not small.truth["disadvantaged"].any()
    rank = small.truth["priority"].map({p: i for i, p in enumerate(PRIORITIES)})
    assert (small.truth["queue_rank"] == rank).all()


def test_planted_disadvantage_lengthens_the_departments_cycle_time(small):
    dep = "Jobcenter"
    planted = generate_demo_log(replace(small.params, disadvantaged_department=dep), seed=7)
    t0, t1 = small.truth, planted.truth
    assert (t1["disadvantaged"] == t1["department"].eq(dep)).all()
    pd.testing.assert_series_equal(t0["priority"], t1["priority"])  # the recorded priority is unchanged
    mine0 = t0.loc[t0["department"].eq(dep), "final_cycle_hours"].mean()
    mine1 = t1.loc[t1["department"].eq(dep), "final_cycle_hours"].mean()
    others1 = t1.loc[~t1["department"].eq(dep), "final_cycle_hours"].mean()
    assert mine1 > 1.15 * mine0
    assert mine1 > 1.15 * others1
    weak = generate_demo_log(replace(small.params, disadvantaged_department=dep, disadvantage_strength=0.0), seed=7)
    pd.testing.assert_frame_equal(weak.events, small.events)


# --- parameters ----------------------------------------------------------------------------------
def test_params_are_frozen_picklable_and_replaceable():
    p = DemoParams(days=10)
    with pytest.raises(TypeError, match="read-only"):
        p.staff["BI-teamet"] = 5  # type: ignore[index]
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.deepcopy(p) == p
    q = replace(p, staff={**p.staff, "BI-teamet": 2})
    assert q.staff["BI-teamet"] == 2 and p.staff["BI-teamet"] == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"staff": {"IT-service og support": 5}}, r"DemoParams.staff: 'IT-infrastruktur' is missing"),
        ({"staff": {**DemoParams().staff, "Servicedesk": 2}}, r"DemoParams.staff: 'Servicedesk' is not one of"),
        ({"staff": {**DemoParams().staff, "BI-teamet": 0}}, r"team 'BI-teamet' needs a whole number of agents >= 1"),
        ({"misrouting_rate": 1.5}, r"DemoParams.misrouting_rate: must be a probability between 0 and 1, got 1.5"),
        ({"disadvantaged_department": "Rådhuset"}, r"'Rådhuset' is not a department"),
        ({"days": 0}, r"DemoParams.days: must be at least 1, got 0"),
        ({"timezone": "Mars/Olympus"}, r"unknown time zone 'Mars/Olympus'"),
        ({"yearly_volume": 30_000}, r"yearly_volume: 30000 is above volume_ceiling \(23000.0\); raise volume_ceiling"),
        ({"misrouting_by_category": {"Printer": 0.1}}, r"misrouting_by_category: 'Printer' is not one of"),
        ({"forward_share": {"Netværk": {"IT-infrastruktur": 0.8, "BI-teamet": 0.4}}}, r"sum to at most 1"),
    ],
)
def test_bad_params_get_a_clear_error(changes, message):
    with pytest.raises(ConfigError, match=message):
        DemoParams(**changes)


def test_bad_seed_gets_a_clear_error():
    with pytest.raises(ConfigError, match=r"seed must be a non-negative integer, got -1"):
        generate_demo_log(DemoParams(days=5), seed=-1)


def test_bad_events_to_end_gets_a_clear_error():
    with pytest.raises(ConfigError, match="events_to_end must be true or false, got 'yes'"):
        generate_demo_log(DemoParams(days=5), seed=1, events_to_end="yes")  # type: ignore[arg-type]


def test_time_split_adds_up_to_the_cycle_time(small):
    truth = small.truth
    parts = truth[
        ["hours_waiting_on_user", "hours_with_first_line", "hours_with_partners", "hours_resolved_before_reopen"]
    ].sum(axis=1)
    done = truth["resolved_at"].notna()
    np.testing.assert_allclose(parts[done], truth.loc[done, "cycle_hours"], rtol=1e-9, atol=1e-9)
    until_horizon = (small.horizon - truth.loc[~done, "arrival"]).dt.total_seconds() / 3600
    np.testing.assert_allclose(parts[~done], until_horizon, rtol=1e-9, atol=1e-9)
    fl_only = done & truth["right_team"].eq(FIRST_LINE) & ~truth["misrouted"]
    assert (truth.loc[fl_only, "hours_with_partners"] == 0).all()
    assert (truth.loc[done & truth["right_team"].isin(PARTNER_TEAMS), "hours_with_partners"] > 0).all()
    assert (truth.loc[truth["n_real_reopens"] > 0, "hours_resolved_before_reopen"] > 0).all()


def test_working_hour_split_matches_a_minute_count(small):
    truth = small.truth
    cols = ["work_hours_waiting_on_user", "work_hours_with_first_line", "work_hours_with_partners",
            "work_hours_resolved_before_reopen"]  # fmt: skip
    done = truth[truth["resolved_at"].notna()]
    assert (done[cols].to_numpy() <= done[[c.replace("work_", "") for c in cols]].to_numpy() + 1e-9).all()
    ranked = done.sort_values("cycle_hours")
    sample = ranked.iloc[int(0.85 * len(ranked)) :: max(1, len(ranked) // 80)].head(12)  # cross nights and weekends
    assert sample["cycle_hours"].min() > 16
    for _, row in sample.iterrows():
        minutes = pd.date_range(row["arrival"].ceil("min"), row["resolved_at"], freq="min", inclusive="left")
        local = minutes.tz_convert(TZ)
        working = (
            (local.weekday < 5)
            & (local.hour >= 8)
            & (local.hour < 16)
            & ~np.isin(_day_codes(local), HOLIDAY_CODES)
        )
        assert abs(row[cols].sum() - working.sum() / 60) < 2 / 60


def test_more_volume_keeps_every_ticket_and_adds_others(small):
    more = generate_demo_log(replace(small.params, yearly_volume=1.2 * small.params.yearly_volume), seed=7)
    t0, t1 = small.truth, more.truth
    assert 1.1 * len(t0) < len(t1) < 1.3 * len(t0)
    attrs = ["arrival", "user_id", "department", "category", "priority", "channel", "right_team", "misrouted"]
    merged = t0[attrs].merge(t1[attrs], on="arrival", how="left", suffixes=("", "_more"), indicator=True)
    merged = merged[~merged["arrival"].duplicated(keep=False)]  # two tickets in one second pair up twice
    assert (merged["_merge"] == "both").all()  # every ticket of the smaller world is in the larger one
    for column in attrs[1:]:
        assert (merged[column] == merged[f"{column}_more"]).all(), column


def test_misrouting_by_category_sends_a_category_straight_to_the_right_team(small):
    straight = generate_demo_log(replace(small.params, misrouting_by_category={"Netværk": 0.0}), seed=7)
    t0, t1 = small.truth, straight.truth
    net = t1["category"].eq("Netværk")
    assert t0.loc[net, "misrouted"].any() and not t1.loc[net, "misrouted"].any()
    assert (t0.loc[~net, "misrouted"] == t1.loc[~net, "misrouted"]).all()


def test_package_docstring_examples_run():
    import doctest

    import workbench.demo

    result = doctest.testmod(workbench.demo)
    assert result.attempted > 0 and result.failed == 0


def test_every_parameter_is_documented():
    import dataclasses
    import re

    headers = re.findall(r"^    ([\w, ]+) : ", DemoParams.__doc__ or "", flags=re.MULTILINE)
    documented = {name.strip() for header in headers for name in header.split(",")}
    assert {f.name for f in dataclasses.fields(DemoParams)} == documented
