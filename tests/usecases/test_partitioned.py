"""The partitioned-log use cases: the copy is pseudonymised and replaces only the workbench's own log, and the
questions answered on it out of core are the in-memory answers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from workbench.config import LogConfig, load_log_config
from workbench.errors import EventLogError, OutputError, PrivacyError, SourceError
from workbench.io import LoadedLog
from workbench.io.partitioned import open_partitioned_log
from workbench.usecases import answer_partitioned, discover_map_and_answers, load_and_validate, partition_log
from workbench.usecases.partitioned import NOT_OUT_OF_CORE, check_partition_folder

REPO = Path(__file__).resolve().parents[2]
#: The demo log's columns of person identifiers (staff and users).
PERSON_COLUMNS = ("resource", "user")


def _config(days: int = 8) -> LogConfig:
    config = load_log_config(REPO / "configs" / "logs" / "demo.yaml")
    return config.model_copy(update={"source": config.source.model_copy(update={"days": days})})


@pytest.fixture(scope="module")
def loaded() -> LoadedLog:
    return load_and_validate(_config(), secret="partitioned-use-case-test-secret-0123456789")


def _stored(folder: Path) -> pd.DataFrame:
    """Every row of every Parquet file under ``folder``, read with pyarrow alone (no workbench code)."""
    return pd.concat([pq.read_table(path).to_pandas() for path in sorted(folder.rglob("*.parquet"))])


def _people(frame: pd.DataFrame) -> set[str]:
    return {str(v) for column in PERSON_COLUMNS for v in frame[column].dropna()}


def test_answers_on_the_partitioned_copy_are_the_in_memory_answers(loaded: LoadedLog, tmp_path: Path) -> None:
    copy = partition_log(loaded, tmp_path / "parts", buckets=5)
    assert (copy.events, copy.cases, copy.buckets, copy.replaced) == (
        len(loaded.events), loaded.events["case_id"].nunique(), 5, False)
    answered = answer_partitioned(loaded.config, copy.path, per_person=True, top_n=7)
    want = discover_map_and_answers(loaded.events, loaded.config, per_person=True, top_n=7)

    assert answered.events == len(loaded.events) and answered.buckets == 5
    assert answered.facts.as_of == loaded.events["timestamp"].max() and answered.facts.has_teams
    expected = {stem: frame for stem, frame in want.tables().items() if not stem.startswith("variant")}
    got = answered.tables()
    assert list(got) == list(expected)
    for stem, frame in expected.items():
        pd.testing.assert_frame_equal(got[stem], frame, check_exact=True, obj=stem)
    summary = answered.summary()
    assert summary[1:6] == want.discovery.answers.headlines() and summary[-1] == NOT_OUT_OF_CORE


def test_the_copy_holds_pseudonyms_only(loaded: LoadedLog, tmp_path: Path) -> None:
    config = _config()
    raw_config = config.model_copy(update={"privacy": config.privacy.model_copy(update={"pseudonymise": False})})
    raw_log = load_and_validate(raw_config)
    raw_people = _people(raw_log.events)
    assert any(p.startswith("agent-") for p in raw_people) and any(p.startswith("user-") for p in raw_people)

    copy = partition_log(loaded, tmp_path / "parts", buckets=3)
    stored = _people(_stored(copy.path))
    assert copy.pseudonymised and len(stored) == len(raw_people)
    assert stored.isdisjoint(raw_people), f"raw identifiers were stored: {sorted(stored & raw_people)[:3]}"
    assert all(p.startswith(("staff-", "user-")) for p in stored)

    raw_copy = partition_log(raw_log, tmp_path / "raw", buckets=3)  # the check above can fail: this copy is raw
    assert not raw_copy.pseudonymised and _people(_stored(raw_copy.path)) == raw_people
    with pytest.raises(PrivacyError, match="written without pseudonymisation"):
        answer_partitioned(raw_log.config, raw_copy.path, per_person=True)


def test_partitioning_again_replaces_the_old_copy_whole(loaded: LoadedLog, tmp_path: Path) -> None:
    out = tmp_path / "parts"
    partition_log(loaded, out, buckets=16)
    copy = partition_log(loaded, out, buckets=3)
    assert copy.replaced and open_partitioned_log(out).buckets == 3
    assert sorted(p.name for p in out.iterdir()) == ["_log.json", "_source.json", "bucket=00", "bucket=01", "bucket=02"]
    assert len(open_partitioned_log(out)) == len(loaded.events)
    with pytest.raises(EventLogError, match="buckets must be at least 1"):
        partition_log(loaded, out, buckets=0)
    assert open_partitioned_log(out).buckets == 3, "a failed write must leave the old copy as it was"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts"], "no staging folder is left behind"


def test_the_folder_must_be_new_empty_or_the_workbenchs_own(loaded: LoadedLog, tmp_path: Path) -> None:
    assert check_partition_folder(tmp_path / "new") is False
    (tmp_path / "empty").mkdir()
    assert check_partition_folder(tmp_path / "empty") is False
    partition_log(loaded, tmp_path / "empty", buckets=2)
    assert check_partition_folder(tmp_path / "empty") is True

    (tmp_path / "empty" / "bucket=00" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match=r"holds 'bucket=00/notes.txt', which is not part of a partitioned log"):
        partition_log(loaded, tmp_path / "empty", buckets=2)
    assert (tmp_path / "empty" / "bucket=00" / "notes.txt").read_text(encoding="utf-8") == "mine"

    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "events.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(OutputError, match=r"holds 'events\.csv'"):
        check_partition_folder(tmp_path / "other")
    with pytest.raises(OutputError, match="would hold the input"):
        check_partition_folder(tmp_path / "other", inputs=[tmp_path / "other" / "events.csv"])
    with pytest.raises(OutputError, match="is a file"):
        check_partition_folder(tmp_path / "other" / "events.csv")


def test_a_folder_that_is_not_a_partitioned_log_is_a_source_error(loaded: LoadedLog, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such folder"):
        answer_partitioned(loaded.config, tmp_path / "missing")
    copy = partition_log(loaded, tmp_path / "parts", buckets=2)
    (copy.path / "bucket=01" / "part-00000.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(SourceError, match=r"cannot be read \(ArrowInvalid: .*partition the log again"):
        answer_partitioned(loaded.config, copy.path)
