"""The ``workbench`` command line (typer).

Each command group lives in its own module with a ``register(app)`` function, so the
command line reads like the data flow. Heavy libraries are imported inside the
commands, so ``workbench --help`` is fast.

Errors: a :class:`~workbench.errors.WorkbenchError` becomes one line on stderr
(``error: ...``) and exit code 2. Any other exception is a bug: it also becomes one
line and exit code 2, naming the file being read (when the reader marked it) and a
log file holding the full traceback, written under the user's state folder
(``$XDG_STATE_HOME/workbench/crashes``) or the temporary folder.
Set ``WORKBENCH_TRACEBACK=1`` to let the traceback through instead.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click
import typer

from workbench.errors import WorkbenchError, file_being_read

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="workbench",
    help=(
        "Process-mining workbench: read and validate event logs, discover the process and answer the "
        "desk's questions, simulate what-if changes, predict cases at risk, and audit fairness."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    from workbench.cli import (
        audit,
        desks,
        discover,
        log,
        partitioned,
        pipeline,
        predict,
        refresh,
        simulate,
        sweep,
        users,
        webapp,
    )

    for module in (log, discover, partitioned, simulate, sweep, desks, predict, audit, pipeline, refresh, webapp, users):
        module.register(app)


_register_all()


def _click_classes(name: str) -> tuple[type[BaseException], ...]:
    """``name`` from click and from typer's own copy of click (typer >= 0.20 ships one)."""
    found: list[type[BaseException]] = [getattr(click.exceptions, name)]
    try:
        from typer._click import exceptions as vendored

        if hasattr(vendored, name):
            found.append(getattr(vendored, name))
    except ImportError:  # pragma: no cover - older typer uses click itself
        pass
    if hasattr(typer, name):
        found.append(getattr(typer, name))
    return tuple(dict.fromkeys(found))


_ABORT: tuple[type[BaseException], ...] = (KeyboardInterrupt, *_click_classes("Abort"))
_EXIT = _click_classes("Exit")
_CLICK_ERROR = _click_classes("ClickException")


def _crash_folder() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    for folder in (Path(state) / "workbench" / "crashes", Path(tempfile.gettempdir()) / "workbench-crashes"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    return Path(tempfile.gettempdir())


def _write_crash_log(exc: BaseException, argv: Sequence[str]) -> Path | None:
    """Write the full traceback of ``exc`` to a new log file and return its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        fd, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".log", dir=_crash_folder())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"workbench {' '.join(argv)}\n\n")
            fh.write("".join(traceback.format_exception(exc)))
        return Path(name)
    except OSError:
        return None


def _bug_line(exc: BaseException, argv: Sequence[str]) -> str:
    log = _write_crash_log(exc, argv)
    where = file_being_read(exc)
    what = f"reading '{where}'" if where else f"running 'workbench {argv[0] if argv else ''}'".rstrip()
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
    trace = f"; the full trace is in {log}" if log else ""
    return f"error: unexpected failure {what} ({detail}); this is a bug, please report it{trace}"


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` and return the exit code (used by ``main`` and tests)."""
    # Data stays on the premises: MLflow's usage telemetry is off unless the user decides otherwise.
    if "DO_NOT_TRACK" not in os.environ:
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        result = app(args=args, standalone_mode=False)
    except WorkbenchError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except _ABORT:
        print("aborted", file=sys.stderr)
        return 130
    except _EXIT as exc:
        return int(getattr(exc, "exit_code", getattr(exc, "code", 0)) or 0)
    except _CLICK_ERROR as exc:
        exc.show()  # type: ignore[attr-defined]
        return int(exc.exit_code)  # type: ignore[attr-defined]
    except Exception as exc:
        if os.environ.get("WORKBENCH_TRACEBACK"):
            raise
        print(_bug_line(exc, args), file=sys.stderr)
        return 2
    return int(result) if isinstance(result, int) else 0


def main() -> None:
    """Entry point of the ``workbench`` command."""
    try:
        code = run()
    except KeyboardInterrupt:  # a second Ctrl-C or SIGTERM while the first one is being handled
        print("aborted", file=sys.stderr)
        code = 130
    sys.exit(code)
