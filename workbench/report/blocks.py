"""The blocks a report section is made of: paragraphs, tables, images, trusted HTML, callouts, details.

Every text field is plain text and is escaped when rendered; :class:`Html` is the only
block whose content goes into the page as it is.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import pandas as pd

from workbench.errors import ConfigError
from workbench.report._checks import as_tuple, check_text

__all__ = ["Block", "BLOCK_TYPES", "Paragraph", "Table", "Html", "Image", "Callout", "Details", "FORMATS"]

#: How a :class:`Table` column may be formatted (in the report's language).
FORMATS = frozenset({"count", "number", "percent", "points", "hours", "duration", "date", "datetime", "text"})

_MIMES = ("image/svg+xml", "image/png")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Paragraph:
    """Plain text; a blank line starts a new paragraph."""

    block_type: ClassVar[str] = "paragraph"
    text: str

    def __post_init__(self) -> None:
        check_text(self.text, "Paragraph.text")


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
        check_text(self.caption, "Table.caption")
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
        check_text(self.fragment, "Html.fragment")


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
        check_text(self.caption, "Image.caption")
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
        check_text(self.text, "Callout.text", required=True)


@dataclass(frozen=True)
class Details:
    """Blocks folded away under a one-line title (closed on screen and in print)."""

    block_type: ClassVar[str] = "details"
    title: str
    blocks: tuple[Paragraph | Table | Html | Image | Callout, ...] = ()

    def __post_init__(self) -> None:
        check_text(self.title, "Details.title", required=True)
        blocks = as_tuple(self.blocks, "Details.blocks")
        for block in blocks:
            if not isinstance(block, (Paragraph, Table, Html, Image, Callout)):
                raise ConfigError(f"Details holds a {type(block).__name__}; it holds Paragraph, Table, Html, Image "
                                  "or Callout blocks")
        object.__setattr__(self, "blocks", blocks)


Block = Paragraph | Table | Html | Image | Callout | Details
BLOCK_TYPES = (Paragraph, Table, Html, Image, Callout, Details)
