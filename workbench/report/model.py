"""What a report holds: a manager summary, then sections made of a few kinds of blocks.

The pipeline assembles a :class:`Report` from the stages' results and hands it to
:func:`workbench.report.render_html` (or :func:`workbench.report.write_report`). The
model is plain frozen dataclasses, validated when built, so a mistake in assembling a
report fails where it is made, not in the middle of rendering.

Every text field is plain text and is escaped when rendered; :class:`Html` is the only
block whose content goes into the page as it is (trusted fragments such as the
interactive process map or the fairness section).

Example
-------
>>> import pandas as pd
>>> from workbench.report import (Callout, Figure, ManagerSummary, Paragraph, Report,
...                               ScenarioChange, Section, Table)
>>> summary = ManagerSummary(
...     headline="Tickets take 31 h on median; one more person in IT-infrastruktur would cut that by 4 h.",
...     figures=(Figure("Tickets", "11,512", "1 Jan - 31 Dec 2025"),),
...     changes=(ScenarioChange("One more in IT-infrastruktur", "Median time to close", 31.0, 27.0,
...                             -4.0, -5.1, -2.9, "h", "faster, and clearly so", tone="better"),),
... )
>>> questions = Section("questions", "The desk's questions", "What the desk asked, answered.", (
...     Paragraph("342 tickets were resolved twice."),
...     Table(pd.DataFrame({"team": ["HR"], "tickets": [12], "case_ids": [["T1", "T2"]]}),
...           caption="Reopened tickets per team", case_id_column="case_ids"),
...     Callout("warning", "12 tickets were forwarded more than three times."),
... ))
>>> report = Report("IT-support desk", "Demo log", "2026-11-22 10:00 UTC", summary, (questions,),
...                 settings={"seed": "42"})
>>> [s.id for s in report.sections]
['questions']
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import pandas as pd

from workbench.errors import ConfigError

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
    "Details",
    "FORMATS",
    "RESERVED_IDS",
]

#: How a :class:`Table` column may be formatted (in the report's language).
FORMATS = frozenset({"count", "number", "percent", "points", "hours", "duration", "date", "datetime", "text"})

#: Element ids the page itself uses; a :class:`Section` cannot take them.
RESERVED_IDS = frozenset({"top", "summary", "contents", "settings", "footer"})

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_MIMES = ("image/svg+xml", "image/png")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _tuple(value: object, name: str) -> tuple:
    """Accept a list or tuple for a sequence field (a lone string is a mistake)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{name} must be a tuple or list, got {type(value).__name__}; wrap it: ({value!r},)"
        )
    return tuple(value)


def _text(value: object, name: str, *, required: bool = False) -> None:
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    if required and not value.strip():
        raise ConfigError(f"{name} must not be empty")


@dataclass(frozen=True)
class Figure:
    """One headline figure, shown as a card on the summary page.

    Parameters
    ----------
    label : str
        What the figure is ("Median time to close").
    value : str
        The figure, already formatted ("31 h", "11,512", "2.6%").
    detail : str, default ""
        A short qualifier shown under it ("95% CI 29-33 h", "of 13,015 tickets").
    """

    label: str
    value: str
    detail: str = ""

    def __post_init__(self) -> None:
        _text(self.label, "Figure.label", required=True)
        _text(self.value, "Figure.value", required=True)
        _text(self.detail, "Figure.detail")


@dataclass(frozen=True)
class ScenarioChange:
    """What one what-if scenario would change in one KPI, with its 95% interval.

    Parameters
    ----------
    scenario, kpi : str
        The scenario's name and the KPI in plain words.
    baseline, scenario_value : float
        The KPI today (simulated baseline) and with the change.
    difference, ci_low, ci_high : float
        ``scenario_value - baseline`` and its 95% interval (NaN when unknown).
    unit : str
        ``"h"``, ``"days"``, ``"%"`` (values in percent), ``"rate"`` (fractions, shown as
        percent), ``"tickets"``, ... or ``""``. Differences of ``"%"``/``"rate"`` KPIs are
        shown in percentage points.
    verdict_text : str
        The change in plain words ("about 4 h faster; clearly better").
    tone : {"better", "worse", "unclear", "same", ""}, default ""
        Colours the verdict (``"same"``: no practical difference); ``""`` leaves it neutral.
    """

    scenario: str
    kpi: str
    baseline: float
    scenario_value: float
    difference: float
    ci_low: float
    ci_high: float
    unit: str
    verdict_text: str
    tone: Literal["better", "worse", "unclear", "same", ""] = ""

    def __post_init__(self) -> None:
        _text(self.scenario, "ScenarioChange.scenario", required=True)
        _text(self.kpi, "ScenarioChange.kpi", required=True)
        _text(self.unit, "ScenarioChange.unit")
        _text(self.verdict_text, "ScenarioChange.verdict_text")
        for name in ("baseline", "scenario_value", "difference", "ci_low", "ci_high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"ScenarioChange.{name} must be a number (NaN when unknown), got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.tone not in ("better", "worse", "unclear", "same", ""):
            raise ConfigError(
                f"ScenarioChange.tone must be 'better', 'worse', 'unclear', 'same' or '', got {self.tone!r}"
            )


@dataclass(frozen=True)
class ManagerSummary:
    """The first page: one headline, figure cards, what the scenarios would change, notes.

    ``practical_difference`` is the share of today's value below which a change is called
    "no practical difference" (said under the scenario table).
    """

    headline: str
    figures: tuple[Figure, ...] = ()
    changes: tuple[ScenarioChange, ...] = ()
    notes: tuple[str, ...] = ()
    practical_difference: float = 0.02

    def __post_init__(self) -> None:
        _text(self.headline, "ManagerSummary.headline", required=True)
        for name, kind in (("figures", Figure), ("changes", ScenarioChange), ("notes", str)):
            items = _tuple(getattr(self, name), f"ManagerSummary.{name}")
            for item in items:
                if not isinstance(item, kind):
                    raise ConfigError(
                        f"ManagerSummary.{name} holds a {type(item).__name__}; expected {kind.__name__}"
                    )
            object.__setattr__(self, name, items)


@dataclass(frozen=True)
class Paragraph:
    """Plain text; a blank line starts a new paragraph."""

    block_type: ClassVar[str] = "paragraph"
    text: str

    def __post_init__(self) -> None:
        _text(self.text, "Paragraph.text")


@dataclass(frozen=True, eq=False)
class Table:
    """A table from a DataFrame (copied when built, so later edits do not leak in).

    Tables compare by identity (DataFrames have no single truth value).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows. snake_case column names are shown as words ("median_hours" ->
        "Median hours"); other names as they are. A named index is shown as columns.
    caption : str, default ""
        Shown above the table.
    max_rows : int, default 50
        Rows shown; the reader is told how many were left out. Sorting by a column
        (a click on its header) is offered when every row is shown.
    case_id_column : str or None
        A column of case ids (a list/tuple/array of ids, or one id, per row). Each cell
        shows the count and the first few ids, and all of them in a "show all" expander.
    max_case_ids : int, default 500
        Most ids listed per cell (the count always says how many there are).
    formats : mapping of column to format, optional
        How to show a column, in the report's language: ``count`` (whole number),
        ``number`` (one decimal), ``percent`` (a share 0-1 as ``45.4%``), ``points``
        (a difference of shares, in percentage points), ``hours`` (hours as ``1.9 h`` /
        ``3.2 days``), ``duration`` (same), ``date``, ``datetime`` (in ``timezone``) or
        ``text``. Other columns are formatted by their type.
    timezone : str, optional
        The time zone of ``datetime`` columns (the log's; default UTC).
    """

    block_type: ClassVar[str] = "table"
    frame: pd.DataFrame
    caption: str = ""
    max_rows: int = 50
    case_id_column: str | None = None
    max_case_ids: int = 500
    formats: Mapping[str, str] = field(default_factory=dict)
    timezone: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise ConfigError(f"Table.frame must be a pandas DataFrame, got {type(self.frame).__name__}")
        _text(self.caption, "Table.caption")
        for name in ("max_rows", "max_case_ids"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"Table.{name} must be a positive integer, got {value!r}")
        if self.case_id_column is not None and self.case_id_column not in self.frame.columns:
            raise ConfigError(
                f"Table.case_id_column {self.case_id_column!r} is not a column of the table "
                f"(columns: {[str(c) for c in self.frame.columns]})"
            )
        unknown = {k: v for k, v in dict(self.formats).items() if v not in FORMATS or k not in self.frame.columns}
        if unknown:
            raise ConfigError(
                f"Table.formats {unknown} name a column that is not in the table or a format that is not one of "
                f"{sorted(FORMATS)}"
            )
        object.__setattr__(self, "formats", types.MappingProxyType(dict(self.formats)))
        object.__setattr__(self, "frame", self.frame.copy())


@dataclass(frozen=True)
class Html:
    """A trusted HTML fragment inserted as it is (the interactive map, the fairness section).

    Only put HTML here that the workbench itself generated: it is not escaped.
    """

    block_type: ClassVar[str] = "html"
    fragment: str

    def __post_init__(self) -> None:
        _text(self.fragment, "Html.fragment")


@dataclass(frozen=True)
class Image:
    """An SVG or PNG image, embedded in the page as a data URI (no file, no request).

    Parameters
    ----------
    data : str or bytes
        The SVG text (str or UTF-8 bytes) or the PNG bytes.
    mime : {"image/svg+xml", "image/png"}, default "image/svg+xml"
    caption : str, default ""
        Shown under the image and used as its alternative text.
    """

    block_type: ClassVar[str] = "image"
    data: str | bytes
    mime: str = "image/svg+xml"
    caption: str = ""

    def __post_init__(self) -> None:
        if self.mime not in _MIMES:
            raise ConfigError(f"Image.mime must be one of {list(_MIMES)}, got {self.mime!r}")
        _text(self.caption, "Image.caption")
        data = self.data.encode("utf-8") if isinstance(self.data, str) else self.data
        if not isinstance(data, bytes):
            raise ConfigError(f"Image.data must be str or bytes, got {type(self.data).__name__}")
        if self.mime == "image/png" and not data.startswith(_PNG_MAGIC):
            raise ConfigError("Image.data is not a PNG (no PNG signature); pass mime='image/svg+xml' for SVG")
        if self.mime == "image/svg+xml" and b"<svg" not in data[:4096]:
            raise ConfigError(
                "Image.data is not SVG (no '<svg' element near the start); pass mime='image/png'"
            )
        object.__setattr__(self, "data", data)


@dataclass(frozen=True)
class Callout:
    """A highlighted remark: ``"ok"`` (all clear), ``"warning"`` (look at this), ``"flag"`` (a problem)."""

    block_type: ClassVar[str] = "callout"
    kind: Literal["ok", "warning", "flag"]
    text: str

    def __post_init__(self) -> None:
        if self.kind not in ("ok", "warning", "flag"):
            raise ConfigError(f"Callout kind must be 'ok', 'warning' or 'flag', got {self.kind!r}")
        _text(self.text, "Callout.text", required=True)


@dataclass(frozen=True)
class Details:
    """Blocks folded away under a one-line title (closed on screen and in print)."""

    block_type: ClassVar[str] = "details"
    title: str
    blocks: tuple[Paragraph | Table | Html | Image | Callout, ...] = ()

    def __post_init__(self) -> None:
        _text(self.title, "Details.title", required=True)
        blocks = _tuple(self.blocks, "Details.blocks")
        for block in blocks:
            if not isinstance(block, (Paragraph, Table, Html, Image, Callout)):
                raise ConfigError(f"Details holds a {type(block).__name__}; it holds Paragraph, Table, Html, Image "
                                  "or Callout blocks")
        object.__setattr__(self, "blocks", blocks)


Block = Paragraph | Table | Html | Image | Callout | Details
_BLOCK_TYPES = (Paragraph, Table, Html, Image, Callout, Details)


@dataclass(frozen=True)
class Section:
    """One section of the report, listed in the table of contents.

    Parameters
    ----------
    id : str
        The element id, for links (``"process-map"``): a letter, then letters, digits,
        ``-`` or ``_``; unique in the report and not one of :data:`RESERVED_IDS`.
    title : str
        The heading.
    intro : str
        A few plain sentences under the heading ("" for none).
    blocks : tuple of Block
        The content, in order.
    """

    id: str
    title: str
    intro: str = ""
    blocks: tuple[Block, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID.match(self.id):
            raise ConfigError(
                f"Section id {self.id!r} is not a valid id: start with a letter, then letters, digits, '-' or '_'"
            )
        if self.id in RESERVED_IDS:
            raise ConfigError(
                f"Section id {self.id!r} is reserved by the page; reserved: {sorted(RESERVED_IDS)}"
            )
        _text(self.title, f"Section {self.id!r} title", required=True)
        _text(self.intro, f"Section {self.id!r} intro")
        blocks = _tuple(self.blocks, f"Section {self.id!r} blocks")
        for block in blocks:
            if not isinstance(block, _BLOCK_TYPES):
                raise ConfigError(
                    f"Section {self.id!r} holds a {type(block).__name__}; blocks are Paragraph, Table, Html, "
                    "Image or Callout"
                )
        object.__setattr__(self, "blocks", blocks)


@dataclass(frozen=True)
class Report:
    """The whole report.

    Parameters
    ----------
    title, subtitle : str
        Shown on the first page and as the page title.
    generated_at : str
        When the run was made, as the pipeline wants it shown ("2026-11-22 10:00 UTC");
        the library never reads the clock.
    summary : ManagerSummary
        The first page.
    sections : tuple of Section
        In order; ids unique.
    settings : mapping of str to str
        The run's settings, shown as the last section (``id="settings"``) when not empty.
    footer_notes : tuple of str
        Small print at the end (data source, privacy, version).
    lang : {"en", "da"}, default "en"
        The reader's language: the page's fixed texts and number and date formats.
    """

    title: str
    subtitle: str
    generated_at: str
    summary: ManagerSummary
    sections: tuple[Section, ...] = ()
    settings: Mapping[str, str] = field(default_factory=dict)
    footer_notes: tuple[str, ...] = ()
    lang: str = "en"

    def __post_init__(self) -> None:
        _text(self.title, "Report.title", required=True)
        _text(self.subtitle, "Report.subtitle")
        _text(self.generated_at, "Report.generated_at")
        _text(self.lang, "Report.lang", required=True)
        from workbench.i18n import check_language

        check_language(self.lang)
        if not isinstance(self.summary, ManagerSummary):
            raise ConfigError(f"Report.summary must be a ManagerSummary, got {type(self.summary).__name__}")
        sections = _tuple(self.sections, "Report.sections")
        seen: set[str] = set()
        for section in sections:
            if not isinstance(section, Section):
                raise ConfigError(f"Report.sections holds a {type(section).__name__}; expected Section")
            if section.id in seen:
                raise ConfigError(f"Section id {section.id!r} is used twice; section ids must be unique")
            seen.add(section.id)
        object.__setattr__(self, "sections", sections)
        if not isinstance(self.settings, Mapping):
            raise ConfigError(
                f"Report.settings must be a mapping of str to str, got {type(self.settings).__name__}"
            )
        settings = {str(k): str(v) for k, v in self.settings.items()}
        object.__setattr__(self, "settings", types.MappingProxyType(settings))
        notes = _tuple(self.footer_notes, "Report.footer_notes")
        for note in notes:
            _text(note, "Report.footer_notes item")
        object.__setattr__(self, "footer_notes", notes)
