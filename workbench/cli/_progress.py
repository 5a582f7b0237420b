"""A command's progress on standard error: one line rewritten in a terminal, a line per step elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress_line(label: str) -> Callable[[int, int], None]:
    """``progress(done, total)`` printing ``"<label> <done>/<total>"`` to standard error.

    In a terminal the line is rewritten in place and ended when ``done == total``; in a log
    file (not a terminal) every call writes its own line.
    """
    tty = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        lead, end = ("\r", "\n" if done == total else "") if tty else ("", "\n")
        print(f"{lead}{label} {done}/{total}", end=end, file=sys.stderr, flush=True)

    return show
