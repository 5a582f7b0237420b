"""Limits that stop a hostile or broken input file early (``source.limits`` in a log config).

Every limit has a default that real exports stay far below; a file over a limit is
refused with one line naming the limit and how to raise it, e.g.::

    source:
      path: wide_export.csv
      limits: {max_columns: 50000}
"""

from __future__ import annotations

from pydantic import ByteSize, Field

from workbench.config._base import FrozenModel

__all__ = ["SourceLimits"]


class SourceLimits(FrozenModel):
    """Upper bounds on what a source file may hold (sizes accept ``"2GB"``, ``"500MB"``, ...).

    Attributes
    ----------
    max_columns : int
        Columns in the table (CSV header, Parquet schema, SQL result).
    max_line_bytes : ByteSize
        Bytes in one physical line of a CSV file.
    max_decompressed_bytes : ByteSize
        Bytes a ``.gz`` file may expand to.
    max_compression_ratio : float
        How many times larger than its compressed size a ``.gz`` file may expand
        (checked once it has expanded past 64 MB); a "zip bomb" expands thousands of times.
    xml_max_depth : int
        Nesting depth of elements in an XES file (XES itself needs fewer than 10).
    """

    max_columns: int = Field(default=10_000, gt=0)
    max_line_bytes: ByteSize = Field(default=ByteSize(16 * 2**20), gt=0)
    max_decompressed_bytes: ByteSize = Field(default=ByteSize(50 * 2**30), gt=0)
    max_compression_ratio: float = Field(default=500.0, gt=1)
    xml_max_depth: int = Field(default=64, gt=0)
