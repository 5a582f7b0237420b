"""Filter steps: what each filter keeps or drops, and reading a pipeline of them from YAML.

A pipeline is a list of steps applied **in the order written**. An *event filter*
removes events (``timeframe`` with ``mode: events``, ``activities`` at event level,
``attribute`` at event level); a *case filter* keeps or removes whole cases, judged
on the events still present at that step. So "remove the 'Closed' events, then keep
cases with at least 5 events" differs from the reverse order -- which is the point.

In YAML (``configs/filters/*.yaml``)::

    description: Partner-team tickets of 2023 without the auto-close step
    steps:
      - type: timeframe          # cases contained in / intersecting / started in / completed in
        start: 2023-01-01        # or events in a range (mode: events); the range is [start, end)
        end: 2024-01-01
        mode: started
      - type: activities
        activities: [Closed]
        action: drop             # keep | drop
        level: event             # event | case (cases containing any/all of them)
      - type: attribute
        attribute: priority
        values: [Høj]
        level: case              # case: cases with an event carrying the value; event: events
      - type: variants
        top_k: 10                # or min_count: 5, or min_share: 0.01
      - type: follows
        a: Forwarded
        b: Sent back
        relation: directly       # directly | eventually
        action: keep             # keep | drop the cases with a -> b
      - type: case_duration
        min_hours: 1
        max_hours: 2000
      - type: rework
        activities: [Reopened]   # empty: any activity
        min_occurrences: 2
      - type: case_ids
        file: ids.txt            # one id per line (or ids: [...]); relative to the YAML file

In Python, build the same steps (``FilterPipeline(steps=(ActivityFilter(...), ...))``)
and call :func:`~workbench.analysis.apply_filters`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import Field, field_validator, model_validator

from workbench.config import FrozenModel, exactly_one, load_yaml, parse_config
from workbench.errors import ConfigError

__all__ = [
    "TimeframeFilter",
    "AttributeFilter",
    "ActivityFilter",
    "VariantFilter",
    "FollowsFilter",
    "CaseDurationFilter",
    "ReworkFilter",
    "CaseIdFilter",
    "FilterStep",
    "FilterPipeline",
    "load_filters",
    "read_id_file",
]

Action = Literal["keep", "drop"]
Level = Literal["event", "case"]
Value = str | int | float | bool


class _Step(FrozenModel):
    #: optional label shown in the per-step report
    name: str | None = None

    @property
    def kind(self) -> Level:
        """``"event"`` for an event filter, ``"case"`` for a case filter."""
        return "case"

    def describe(self) -> str:  # pragma: no cover - overridden
        return self.__class__.__name__


class TimeframeFilter(_Step):
    """Cases ``contained`` in / ``intersecting`` / ``started`` in / ``completed`` in ``[start, end)``, or the
    ``events`` in it. Naive times are read in ``timezone`` (default UTC)."""

    type: Literal["timeframe"] = "timeframe"
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    mode: Literal["contained", "intersecting", "started", "completed", "events"] = "intersecting"
    timezone: str = "UTC"

    @field_validator("start", "end", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if value is None or isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        try:
            return pd.Timestamp(value).to_pydatetime()
        except (ValueError, TypeError):
            raise ValueError(f"not a date or time: {value!r}; use ISO 8601 such as 2023-01-01 or 2023-01-01T08:00") from None

    @model_validator(mode="after")
    def _check(self) -> TimeframeFilter:
        if self.start is None and self.end is None:
            raise ValueError("a timeframe needs 'start', 'end' or both")
        if self.start is not None and self.end is not None and self.bounds()[0] >= self.bounds()[1]:
            raise ValueError(f"timeframe start ({self.start}) must be before end ({self.end})")
        return self

    def bounds(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """``(start, end)`` as UTC timestamps (open ends become the extremes)."""

        def conv(v: dt.datetime | None, default: pd.Timestamp) -> pd.Timestamp:
            if v is None:
                return default
            ts = pd.Timestamp(v)
            ts = ts.tz_localize(self.timezone) if ts.tzinfo is None else ts
            return ts.tz_convert("UTC")

        return conv(self.start, pd.Timestamp.min.tz_localize("UTC")), conv(self.end, pd.Timestamp.max.tz_localize("UTC"))

    @property
    def kind(self) -> Level:
        return "event" if self.mode == "events" else "case"

    def describe(self) -> str:
        what = "events in" if self.mode == "events" else f"cases {self.mode} in" if self.mode != "intersecting" \
            else "cases intersecting"
        return f"{what} [{self.start or '...'}, {self.end or '...'})"


class AttributeFilter(_Step):
    """Keep or drop events (``level: event``) or cases with an event (``level: case``) whose
    ``attribute`` is one of ``values``."""

    type: Literal["attribute"] = "attribute"
    attribute: str
    values: tuple[Value, ...] = Field(min_length=1)
    action: Action = "keep"
    level: Level = "case"

    @property
    def kind(self) -> Level:
        return self.level

    def describe(self) -> str:
        return f"{self.action} {'events' if self.level == 'event' else 'cases'} with {self.attribute} in {list(self.values)}"


class ActivityFilter(_Step):
    """Keep or drop the events of ``activities`` (``level: event``), or the cases containing
    ``any`` / ``all`` of them (``level: case``)."""

    type: Literal["activities"] = "activities"
    activities: tuple[str, ...] = Field(min_length=1)
    action: Action = "keep"
    level: Level = "event"
    match: Literal["any", "all"] = "any"

    @property
    def kind(self) -> Level:
        return self.level

    def describe(self) -> str:
        if self.level == "event":
            return f"{self.action} events {list(self.activities)}"
        return f"{self.action} cases containing {self.match} of {list(self.activities)}"


class VariantFilter(_Step):
    """Keep (or drop) the cases of the ``top_k`` most frequent variants, or of variants with at
    least ``min_count`` cases or ``min_share`` of the cases. Ties at the top-k cut are broken by
    the variant label."""

    type: Literal["variants"] = "variants"
    top_k: int | None = Field(default=None, gt=0)
    min_count: int | None = Field(default=None, gt=0)
    min_share: float | None = Field(default=None, gt=0, le=1)
    action: Action = "keep"

    @model_validator(mode="after")
    def _one(self) -> VariantFilter:
        exactly_one(self, ("top_k", "min_count", "min_share"), needs="a variants filter needs")
        return self

    def describe(self) -> str:
        crit = (f"top {self.top_k}" if self.top_k else f">= {self.min_count} cases" if self.min_count
                else f">= {self.min_share:.1%} of cases")
        return f"{self.action} cases of variants {crit}"


class FollowsFilter(_Step):
    """Keep (or drop) the cases where ``a`` is directly (next event) or eventually followed by ``b``."""

    type: Literal["follows"] = "follows"
    a: str
    b: str
    relation: Literal["directly", "eventually"] = "directly"
    action: Action = "keep"

    def describe(self) -> str:
        return f"{self.action} cases where {self.a!r} is {self.relation} followed by {self.b!r}"


class CaseDurationFilter(_Step):
    """Keep the cases whose duration (first to last event, in hours) lies in ``[min_hours, max_hours]``."""

    type: Literal["case_duration"] = "case_duration"
    min_hours: float | None = Field(default=None, ge=0)
    max_hours: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _check(self) -> CaseDurationFilter:
        if self.min_hours is None and self.max_hours is None:
            raise ValueError("a case_duration filter needs min_hours, max_hours or both")
        if self.min_hours is not None and self.max_hours is not None and self.min_hours > self.max_hours:
            raise ValueError(f"min_hours ({self.min_hours}) must not exceed max_hours ({self.max_hours})")
        return self

    def describe(self) -> str:
        return f"keep cases lasting {self.min_hours or 0} to {self.max_hours if self.max_hours is not None else '...'} h"


class ReworkFilter(_Step):
    """Keep (or drop) the cases where one of ``activities`` (any activity when empty) occurs at least
    ``min_occurrences`` times."""

    type: Literal["rework"] = "rework"
    activities: tuple[str, ...] = ()
    min_occurrences: int = Field(default=2, ge=2)
    action: Action = "keep"

    def describe(self) -> str:
        what = list(self.activities) if self.activities else "any activity"
        return f"{self.action} cases with {what} at least {self.min_occurrences} times"


class CaseIdFilter(_Step):
    """Keep (or drop) the cases in ``ids``; ``file`` (one id per line) is read by :func:`load_filters`
    or :meth:`from_file`."""

    type: Literal["case_ids"] = "case_ids"
    ids: tuple[str, ...] = ()
    file: Path | None = None
    action: Action = "keep"

    @field_validator("ids", mode="before")
    @classmethod
    def _as_str(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return tuple(str(v) for v in value)
        return value

    @model_validator(mode="after")
    def _check(self) -> CaseIdFilter:
        if not self.ids and self.file is None:
            raise ValueError("a case_ids filter needs 'ids' or 'file'")
        return self

    @classmethod
    def from_file(cls, path: str | Path, *, action: Action = "keep", name: str | None = None) -> CaseIdFilter:
        """Read the ids from a text file (one per line; blank lines and ``#`` comments ignored)."""
        return cls(ids=read_id_file(Path(path)), file=Path(path), action=action, name=name)

    def describe(self) -> str:
        src = f" from {self.file.name}" if self.file is not None else ""
        return f"{self.action} {len(self.ids)} listed cases{src}"


FilterStep = Annotated[
    TimeframeFilter | AttributeFilter | ActivityFilter | VariantFilter | FollowsFilter | CaseDurationFilter | ReworkFilter | CaseIdFilter,
    Field(discriminator="type"),
]


class FilterPipeline(FrozenModel):
    """An ordered list of filter steps."""

    description: str = ""
    steps: tuple[FilterStep, ...] = ()


def read_id_file(path: Path) -> tuple[str, ...]:
    """Case ids from a text file, one per line."""
    if not path.exists():
        raise ConfigError(f"case id file '{path}' does not exist; check the path in the filter config")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise ConfigError(f"case id file '{path}' is not UTF-8 text; save it as UTF-8") from None
    ids = tuple(s.strip() for s in lines if s.strip() and not s.strip().startswith("#"))
    if not ids:
        raise ConfigError(f"case id file '{path}' lists no case ids")
    return ids


def load_filters(path: str | Path) -> FilterPipeline:
    """Read and validate a filter pipeline from YAML; case id files are read here, relative to the YAML."""
    path = Path(path)
    data = load_yaml(path)
    pipeline = parse_config(FilterPipeline, data, source=f"filter config '{path}'")
    steps = []
    for step in pipeline.steps:
        if isinstance(step, CaseIdFilter) and step.file is not None:
            file = step.file if step.file.is_absolute() else (path.parent / step.file)
            step = step.model_copy(update={"ids": tuple(dict.fromkeys(step.ids + read_id_file(file))), "file": file})
        steps.append(step)
    return pipeline.model_copy(update={"steps": tuple(steps)})
