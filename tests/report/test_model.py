"""The report's data model: validated when built, frozen, independent of the caller's objects."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.report import (
    Callout,
    Figure,
    Html,
    Image,
    ManagerSummary,
    Paragraph,
    Report,
    ScenarioChange,
    Section,
    Table,
)


def _summary() -> ManagerSummary:
    return ManagerSummary("All is well.")


def test_models_are_frozen(report):
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.title = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        report.settings["seed"] = "1"  # type: ignore[index]


def test_lists_become_tuples_and_settings_are_copied():
    settings = {"seed": 42}
    section = Section("a", "A", blocks=[Paragraph("x")])
    report = Report("T", "", "now-as-text", _summary(), [section], settings=settings, footer_notes=["n"])
    settings["seed"] = 7
    assert report.sections == (section,)
    assert section.blocks == (Paragraph("x"),)
    assert report.footer_notes == ("n",)
    assert dict(report.settings) == {"seed": "42"}


def test_table_copies_the_frame():
    frame = pd.DataFrame({"a": [1, 2]})
    table = Table(frame)
    frame.loc[0, "a"] = 99
    assert table.frame["a"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Section("1bad", "T"), r"Section id '1bad' is not a valid id: start with a letter"),
        (lambda: Section("summary", "T"), r"Section id 'summary' is reserved by the page"),
        (lambda: Section("ok", ""), r"Section 'ok' title must not be empty"),
        (lambda: Section("ok", "T", blocks=("text",)), r"Section 'ok' holds a str; blocks are Paragraph"),
        (lambda: Section("ok", "T", blocks=Paragraph("x")), r"Section 'ok' blocks must be a tuple or list"),
        (lambda: Callout("danger", "x"), r"Callout kind must be 'ok', 'warning' or 'flag', got 'danger'"),
        (lambda: Image(b"not a png", "image/png"), r"Image.data is not a PNG"),
        (lambda: Image("<p>no</p>"), r"Image.data is not SVG"),
        (lambda: Image("<svg/>", "image/gif"), r"Image.mime must be one of"),
        (lambda: Table([1, 2]), r"Table.frame must be a pandas DataFrame, got list"),
        (
            lambda: Table(pd.DataFrame({"a": [1]}), max_rows=0),
            r"Table.max_rows must be a positive integer, got 0",
        ),
        (
            lambda: Table(pd.DataFrame({"a": [1]}), case_id_column="ids"),
            r"Table.case_id_column 'ids' is not a column of the table \(columns: \['a'\]\)",
        ),
        (lambda: Figure("", "1"), r"Figure.label must not be empty"),
        (
            lambda: ScenarioChange("s", "k", "31", 1, 1, 1, 1, "h", "v"),
            r"ScenarioChange.baseline must be a number",
        ),
        (
            lambda: ScenarioChange("s", "k", 1, 1, 1, 1, 1, "h", "v", tone="good"),
            r"ScenarioChange.tone must be",
        ),
        (
            lambda: ManagerSummary("h", figures=("31 h",)),
            r"ManagerSummary.figures holds a str; expected Figure",
        ),
        (lambda: Html(None), r"Html.fragment must be a string, got NoneType"),
    ],
)
def test_bad_values_are_named(build, match):
    with pytest.raises(ConfigError, match=match):
        build()


def test_section_ids_must_be_unique():
    with pytest.raises(ConfigError, match=r"Section id 'a' is used twice"):
        Report("T", "", "", _summary(), (Section("a", "A"), Section("a", "B")))


def test_report_checks_summary_type():
    with pytest.raises(ConfigError, match=r"Report.summary must be a ManagerSummary, got str"):
        Report("T", "", "", "summary")  # type: ignore[arg-type]


def test_scenario_change_accepts_nan_interval():
    change = ScenarioChange("s", "k", 1, 2, 1, math.nan, math.nan, "h", "v")
    assert math.isnan(change.ci_low)
    assert isinstance(change.baseline, float)


def test_svg_text_is_stored_as_bytes():
    image = Image('<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert image.data.startswith(b"<svg")
    assert image.mime == "image/svg+xml"


def test_the_documented_example_runs():
    import doctest

    from workbench.report import model

    outcome = doctest.testmod(model)
    assert outcome.attempted > 0 and outcome.failed == 0
