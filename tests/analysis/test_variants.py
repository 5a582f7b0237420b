"""Tests of the variant table (workbench/analysis/variants.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import case_variants, variants


@pytest.fixture
def log(make_log) -> pd.DataFrame:
    return make_log(
        [
            ("c1", "a", "2023-01-10 08:00"), ("c1", "b", "2023-01-10 09:00"),  # 1 h
            ("c2", "a", "2023-01-10 08:00"), ("c2", "b", "2023-01-10 11:00"),  # 3 h
            ("c3", "a", "2023-01-10 08:00"), ("c3", "b", "2023-01-10 13:00"),  # 5 h
            ("c4", "b", "2023-01-10 08:00"), ("c4", "a", "2023-01-10 10:00"),  # 2 h
            ("c5", "a, b", "2023-01-10 08:00"),  # a label with a comma stays one activity
        ]
    )


def test_variant_table_counts_shares_and_durations(log: pd.DataFrame) -> None:
    table = variants(log)
    assert table["variant"].tolist() == ["a -> b", "a, b", "b -> a"]
    assert table["variant_id"].tolist() == ["V1", "V2", "V3"]
    assert table["count"].tolist() == [3, 1, 1]
    assert table["share"].tolist() == pytest.approx([0.6, 0.2, 0.2])
    assert table["cumulative_share"].tolist() == pytest.approx([0.6, 0.8, 1.0])
    assert table["length"].tolist() == [2, 1, 2]
    first = table.iloc[0]
    assert first["median_hours"] == pytest.approx(3.0)
    assert first["mean_hours"] == pytest.approx(3.0)
    assert first["p90_hours"] == pytest.approx(4.6)  # linear interpolation between 3 and 5
    assert first["case_ids"] == ("c1", "c2", "c3")


def test_case_variants_and_empty_log(log: pd.DataFrame) -> None:
    var = case_variants(log)
    assert var.to_dict() == {"c1": "a -> b", "c2": "a -> b", "c3": "a -> b", "c4": "b -> a", "c5": "a, b"}
    assert variants(log.iloc[0:0]).empty
