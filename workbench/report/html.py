"""Render a :class:`~workbench.report.model.Report` as one self-contained HTML page.

The page carries its style and script inline (package data next to this module) and
embeds images as data URIs, so it opens offline and makes no network request; a
Content-Security-Policy in the page blocks any request a trusted fragment might still
try. All text is escaped by Jinja2's autoescaping; :class:`~workbench.report.model.Html`
blocks are the only content inserted as it is.
"""

from __future__ import annotations

import base64
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from workbench.report._format import change_view, table_view
from workbench.report.model import Block, Callout, Html, Image, Paragraph, Report, Section, Table

__all__ = ["render_html", "CONTENT_SECURITY_POLICY"]

#: What the page may load: nothing but itself (inline style and script, data-URI images).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; media-src 'none'; "
    "frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)

_CALLOUT_LABELS = {"ok": "OK", "warning": "Warning", "flag": "Flagged"}


def _static(name: str) -> str:
    return resources.files("workbench.report").joinpath("templates", name).read_text(encoding="utf-8")


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def _block_view(block: Block) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "paragraphs": _paragraphs(block.text)}
    if isinstance(block, Table):
        return {"type": "table", **table_view(block)}
    if isinstance(block, Html):
        return {"type": "html", "html": Markup(block.fragment)}
    if isinstance(block, Image):
        encoded = base64.b64encode(block.data).decode("ascii")  # type: ignore[arg-type]
        return {"type": "image", "src": f"data:{block.mime};base64,{encoded}", "caption": block.caption}
    if isinstance(block, Callout):
        return {
            "type": "callout",
            "kind": block.kind,
            "label": _CALLOUT_LABELS[block.kind],
            "text": block.text,
        }
    raise TypeError(f"unknown block type {type(block).__name__}")  # unreachable: Section validates blocks


def _section_view(number: int, section: Section) -> dict[str, Any]:
    return {
        "id": section.id,
        "number": number,
        "title": section.title,
        "intro": _paragraphs(section.intro),
        "blocks": [_block_view(block) for block in section.blocks],
    }


def _change_groups(report: Report) -> list[dict[str, Any]]:
    """The scenario changes grouped by scenario, in order of first appearance."""
    groups: dict[str, list[dict[str, str]]] = {}
    for change in report.summary.changes:
        groups.setdefault(change.scenario, []).append(change_view(change))
    return [{"scenario": name, "rows": rows} for name, rows in groups.items()]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("workbench.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page.

    Order: the manager summary (headline, figure cards, what the scenarios would
    change with 95% intervals, notes), the table of contents, the sections in order,
    the settings, the footer. The page prints one section per page with every
    drill-down list expanded and the interactive controls hidden.

    Parameters
    ----------
    report : Report
        The assembled report.

    Returns
    -------
    str
        The HTML document. Identical reports give identical text (no clock, no
        random ids).
    """
    from workbench import __version__

    if not isinstance(report, Report):
        raise TypeError(f"render_html expects a Report, got {type(report).__name__}")
    sections = [_section_view(i, s) for i, s in enumerate(report.sections, start=1)]
    template = _environment().get_template("report.html")
    return template.render(
        report=report,
        summary=report.summary,
        change_groups=_change_groups(report),
        sections=sections,
        settings=list(report.settings.items()),
        settings_number=len(sections) + 1,
        csp=CONTENT_SECURITY_POLICY,
        css=Markup(_static("report.css")),
        js=Markup(_static("report.js")),
        version=__version__,
    )
