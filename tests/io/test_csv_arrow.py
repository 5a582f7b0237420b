"""Coded reading gives the clean frame and the report of the text reader, value for value, and the same errors.

:func:`workbench.io.load_log` reads a CSV file coded (:func:`read_csv_coded`) and cleans
the codes; the reference is the text reader (:func:`read_csv`, ``str`` cells and ``NaN``)
through the same mapping and cleaning, the path every other source takes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.io.test_readers_arrow import SAME
from workbench.cleaning._coded import CODED_TEXT, decoded
from workbench.config import LogConfig
from workbench.config.log import SourceConfig
from workbench.errors import EventLogError
from workbench.io import LoadedLog, load_log, prepare_log
from workbench.io.csv_arrow import coded_frame, read_csv_table, text_frame
from workbench.io.readers import read_csv, read_csv_coded

SECRET = "0123456789abcdef" * 4
COLUMNS = {"case_id": "case", "activity": "act", "timestamp": "ts", "resource": "who", "team": "team"}


def _config(path: Path, **extra: Any) -> LogConfig:
    return LogConfig.model_validate({"name": "t", "source": {"kind": "csv", "path": str(path)},
                                     "columns": COLUMNS, **extra})


def _by_text_reader(config: LogConfig, pseudonymise: bool) -> LoadedLog:
    raw = read_csv(config.source)
    return prepare_log(raw, config, secret=SECRET, pseudonymise=pseudonymise, source=None)


def _assert_same(coded: LoadedLog, text: LoadedLog) -> None:
    pd.testing.assert_frame_equal(coded.events, text.events, check_exact=True)
    assert list(coded.events.dtypes) == list(text.events.dtypes)
    for column in coded.events.columns:  # the same Python types cell by cell (str, NaN, None, pd.NA)
        if coded.events[column].dtype == object:
            kinds = coded.events[column].map(lambda v: type(v).__name__)
            assert kinds.equals(text.events[column].map(lambda v: type(v).__name__)), column
    assert coded.quality == text.quality
    assert CODED_TEXT not in coded.events.attrs


def _both(config: LogConfig) -> None:
    for pseudonymise in (False, True):
        _assert_same(load_log(config, secret=SECRET, pseudonymise=pseudonymise),
                     _by_text_reader(config, pseudonymise))


def _messy(rows: int, seed: int) -> pd.DataFrame:
    """Shuffled events with padded and missing ids, blank activities, duplicate rows, ties, gaps."""
    rng = np.random.default_rng(seed)
    case = rng.integers(0, rows // 6, rows)
    ts = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 30 * 24, rows) * 3600, unit="s")
    frame = pd.DataFrame({
        "case": pd.Series(case).map("C{:04d}".format),
        "act": np.array(["Registered", "Assigned", " Assigned ", "Closed", "Reopened"])[rng.integers(0, 5, rows)],
        "ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "who": pd.Series(rng.integers(0, 12, rows)).map("p{:02d}".format),
        "team": np.array(["A", "B", "C"])[rng.integers(0, 3, rows)],
        "dept": np.array(list("WXYZ"))[case % 4],
        "seq": rng.integers(0, 4, rows).astype(str),
    })
    frame.loc[rng.random(rows) < 0.02, "case"] = ""
    frame.loc[rng.random(rows) < 0.02, "case"] = " " + frame["case"] + " "
    frame.loc[rng.random(rows) < 0.02, "act"] = "  "
    frame.loc[rng.random(rows) < 0.05, "who"] = ""
    frame.loc[rng.random(rows) < 0.3, "dept"] = ""
    frame.loc[rng.random(rows) < 0.02, "dept"] = "Q"
    return pd.concat([frame, frame.iloc[::40]], ignore_index=True).sample(frac=1, random_state=seed)


@pytest.mark.parametrize("text", SAME.values(), ids=SAME.keys())
def test_coded_frame_holds_the_text_frames_values(tmp_path: Path, text: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    table = read_csv_table(path, SourceConfig(path=path))
    assert table is not None
    pd.testing.assert_frame_equal(decoded(coded_frame(table)), text_frame(table))


def test_repeated_text_is_read_coded(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    frame = _messy(3000, 1)
    frame["ts"] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(frame)), unit="s")).astype(str)
    frame.to_csv(path, index=False)
    raw = read_csv_coded(SourceConfig(path=path))
    assert raw.attrs[CODED_TEXT] is True
    assert isinstance(raw["act"].dtype, pd.CategoricalDtype)
    assert isinstance(raw["ts"].dtype, pd.ArrowDtype)  # nearly unique: kept as Arrow text
    pd.testing.assert_frame_equal(decoded(raw), read_csv(SourceConfig(path=path)))


@pytest.mark.parametrize("extra", [
    {"case_attributes": {"department": "dept"}, "statuses": {"closed": ["Closed"]}},
    {"case_attributes": {"department": "dept"}, "case_attribute_take": {"department": "event"},
     "order": {"tie_break": "seq", "activity_order": ["Registered", "*", "Closed"]},
     "cleaning": {"drop_single_event_cases": True}},
    {"case_attributes": {"department": "dept"}, "case_attribute_take": {"department": "last"},
     "duplicates": {"columns": ["case", "act", "ts"]}, "activity_map": {"Reopened": "Opened again"}},
], ids=["defaults", "tie-break and single events", "named duplicate columns"])
def test_messy_log_is_cleaned_the_same(tmp_path: Path, extra: dict) -> None:
    path = tmp_path / "log.csv"
    _messy(6000, 2).to_csv(path, index=False)
    config = _config(path, **extra)
    _both(config)
    report = load_log(config, pseudonymise=False).quality
    assert next(f for f in report.findings if f.check == "exact duplicate events").count > 0
    assert next(f for f in report.findings if f.check == "missing case_id").count > 0


def test_demo_log_is_cleaned_the_same(tmp_path: Path) -> None:
    from workbench.config import load_log_config
    from workbench.demo import DemoParams, generate_demo_log

    demo = load_log_config(Path(__file__).resolve().parents[2] / "configs" / "logs" / "demo.yaml")
    path = tmp_path / "demo.csv"
    generate_demo_log(DemoParams(days=20), seed=3).events.to_csv(path, index=False)
    config = demo.model_copy(update={"source": SourceConfig(kind="csv", path=path)})
    _both(config)


@pytest.mark.parametrize(("rows", "extra"), [
    ([f"c{i % 7},a{i % 3},2024-03-{1 + i % 28:02d}T10:{i % 60:02d}:00{'+01:00' if i % 2 else '+02:00'},r,T"
      for i in range(200)], {"time": {"mixed_offsets": "convert"}}),
    ([f"c{i % 11},a{i % 3},2023-10-29 0{i % 4}:{(i * 7) % 60:02d}:00,r{i % 4},T" for i in range(200)]
     + ["c1,a1,2023-10-29 01:07:00,r1,T"] * 3, {"time": {"timezone": "Europe/Copenhagen"}}),
    ([f"c{i % 9},a{i % 2},2024-03-{1 + i % 5:02d},,T" for i in range(200)], {}),  # repeated dates: coded
    ([f"c{i % 9},a{i % 2},{1 + i % 28:02d}/03/2024 10:{i % 60:02d},r,T" for i in range(100)],
     {"time": {"format": "%d/%m/%Y %H:%M"}}),
    ([f"c{i % 9},a{i % 2},{1 + i % 5:02d}/03/2024,r,T" for i in range(200)],
     {"time": {"format": "%d/%m/%Y"}}),  # repeated dates (coded) with a format: parsed the full way
], ids=["mixed offsets converted", "local times across DST", "date only", "time.format", "dates with a format"])
def test_timestamps_are_parsed_the_same(tmp_path: Path, rows: list[str], extra: dict) -> None:
    path = tmp_path / "log.csv"
    path.write_text("case,act,ts,who,team\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _both(_config(path, **extra))


def test_start_timestamps_are_parsed_and_checked_the_same(tmp_path: Path) -> None:
    rows = [f"c{i % 9},a{i % 3},2024-03-0{1 + i % 3}T10:00:00Z,2024-03-0{1 + i % 4}T09:00:00Z,r,T" for i in range(300)]
    path = tmp_path / "log.csv"
    path.write_text("case,act,ts,start,who,team\n" + "\n".join(rows) + "\n", encoding="utf-8")
    config = _config(path, columns={**COLUMNS, "start_timestamp": "start"})
    _both(config)
    report = load_log(config, pseudonymise=False).quality
    assert next(f for f in report.findings if f.check == "start after end").count > 0


@pytest.mark.parametrize(("rows", "message"), [
    ([f"c{i},a,2024-03-01T10:00:00{'+01:00' if i % 2 else '+02:00'},r,T" for i in range(10)],
     r"^column 'timestamp': timestamps carry 2 different UTC offsets \(\+0[12]:00 in 5 rows, \+0[12]:00 in 5 rows\); "
     r"set time.mixed_offsets: convert"),
    ([f"c{i},a,2024-03-01T10:00:00{'Z' if i % 2 else ''},r,T" for i in range(10)],
     r"^column 'timestamp': 5 timestamps carry a UTC offset and 5 do not \(first without: row 1, "
     r"'2024-03-01T10:00:00'\)"),
    ([f"c{i},a,{'31-02-2023 10:00' if i == 3 else '2024-03-01 10:00'},r,T" for i in range(10)],
     r"^column 'timestamp': 1 values could not be parsed as dates with ISO 8601 or a common date form "
     r"\(first: row 4, '31-02-2023 10:00'\); set time.format"),
    ([f"c{i},a,{'' if i in (2, 5) else '2024-03-01 10:00'},r,T" for i in range(10)],
     r"^column 'timestamp': 2 events have no timestamp \(first: row 3\); fill them in the export"),
], ids=["offsets differ", "offset on some", "unparseable", "missing"])
def test_bad_timestamps_give_the_same_one_line_error(tmp_path: Path, rows: list[str], message: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text("case,act,ts,who,team\n" + "\n".join(rows) + "\n", encoding="utf-8")
    config = _config(path)
    with pytest.raises(EventLogError, match=message) as coded:
        load_log(config, pseudonymise=False)
    with pytest.raises(EventLogError) as text:
        _by_text_reader(config, False)
    assert str(coded.value) == str(text.value) and "\n" not in str(coded.value)


@pytest.mark.parametrize("reader", [read_csv, read_csv_coded], ids=["text", "coded"])
def test_preparing_never_changes_the_callers_table(tmp_path: Path, reader: Any) -> None:
    """Mapping shares the source's arrays (no copy per column): no later step may write into them."""
    path = tmp_path / "log.csv"
    frame = _messy(3000, 4)
    frame["start"] = frame["ts"].where(np.arange(len(frame)) % 3 == 0)  # some starts, one after its end below
    frame.iloc[0, frame.columns.get_loc("start")] = "2030-01-01T00:00:00Z"
    frame["life"] = np.where(np.arange(len(frame)) % 2 == 0, "complete", "start")
    frame.to_csv(path, index=False)
    config = _config(path, columns={**COLUMNS, "start_timestamp": "start", "lifecycle": "life"},
                     case_attributes={"department": "dept"}, lifecycle={"mode": "append"},
                     order={"tie_break": "seq"}, activity_map={"Reopened": "Opened again"})
    raw = reader(config.source)
    before = raw.copy(deep=True)
    prepare_log(raw, config, secret=SECRET, pseudonymise=True)
    pd.testing.assert_frame_equal(raw, before, check_exact=True)
