"""A small, realistic report for the report tests: every block kind, a hostile cell, a chart."""

from __future__ import annotations

import struct
import zlib

import pandas as pd
import pytest

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

#: The section ids the pipeline puts in the report, in order.
SECTION_IDS = ("data-quality", "process-map", "questions", "rules", "scenarios", "models", "fairness")
HOSTILE = "<script>window.__pwned = 1</script>"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    '<rect width="120" height="40" fill="#1f4e79"/><text x="8" y="25" fill="#fff">chart</text></svg>'
)


def tiny_png() -> bytes:
    """A valid 1x1 PNG, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x1f\x4e\x79")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def make_report(*, title: str = "IT-support desk", extra_sections: tuple[Section, ...] = ()) -> Report:
    """A report with every block kind; the questions table holds a hostile cell and case-id lists."""
    teams = pd.DataFrame(
        {
            "team": ["IT-infrastruktur", "ESDH og Post", "HR og Personale", HOSTILE],
            "median_hours": [31.2, 18.5, 12.0, 40.1],
            "tickets": [1830, 912, 455, 121],
            "case_ids": [[f"T-{i:04d}" for i in range(40)], ["T-9001", "T-9002"], [], ("T-7000",)],
        }
    )
    reopened = pd.DataFrame({"case_id": [f"R-{i:03d}" for i in range(80)], "resolutions": [2] * 80})
    summary = ManagerSummary(
        headline="Tickets take 31 h to close on median; one more person in IT-infrastruktur would save 4 h.",
        figures=(
            Figure("Tickets", "11,512", "2025"),
            Figure("Median time to close", "31 h", "95% CI 29-33 h"),
        ),
        changes=(
            ScenarioChange(
                "One more in IT-infrastruktur",
                "Median time to close",
                31.2,
                27.2,
                -4.0,
                -5.1,
                -2.9,
                "h",
                "about 4 hours faster; clearly better",
                tone="better",
            ),
            ScenarioChange(
                "One more in IT-infrastruktur",
                "Reopen rate",
                0.026,
                0.028,
                0.002,
                -0.004,
                0.008,
                "rate",
                "no clear change",
                tone="unclear",
            ),
        ),
        notes=("Staff are reported per team, never per person.",),
    )
    sections = (
        Section(
            "data-quality",
            "Data quality",
            "What was read and cleaned.",
            (
                Table(
                    pd.DataFrame({"check": ["Rows read", "Duplicates removed"], "count": [84211, 312]}),
                    caption="Cleaning",
                ),
                Callout("ok", "All timestamps parsed."),
            ),
        ),
        Section(
            "process-map",
            "Process map",
            "How tickets flow.",
            (
                Html(
                    '<div id="map-fragment" class="dummy-map"><button type="button">Fit</button> the map</div>'
                ),
            ),
        ),
        Section(
            "questions",
            "The desk's questions",
            "Answered from the log.\n\nWith the tickets behind each figure.",
            (
                Paragraph("How fast do partner teams close the tickets they get?"),
                Table(teams, caption="Partner teams' speed", case_id_column="case_ids"),
                Table(reopened, caption="Reopened tickets", max_rows=10),
            ),
        ),
        Section("rules", "Rule violations", "", (Callout("flag", "58 tickets were closed without a mail."),)),
        Section("scenarios", "What-if scenarios", "", (Image(SVG, "image/svg+xml", "KPI change, svg"),)),
        Section(
            "models", "Model quality and tickets at risk", "", (Image(tiny_png(), "image/png", "a png"),)
        ),
        Section(
            "fairness",
            "Fairness",
            "",
            (
                Html('<div class="fairness-section"><p>No group flagged.</p></div>'),
                Callout("warning", "One group was too small to judge."),
            ),
        ),
        *extra_sections,
    )
    return Report(
        title=title,
        subtitle="Demo log, 2025",
        generated_at="2026-11-22 10:00 UTC",
        summary=summary,
        sections=sections,
        settings={"seed": "42", "log config": "configs/logs/demo.yaml"},
        footer_notes=("Person identifiers are pseudonymised.",),
    )


@pytest.fixture
def report() -> Report:
    return make_report()


@pytest.fixture
def report_factory():
    return make_report


@pytest.fixture
def section_ids() -> tuple[str, ...]:
    return SECTION_IDS


@pytest.fixture
def hostile() -> str:
    return HOSTILE
