"""The refresh config: which log to refresh, where its event store lives, and what to recompute.

A refresh config is a YAML file (e.g. ``configs/refresh/demo_sql.yaml``)::

    log: ../logs/mydesk.yaml          # a log config with source.kind: sql
    store: ../../stores/mydesk        # the local event store (a folder the workbench owns)
    outputs: ../../outputs/mydesk-daily
    watermark: Opdateret              # source column of the row's last change (default: columns.timestamp)
    look_back_hours: 72               # re-read rows changed up to this long before the watermark
    key: [HistorikID]                 # the event identity (default: case id, activity, timestamp)
    rules: ../rules/service_levels.yaml
    alerts: {horizon_working_hours: 8}
    model: {name: mydesk-duration, drift_threshold: 1.5, retrain: ../training/mydesk_duration.yaml}
    report: {language: da, pdf: false}  # the report regenerated under report/ (default on, no PDF)

It is read once, at the edge (:func:`load_refresh_config`), into a frozen
:class:`RefreshConfig`; relative paths resolve against the config's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from workbench.config import FrozenModel, LogConfig, load_log_config, load_yaml, parse_config
from workbench.errors import ConfigError

__all__ = ["AlertSettings", "ModelSettings", "ReportSettings", "RefreshConfig", "RefreshPlan", "load_refresh_config"]


class AlertSettings(FrozenModel):
    """Which open cases to warn about."""

    #: warn about open cases whose deadline falls within this many working hours
    horizon_working_hours: float = Field(default=8.0, gt=0)


class ModelSettings(FrozenModel):
    """A registered model to score the open cases with, and when to flag it for retraining."""

    name: str
    version: str | None = None
    tracking_uri: str | None = None
    #: flag a retrain when the recent error is more than this many times the test error
    drift_threshold: float = Field(default=1.5, gt=1.0)
    #: fewer recent examples than this: too few to judge drift
    min_recent_examples: int = Field(default=50, ge=1)
    #: log each drift check to MLflow (experiment ``refresh-drift``)
    track: bool = True
    #: a training config (``configs/training/``): when drift is flagged, retrain on the store and register
    #: the new model as the next version of ``name`` (the config's own ``log`` is not used)
    retrain: Path | None = None


class ReportSettings(FrozenModel):
    """The report a refresh regenerates (``report/report.html``, the same report the pipeline writes)."""

    #: write the report at all (the tables, the map and ``as_of.json`` are always written)
    enabled: bool = True
    language: Literal["da", "en"] = "da"
    #: also print it to PDF (needs Chromium; slow, so off by default for a daily job)
    pdf: bool = False
    title: str | None = None


class RefreshConfig(FrozenModel):
    """Everything a refresh needs besides the log config (paths as written in the YAML)."""

    log: Path
    store: Path
    outputs: Path
    watermark: str | None = None
    look_back_hours: float = Field(default=72.0, ge=0)
    key: tuple[str, ...] = ()
    rules: Path | None = None
    alerts: AlertSettings = AlertSettings()
    model: ModelSettings | None = None
    report: ReportSettings = ReportSettings()


class RefreshPlan(FrozenModel):
    """A refresh config with its log config read and its defaults resolved against the log config."""

    config: RefreshConfig
    log: LogConfig
    watermark: str
    key: tuple[str, ...]


def _resolve(base: Path, value: Path | None) -> Path | None:
    if value is None or value.is_absolute():
        return value
    return (base / value).resolve()


def plan_refresh(config: RefreshConfig, log: LogConfig) -> RefreshPlan:
    """Check the refresh config against the log config and fill in the defaults."""
    if log.source.resolved_kind != "sql":
        raise ConfigError(
            f"refresh reads from a database, but log '{log.name}' has source.kind "
            f"'{log.source.resolved_kind}'; use a log config with source.kind: sql"
        )
    cols = log.columns
    key = config.key or (cols.case_id, cols.activity, cols.timestamp)
    watermark = config.watermark or cols.timestamp
    if watermark in key and watermark != cols.timestamp:
        raise ConfigError(
            f"the watermark column '{watermark}' is also part of the key {list(key)}: an edited row would then "
            "look like a new event; drop it from 'key'"
        )
    return RefreshPlan(config=config, log=log, watermark=watermark, key=tuple(key))


def load_refresh_config(path: str | Path) -> RefreshPlan:
    """Read a refresh config and the log config it names; relative paths resolve against the file."""
    path = Path(path)
    config = parse_config(RefreshConfig, load_yaml(path), source=f"refresh config '{path}'")
    base = path.parent.resolve()
    config = config.model_copy(update={
        "log": _resolve(base, config.log),
        "store": _resolve(base, config.store),
        "outputs": _resolve(base, config.outputs),
        "rules": _resolve(base, config.rules),
        "model": config.model.model_copy(update={"retrain": _resolve(base, config.model.retrain)})
        if config.model is not None else None,
    })
    return plan_refresh(config, load_log_config(config.log))
