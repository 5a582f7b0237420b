"""One exception hierarchy for the workbench.

Every error a user can cause (bad input file, bad config, bad scenario) is a
:class:`WorkbenchError`. Each subclass also inherits the matching built-in, so
callers can catch ``ValueError`` or ``FileNotFoundError`` as usual. The command
line turns a ``WorkbenchError`` into one line on stderr and exit code 2; any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

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
