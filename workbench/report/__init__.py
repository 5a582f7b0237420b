"""The report: one self-contained HTML page (and a PDF) a manager can open and share.

Assemble a :class:`Report` (a :class:`ManagerSummary` and :class:`Section` objects made
of :class:`Paragraph`, :class:`Table`, :class:`Html`, :class:`Image` and
:class:`Callout` blocks), then :func:`render_html` it or :func:`write_report` it to a
folder. Charts for :class:`Image` blocks come from :mod:`workbench.report.charts`
(imported on use: this package does not import matplotlib).
"""

from __future__ import annotations

from workbench.report._format import table_view
from workbench.report.blocks import Block, Callout, Html, Image, Paragraph, Table
from workbench.report.html import render_html
from workbench.report.model import Report, Section
from workbench.report.summary import Figure, ManagerSummary, ScenarioChange
from workbench.report.write import ReportFiles, write_report

__all__ = [
    "Report",
    "ManagerSummary",
    "Figure",
    "ScenarioChange",
    "Section",
    "Block",
    "Paragraph",
    "Table",
    "Html",
    "Image",
    "Callout",
    "render_html",
    "write_report",
    "ReportFiles",
    "table_view",
    "plot_to_svg",
    "interval_chart",
    "distribution_chart",
    "bar_chart",
]

_CHARTS = frozenset({"plot_to_svg", "interval_chart", "distribution_chart", "bar_chart"})


def __getattr__(name: str) -> object:
    """The chart helpers, imported on first use (they need matplotlib)."""
    if name in _CHARTS:
        from workbench.report import charts

        return getattr(charts, name)
    raise AttributeError(f"module 'workbench.report' has no attribute {name!r}")
