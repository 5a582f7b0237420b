"""The staffing curve in the report: the section, its chart with intervals, its table, in Danish and English."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.i18n import Translator
from workbench.report.html import render_html
from workbench.report.model import Callout, Image, Table
from workbench.report.sections import build_report
from workbench.report.sections.sweep import curve_axis, curve_measure, sweep_section, sweep_sections
from workbench.sweeps import StaffAnswer, SweepResult, parse_target

TARGET = parse_target("resolved_within:2d>=0.9")


def _curve(volumes: tuple[float, ...] = (1.0,)) -> pd.DataFrame:
    rows = []
    for volume in volumes:
        for staff, mean in zip((1, 2, 3, 4), (0.42, 0.71, 0.93, 0.98), strict=True):
            mean = mean / volume
            rows.append((staff, volume, float("nan"), TARGET.measure, mean, mean - 0.05, mean + 0.05, 5,
                         mean >= 0.9, mean - 0.05 >= 0.9))
            rows.append((staff, volume, float("nan"), "cycle_time_h", 40.0 / staff, 35.0 / staff, 45.0 / staff, 5,
                         pd.NA, pd.NA))
    curve = pd.DataFrame(rows, columns=["staff", "volume", "routing_share", "measure", "mean", "ci_low", "ci_high",
                                        "replications", "meets", "meets_surely"])
    curve["meets"] = curve["meets"].astype("boolean")
    curve["meets_surely"] = curve["meets_surely"].astype("boolean")
    return curve


def _result(volumes: tuple[float, ...] = (1.0,)) -> SweepResult:
    return SweepResult(curve=_curve(volumes), runs=pd.DataFrame(), target=TARGET,
                       settings={"team": "IT-infrastruktur", "replications": 5, "points": 4})


def _answer(result: SweepResult, staff: int | None) -> StaffAnswer:
    return StaffAnswer(team="IT-infrastruktur", target=TARGET, staff=staff, mean=0.93, ci_low=0.88, ci_high=0.98,
                       low=1, high=4, sweep=result)


def test_no_sweep_no_section() -> None:
    assert sweep_sections({}, Translator("en")) == ()
    assert sweep_sections({"sweep": {"result": None}}, Translator("en")) == ()


def test_the_section_draws_the_target_measure_over_staff_with_intervals() -> None:
    result = _result()
    section = sweep_section({"result": result, "answer": _answer(result, 3)}, Translator("en"))
    assert section.id == "staffing-sweep" and section.title == "Staffing curve"
    assert curve_axis(result.curve) == "staff" and curve_measure(result.curve, TARGET) == TARGET.measure
    callout = next(b for b in section.blocks if isinstance(b, Callout))
    assert callout.kind == "ok" and "is 3 people" in callout.text and "IT-infrastruktur" in callout.text
    image = next(b for b in section.blocks if isinstance(b, Image))
    svg = image.data.decode()
    assert svg.count("<svg") == 1 and "errorbar" not in image.caption
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert len(table.frame) == 4  # one row per staffing, the target's measure only
    assert list(table.frame["Meets the target"]) == ["no", "no", "on average", "surely"]


def test_the_same_curve_gives_the_same_chart() -> None:
    result = _result()
    first = next(b for b in sweep_section({"result": result}, Translator("en")).blocks if isinstance(b, Image))
    again = next(b for b in sweep_section({"result": result}, Translator("en")).blocks if isinstance(b, Image))
    assert first.data == again.data


def test_no_staffing_that_meets_the_target_is_flagged() -> None:
    result = _result()
    section = sweep_section({"result": result, "answer": _answer(result, None)}, Translator("en"))
    callout = next(b for b in section.blocks if isinstance(b, Callout))
    assert callout.kind == "flag" and "No staffing of IT-infrastruktur from 1 to 4" in callout.text


def test_several_volumes_draw_one_line_each() -> None:
    section = sweep_section({"result": _result((0.8, 1.0, 1.2))}, Translator("en"))
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert len(table.frame) == 12 and "Ticket volume (1 = today)" in table.frame.columns


@pytest.mark.parametrize(("language", "title"), [("da", "Bemandingskurve"), ("en", "Staffing curve")])
def test_the_report_holds_the_section_in_both_languages(language: str, title: str, tmp_path: Path) -> None:
    result = _result()
    report = build_report({"sweep": {"result": result, "answer": _answer(result, 3)}}, title="Sweep", subtitle="IT",
                          generated_at="2026-12-05T08:00:00+00:00", settings={}, language=language)
    assert [s.id for s in report.sections] == ["staffing-sweep"]
    page = render_html(report)
    assert title in page and "data:image/svg+xml" in page
