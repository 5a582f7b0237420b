"""Small hand-made logs whose process-map figures are worked out by hand in the tests."""

from __future__ import annotations

import pandas as pd
import pytest

BASE = pd.Timestamp("2024-03-04 08:00", tz="UTC")


def make_log(traces: dict[str, list[tuple[str, float]]]) -> pd.DataFrame:
    """A canonical log from ``{case: [(activity, hours after BASE), ...]}``."""
    rows = [
        {"case_id": case, "activity": activity, "timestamp": BASE + pd.Timedelta(hours=hours)}
        for case, events in traces.items()
        for activity, hours in events
    ]
    frame = pd.DataFrame(rows)
    frame["start_timestamp"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    frame["resource"] = pd.NA
    frame["team"] = pd.NA
    frame["lifecycle"] = pd.NA
    return frame.sort_values(["case_id", "timestamp"], kind="stable", ignore_index=True)


@pytest.fixture()
def log_factory():
    """``make_log``: build a canonical log from ``{case: [(activity, hours after BASE)]}``."""
    return make_log


@pytest.fixture()
def tiny_log() -> pd.DataFrame:
    """Four cases; the expected figures are derived by hand in test_map.py."""
    return make_log(
        {
            "c1": [("A", 0), ("B", 1), ("C", 3)],
            "c2": [("A", 0), ("B", 2), ("B", 2.5), ("C", 6.5)],
            "c3": [("A", 0), ("C", 10)],
            "c4": [("B", 0), ("C", 1)],
        }
    )


@pytest.fixture()
def wide_log() -> pd.DataFrame:
    """150 cases A -> B -> C and 12 cases A -> C, for case lists longer than the panel shows."""
    traces: dict[str, list[tuple[str, float]]] = {}
    for i in range(150):
        traces[f"T{i:03d}"] = [("A", 0), ("B", 1 + i % 5), ("C", 8 + i % 7)]
    for i in range(12):
        traces[f"R{i:03d}"] = [("A", 0), ("C", 30 + i)]
    return make_log(traces)


@pytest.fixture()
def busy_log() -> pd.DataFrame:
    """400 random walks over 12 activities: well over 100 distinct paths."""
    import numpy as np

    rng = np.random.default_rng(11)
    names = [f"S{i:02d}" for i in range(12)]
    traces = {}
    for case in range(400):
        steps = rng.integers(0, 12, size=int(rng.integers(2, 9)))
        traces[f"k{case:03d}"] = [(names[s], float(h)) for h, s in enumerate(steps)]
    return make_log(traces)
