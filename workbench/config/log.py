"""The log config: where an event log lives and how its columns map to the canonical schema.

A log config is a YAML file under ``configs/logs/``. It is read once, at the edge
(:func:`load_log_config`), into a frozen :class:`LogConfig`; library functions take
the parts they need as keyword arguments.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from workbench.config._base import FrozenModel, TimeZoneName, load_yaml, parse_config
from workbench.config.limits import SourceLimits

__all__ = [
    "SourceConfig",
    "ColumnMap",
    "TimeConfig",
    "LifecycleConfig",
    "StatusMeanings",
    "CalendarConfig",
    "PrivacyConfig",
    "CleaningConfig",
    "OrderConfig",
    "DuplicatesConfig",
    "AttributeTake",
    "LogConfig",
    "load_log_config",
]

SourceKind = Literal["csv", "xes", "parquet", "sql", "demo"]


class SourceConfig(FrozenModel):
    """Where the events come from.

    ``kind`` is inferred from the file name when omitted (``.csv``, ``.xes``,
    ``.xes.gz``, ``.parquet``). ``kind: sql`` reads a ``table`` (or view) or runs a
    ``query`` through SQLAlchemy at ``url`` (e.g. ``sqlite:///tickets.db`` or
    ``postgresql://user@host/db``); ``kind: demo`` generates the built-in demo log.
    """

    kind: SourceKind | None = None
    path: Path | None = None
    # CSV
    delimiter: str = ","
    encoding: str = "utf-8"
    na_values: tuple[str, ...] = ("", "NA", "?")
    # SQL
    url: str | None = None
    url_env: str | None = None
    table: str | None = None
    query: str | None = None
    # demo
    seed: int = 42
    days: int = Field(default=365, gt=0)
    # limits that stop a hostile or broken file early (see workbench.config.limits)
    limits: SourceLimits = SourceLimits()

    @model_validator(mode="after")
    def _check_kind(self) -> SourceConfig:
        kind = self.resolved_kind
        if kind in ("csv", "xes", "parquet") and self.path is None:
            raise ValueError(f"source kind '{kind}' needs 'path'")
        if kind == "sql":
            if self.url is None and self.url_env is None:
                raise ValueError("source kind 'sql' needs 'url' (or 'url_env' naming an environment variable)")
            if (self.table is None) == (self.query is None):
                raise ValueError("source kind 'sql' needs exactly one of 'table' or 'query'")
        if kind is None:
            raise ValueError(
                "cannot tell the source kind from the file name; set source.kind to csv, xes, parquet or sql"
            )
        return self

    @property
    def resolved_kind(self) -> SourceKind | None:
        if self.kind is not None:
            return self.kind
        if self.path is None:
            return None
        name = self.path.name.lower()
        if name.endswith((".xes", ".xes.gz")):
            return "xes"
        if name.endswith((".csv", ".csv.gz", ".txt")):
            return "csv"
        if name.endswith((".parquet", ".pq")):
            return "parquet"
        return None


class ColumnMap(FrozenModel):
    """Source column names of the canonical columns (see :mod:`workbench.schema`)."""

    case_id: str
    activity: str
    timestamp: str
    start_timestamp: str | None = None
    resource: str | None = None
    team: str | None = None
    lifecycle: str | None = None


class TimeConfig(FrozenModel):
    """How timestamps are parsed.

    ``format`` is a ``strftime`` pattern (``None``: ISO 8601 and common forms).
    ``timezone`` is applied to naive timestamps (local wall-clock times); aware
    timestamps are converted to UTC. ``mixed_offsets: convert`` converts timestamps
    that carry different UTC offsets (e.g. summer and winter time) to UTC exactly;
    the default ``error`` stops and says so.
    """

    format: str | None = None
    dayfirst: bool = False
    timezone: TimeZoneName = "UTC"
    mixed_offsets: Literal["error", "convert"] = "error"


class LifecycleConfig(FrozenModel):
    """How the lifecycle column is used.

    - ``ignore``: keep every event as it is (lifecycle kept as a column);
    - ``pair``: match each ``start`` with the next ``complete`` of the same activity
      in the case, giving one event with ``start_timestamp``; other transitions
      (e.g. ``schedule``) are dropped and counted in the quality report;
    - ``append``: the activity label becomes ``"<activity>/<lifecycle>"`` (for logs
      such as BPIC 2013 where the lifecycle holds a sub-status).
    """

    mode: Literal["ignore", "pair", "append"] = "ignore"
    start: tuple[str, ...] = ("start",)
    complete: tuple[str, ...] = ("complete",)
    separator: str = "/"


class StatusMeanings(FrozenModel):
    """Which activity labels (after renaming) mean what, for the desk's questions.

    Lists may be empty where a log has no such status. ``first_line_team`` names the
    team that receives new tickets (``None``: the first team seen in each case).
    """

    registered: tuple[str, ...] = ()
    assigned: tuple[str, ...] = ()
    in_progress: tuple[str, ...] = ()
    waiting_on_user: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()
    forwarded: tuple[str, ...] = ()
    sent_back: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    reopened: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    message_to_user: tuple[str, ...] = ()
    message_from_user: tuple[str, ...] = ()
    first_line_team: str | None = None


class CalendarConfig(FrozenModel):
    """A weekly working calendar in local time, for working-hour measures."""

    timezone: TimeZoneName = "UTC"
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    start_hour: float = Field(default=8.0, ge=0, le=24)
    end_hour: float = Field(default=16.0, ge=0, le=24)
    holidays: tuple[dt.date, ...] = ()  # ISO dates, e.g. 2023-12-24
    #: public holidays of a country (ISO code, e.g. DK), from the ``holidays`` package
    public_holidays: str | None = None
    #: per-weekday working window overriding start_hour/end_hour, e.g. {fri: [8, 15.5]}
    hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], tuple[float, float]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _check_hours(self) -> CalendarConfig:
        if self.end_hour <= self.start_hour:
            raise ValueError(f"end_hour ({self.end_hour}) must be after start_hour ({self.start_hour})")
        for day, (start, end) in self.hours.items():
            if not 0 <= start < end <= 24:
                raise ValueError(f"hours.{day}: [{start}, {end}] must satisfy 0 <= start < end <= 24")
        if self.public_holidays is not None:
            from workbench.calendar import public_holidays

            public_holidays(self.public_holidays, (2024,))  # an unknown country code fails here
        if any(d not in range(7) for d in self.workdays):
            raise ValueError(f"workdays must be numbers 0 (Monday) to 6 (Sunday), got {list(self.workdays)}")
        return self


class PrivacyConfig(FrozenModel):
    """Protection of people in everything the workbench writes.

    Person identifiers (the ``resource`` column and every column in
    ``LogConfig.person_columns``) are replaced by keyed pseudonyms (HMAC-SHA256)
    unless ``pseudonymise`` is false. The key is read from the environment variable
    ``secret_env``; there is no default key. Staff are reported per team unless
    ``per_person`` is true. Groups with fewer than ``min_group_size`` cases are
    suppressed in reports.
    """

    pseudonymise: bool = True
    secret_env: str = "WORKBENCH_SECRET"
    per_person: bool = False
    min_group_size: int = Field(default=10, ge=1)


class CleaningConfig(FrozenModel):
    """Which fixes cleaning may apply (each is recorded in the data-quality report)."""

    drop_duplicates: bool = True
    sort_within_case: bool = True
    drop_single_event_cases: bool = False
    drop_missing_ids: bool = True


class OrderConfig(FrozenModel):
    """How events of one case that share a timestamp are ordered (ties in time).

    Cleaning sorts each case by timestamp, then by ``tie_break`` (a source column, e.g.
    an event sequence number or ``sys_mod_count``; numbers compare as numbers, missing
    values last), then by ``activity_order`` (activity labels after renaming, earliest
    first; ``"*"`` stands for every activity not listed, which otherwise come first),
    then by the order in the file. Without an ``activity_order`` the closing statuses
    (``statuses.closed``) come last among events with the same timestamp, so the closing
    status decides whether a case is open.
    """

    tie_break: str | None = None
    activity_order: tuple[str, ...] = ()

    @field_validator("activity_order")
    @classmethod
    def _one_wildcard(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if value.count("*") > 1:
            raise ValueError("activity_order may hold '*' (every activity not listed) only once")
        if len(set(value)) != len(value):
            dup = next(v for v in value if value.count(v) > 1)
            raise ValueError(f"activity_order lists {dup!r} twice")
        return value


class DuplicatesConfig(FrozenModel):
    """Which source columns make two rows exact duplicates.

    ``columns: null`` (default): all columns of the source row, mapped or not, so rows
    that differ only in a column the config does not map are kept. A list names the
    source columns to compare (e.g. leave out an export-time column).
    """

    columns: tuple[str, ...] | None = None


#: How a case attribute whose value changes during a case is used:
#: ``first`` (the first value, spread to every event), ``last`` (the final value,
#: spread to every event) or ``event`` (each event keeps the value known at that
#: moment, so features and audits see it as it was at each prefix).
AttributeTake = Literal["first", "last", "event"]


class LogConfig(FrozenModel):
    """Everything the workbench needs to know about one event log."""

    name: str
    description: str = ""
    source: SourceConfig
    columns: ColumnMap
    time: TimeConfig = TimeConfig()
    lifecycle: LifecycleConfig = LifecycleConfig()
    #: canonical attribute name -> source column (a list means same names)
    case_attributes: dict[str, str] = Field(default_factory=dict)
    event_attributes: dict[str, str] = Field(default_factory=dict)
    #: case attributes that define groups of users, for the fairness audit
    group_attributes: tuple[str, ...] = ()
    #: attributes holding person identifiers (pseudonymised like ``resource``)
    person_columns: tuple[str, ...] = ()
    #: attributes describing staff; never used as group attributes unless allowed
    staff_attributes: tuple[str, ...] = ()
    #: resources that are not people doing a team's work (systems, users, dispatchers), for simulation
    non_staff: tuple[str, ...] = ()
    #: known headcount per team (team -> people), overriding the one learned from the log
    staff: dict[str, int] = Field(default_factory=dict)
    #: rename activities (source label -> label used everywhere)
    activity_map: dict[str, str] = Field(default_factory=dict)
    statuses: StatusMeanings = StatusMeanings()
    calendar: CalendarConfig = CalendarConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    cleaning: CleaningConfig = CleaningConfig()
    order: OrderConfig = OrderConfig()
    duplicates: DuplicatesConfig = DuplicatesConfig()
    #: the extract holds finished cases only: no case is open, whatever its last status
    complete_cases: bool = False
    #: per case attribute, how a value that changes during a case is used (default ``first``);
    #: written in the config as ``case_attributes: {priority: {column: Prioritet, take: last}}``
    case_attribute_take: dict[str, AttributeTake] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _split_attribute_specs(cls, data: object) -> object:
        """Accept ``{name: {column: ..., take: ...}}`` beside ``{name: column}`` in case_attributes."""
        if not isinstance(data, dict) or not isinstance(data.get("case_attributes"), dict):
            return data
        plain: dict[str, object] = {}
        take = dict(data.get("case_attribute_take") or {})
        for name, spec in data["case_attributes"].items():
            if isinstance(spec, dict):
                unknown = sorted(set(spec) - {"column", "take"})
                if unknown or "column" not in spec:
                    raise ValueError(
                        f"case attribute '{name}': write {{column: <source column>, take: first|last|event}}"
                        + (f" (unknown key {unknown[0]!r})" if unknown else " (column is missing)")
                    )
                plain[name] = spec["column"]
                if "take" in spec:
                    take[name] = spec["take"]
            else:
                plain[name] = spec
        return {**data, "case_attributes": plain, "case_attribute_take": take}

    @field_validator("case_attributes", "event_attributes", mode="before")
    @classmethod
    def _list_to_mapping(cls, value: object) -> object:
        if isinstance(value, (list, tuple)):
            return {str(v): str(v) for v in value}
        return value

    @model_validator(mode="after")
    def _check_groups(self) -> LogConfig:
        known = set(self.case_attributes)
        for attr in self.group_attributes:
            if attr not in known:
                raise ValueError(
                    f"group attribute '{attr}' is not a case attribute; add it to case_attributes "
                    f"(case attributes: {sorted(known) or 'none'})"
                )
        for attr in self.case_attribute_take:
            if attr not in known:
                raise ValueError(f"case_attribute_take names '{attr}', which is not a case attribute")
        for team, count in self.staff.items():
            if count < 1:
                raise ValueError(f"staff of team '{team}' must be at least 1, got {count}")
        attrs = set(self.case_attributes) | set(self.event_attributes)
        for attr in self.person_columns:
            if attr not in attrs:
                raise ValueError(f"person column '{attr}' is not a case or event attribute")
        if self.lifecycle.mode != "ignore" and self.columns.lifecycle is None:
            raise ValueError(
                f"lifecycle.mode is '{self.lifecycle.mode}' but no lifecycle column is mapped; add columns.lifecycle "
                "(e.g. lifecycle: \"lifecycle:transition\" for an XES file), or remove lifecycle.mode"
            )
        return self

    def take(self, attribute: str) -> AttributeTake:
        """How the case attribute ``attribute`` is used when it changes within a case."""
        return self.case_attribute_take.get(attribute, "first")

    @property
    def attribute_columns(self) -> tuple[str, ...]:
        """Canonical names of all attribute columns, case attributes first."""
        return tuple(self.case_attributes) + tuple(a for a in self.event_attributes if a not in self.case_attributes)


def load_log_config(path: str | Path) -> LogConfig:
    """Read and validate a log config; relative source paths resolve against the config's folder.

    Paths are tried relative to the config file first, then to the current folder,
    so ``configs/logs/x.yaml`` can say ``path: ../../../shared/data/x.xes.gz``.
    """
    path = Path(path)
    data = load_yaml(path)
    config = parse_config(LogConfig, data, source=f"log config '{path}'")
    src = config.source
    if src.path is not None and not src.path.is_absolute():
        candidates = [(path.parent / src.path).resolve(), Path.cwd() / src.path]
        chosen = next((c for c in candidates if c.exists()), candidates[0])
        config = config.model_copy(update={"source": src.model_copy(update={"path": chosen})})
    if src.url is not None and src.url.startswith("sqlite:///") and not src.url.startswith("sqlite:////"):
        rel = Path(src.url[len("sqlite:///"):])
        if not rel.is_absolute():
            resolved = (path.parent / rel).resolve()
            if resolved.exists() or not (Path.cwd() / rel).exists():
                config = config.model_copy(
                    update={"source": config.source.model_copy(update={"url": f"sqlite:///{resolved}"})}
                )
    return config


