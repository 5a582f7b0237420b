"""Tell what a file really is from its first bytes, so a mislabelled file gets a clear error."""

from __future__ import annotations

import gzip
from pathlib import Path

__all__ = ["sniff_format"]

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


def sniff_format(path: Path) -> str:
    """Return ``'xml'``, ``'text'``, ``'parquet'``, ``'zip'``, ``'sqlite'``, ``'pdf'``, ``'binary'``,
    ``'empty'``, or ``'gzip:<inner>'`` for a gzip file (the inner format sniffed too)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        return "empty"
    kind = _sniff_bytes(head)
    if kind == "gzip":
        try:
            with gzip.open(path, "rb") as fh:
                inner = fh.read(4096)
        except (OSError, EOFError):
            return "gzip:corrupt"
        return "gzip:" + (_sniff_bytes(inner) if inner else "empty")
    return kind
