"""Writing a canonical log as Parquet partitioned by case, and reading it back one bucket at a time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.config import load_log_config
from workbench.demo import DemoParams, generate_demo_log
from workbench.errors import EventLogError, OutputError, SourceError
from workbench.io import prepare_log
from workbench.io.partitioned import case_buckets, open_partitioned_log, write_partitioned_log

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    config = load_log_config(REPO / "configs" / "logs" / "demo.yaml")
    return prepare_log(generate_demo_log(DemoParams(days=10), seed=5).events, config,
                       secret="module-scoped-test-secret-0123456789").events


def test_round_trip_keeps_every_event_and_dtype(events: pd.DataFrame, tmp_path: Path) -> None:
    log = write_partitioned_log(events, tmp_path / "log", buckets=5)
    assert sorted(p.name for p in log.path.iterdir()) == ["_log.json"] + [f"bucket=0{b}" for b in range(5)]
    assert len(log) == len(events)
    bucket = case_buckets(events["case_id"], 5)
    for b, back in zip(range(5), open_partitioned_log(log.path).iter_buckets(), strict=True):
        assert back.dtypes.to_dict() == events.dtypes.to_dict()
        written = events[bucket == b].sort_values(["case_id", "timestamp"], kind="stable", ignore_index=True)
        pd.testing.assert_frame_equal(back, written, check_exact=True)  # missing values too (pd.NA stays pd.NA)


def test_every_case_lies_in_one_bucket_sorted_by_time(events: pd.DataFrame, tmp_path: Path) -> None:
    log = write_partitioned_log(events, tmp_path / "log", buckets=4)
    seen: set[str] = set()
    for b in log.present_buckets():
        part = log.read_bucket(b)
        cases = set(part["case_id"])
        assert not cases & seen
        seen |= cases
        assert (case_buckets(part["case_id"], 4) == b).all()
        assert part.equals(part.sort_values(["case_id", "timestamp"], kind="stable"))
    assert seen == set(events["case_id"])


def test_the_bucket_of_a_case_is_stable_across_processes() -> None:
    code = "from workbench.io.partitioned import case_buckets; print(case_buckets(['T2023-000001', 'x', 7], 64).tolist())"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert runs == {f"{case_buckets(['T2023-000001', 'x', 7], 64).tolist()}\n"}


def test_read_bucket_reads_only_the_columns_asked_for(events: pd.DataFrame, tmp_path: Path) -> None:
    log = write_partitioned_log(events, tmp_path / "log", buckets=3)
    part = log.read_bucket(log.present_buckets()[0], columns=["case_id", "timestamp"])
    assert list(part.columns) == ["case_id", "timestamp"]
    assert str(part["timestamp"].dtype) == str(events["timestamp"].dtype)


def test_append_adds_a_part_per_bucket_and_checks_the_layout(events: pd.DataFrame, tmp_path: Path) -> None:
    cases = events["case_id"].unique()
    first = events["case_id"].isin(cases[: len(cases) // 2])
    write_partitioned_log(events[first], tmp_path / "log", buckets=3)
    log = write_partitioned_log(events[~first], tmp_path / "log", buckets=3, append=True)
    assert log.writes == 2 and len(log) == len(events)
    assert json.loads((log.path / "_log.json").read_text())["writes"] == 2
    with pytest.raises(EventLogError, match="has 3 buckets; append with buckets=3"):
        write_partitioned_log(events, tmp_path / "log", buckets=4, append=True)
    with pytest.raises(EventLogError, match="differ from the log's"):
        write_partitioned_log(events.drop(columns=["channel"]), tmp_path / "log", buckets=3, append=True)


def test_writing_over_a_folder_that_is_not_empty_is_refused(events: pd.DataFrame, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="exists and is not empty"):
        write_partitioned_log(events, tmp_path, buckets=2)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_bad_paths_give_one_line_errors(events: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^partitioned log .*nowhere: no such folder; write one with") as err:
        open_partitioned_log(tmp_path / "nowhere")
    assert "\n" not in str(err.value)
    (tmp_path / "plain").mkdir()
    with pytest.raises(SourceError, match=r"is not a partitioned event log: it has no _log\.json"):
        open_partitioned_log(tmp_path / "plain")
    (tmp_path / "plain" / "_log.json").write_text("{not json")
    with pytest.raises(SourceError, match=r"_log\.json cannot be read"):
        open_partitioned_log(tmp_path / "plain")
    log = write_partitioned_log(events, tmp_path / "log", buckets=2)
    with pytest.raises(SourceError, match="no bucket 2; buckets are 0 to 1"):
        log.read_bucket(2)
    with pytest.raises(EventLogError, match="buckets must be at least 1"):
        write_partitioned_log(events, tmp_path / "other", buckets=0)
