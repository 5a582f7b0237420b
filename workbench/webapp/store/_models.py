"""The tables of the app's database (SQLAlchemy 2 declarative models).

The schema is created and changed only by the Alembic migrations in ``migrations/versions``;
these models mirror the latest revision and are what the :class:`~workbench.webapp.store.Store`
queries. A change here needs a new migration (``tests/webapp/test_store.py`` compares them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "Comment", "Run", "Scenario", "Session", "Trail"]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: sa.JSON, datetime: sa.DateTime(timezone=True)}


class Scenario(Base):
    """One version of a named scenario; saving the same name again adds the next version."""

    __tablename__ = "scenarios"
    __table_args__ = (sa.UniqueConstraint("name", "version", name="uq_scenarios_name_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    version: Mapped[int]
    spec: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime]
    shared: Mapped[bool] = mapped_column(default=True)


class Run(Base):
    """A simulation run: queued, running, then done, failed or cancelled."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int | None] = mapped_column(sa.ForeignKey("scenarios.id"), index=True)
    spec: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    progress: Mapped[float] = mapped_column(sa.Float, default=0.0)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.String(100), index=True)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class Comment(Base):
    """A reviewer's comment on a scenario version, optionally a sign-off."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(sa.ForeignKey("scenarios.id"), index=True)
    author: Mapped[str] = mapped_column(sa.String(100))
    text: Mapped[str] = mapped_column(sa.Text)
    signed_off: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class Trail(Base):
    """The audit trail: who did what, when."""

    __tablename__ = "trail"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(100))
    detail: Mapped[str] = mapped_column(sa.Text, default="")


class Session(Base):
    """A login session; only the SHA-256 of its token is stored, so the table alone opens no session."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user: Mapped[str] = mapped_column(sa.String(100), index=True)
    roles: Mapped[str] = mapped_column(sa.String(200))
    source: Mapped[str] = mapped_column(sa.String(20), default="local")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
