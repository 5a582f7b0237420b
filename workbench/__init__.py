"""Process-mining workbench.

The package reads like the data flow::

    io          read event logs (CSV, XES, Parquet, SQL) and write outputs atomically
    cleaning    validate and clean; the data-quality report
    privacy     pseudonymisation of person identifiers, suppression of small groups
    demo        the built-in municipal IT-support demo log generator
    discovery   process maps, BPMN/PNML, interactive HTML
    analysis    filters, variants, the desk's questions, rule checks
    simulation  SimPy what-if simulation discovered from the log
    features    prefix features for prediction
    models      LightGBM models, Optuna tuning, MLflow tracking, scoring open cases
    fairness    fairness audits of models, process changes and history
    report      the HTML report
    cli         the ``workbench`` command
"""

from __future__ import annotations

from workbench.errors import (
    ConfigError,
    EventLogError,
    NotFittedError,
    PrivacyError,
    ScenarioError,
    SourceError,
    StageError,
    WorkbenchError,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "WorkbenchError",
    "ConfigError",
    "EventLogError",
    "SourceError",
    "PrivacyError",
    "ScenarioError",
    "NotFittedError",
    "StageError",
]
