"""Splits: no case in two parts, and time is respected."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import ConfigError, EventLogError
from workbench.models import holdout_split, temporal_split
from workbench.models.splits import Split, case_bounds
from workbench.models.targets import completed_cases


def _no_overlap(split: Split) -> None:
    parts = [set(split.cases[p]) for p in ("train", "validation", "test")]
    assert not parts[0] & parts[1] and not parts[0] & parts[2] and not parts[1] & parts[2]


def test_holdout_split_is_64_16_20_by_start_time(demo_events: pd.DataFrame) -> None:
    split = holdout_split(demo_events)
    _no_overlap(split)
    bounds = case_bounds(demo_events)
    n = len(bounds)
    sizes = {p: len(split.cases[p]) for p in ("train", "validation", "test")}
    assert sizes == {"train": int(n * 0.64), "validation": int(n * 0.8) - int(n * 0.64), "test": n - int(n * 0.8)}
    starts = {p: bounds.loc[sorted(split.cases[p]), "start"] for p in sizes}
    assert starts["train"].max() <= starts["validation"].min()
    assert starts["validation"].max() <= starts["test"].min()


def test_temporal_split_trains_on_the_past_and_scores_only_after_the_split_time(demo_events: pd.DataFrame,
                                                                               demo_config) -> None:
    done = completed_cases(demo_events, statuses=demo_config.statuses)
    split = temporal_split(demo_events, test_fraction=0.2, validation_fraction=0.2, cases=done)
    _no_overlap(split)
    bounds = case_bounds(demo_events)
    test_from, val_from = split.scored_from["test"], split.scored_from["validation"]
    assert val_from < test_from
    # every training case has ended before the validation split time, every validation case before the test one
    assert (bounds.loc[sorted(split.cases["train"]), "end"] < val_from).all()
    assert (bounds.loc[sorted(split.cases["validation"]), "end"] < test_from).all()
    assert (bounds.loc[sorted(split.cases["test"]), "end"] >= test_from).all()
    # long cases and cases starting after log end - max duration are dropped; open cases never used
    max_days = split.settings["max_case_days"]
    used = sorted(set().union(*split.cases.values()))
    assert (bounds.loc[used, "days"] <= max_days + 1e-9).all()
    assert (bounds.loc[used, "start"] <= split.scored_until).all()
    assert set(used) <= set(done.astype(str))
    # prefixes: test prefixes end in [test_from, scored_until], training prefixes are all before val_from
    part = split.assign(demo_events["case_id"], demo_events["timestamp"])
    ts = demo_events["timestamp"]
    assert (ts[part == "test"] >= test_from).all() and (ts[part == "test"] <= split.scored_until).all()
    assert (ts[part == "train"] < val_from).all()
    assert (ts[part == "validation"] >= val_from).all() and (ts[part == "validation"] < test_from).all()
    # a test case that started before the split time keeps only its later prefixes
    early = [c for c in split.cases["test"] if bounds.loc[c, "start"] < test_from]
    assert early, "the demo log should have test cases running across the split time"
    rows = demo_events["case_id"].isin(early)
    assert part[rows & (ts < test_from)].isna().all()


def test_split_round_trips_through_a_dict(demo_events: pd.DataFrame) -> None:
    split = temporal_split(demo_events, max_case_days=20)
    again = Split.from_dict(split.to_dict())
    assert again.cases == split.cases and again.scored_from == split.scored_from
    assert again.scored_until == split.scored_until
    assert split.settings["max_case_days"] == 20


def test_split_errors_name_the_problem(demo_events: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match=r"test_fraction must be between 0 and 1 \(exclusive\), got 1\.5"):
        temporal_split(demo_events, test_fraction=1.5)
    with pytest.raises(ConfigError, match="holdout fractions must be three positive numbers summing to 1"):
        holdout_split(demo_events, fractions=(0.5, 0.2, 0.2))
    tiny = demo_events[demo_events["case_id"].isin(demo_events["case_id"].unique()[:4])]
    with pytest.raises(EventLogError, match="the log has 4 usable cases, too few for a temporal split"):
        temporal_split(tiny)


def test_a_log_of_cases_closed_in_one_window_cannot_be_split_in_time() -> None:
    """Like BPIC 2013 incidents: every case ends in the same short window, whenever it started."""
    base = pd.Timestamp("2024-01-01", tz="UTC")
    rows = []
    for i in range(40):
        start = base + pd.Timedelta(days=40 + i % 3 if i < 15 else 70 + i % 20)
        end = base + pd.Timedelta(days=100 + i % 3)
        rows += [(f"c{i:02d}", "Open", start), (f"c{i:02d}", "Closed", end)]
    log = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    with pytest.raises(EventLogError, match="cannot be split in time this way"):
        temporal_split(log, max_case_days=60)
    assert len(holdout_split(log).cases["test"]) == 8
