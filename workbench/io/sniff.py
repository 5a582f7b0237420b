"""Tell what a file really is from its first bytes, so a mislabelled file gets a clear error."""

from __future__ import annotations

import gzip
from pathlib import Path

__all__ = ["sniff_format", "wide_encoding"]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "parquet"),
    (b"PK\x03\x04", "zip"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"%PDF", "pdf"),
    (b"\x1f\x8b", "gzip"),
)


def _sniff_bytes(head: bytes) -> str:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "xml"
    if b"\x00" in head:
        return "binary"
    return "text"


_WIDE = ("utf-16", "utf-32", "utf16", "utf32", "ucs-2", "ucs2")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def wide_encoding(head: bytes) -> str | None:
    """``'utf-16'`` or ``'utf-32'`` when ``head`` starts with that byte-order mark, else ``None``."""
    return next((name for bom, name in _BOMS if head.startswith(bom)), None)


def _sniff_head(head: bytes, encoding: str | None) -> str:
    kind = _sniff_bytes(head)
    declared = (encoding or "").lower().replace("_", "-")
    if kind in ("binary", "text", "xml") and (declared.startswith(_WIDE) or wide_encoding(head)):
        try:  # text in a two- or four-byte encoding holds NUL bytes; sniff it decoded
            text = head.decode((encoding or "utf-16") if declared.startswith(_WIDE) else wide_encoding(head) or "utf-16",
                               errors="ignore")
        except LookupError:
            text = ""
        if text:
            inner = _sniff_bytes(text.encode("utf-8"))
            return "text" if inner == "binary" else inner
    return kind


def sniff_format(path: Path, encoding: str | None = None) -> str:
    """Return ``'xml'``, ``'text'``, ``'parquet'``, ``'zip'``, ``'sqlite'``, ``'pdf'``, ``'binary'``,
    ``'empty'``, or ``'gzip:<inner>'`` for a gzip file (the inner format sniffed too).

    ``encoding`` is the declared text encoding: UTF-16 or UTF-32 text (which holds NUL
    bytes) is recognised as text when declared or when it starts with a byte-order mark.
    """
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        return "empty"
    kind = _sniff_head(head, encoding)
    if kind == "gzip":
        try:
            with gzip.open(path, "rb") as fh:
                inner = fh.read(4096)
        except (OSError, EOFError):
            return "gzip:corrupt"
        return "gzip:" + (_sniff_head(inner, encoding) if inner else "empty")
    return kind
