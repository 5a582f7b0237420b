"""What the Store hands out: frozen records, detached from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from workbench.errors import WorkbenchError

__all__ = ["RUN_STATUSES", "CommentRecord", "RunRecord", "RunStatus", "ScenarioRecord", "SessionRecord",
           "StoreError", "TrailRecord"]

RunStatus = Literal["queued", "running", "done", "failed", "cancelled"]
RUN_STATUSES: tuple[str, ...] = get_args(RunStatus)


class StoreError(WorkbenchError, LookupError):
    """A record asked for does not exist, or a value cannot be stored."""


@dataclass(frozen=True)
class ScenarioRecord:
    id: int
    name: str
    version: int
    spec: dict[str, Any]
    created_by: str
    created_at: datetime
    shared: bool


@dataclass(frozen=True)
class RunRecord:
    id: int
    scenario_id: int | None
    spec: dict[str, Any]
    status: RunStatus
    progress: float
    message: str
    result: dict[str, Any] | None
    error: str | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "cancelled")


@dataclass(frozen=True)
class CommentRecord:
    id: int
    scenario_id: int
    author: str
    text: str
    signed_off: bool
    created_at: datetime


@dataclass(frozen=True)
class TrailRecord:
    id: int
    at: datetime
    user: str
    action: str
    detail: str


@dataclass(frozen=True)
class SessionRecord:
    """A live session (the token itself is never stored)."""

    user: str
    roles: frozenset[str]
    source: str
    created_at: datetime
    expires_at: datetime
