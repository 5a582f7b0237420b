"""Durable file steps the output folder's writes share: a file's digest, a folder's fsync, output permissions."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["fsync_dir", "output_mode", "sha256_file"]


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(folder: Path) -> None:
    """Flush ``folder``'s entries (a rename into it) to disk; where the system cannot, do nothing."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def output_mode() -> int:
    """The permissions of a new output file: ``0o666`` less the process umask (``mkstemp`` makes 0600)."""
    current = os.umask(0)
    os.umask(current)
    return 0o666 & ~current
