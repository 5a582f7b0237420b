"""Render a :class:`~workbench.report.model.Report` as one self-contained HTML page.

The page carries its style and script inline (package data next to this module) and
embeds images as data URIs, so it opens offline and makes no network request; a
Content-Security-Policy in the page blocks any request a trusted fragment might still
try. All text is escaped by Jinja2's autoescaping; :class:`~workbench.report.blocks.Html`
blocks are the only content inserted as it is.
"""

from __future__ import annotations

import base64
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from workbench.i18n import N_, Translator
from workbench.report._format import change_view, table_view
from workbench.report.blocks import Block, Callout, Details, Html, Image, Paragraph, Table
from workbench.report.model import Report, Section

__all__ = ["render_html", "CONTENT_SECURITY_POLICY"]

#: What the page may load: nothing but itself (inline style and script, data-URI images).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; media-src 'none'; "
    "frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)

#: The callout labels (message ids; translated when rendered).
_CALLOUT_LABELS = {"ok": N_("OK"), "warning": N_("Note"), "flag": N_("Flagged")}


def _static(name: str) -> str:
    return resources.files("workbench.report").joinpath("templates", name).read_text(encoding="utf-8")


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def _block_view(block: Block, t: Translator) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "paragraphs": _paragraphs(block.text)}
    if isinstance(block, Details):
        return {"type": "details", "title": block.title, "blocks": [_block_view(b, t) for b in block.blocks]}
    if isinstance(block, Table):
        return {"type": "table", **table_view(block, t)}
    if isinstance(block, Html):
        return {"type": "html", "html": Markup(block.fragment)}
    if isinstance(block, Image):
        encoded = base64.b64encode(block.data).decode("ascii")  # type: ignore[arg-type]
        return {"type": "image", "src": f"data:{block.mime};base64,{encoded}", "caption": block.caption}
    if isinstance(block, Callout):
        return {
            "type": "callout",
            "kind": block.kind,
            "label": t.gettext(_CALLOUT_LABELS[block.kind]),
            "text": block.text,
        }
    raise TypeError(f"unknown block type {type(block).__name__}")  # unreachable: Section validates blocks


def _section_view(number: int, section: Section, t: Translator) -> dict[str, Any]:
    return {
        "id": section.id,
        "number": number,
        "title": section.title,
        "intro": _paragraphs(section.intro),
        "blocks": [_block_view(block, t) for block in section.blocks],
    }


def _change_groups(report: Report, t: Translator) -> list[dict[str, Any]]:
    """The scenario changes grouped by scenario, in order of first appearance."""
    groups: dict[str, list[dict[str, str]]] = {}
    for change in report.summary.changes:
        groups.setdefault(change.scenario, []).append(change_view(change, t))
    return [{"scenario": name, "rows": rows} for name, rows in groups.items()]


def _environment(t: Translator) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("workbench.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(t.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["count"] = lambda n: t.format_number(n)
    return env


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
    t = Translator(report.lang)
    sections = [_section_view(i, s, t) for i, s in enumerate(report.sections, start=1)]
    template = _environment(t).get_template("report.html")
    return template.render(
        report=report,
        summary=report.summary,
        change_groups=_change_groups(report, t),
        summary_threshold=t.format_percent(report.summary.practical_difference, 0),
        tones={"better": t.gettext("better"), "worse": t.gettext("worse"), "unclear": t.gettext("unclear"),
               "same": t.gettext("no practical difference")},
        sections=sections,
        settings=list(report.settings.items()),
        settings_number=len(sections) + 1,
        csp=CONTENT_SECURITY_POLICY,
        css=Markup(_static("report.css")),
        js=Markup(_static("report.js")),
        version=__version__,
    )
