"""build_process_map: figures of a hand-made log worked out by hand, and checks against pm4py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.discovery import END_NODE, START_NODE, build_process_map
from workbench.errors import EventLogError

# tiny_log (hours after BASE):
#   c1: A 0, B 1, C 3          c2: A 0, B 2, B 2.5, C 6.5
#   c3: A 0, C 10              c4: B 0, C 1


def _edge(pmap, source, target) -> pd.Series:
    rows = pmap.edges[(pmap.edges["source"] == source) & (pmap.edges["target"] == target)]
    assert len(rows) == 1
    return rows.iloc[0]


def _node(pmap, name) -> pd.Series:
    rows = pmap.nodes[pmap.nodes["node"] == name]
    assert len(rows) == 1
    return rows.iloc[0]


def test_edge_frequency_duration_and_cases_by_hand(tiny_log):
    pmap = build_process_map(tiny_log)
    assert (pmap.n_cases, pmap.n_events) == (4, 11)
    assert pmap.edge_duration == "completion_to_completion"

    ab = _edge(pmap, "A", "B")  # c1: 1 h, c2: 2 h
    assert (ab["cases"], ab["events"]) == (2, 2)
    assert ab["case_share"] == pytest.approx(0.5)
    assert ab["median_hours"] == pytest.approx(1.5)
    assert ab["mean_hours"] == pytest.approx(1.5)
    assert ab["p90_hours"] == pytest.approx(1.9)  # 1 + 0.9 * (2 - 1)

    bc = _edge(pmap, "B", "C")  # c1: 2 h, c2: 4 h, c4: 1 h
    assert (bc["cases"], bc["events"]) == (3, 3)
    assert bc["median_hours"] == pytest.approx(2.0)
    assert bc["mean_hours"] == pytest.approx(7 / 3)
    assert bc["p90_hours"] == pytest.approx(3.6)  # sorted 1, 2, 4: 2 + 0.8 * (4 - 2)

    bb = _edge(pmap, "B", "B")  # c2: 0.5 h
    assert (bb["cases"], bb["events"], bb["median_hours"]) == (1, 1, pytest.approx(0.5))

    assert pmap.edge_case_ids("A", "B") == ["c1", "c2"]
    assert pmap.edge_case_ids("B", "C") == ["c1", "c2", "c4"]
    assert pmap.edge_case_ids("B", "B") == ["c2"]
    assert pmap.edge_case_ids("A", "C") == ["c3"]


def test_start_and_end_edges(tiny_log):
    pmap = build_process_map(tiny_log)
    start_a = _edge(pmap, START_NODE, "A")
    assert (start_a["cases"], start_a["events"]) == (3, 3)
    assert np.isnan(start_a["median_hours"])
    assert pmap.edge_case_ids(START_NODE, "B") == ["c4"]
    assert _edge(pmap, "C", END_NODE)["cases"] == 4
    assert set(zip(pmap.edges["source"], pmap.edges["target"], strict=False)) == {
        (START_NODE, "A"),
        (START_NODE, "B"),
        ("A", "B"),
        ("A", "C"),
        ("B", "B"),
        ("B", "C"),
        ("C", END_NODE),
    }


def test_node_figures_since_previous_event(tiny_log):
    pmap = build_process_map(tiny_log)
    assert pmap.node_duration == "since_previous"
    a = _node(pmap, "A")  # always first: no duration
    assert (a["cases"], a["events"], a["timed_events"]) == (3, 3, 0)
    assert np.isnan(a["median_hours"])
    b = _node(pmap, "B")  # c1 1 h, c2 2 h and 0.5 h; c4 first
    assert (b["cases"], b["events"], b["timed_events"]) == (3, 4, 3)
    assert (b["median_hours"], b["mean_hours"], b["p90_hours"]) == pytest.approx((1.0, 3.5 / 3, 1.8))
    c = _node(pmap, "C")  # 2, 4, 10, 1 h
    assert (c["cases"], c["events"]) == (4, 4)
    assert (c["median_hours"], c["mean_hours"], c["p90_hours"]) == pytest.approx((3.0, 4.25, 8.2))
    assert pmap.node_case_ids("B") == ["c1", "c2", "c4"]
    assert list(pmap.nodes["node"]) == [
        START_NODE,
        "C",
        "B",
        "A",
        END_NODE,
    ]  # by cases, then events, then name
    assert list(pmap.nodes["kind"]) == ["start", "activity", "activity", "activity", "end"]


def test_node_figures_until_next_event(tiny_log):
    pmap = build_process_map(tiny_log, node_duration="until_next")
    a = _node(pmap, "A")  # c1 1 h, c2 2 h, c3 10 h
    assert (a["median_hours"], a["mean_hours"], a["p90_hours"]) == pytest.approx((2.0, 13 / 3, 8.4))
    assert _node(pmap, "C")["timed_events"] == 0


def test_activity_durations_with_start_timestamps(log_factory):
    base = pd.Timestamp("2024-03-04 08:00", tz="UTC")  # the factory's time origin
    log = log_factory({"x1": [("A", 1), ("B", 4)], "x2": [("A", 2), ("B", 5)]})
    log["start_timestamp"] = [base, base + pd.Timedelta(hours=3), base, pd.NaT]
    pmap = build_process_map(log)
    assert (pmap.node_duration, pmap.edge_duration) == ("activity", "completion_to_start")
    assert _node(pmap, "A")["median_hours"] == pytest.approx(1.5)  # 1 h and 2 h
    b = _node(pmap, "B")
    assert (b["timed_events"], b["median_hours"]) == (1, pytest.approx(1.0))
    # x1: B starts 3 h, A completed 1 h -> 2 h; x2: B's start unknown -> its completion 5 h - 2 h = 3 h
    assert _edge(pmap, "A", "B")["median_hours"] == pytest.approx(2.5)
    assert "start" in pmap.edge_duration_text


def test_unsorted_input_gives_the_same_map_and_is_not_modified(tiny_log):
    shuffled = tiny_log.sample(frac=1.0, random_state=3)
    before = shuffled.copy()
    pmap = build_process_map(shuffled)
    pd.testing.assert_frame_equal(shuffled, before)
    reference = build_process_map(tiny_log)
    pd.testing.assert_frame_equal(pmap.edges, reference.edges)
    pd.testing.assert_frame_equal(pmap.nodes, reference.nodes)


def test_max_case_ids_caps_lists_not_counts(tiny_log):
    pmap = build_process_map(tiny_log, max_case_ids=1)
    assert pmap.edge_case_ids("B", "C") == ["c1"]
    assert _edge(pmap, "B", "C")["cases"] == 3
    assert pmap.node_case_ids("C") == ["c1"]
    assert pmap.edge_cases.groupby(["source", "target"], observed=True).size().max() == 1


def test_tables_are_tidy_and_round_trip_through_csv(tiny_log, tmp_path):
    pmap = build_process_map(tiny_log)
    pmap.edges.to_csv(tmp_path / "edges.csv", index=False)
    back = pd.read_csv(tmp_path / "edges.csv")
    assert list(back.columns) == [
        "source",
        "target",
        "cases",
        "events",
        "case_share",
        "median_hours",
        "mean_hours",
        "p90_hours",
    ]
    assert back["events"].sum() == 11 + 4  # every event has one incoming edge, plus one end edge per case
    behind = pmap.edge_cases.groupby(["source", "target"], observed=True)["case_id"].nunique()
    counts = pmap.edges.set_index(["source", "target"])["cases"]
    assert behind.sort_index().tolist() == counts.sort_index().tolist()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.drop(columns="timestamp"), r"column\(s\) \['timestamp'\] missing"),
        (lambda f: f.iloc[0:0], "event log is empty"),
        (lambda f: f.assign(activity=f["activity"].replace("A", "[start]")), "reserved"),
        (lambda f: f.assign(timestamp=f["timestamp"].dt.tz_localize(None)), "must be datetime64"),
        (lambda f: f.assign(case_id=f["case_id"].where(f.index != 2)), "column 'case_id': 1 missing"),
    ],
)
def test_bad_logs_get_one_clear_error(tiny_log, mutate, message):
    with pytest.raises(EventLogError, match=message):
        build_process_map(mutate(tiny_log))


def test_bad_parameters_and_unknown_parts(tiny_log):
    with pytest.raises(EventLogError, match="max_case_ids must be a positive integer"):
        build_process_map(tiny_log, max_case_ids=0)
    with pytest.raises(EventLogError, match="node_duration='activity' needs start timestamps"):
        build_process_map(tiny_log, node_duration="activity")
    pmap = build_process_map(tiny_log)
    with pytest.raises(EventLogError, match="edge 'C' -> 'A' is not in the process map"):
        pmap.edge_case_ids("C", "A")
    with pytest.raises(EventLogError, match="node 'Z' is not in the process map"):
        pmap.node_case_ids("Z")


@pytest.mark.shared_data
def test_counts_and_durations_agree_with_pm4py(shared_data):
    pm4py = pytest.importorskip("pm4py")
    log = pm4py.read_xes(str(shared_data / "pm4py_running_example.xes"))
    events = pd.DataFrame(
        {
            "case_id": log["case:concept:name"].astype(str),
            "activity": log["concept:name"].astype(str),
            "timestamp": log["time:timestamp"],
        }
    )
    pmap = build_process_map(events)
    dfg, starts, ends = pm4py.discover_dfg(log)
    inner = pmap.edges[(pmap.edges["source"] != START_NODE) & (pmap.edges["target"] != END_NODE)]
    assert dict(zip(zip(inner["source"], inner["target"], strict=False), inner["events"], strict=False)) == dfg
    start_rows = pmap.edges[pmap.edges["source"] == START_NODE]
    assert dict(zip(start_rows["target"], start_rows["events"], strict=False)) == starts
    end_rows = pmap.edges[pmap.edges["target"] == END_NODE]
    assert dict(zip(end_rows["source"], end_rows["events"], strict=False)) == ends
    performance, _, _ = pm4py.discover_performance_dfg(log)
    for (source, target), stats in performance.items():
        edge = _edge(pmap, source, target)
        assert edge["median_hours"] * 3600 == pytest.approx(stats["median"])
        assert edge["mean_hours"] * 3600 == pytest.approx(stats["mean"])
