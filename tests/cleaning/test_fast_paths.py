"""The fast paths of cleaning give exactly what the general paths give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.cleaning import parse_timestamps
from workbench.cleaning._source import _row_key
from workbench.cleaning.steps import sort_within_cases
from workbench.config import OrderConfig, TimeConfig
from workbench.schema import ACTIVITY, CASE_ID, TIMESTAMP


def test_row_key_is_equal_exactly_when_the_rows_are() -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({
        "a": rng.choice(["x", "y", None], 3000).astype(object),
        "b": rng.choice(["1", "2", "3"], 3000).astype(object),
        "c": rng.integers(0, 40, 3000).astype(str).astype(object),
    })
    key = _row_key(frame)
    assert key.dtype == np.uint64
    as_text = frame.fillna("<missing>").astype(str).agg("|".join, axis=1)
    assert (pd.Series(key).duplicated() == as_text.duplicated()).all()
    assert pd.Series(key).nunique() == as_text.nunique()
    first = as_text.groupby(as_text, sort=False).transform(lambda rows: rows.index[0])  # first equal row
    np.testing.assert_array_equal(key, first.to_numpy().astype(np.uint64))


def test_row_key_stays_exact_past_64_bits() -> None:
    n = 5000
    frame = pd.DataFrame({f"c{i}": [f"v{(j * (i + 7)) % n}" for j in range(n)] for i in range(8)})
    frame = pd.concat([frame, frame.iloc[:10]], ignore_index=True)
    key = _row_key(frame)
    assert int(pd.Series(key).duplicated().sum()) == int(frame.duplicated().sum()) == 10


@pytest.mark.parametrize("values", [
    ["2023-03-26T01:30:00Z", "2023-10-29T00:30:00Z", "2024-01-01T00:00:00.123456Z"],
    ["2023-03-26 02:30:00", "2023-10-29 02:30", "2023-06-01", "2023-06-01T10"],
])
def test_arrow_timestamps_match_pandas(values: list[str]) -> None:
    config = TimeConfig(timezone="Europe/Copenhagen")
    fast = parse_timestamps(pd.Series(values, dtype=object), config, column="timestamp", required=True)
    slow = parse_timestamps(pd.Series(values, dtype="string"), config, column="timestamp", required=True)
    pd.testing.assert_series_equal(fast.values, slow.values)
    assert (fast.ambiguous, fast.nonexistent, fast.localised_from) == (slow.ambiguous, slow.nonexistent,
                                                                       slow.localised_from)


def test_sorting_without_ties_keeps_time_order_and_reports_no_ties() -> None:
    ts = pd.to_datetime(["2023-01-02", "2023-01-01", "2023-01-03", "2023-01-01"], utc=True)
    frame = pd.DataFrame({CASE_ID: ["b", "b", "a", "a"], ACTIVITY: ["x", "Closed", "y", "z"], TIMESTAMP: ts})
    out, findings = sort_within_cases(frame, fix=True, order=OrderConfig(), closing=("Closed",))
    assert out[CASE_ID].tolist() == ["a", "a", "b", "b"]
    assert out[ACTIVITY].tolist() == ["z", "y", "Closed", "x"]
    tied = next(f for f in findings if f.check.startswith("cases with events sharing"))
    assert tied.count == 0


def test_sorting_with_ties_puts_closing_statuses_last() -> None:
    ts = pd.to_datetime(["2023-01-01", "2023-01-01", "2023-01-01"], utc=True)
    frame = pd.DataFrame({CASE_ID: ["a", "a", "b"], ACTIVITY: ["Closed", "x", "y"], TIMESTAMP: ts})
    out, findings = sort_within_cases(frame, fix=True, order=OrderConfig(), closing=("Closed",))
    assert out[ACTIVITY].tolist() == ["x", "Closed", "y"]
    checks = {f.check: f for f in findings}
    assert checks["cases with events sharing a timestamp"].count == 1
    assert checks["cases whose same-timestamp events were reordered"].detail == "ordered by closing statuses last, not file order"


@pytest.mark.parametrize("extra", [
    {},
    {"case_attributes": {"dept": "dept"}, "statuses": {"closed": ["Closed"]}},
    {"columns": {"case_id": "case", "activity": "act", "timestamp": "ts", "start_timestamp": "start"},
     "cleaning": {"drop_single_event_cases": True}},
])
def test_cleaning_never_changes_the_callers_frame(extra: dict) -> None:
    from workbench.config import LogConfig
    from workbench.io import to_canonical

    base = {"name": "t", "source": {"kind": "csv", "path": "x.csv"},
            "columns": {"case_id": "case", "activity": "act", "timestamp": "ts"}}
    config = LogConfig.model_validate({**base, **extra})
    raw = pd.DataFrame({
        "case": [" a", "a", "a", "b", "", "c"], "act": ["x", "Closed", "Closed", "y", "z", "x"],
        "ts": ["2024-01-01T11:00:00Z", "2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z", "2024-01-02T09:00:00Z",
               "2024-01-02T09:00:00Z", "2024-01-03T09:00:00Z"],
        "start": ["2024-01-01T10:30:00Z", None, None, "2024-01-02T10:00:00Z", None, None],
        "dept": ["d1", None, None, "d2", None, None],
    }, dtype=object)
    canonical = to_canonical(raw, config)
    before = canonical.copy(deep=True)
    from workbench.cleaning import clean_log

    clean_log(canonical, config)
    pd.testing.assert_frame_equal(canonical, before)


def test_tie_runs_are_ordered_like_one_full_sort() -> None:
    from workbench.cleaning._source import TIE_BREAK

    rng = np.random.default_rng(11)
    for _ in range(30):
        n = int(rng.integers(2, 300))
        frame = pd.DataFrame({
            CASE_ID: rng.choice([f"c{i}" for i in range(8)], n).astype(object),
            ACTIVITY: rng.choice(["A", "B", "Closed", "X"], n).astype(object),
            TIMESTAMP: pd.to_datetime(rng.integers(0, 12, n) * 3_600_000_000_000, utc=True),
            TIE_BREAK: rng.choice(["2", "10", "1", None], n).astype(object),
        })
        order = OrderConfig(activity_order=("B", "*", "A"))
        out, _ = sort_within_cases(frame, fix=True, order=order, closing=("Closed",))
        codes = pd.factorize(frame[CASE_ID], sort=True)[0]
        tie = pd.to_numeric(frame[TIE_BREAK]).rank(method="dense", na_option="bottom").to_numpy()
        act = frame[ACTIVITY].map({"B": 0, "A": 2}).fillna(1).to_numpy()
        expected = np.lexsort((np.arange(n), act, tie, frame[TIMESTAMP].to_numpy(dtype="datetime64[ns]"), codes))
        pd.testing.assert_frame_equal(out, frame.iloc[expected].reset_index(drop=True))


def test_conflicting_case_attributes_are_counted_per_case() -> None:
    from workbench.cleaning.steps import consolidate_case_attributes

    frame = pd.DataFrame({CASE_ID: ["a", "a", "b", "b", "c"], "dept": ["x", "y", "x", None, None]}, dtype=object)
    _, findings = consolidate_case_attributes(frame, ["dept"])
    assert [(f.check, f.count) for f in findings] == [
        ("case attribute 'dept' changes within a case", 1),
        ("case attribute values spread to every event of their case", 1)]


def test_a_long_text_column_cast_in_parts_is_the_one_cast_and_fails_as_it() -> None:
    import pyarrow as pa

    from workbench.cleaning.timestamps import _arrow_cast

    text = pd.date_range("2023-03-20", periods=450_001, freq="37s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    column = pa.chunked_array([pa.array(text[:100_000]), pa.array(text[100_000:])])
    whole = pd.Series(pa.compute.cast(column, pa.timestamp("ns", "UTC")).to_pandas())
    assert _arrow_cast(column).equals(whole)
    bad = list(text)
    bad[300_000] = "2023-13-01T00:00:00Z"  # in the second part: the whole column goes the full way
    assert _arrow_cast(pa.chunked_array([pa.array(bad)])) is None


@pytest.mark.parametrize("texts", [["a", "", "b", None, "a"], ["a", "b", None], [" a", "", "b", "  ", None, "a"]],
                         ids=["empty text, nothing to strip", "clean", "padded and blank"])
def test_stripped_categories_match_the_text_path(texts: list[str | None]) -> None:
    from workbench.cleaning.steps import _stripped_categories, _stripped_objects

    coded = pd.Series(pd.Categorical(texts))
    missing, stripped = _stripped_categories(coded)
    frame = pd.DataFrame({"x": pd.Series(texts, dtype=object)})
    expected_missing = _stripped_objects(frame, "x")
    np.testing.assert_array_equal(missing, expected_missing)
    assert list(stripped[~missing].astype(str)) == list(frame["x"][~expected_missing])


@pytest.mark.parametrize("texts", [
    ["a", "b", None, "b", "c"],  # categories already in order (a file sorted by case)
    ["b", None, "a", "b", "é", "Z", "ab"],  # not in order; code points, not locale
    ["x"],
    [None, None],
], ids=["in order", "out of order", "one", "all missing"])
def test_sorted_codes_of_coded_text_order_as_the_texts(texts: list[str | None]) -> None:
    from workbench.cleaning.steps import _sorted_codes

    first_seen = list(dict.fromkeys(t for t in texts if t is not None))  # the reader's order of categories
    coded = _sorted_codes(pd.Series(pd.Categorical(texts, categories=first_seen)))
    expected = pd.factorize(pd.Series(texts, dtype=object), sort=True)[0]
    np.testing.assert_array_equal(coded, expected)
