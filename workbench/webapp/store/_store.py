"""The Store: one short transaction per method, frozen records out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from workbench.webapp.store._models import Comment, Run, Scenario, Session, Trail
from workbench.webapp.store._records import (
    RUN_STATUSES,
    CommentRecord,
    RunRecord,
    RunStatus,
    ScenarioRecord,
    SessionRecord,
    StoreError,
    TrailRecord,
)

__all__ = ["INTERRUPTED", "Store"]

#: The error of a run that was queued or running when the app stopped.
INTERRUPTED = "interrupted by a restart of the app; run it again"
_MIGRATIONS = Path(__file__).with_name("migrations")


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _json(value: dict[str, Any] | None, what: str) -> dict[str, Any] | None:
    """Check that ``value`` is a JSON object (so it is stored whole, never half)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise StoreError(f"{what} must be a mapping, got {type(value).__name__}")
    try:
        return cast(dict[str, Any], json.loads(json.dumps(value, allow_nan=False)))
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{what} cannot be stored as JSON: {exc}") from None


def _scenario(row: Scenario) -> ScenarioRecord:
    return ScenarioRecord(id=row.id, name=row.name, version=row.version, spec=dict(row.spec),
                          created_by=row.created_by, created_at=_utc(row.created_at), shared=row.shared)


def _run(row: Run) -> RunRecord:
    return RunRecord(id=row.id, scenario_id=row.scenario_id, spec=dict(row.spec), status=cast(RunStatus, row.status),
                     progress=row.progress, message=row.message, result=None if row.result is None else dict(row.result),
                     error=row.error, created_by=row.created_by, created_at=_utc(row.created_at),
                     finished_at=None if row.finished_at is None else _utc(row.finished_at))


def _comment(row: Comment) -> CommentRecord:
    return CommentRecord(id=row.id, scenario_id=row.scenario_id, author=row.author, text=row.text,
                         signed_off=row.signed_off, created_at=_utc(row.created_at))


_Row = TypeVar("_Row", Scenario, Run)


def _get(s: OrmSession, model: type[_Row], key: int, what: str, *, for_update: bool = False) -> _Row:
    """The ``model`` row with id ``key``, or a StoreError "no <what> with id <key>"."""
    row = s.get(model, key, with_for_update=for_update)
    if row is None:
        raise StoreError(f"no {what} with id {key}")
    return row


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


class Store:
    """The app's database at ``url``; the schema is migrated to the latest revision on creation."""

    def __init__(self, url: str) -> None:
        try:
            self.engine = sa.create_engine(url, pool_pre_ping=True)
        except (sa.exc.ArgumentError, ImportError, ValueError) as exc:
            raise StoreError(f"database URL {sa.engine.make_url(url).render_as_string(hide_password=True)!r} "
                             f"cannot be used: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            database = self.engine.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA journal_mode = WAL")
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.upgrade()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    # -- schema ------------------------------------------------------------------------------
    def _alembic(self) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        return config

    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision`` (what ``Store()`` does with ``head``)."""
        from alembic import command

        config = self._alembic()
        with self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)

    def revision(self) -> str | None:
        """The database's current Alembic revision."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[OrmSession]:
        with self._sessions.begin() as session:
            yield session

    # -- scenarios ---------------------------------------------------------------------------
    def save_scenario(self, *, name: str, spec: dict[str, Any], user: str, shared: bool = True) -> ScenarioRecord:
        """Save ``spec`` under ``name``; a name saved before gets its next version."""
        name = " ".join(name.split())
        if not name:
            raise StoreError("a scenario needs a name")
        stored = _json(spec, "the scenario")
        for _attempt in range(5):
            try:
                with self._tx() as s:
                    last = s.scalar(sa.select(sa.func.max(Scenario.version)).where(Scenario.name == name))
                    row = Scenario(name=name, version=(last or 0) + 1, spec=stored, created_by=user,
                                   created_at=_now(), shared=shared)
                    s.add(row)
                    s.flush()
                    return _scenario(row)
            except sa.exc.IntegrityError:  # two saves of the same name at once: take the next version
                continue
        raise StoreError(f"scenario {name!r} could not be saved: too many saves at once; try again")

    def scenarios(self, *, user: str) -> list[ScenarioRecord]:
        """The latest version of each scenario name that is shared or ``user``'s, by name."""
        with self._tx() as s:
            rows = s.scalars(sa.select(Scenario).where(sa.or_(Scenario.shared, Scenario.created_by == user))
                             .order_by(Scenario.name, Scenario.version.desc())).all()
            latest: dict[str, ScenarioRecord] = {}
            for row in rows:
                latest.setdefault(row.name, _scenario(row))
            return list(latest.values())

    def scenario(self, scenario_id: int) -> ScenarioRecord:
        with self._tx() as s:
            return _scenario(_get(s, Scenario, scenario_id, "scenario"))

    def versions(self, name: str) -> list[ScenarioRecord]:
        """Every version of scenario ``name``, oldest first."""
        with self._tx() as s:
            rows = s.scalars(sa.select(Scenario).where(Scenario.name == name).order_by(Scenario.version)).all()
            return [_scenario(r) for r in rows]

    # -- runs --------------------------------------------------------------------------------
    def create_run(self, *, spec: dict[str, Any], user: str, scenario_id: int | None) -> RunRecord:
        stored = _json(spec, "the run's spec")
        with self._tx() as s:
            if scenario_id is not None:
                _get(s, Scenario, scenario_id, "scenario")
            row = Run(scenario_id=scenario_id, spec=stored, status="queued", progress=0.0, message="",
                      result=None, error=None, created_by=user, created_at=_now(), finished_at=None)
            s.add(row)
            s.flush()
            return _run(row)

    def update_run(self, run_id: int, *, status: RunStatus | None = None, progress: float | None = None,
                   message: str | None = None, result: dict[str, Any] | None = None,
                   error: str | None = None) -> None:
        """Change a run in one transaction (status, progress, message, result and error together)."""
        if status is not None and status not in RUN_STATUSES:
            raise StoreError(f"unknown run status {status!r}; one of {', '.join(RUN_STATUSES)}")
        stored = _json(result, "the run's result")
        with self._tx() as s:
            row = _get(s, Run, run_id, "run", for_update=True)
            if status is not None:
                row.status = status
                if status in ("done", "failed", "cancelled"):
                    row.finished_at = _now()
            if progress is not None:
                row.progress = min(1.0, max(0.0, float(progress)))
            if message is not None:
                row.message = message[:2000]
            if stored is not None:
                row.result = stored
            if error is not None:
                row.error = error[:4000]

    def finish_run(self, run_id: int, *, status: RunStatus, result: dict[str, Any] | None = None,
                   error: str | None = None, message: str = "") -> bool:
        """Finish a run unless it is finished already (e.g. cancelled meanwhile); whether it was changed."""
        stored = _json(result, "the run's result")
        with self._tx() as s:
            row = _get(s, Run, run_id, "run", for_update=True)
            if row.status in ("done", "failed", "cancelled"):
                return False
            row.status, row.finished_at = status, _now()
            row.result, row.error = stored, None if error is None else error[:4000]
            if status == "done":
                row.progress = 1.0
            row.message = message[:2000]
            return True

    def run(self, run_id: int) -> RunRecord:
        with self._tx() as s:
            return _run(_get(s, Run, run_id, "run"))

    def runs(self, *, user: str | None = None, limit: int = 50) -> list[RunRecord]:
        """The newest runs first, all users' or ``user``'s."""
        query = sa.select(Run).order_by(Run.id.desc()).limit(limit)
        if user is not None:
            query = query.where(Run.created_by == user)
        with self._tx() as s:
            return [_run(r) for r in s.scalars(query).all()]

    def fail_interrupted_runs(self) -> int:
        """Mark every queued or running run failed (the app stopped under it); how many were marked."""
        with self._tx() as s:
            result = s.execute(sa.update(Run).where(Run.status.in_(("queued", "running")))
                               .values(status="failed", error=INTERRUPTED, finished_at=_now()))
            return int(result.rowcount)  # type: ignore[attr-defined]

    # -- comments and trail ------------------------------------------------------------------
    def add_comment(self, *, scenario_id: int, user: str, text: str, sign_off: bool) -> CommentRecord:
        text = text.strip()
        if not text and not sign_off:
            raise StoreError("a comment needs some text")
        with self._tx() as s:
            _get(s, Scenario, scenario_id, "scenario")
            row = Comment(scenario_id=scenario_id, author=user, text=text, signed_off=sign_off, created_at=_now())
            s.add(row)
            s.flush()
            return _comment(row)

    def comments(self, scenario_id: int) -> list[CommentRecord]:
        with self._tx() as s:
            rows = s.scalars(sa.select(Comment).where(Comment.scenario_id == scenario_id).order_by(Comment.id)).all()
            return [_comment(r) for r in rows]

    def record(self, *, user: str, action: str, detail: str = "") -> None:
        """Add a line to the audit trail."""
        with self._tx() as s:
            s.add(Trail(at=_now(), user=user, action=action, detail=detail[:4000]))

    def trail(self, *, limit: int = 200) -> list[TrailRecord]:
        """The newest lines of the audit trail first."""
        with self._tx() as s:
            rows = s.scalars(sa.select(Trail).order_by(Trail.id.desc()).limit(limit)).all()
            return [TrailRecord(id=r.id, at=_utc(r.at), user=r.user, action=r.action, detail=r.detail) for r in rows]

    # -- login sessions ----------------------------------------------------------------------
    def create_session(self, *, token_hash: str, user: str, roles: frozenset[str], source: str,
                       expires_at: datetime, now: datetime | None = None) -> None:
        with self._tx() as s:
            s.add(Session(token_hash=token_hash, user=user, roles=",".join(sorted(roles)), source=source,
                          created_at=now or _now(), expires_at=expires_at, revoked_at=None))

    def session(self, token_hash: str, *, now: datetime | None = None) -> SessionRecord | None:
        """The live session with this token hash: None when unknown, expired or revoked."""
        now = now or _now()
        with self._tx() as s:
            row = s.get(Session, token_hash)
            if row is None or row.revoked_at is not None or _utc(row.expires_at) <= now:
                return None
            return SessionRecord(user=row.user, roles=frozenset(r for r in row.roles.split(",") if r),
                                 source=row.source, created_at=_utc(row.created_at), expires_at=_utc(row.expires_at))

    def revoke_session(self, token_hash: str) -> bool:
        """End a session (logout); whether it was live."""
        with self._tx() as s:
            row = s.get(Session, token_hash)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = _now()
            return True

    def revoke_user_sessions(self, user: str) -> int:
        with self._tx() as s:
            result = s.execute(sa.update(Session).where(Session.user == user, Session.revoked_at.is_(None))
                               .values(revoked_at=_now()))
            return int(result.rowcount)  # type: ignore[attr-defined]

    def purge_sessions(self, *, now: datetime | None = None) -> int:
        """Delete expired and revoked sessions; how many."""
        now = now or _now()
        with self._tx() as s:
            result = s.execute(sa.delete(Session).where(sa.or_(Session.expires_at <= now,
                                                               Session.revoked_at.is_not(None))))
            return int(result.rowcount)  # type: ignore[attr-defined]
