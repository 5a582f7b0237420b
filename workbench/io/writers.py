"""Writing outputs atomically, never over the input.

Every file the workbench writes goes through :func:`atomic_path`: the content is
written to a temporary file in the same folder and renamed over the target only
when writing succeeded, so a crash never leaves a half-written file behind and a
reader never sees one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from workbench.errors import SourceError

__all__ = ["atomic_path", "write_table", "write_text", "write_bytes", "check_not_input"]


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it to ``path``.

    The parent folder is created. On an exception the temporary file is removed and
    ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give outputs the usual permissions
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV (``.csv``) or Parquet (``.parquet``) atomically.

    Timestamps are written in ISO 8601 with their UTC offset, so the file reads back
    without a time-zone guess.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, date_format="%Y-%m-%dT%H:%M:%S.%f%z")
        elif suffix in (".parquet", ".pq"):
            frame.to_parquet(tmp, index=False)
        else:
            raise SourceError(f"cannot write a table to '{path}': use a .csv or .parquet file name")
    return path


def check_not_input(output: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """Raise :class:`SourceError` when ``output`` is one of the input files."""
    out = Path(output).resolve()
    for item in inputs:
        if item is None:
            continue
        src = Path(item).resolve()
        if out == src:
            raise SourceError(f"output '{output}' is the input file; choose another output path")
