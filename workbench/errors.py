"""One exception hierarchy for the workbench.

Every error a user can cause (bad input file, bad config, bad scenario) is a
:class:`WorkbenchError`. Each subclass also inherits the matching built-in, so
callers can catch ``ValueError`` or ``FileNotFoundError`` as usual. The command
line turns a ``WorkbenchError`` into one line on stderr and exit code 2; any
other exception is a bug: one line (naming the file being read, see :func:`reading`)
and the path of a log file holding the full traceback, also exit code 2.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "WorkbenchError",
    "ConfigError",
    "EventLogError",
    "SourceError",
    "PrivacyError",
    "ScenarioError",
    "NotFittedError",
    "StageError",
    "OutputError",
    "reading",
    "file_being_read",
]


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""


class ConfigError(WorkbenchError, ValueError):
    """A YAML config (log, filters, rules, scenario, training, audit) is invalid."""


class EventLogError(WorkbenchError, ValueError):
    """The event log's content cannot be used (missing column, bad timestamps, empty)."""


class SourceError(WorkbenchError, OSError):
    """The input file or database cannot be read as declared (missing, wrong format, bad bytes)."""


class PrivacyError(WorkbenchError, ValueError):
    """A privacy setting would expose people (e.g. pseudonymisation without a secret)."""


class ScenarioError(WorkbenchError, ValueError):
    """A what-if scenario names something the model does not have, or an invalid change."""


class NotFittedError(WorkbenchError, AttributeError):
    """An estimator or model was used before ``fit``."""


class StageError(WorkbenchError, RuntimeError):
    """A pipeline stage failed; the message names the stage and the cause."""


class OutputError(WorkbenchError, FileExistsError):
    """An output would overwrite an input or a file the workbench did not write."""


_FILE_ATTRIBUTE = "workbench_file"


@contextlib.contextmanager
def reading(path: str | Path | None) -> Iterator[None]:
    """Mark an unexpected exception raised inside the block with the file being read.

    A :class:`WorkbenchError` passes through unchanged. Any other exception is a bug; it is
    re-raised with its traceback, and the command line's last-resort handler names ``path``
    in its one line (see :func:`file_being_read`).
    """
    try:
        yield
    except WorkbenchError:
        raise
    except Exception as exc:
        if path is not None and getattr(exc, _FILE_ATTRIBUTE, None) is None:
            with contextlib.suppress(AttributeError, TypeError):
                setattr(exc, _FILE_ATTRIBUTE, str(path))
        raise


def file_being_read(exc: BaseException) -> str | None:
    """The file named by the innermost :func:`reading` block ``exc`` left, if any."""
    value = getattr(exc, _FILE_ATTRIBUTE, None)
    return value if isinstance(value, str) else None
