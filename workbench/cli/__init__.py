"""The ``workbench`` command line (typer).

Each command group lives in its own module with a ``register(app)`` function, so the
command line reads like the data flow. Heavy libraries are imported inside the
commands, so ``workbench --help`` is fast.

Errors: a :class:`~workbench.errors.WorkbenchError` becomes one line on stderr
(``error: ...``) and exit code 2. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
import typer

from workbench.errors import WorkbenchError

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
    from workbench.cli import audit, desks, discover, log, pipeline, predict, refresh, simulate, sweep

    for module in (log, discover, simulate, sweep, desks, predict, audit, pipeline, refresh):
        module.register(app)


_register_all()


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` and return the exit code (used by ``main`` and tests)."""
    import os

    # Data stays on the premises: MLflow's usage telemetry is off unless the user decides otherwise.
    if "DO_NOT_TRACK" not in os.environ:
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    try:
        result = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return int(exc.exit_code)
    return int(result) if isinstance(result, int) else 0


def main() -> None:
    """Entry point of the ``workbench`` command."""
    sys.exit(run())
