"""A lock file so that two refreshes of one store never run at once.

The lock is ``refresh.lock`` in the store folder, created with ``O_CREAT | O_EXCL`` and
holding the owner's PID, host and process start time. A lock whose process is gone (or
whose PID now belongs to another process, seen by a different start time) is stale: it is
taken over and the takeover is reported.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import WorkbenchError

__all__ = ["LockedError", "refresh_lock"]

LOCK = "refresh.lock"


class LockedError(WorkbenchError, RuntimeError):
    """Another refresh of the same store is running."""


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused PID apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(owner: dict[str, object]) -> bool:
    if owner.get("host") != socket.gethostname():
        return True  # another machine's lock on a shared folder: never assume it is stale
    pid = int(owner.get("pid", -1))  # type: ignore[call-overload]
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    started = owner.get("started")
    return started is None or _start_time(pid) in (None, started)


def _young(path: Path) -> bool:
    """An empty lock file a few seconds old: its owner is still writing its PID."""
    import time

    try:
        return time.time() - path.stat().st_mtime < 10
    except OSError:
        return False


def _me() -> dict[str, object]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": _start_time(os.getpid())}


@contextmanager
def refresh_lock(folder: str | Path) -> Iterator[str | None]:
    """Hold the store's refresh lock for the block; yield a note when a stale lock was taken over.

    Raises
    ------
    LockedError
        When a live process holds the lock.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    note = None
    for _attempt in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                owner = json.loads(path.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError):
                owner = {}
            if not owner and _young(path):
                owner = {"pid": "?", "host": "this machine (starting)"}
            if owner and (owner.get("pid") == "?" or _alive(owner)):
                raise LockedError(
                    f"another refresh of '{folder}' is running (PID {owner.get('pid')} on {owner.get('host')}); "
                    f"wait for it to finish, or delete '{path}' if that process is gone"
                ) from None
            note = f"took over a stale lock (PID {owner.get('pid', '?')} is gone)"
            path.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(_me()))
            fh.flush()
            os.fsync(fh.fileno())
        break
    else:
        raise LockedError(f"cannot take the refresh lock '{path}'; another refresh keeps taking it")
    try:
        yield note
    finally:
        path.unlink(missing_ok=True)
