"""Prefix features: correctness on a tiny hand-made log, no leakage, the transformer contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from workbench.config import CalendarConfig
from workbench.errors import ConfigError, EventLogError, NotFittedError
from workbench.features import PrefixFeaturizer, open_case_counts, prefix_index
from workbench.features._intercase import recent_outcomes


def _log() -> pd.DataFrame:
    rows = [
        # case, activity, time, team, resource, priority
        ("A", "Registered", "2024-01-01 08:00", "T1", "r1", "High"),
        ("A", "In progress", "2024-01-01 09:00", "T1", "r1", "High"),
        ("A", "Waiting", "2024-01-01 12:00", "T1", "r1", "High"),
        ("A", "In progress", "2024-01-02 08:00", "T2", "r2", "High"),
        ("A", "Resolved", "2024-01-02 10:00", "T2", "r2", "High"),
        ("A", "Closed", "2024-01-02 12:00", None, None, "High"),
        ("B", "Registered", "2024-01-01 10:00", "T1", "r1", "Low"),
        ("B", "In progress", "2024-01-01 11:00", "T1", "r3", "Low"),
        ("B", "Resolved", "2024-01-02 09:00", "T1", "r3", "Low"),
        ("B", "Closed", "2024-01-03 09:00", "T1", None, "Low"),
        ("C", "Registered", "2024-01-01 13:00", "T1", None, "Low"),
        ("C", "In progress", "2024-01-02 11:00", "T2", "r2", "Low"),
    ]
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "team", "resource", "priority"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["amount"] = frame["case_id"].map({"A": 10.0, "B": 20.0, "C": np.nan})
    return frame


def _featurizer(**kw: object) -> PrefixFeaturizer:
    params = {"case_attributes": ("priority", "amount"), "end_activities": ("Resolved", "Closed"),
              "idle_timeout_days": None}
    params.update(kw)
    return PrefixFeaturizer(**params)  # type: ignore[arg-type]


def test_intra_case_features_on_a_hand_made_log() -> None:
    log = _log()
    X = _featurizer().fit(log).transform(log)
    row = X.loc[3]  # case A, 4th event: In progress at T2 on Jan 2, 08:00
    assert row["prefix_length"] == 4
    assert row["elapsed_hours"] == pytest.approx(24.0)
    assert row["since_last_hours"] == pytest.approx(20.0)
    assert row["count__in_progress"] == 2 and row["count__waiting"] == 1 and row["count__resolved"] == 0
    assert row["hours_in__waiting"] == pytest.approx(20.0)  # 12:00 -> 08:00 next day
    assert row["hours_in__in_progress"] == pytest.approx(3.0)  # 09:00 -> 12:00; the current one is still open
    assert row["hours_in__registered"] == pytest.approx(1.0)
    assert row["teams_so_far"] == 2 and row["team_changes"] == 1
    assert row["distinct_activities"] == 3 and row["max_repeats"] == 2
    assert row["hour"] == pytest.approx(8.0) and row["weekday"] == 1  # Tuesday, UTC
    f = _featurizer().fit(log)
    cats = f.categories_
    assert cats["last_activity"][int(row["last_activity"])] == "In progress"
    assert cats["prev_activity"][int(row["prev_activity"])] == "Waiting"
    assert cats["last_team"][int(row["last_team"])] == "T2"
    assert cats["priority"][int(row["attr__priority"])] == "High"
    assert row["attr__amount"] == 10.0
    # the closing event of A has no team: the last known team is carried forward
    assert cats["last_team"][int(X.loc[5, "last_team"])] == "T2"
    # first event of a case: no previous activity
    assert np.isnan(X.loc[6, "prev_activity"]) and X.loc[6, "since_last_hours"] == 0.0


def test_open_case_counts_in_system_and_team() -> None:
    log = _log()
    X = _featurizer().fit(log).transform(log)
    # Jan 1 13:00 (C registers): A, B, C open, all in T1
    assert X.loc[10, "open_cases"] == 3 and X.loc[10, "open_cases_team"] == 3
    # Jan 2 08:00 (A moves to T2): A, B, C open; T2 holds only A
    assert X.loc[3, "open_cases"] == 3 and X.loc[3, "open_cases_team"] == 1
    # Jan 2 11:00: A resolved at 10:00, B at 09:00; only C is open, now in T2
    assert X.loc[11, "open_cases"] == 1 and X.loc[11, "open_cases_team"] == 1


def test_idle_timeout_stops_counting_idle_cases() -> None:
    log = _log()
    X = _featurizer(idle_timeout_days=0.5).fit(log).transform(log)
    # Jan 2 08:00: B (idle since Jan 1 11:00) and C (since 13:00) have been idle > 12 h
    assert X.loc[3, "open_cases"] == 1


def test_open_case_counts_match_a_brute_force_count() -> None:
    rng = np.random.default_rng(5)
    n_cases, rows = 40, []
    for c in range(n_cases):
        t = rng.integers(0, 10_000)
        for _k in range(int(rng.integers(1, 6))):
            t += int(rng.integers(0, 500))
            rows.append((c, t, bool(rng.random() < 0.2), int(rng.integers(0, 3))))
    frame = pd.DataFrame(rows, columns=["case", "t", "end", "team"]).sort_values(["case", "t"], kind="stable")
    case, t = frame["case"].to_numpy(), frame["t"].to_numpy(np.int64)
    end, team = frame["end"].to_numpy(), frame["team"].to_numpy(np.int64)
    system, per_team = open_case_counts(case, t, end, team, idle_timeout_ns=700)
    for i in range(len(frame)):
        now = t[i]
        past = frame[frame["t"] <= now]
        last = past.groupby("case").tail(1)
        is_open = ~last["end"] & (now - last["t"] <= 700)
        assert system[i] == is_open.sum()
        assert per_team[i] == (is_open & (last["team"] == team[i])).sum()


def test_recent_outcomes_match_a_brute_force_computation() -> None:
    rng = np.random.default_rng(8)
    rows = []
    for c in range(30):
        t = int(rng.integers(0, 5_000))
        for k in range(int(rng.integers(2, 6))):
            t += int(rng.integers(1, 400))
            rows.append((c, t, int(rng.integers(0, 3)), bool(k > 0 and rng.random() < 0.35)))
    frame = pd.DataFrame(rows, columns=["case", "t", "act", "end"])
    case, t = frame["case"].to_numpy(), frame["t"].to_numpy(np.int64)
    got = recent_outcomes(case, t, frame["end"].to_numpy(), frame["act"].to_numpy(np.int64), window_ns=1_500)
    hours = 3_600_000_000_000
    for i in range(len(frame)):
        now, act = t[i], frame["act"].iloc[i]
        recs, durations = [], []
        for _c, g in frame.groupby("case"):
            for j in np.flatnonzero(g["end"].to_numpy()):
                tau = g["t"].iloc[j]
                if now - 1_500 < tau <= now:
                    durations.append((tau - g["t"].iloc[0]) / hours)
                    recs += [(tau - g["t"].iloc[k]) / hours for k in range(j) if g["act"].iloc[k] == act]
        starts = frame.groupby("case")["t"].min()
        assert got["recent_ends"][i] == len(durations)
        assert got["recent_arrivals"][i] == ((starts > now - 1_500) & (starts <= now)).sum()
        expected = np.mean(recs) if recs else np.nan
        np.testing.assert_allclose(got["recent_remaining_hours"][i], expected)
        np.testing.assert_allclose(got["recent_duration_hours"][i], np.mean(durations) if durations else np.nan)


def test_no_feature_uses_events_after_the_prefix(demo_events: pd.DataFrame) -> None:
    """Truncating the log after a prefix's last event does not change that prefix's features."""
    featurizer = PrefixFeaturizer(case_attributes=("department", "category", "priority", "channel"),
                                  calendar=CalendarConfig(timezone="Europe/Copenhagen")).fit(demo_events)
    full = featurizer.transform(demo_events)
    times = demo_events["timestamp"].sort_values().to_numpy()
    for q in (0.15, 0.5, 0.85):
        cut = times[int(q * len(times))]
        kept = demo_events[demo_events["timestamp"] <= cut]
        part = featurizer.transform(kept)
        pd.testing.assert_frame_equal(part, full.loc[kept.index])
    # truncating only one case after its 3rd event does not change its first three prefixes either
    case = demo_events["case_id"].iloc[0]
    rows = demo_events.index[demo_events["case_id"] == case]
    shorter = demo_events.drop(index=rows[3:])
    pd.testing.assert_frame_equal(featurizer.transform(shorter).loc[rows[:3]], full.loc[rows[:3]])


def test_transform_keeps_the_callers_row_order_and_does_not_mutate() -> None:
    log = _log()
    shuffled = log.sample(frac=1.0, random_state=3)
    before = shuffled.copy()
    f = _featurizer().fit(log)
    out = f.transform(shuffled)
    pd.testing.assert_frame_equal(shuffled, before)
    assert list(out.index) == list(shuffled.index)
    pd.testing.assert_frame_equal(out.sort_index(), f.transform(log))
    keys = prefix_index(shuffled)
    assert keys.loc[3, "prefix_length"] == 4


def test_unknown_categories_become_missing_and_vocabularies_come_from_fit() -> None:
    log = _log()
    f = _featurizer().fit(log[log["case_id"] != "C"])
    other = _log()
    other.loc[other["case_id"] == "C", "priority"] = "Urgent"
    X = f.transform(other)
    assert np.isnan(X.loc[10, "attr__priority"])


def test_contract_clone_not_fitted_and_round_trip() -> None:
    f = _featurizer(calendar=CalendarConfig(timezone="Europe/Copenhagen"))
    assert clone(f).get_params() == f.get_params()
    with pytest.raises(NotFittedError, match=r"This PrefixFeaturizer instance is not fitted yet\. Call 'fit'"):
        f.transform(_log())
    assert f.fit(_log()) is f
    copy = PrefixFeaturizer.from_dict(f.to_dict())
    pd.testing.assert_frame_equal(copy.transform(_log()), f.transform(_log()))
    assert "working_hours_elapsed" in f.feature_names_out_


def test_learned_end_activities_and_bad_input() -> None:
    f = PrefixFeaturizer().fit(_log())
    assert "Closed" in f.end_activities_ and "In progress" not in f.end_activities_
    with pytest.raises(EventLogError, match="column\\(s\\) \\['priority'\\] are missing"):
        PrefixFeaturizer(case_attributes=("priority",)).fit(_log().drop(columns="priority"))
    with pytest.raises(EventLogError, match="event log is empty"):
        f.transform(_log().iloc[:0])
    with pytest.raises(ConfigError, match="top_activities must be an integer >= 0, got -1"):
        PrefixFeaturizer(top_activities=-1).fit(_log())
    naive = _log()
    naive["timestamp"] = naive["timestamp"].dt.tz_localize(None)
    with pytest.raises(EventLogError, match="must hold time-zone aware datetimes"):
        f.transform(naive)
