"""Cell and figure formatting: what a reader sees in tables and in the scenario summary."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.i18n import Translator
from workbench.report import ScenarioChange, Table
from workbench.report._format import change_view, column_label, format_cell, table_view


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (11512, "11,512"),
        (np.int64(-3), "\u22123"),
        (True, "yes"),
        (None, "\u2013"),
        (math.nan, "\u2013"),
        (pd.NaT, "\u2013"),
        (0.8123, "0.812"),
        (31.25, "31.2"),
        (pd.Timestamp("2025-01-03 09:12", tz="UTC"), "2025-01-03 09:12 UTC"),
        (pd.Timestamp("2025-01-03 10:12", tz="Europe/Copenhagen"), "2025-01-03 09:12 UTC"),
        (pd.Timestamp("2025-01-03"), "2025-01-03"),
        (pd.Timedelta(hours=36), "36 h"),
        (["a", "b"], "a, b"),
        ("T-1", "T-1"),
    ],
)
def test_format_cell(value, text):
    assert format_cell(value) == text


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("median_hours", "Median hours"),
        ("ci_low", "CI low"),
        ("case_id", "Case ID"),
        ("Team name", "Team name"),
    ],
)
def test_column_label(name, label):
    assert column_label(name) == label


def test_float_columns_share_their_decimals():
    view = table_view(Table(pd.DataFrame({"hours": [12.0, 18.5, np.nan], "share": [1.0, 0.0037, 0.5]})))
    assert [row[0]["text"] for row in view["rows"]] == ["12.0", "18.5", "\u2013"]
    assert [row[1]["text"] for row in view["rows"]] == ["1.000", "0.004", "0.500"]
    assert view["columns"][0]["numeric"] is True


def test_whole_floats_show_no_decimals():
    view = table_view(Table(pd.DataFrame({"n": [3.0, 1200.0]})))
    assert [row[0]["text"] for row in view["rows"]] == ["3", "1,200"]


def test_rows_beyond_max_rows_are_counted_and_sorting_is_off():
    view = table_view(Table(pd.DataFrame({"a": range(30)}), max_rows=10))
    assert (view["shown"], view["total"], view["sortable"]) == (10, 30, False)
    assert table_view(Table(pd.DataFrame({"a": range(3)})))["sortable"] is True


def test_named_index_is_shown():
    frame = pd.DataFrame({"tickets": [3, 4]}, index=pd.Index(["HR", "BI"], name="team"))
    view = table_view(Table(frame))
    assert [c["label"] for c in view["columns"]] == ["Team", "Tickets"]


def test_case_id_cells_preview_and_list_all_up_to_the_cap():
    frame = pd.DataFrame({"ids": [[f"T{i}" for i in range(12)], ["A"], [], np.array(["X", "Y", "Z", "W"])]})
    rows = table_view(Table(frame, case_id_column="ids", max_case_ids=10))["rows"]
    first, single, empty, array = (row[0] for row in rows)
    assert first["count"] == 12 and first["preview"] == ["T0", "T1", "T2"]
    assert first["all"] == [f"T{i}" for i in range(10)] and first["cut"] == 2
    assert single == {**single, "count": 1, "preview": ["A"], "all": [], "label": "1 case"}
    assert empty["count"] == 0
    assert array["all"] == ["X", "Y", "Z", "W"]


def test_change_view_hours_and_rates():
    hours = change_view(ScenarioChange("s", "Median", 31.2, 27.2, -4.0, -5.1, -2.9, "h", "faster"))
    assert (hours["baseline"], hours["scenario_value"]) == ("31\xa0hours", "27\xa0hours")
    assert (hours["difference"], hours["interval"]) == ("\u22124.0\xa0hours", "\u22125.1\xa0hours to \u22122.9\xa0hours")
    danish = change_view(ScenarioChange("s", "Median", 211.0, 211.2, 0.2, 0.0, 0.3, "h", "same"), Translator("da"))
    assert (danish["baseline"], danish["difference"], danish["interval"]) == (
        "8,8\xa0dage", "+12\xa0minutter", "0\xa0minutter til +18\xa0minutter")
    rate = change_view(ScenarioChange("s", "Reopen rate", 0.026, 0.028, 0.002, -0.004, 0.008, "rate", "same"))
    assert (rate["baseline"], rate["difference"], rate["interval"]) == (
        "2.6%",
        "+0.2 pp",
        "\u22120.4 pp to +0.8 pp",
    )


def test_change_view_small_difference_gets_more_decimals_and_missing_interval_says_so():
    view = change_view(ScenarioChange("s", "k", 410, 410.3, 0.3, math.nan, math.nan, "tickets", "same"))
    assert view["baseline"] == "410 tickets"
    assert view["difference"] == "+0.3 tickets"
    assert change_view(ScenarioChange("s", "k", 1410, 1410.3, 0.3, 0.1, 0.5, "", "same"),
                       Translator("da"))["baseline"] == "1.410"
    assert view["interval"] == "no interval"
