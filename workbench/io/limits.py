"""Checks that stop a hostile or broken source file early, before a parser spends minutes on it.

One streaming pass over the file (decompressed when it is ``.gz``) checks the limits
in :class:`~workbench.config.limits.SourceLimits`: the longest line, the number of
columns in a CSV header, the size and compression ratio of a ``.gz`` file, and the
nesting depth of an XES file, which may also declare no XML entities (they can expand
to gigabytes or read other files). A damaged or truncated gzip file is found here too.
Each refusal is one :class:`~workbench.errors.SourceError` line naming the limit and
how to raise it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from workbench.config.limits import SourceLimits
from workbench.errors import SourceError

__all__ = ["CsvBytes", "check_csv_file", "check_xml_file", "check_columns", "open_decompressed"]

_BLOCK = 4 * 2**20
_RATIO_AFTER = 64 * 2**20


def _raise_hint(limit: str, value: object) -> str:
    return f"raise it with source.limits.{limit} in the log config (now {value}) if the file is genuine"


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n:,} bytes"


class _Measured(io.RawIOBase):
    """A read-only stream over ``inner`` that enforces the decompressed-size limits."""

    def __init__(self, inner: BinaryIO, path: Path, compressed: bool, limits: SourceLimits) -> None:
        self._inner = inner
        self._path = path
        self._compressed = compressed
        self._limits = limits
        self._size = path.stat().st_size or 1
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        try:
            data = self._inner.read(size if size is not None and size >= 0 else _BLOCK)
        except EOFError:
            raise SourceError(
                f"file '{self._path}' is a damaged gzip file: it ends early (a truncated download or copy?); "
                "get the file again"
            ) from None
        except (gzip.BadGzipFile, zlib.error, OSError) as exc:
            raise SourceError(f"file '{self._path}' is a damaged gzip file ({exc}); get the file again") from None
        self.total += len(data)
        if self._compressed:
            limit = int(self._limits.max_decompressed_bytes)
            if self.total > limit:
                raise SourceError(
                    f"file '{self._path}' expands to more than {_mb(limit)} when decompressed "
                    f"(limit max_decompressed_bytes); {_raise_hint('max_decompressed_bytes', _mb(limit))}"
                )
            ratio = self.total / self._size
            if self.total > _RATIO_AFTER and ratio > self._limits.max_compression_ratio:
                raise SourceError(
                    f"file '{self._path}' expands more than {self._limits.max_compression_ratio:g} times its size "
                    f"when decompressed (limit max_compression_ratio; a compression bomb?); "
                    f"{_raise_hint('max_compression_ratio', f'{self._limits.max_compression_ratio:g}')}"
                )
        return data


@contextlib.contextmanager
def open_decompressed(path: Path, *, compressed: bool, limits: SourceLimits) -> Iterator[_Measured]:
    """Open ``path`` (gunzipped when ``compressed``) as a stream that enforces the size limits."""
    with path.open("rb") as raw:
        inner: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw  # type: ignore[assignment]
        yield _Measured(inner, path, compressed, limits)


def check_columns(n: int, where: str, limits: SourceLimits) -> None:
    """Refuse a table with more columns than ``limits.max_columns``."""
    if n > limits.max_columns:
        raise SourceError(
            f"{where} has {n:,} columns, more than the limit of {limits.max_columns:,} (max_columns); "
            f"check source.delimiter, or {_raise_hint('max_columns', f'{limits.max_columns:,}')}"
        )


def _header_columns(first: bytes, encoding: str, delimiter: str, path: Path) -> int:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    try:
        text = decoder.decode(first, final=False).lstrip("\ufeff")
    except UnicodeError as exc:  # e.g. "UTF-16 stream does not start with BOM", whatever ``errors`` says
        raise SourceError(
            f"file '{path}' is not valid {encoding} text ({exc}); set source.encoding in the log config "
            "(utf-16-le or utf-16-be for UTF-16 without a byte-order mark)"
        ) from None
    line = re.split(r"\r\n|\n|\r", text, maxsplit=1)[0].replace("\x00", "")
    if not line:
        return 0
    sep = delimiter if len(delimiter) == 1 else ","
    csv.field_size_limit(max(len(line) + 1, 131072))
    try:
        return len(next(csv.reader([line], delimiter=sep), []))
    except csv.Error:  # odd quoting: count the separators, an upper bound
        return line.count(sep) + 1


@dataclass(frozen=True)
class CsvBytes:
    """What the streaming check saw in a CSV file's bytes, for the reader: a double quote, a NUL byte."""

    quote: bool
    nul: bool


def check_csv_file(path: Path, *, compressed: bool, encoding: str, delimiter: str, limits: SourceLimits) -> CsvBytes:
    """Stream the file once: longest line, header columns, decompressed size; a damaged gzip is found too.

    Returns whether the (decompressed) bytes hold a double quote or a NUL byte, which the
    fast reader needs to know (:func:`workbench.io.csv_arrow.read_csv_table`).
    """
    max_line = int(limits.max_line_bytes)
    current = 0  # bytes since the last newline
    offset = 0  # bytes before this block
    head = b""
    header_checked = False
    quote = nul = False
    with open_decompressed(path, compressed=compressed, limits=limits) as fh:
        while True:
            block = fh.read(_BLOCK)
            if not block:
                break
            quote = quote or b'"' in block
            nul = nul or b"\x00" in block
            if not header_checked:
                head += block
                if b"\n" in head or len(head) > max_line:
                    header_checked = True
                    cut = head[: max_line + 8]
                    check_columns(_header_columns(cut, encoding, delimiter, path), f"file '{path}'", limits)
                    head = b""
            current, too_long = _check_lines(block, current, max_line)
            if too_long is None and current > max_line:
                too_long = len(block)
            if too_long is not None:  # the line that starts (or goes on) there: numbered only now
                line = 1 + _newlines_before(path, compressed, limits, offset + too_long)
                _line_too_long(path, line, max_line)
            offset += len(block)
        if not header_checked and head:
            check_columns(_header_columns(head, encoding, delimiter, path), f"file '{path}'", limits)
    return CsvBytes(quote=quote, nul=nul)


def _check_lines(block: bytes, current: int, max_line: int) -> tuple[int, int | None]:
    """The bytes of ``block``'s unfinished last line, and where a line longer than ``max_line`` starts (or ``None``).

    ``current`` bytes of the line that ``block`` continues came before it. Each step looks
    for the last line break within the next ``max_line`` bytes (a line that starts there
    and finds none is too long), so a block is searched in a few steps of ``max_line``
    bytes, not line by line.
    """
    pos, budget = 0, max_line - current
    while pos + budget < len(block):
        newline = block.rfind(b"\n", pos, pos + budget + 1)
        if newline < 0:
            return current, pos
        pos, budget = newline + 1, max_line
    last = block.rfind(b"\n", pos)
    if last < 0 and pos == 0:
        return current + len(block), None
    return len(block) - (last if last >= 0 else pos - 1) - 1, None


def _newlines_before(path: Path, compressed: bool, limits: SourceLimits, end: int) -> int:
    """How many line breaks the first ``end`` bytes of the (decompressed) file hold (for an error message)."""
    count = 0
    with open_decompressed(path, compressed=compressed, limits=limits) as fh:
        while end > 0:
            block = fh.read(min(_BLOCK, end))
            if not block:
                break
            count += block.count(b"\n")
            end -= len(block)
    return count


def _line_too_long(path: Path, line: int, limit: int) -> None:
    raise SourceError(
        f"file '{path}': line {line:,} is longer than {_mb(limit)} (limit max_line_bytes); a CSV export has "
        f"short lines, so check the file and source.delimiter, or {_raise_hint('max_line_bytes', _mb(limit))}"
    )


_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[|SYSTEM|PUBLIC)", re.IGNORECASE)


def check_xml_file(path: Path, *, compressed: bool, limits: SourceLimits) -> None:
    """Refuse XML entity declarations and external DTDs, and elements nested deeper than the limit."""
    from lxml import etree

    with open_decompressed(path, compressed=compressed, limits=limits) as fh:
        head = fh.read(2**20)
    if _ENTITY.search(head) or _DOCTYPE.search(head):
        raise SourceError(
            f"file '{path}' declares XML entities or an external DTD (<!DOCTYPE ... [<!ENTITY ...>]>); XES needs "
            "neither and the workbench refuses them (they can expand without end or read other files): "
            "remove the DOCTYPE declaration from the file"
        )
    with open_decompressed(path, compressed=compressed, limits=limits) as fh:
        deepest = _deepest_by_bytes(fh, limits.xml_max_depth)
    if deepest is not None:
        if deepest[0] > limits.xml_max_depth:
            _too_deep(path, deepest[1], limits)
        return
    depth = 0
    etree.clear_error_log()  # lxml keeps one error log per thread; start this file's with none
    with open_decompressed(path, compressed=compressed, limits=limits) as fh:
        parser = etree.iterparse(
            fh, events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        try:
            for event, element in parser:
                if event == "start":
                    depth += 1
                    if depth > limits.xml_max_depth:
                        _too_deep(path, element.sourceline, limits)
                else:
                    depth -= 1
                    element.clear()
        except etree.XMLSyntaxError as exc:
            raise SourceError(xml_error_line(path, exc)) from None


_OPAQUE = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.DOTALL)
_NOT_NEWLINE = re.compile(rb"[^\n]")


def _too_deep(path: Path, line: object, limits: SourceLimits) -> None:
    raise SourceError(
        f"file '{path}' nests XML elements more than {limits.xml_max_depth} deep (line {line}; limit "
        f"xml_max_depth); {_raise_hint('xml_max_depth', limits.xml_max_depth)}"
    )


def _deepest_by_bytes(fh: _Measured, limit: int) -> tuple[int, int] | None:
    """``(depth, line)`` where tag nesting first passes ``limit`` (or the deepest and 0), counted in the bytes.

    A fast pass without a parser: ``<name`` opens, ``</`` and ``/>`` close (XML allows no
    ``<`` in attribute values or text; comments and CDATA sections are blanked out first).
    Returns ``None`` when a comment or CDATA section spans two blocks; the caller then
    counts with a parser.
    """
    depth = deepest = 0
    lines = 1
    carry = b""
    while True:
        block = fh.read(_BLOCK)
        if not block:
            return deepest, 0
        data = carry + block
        if b"<!--" in data or b"<![CDATA[" in data:  # blank them out (same length), unless one spans blocks
            data = _OPAQUE.sub(lambda m: _NOT_NEWLINE.sub(b" ", m.group()), data)
            if b"<!--" in data or b"<![CDATA[" in data:
                return None
        arr = np.frombuffer(data, dtype=np.uint8)
        head, nxt = arr[:-1], arr[1:]
        lt = np.flatnonzero(head == 60)  # '<'
        after = nxt[lt]
        opens = lt[(after != 47) & (after != 33) & (after != 63)]  # not '</', '<!' or '<?'
        closes = np.concatenate([lt[after == 47], np.flatnonzero((head == 47) & (nxt == 62))])  # '</' and '/>'
        if len(opens) or len(closes):
            pos = np.concatenate([opens, closes])
            step = np.concatenate([np.ones(len(opens), np.int64), -np.ones(len(closes), np.int64)])
            order = np.argsort(pos, kind="stable")
            running = depth + np.cumsum(step[order])
            over = np.flatnonzero(running > limit)
            if len(over):
                at = int(pos[order][over[0]])
                return int(running[over[0]]), lines + data[:at].count(b"\n")
            deepest = max(deepest, int(running.max()))
            depth = int(running[-1])
        lines += data[:-1].count(b"\n")
        carry = data[-1:]


def xml_error_line(path: Path, exc: Exception) -> str:
    """One line in our words for an lxml syntax error."""
    msg = str(getattr(exc, "msg", exc)).split(", line")[0]
    line: object = getattr(exc, "lineno", None)
    first = next(iter(getattr(exc, "error_log", None) or ()), None)
    if first is not None and str(getattr(first, "message", None) or ""):  # the first error explains the rest
        msg, line = str(first.message), getattr(first, "line", line)
    where = f" at line {line}" if line else ""
    found = re.search(r"Entity '([^']+)' not defined", msg)
    if found:
        return (
            f"file '{path}' uses the XML entity '&{found.group(1)};'{where}, which it does not define; XES needs no "
            "entities and the workbench resolves none: replace it with the text it stands for"
        )
    if "depth" in msg.lower():
        return f"file '{path}' nests XML elements too deep{where}; check the export"
    return f"file '{path}' is not well-formed XES/XML{where}: {msg}; check that the export finished"
