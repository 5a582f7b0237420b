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

from workbench.errors import ConfigError
from workbench.report._checks import as_tuple, check_text
from workbench.report.blocks import BLOCK_TYPES, Block

# The building blocks live in .summary and .blocks; this module re-exports them so that
# ``from workbench.report.model import Table`` keeps working.
from workbench.report.blocks import FORMATS as FORMATS
from workbench.report.blocks import Callout as Callout
from workbench.report.blocks import Details as Details
from workbench.report.blocks import Html as Html
from workbench.report.blocks import Image as Image
from workbench.report.blocks import Paragraph as Paragraph
from workbench.report.blocks import Table as Table
from workbench.report.summary import Figure as Figure
from workbench.report.summary import ManagerSummary
from workbench.report.summary import ScenarioChange as ScenarioChange

__all__ = ["Report", "Section", "RESERVED_IDS"]

#: Element ids the page itself uses; a :class:`Section` cannot take them.
RESERVED_IDS = frozenset({"top", "summary", "contents", "settings", "footer"})

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


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
        check_text(self.title, f"Section {self.id!r} title", required=True)
        check_text(self.intro, f"Section {self.id!r} intro")
        blocks = as_tuple(self.blocks, f"Section {self.id!r} blocks")
        for block in blocks:
            if not isinstance(block, BLOCK_TYPES):
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
        check_text(self.title, "Report.title", required=True)
        check_text(self.subtitle, "Report.subtitle")
        check_text(self.generated_at, "Report.generated_at")
        check_text(self.lang, "Report.lang", required=True)
        from workbench.i18n import check_language

        check_language(self.lang)
        if not isinstance(self.summary, ManagerSummary):
            raise ConfigError(f"Report.summary must be a ManagerSummary, got {type(self.summary).__name__}")
        sections = as_tuple(self.sections, "Report.sections")
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
        notes = as_tuple(self.footer_notes, "Report.footer_notes")
        for note in notes:
            check_text(note, "Report.footer_notes item")
        object.__setattr__(self, "footer_notes", notes)
