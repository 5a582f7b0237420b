"""Guards at the app's edge: which file under the outputs a ``/files`` path may name.

A path is refused when it is empty, absolute, holds an empty, ``..`` or ``.`` segment, a backslash, a
NUL or a drive letter, names a hidden file (``.workbench-manifest.json``), or resolves (through
symlinks) to anything outside the outputs folder or to something other than a regular file.
"""

from __future__ import annotations

from pathlib import Path

from workbench.errors import WorkbenchError

__all__ = ["FileRefused", "safe_output_file"]


class FileRefused(WorkbenchError, PermissionError):
    """A ``/files`` path that does not name a regular file inside the outputs folder."""


def safe_output_file(outputs: Path, requested: str) -> Path:
    """The file under ``outputs`` that ``requested`` (URL-decoded, relative) names, or :class:`FileRefused`."""
    if not requested or "\x00" in requested or "\\" in requested or requested.startswith("/"):
        raise FileRefused("not a relative path")
    parts = requested.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") or ":" in part for part in parts):
        raise FileRefused("the path may not hold empty, '.' or '..' segments, hidden names or drive letters")
    root = outputs.resolve(strict=True)
    try:
        target = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        raise FileRefused("no such file") from None
    if not target.is_relative_to(root) or target == root:
        raise FileRefused("the path leads outside the outputs folder")
    if not target.is_file():
        raise FileRefused("not a file")
    return target
