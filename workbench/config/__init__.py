"""Typed, frozen configs read once from YAML at the edge."""

from __future__ import annotations

from workbench.config._base import (
    FrozenModel,
    TimeZoneName,
    check_time_zone,
    exactly_one,
    format_validation_error,
    load_yaml,
    parse_config,
)
from workbench.config.log import (
    AttributeTake,
    CalendarConfig,
    CleaningConfig,
    ColumnMap,
    DuplicatesConfig,
    LifecycleConfig,
    LogConfig,
    OrderConfig,
    PrivacyConfig,
    SourceConfig,
    StatusMeanings,
    TimeConfig,
    load_log_config,
)

__all__ = [
    "FrozenModel",
    "TimeZoneName",
    "check_time_zone",
    "exactly_one",
    "format_validation_error",
    "load_yaml",
    "parse_config",
    "AttributeTake",
    "CalendarConfig",
    "CleaningConfig",
    "ColumnMap",
    "DuplicatesConfig",
    "LifecycleConfig",
    "LogConfig",
    "OrderConfig",
    "PrivacyConfig",
    "SourceConfig",
    "StatusMeanings",
    "TimeConfig",
    "load_log_config",
]
