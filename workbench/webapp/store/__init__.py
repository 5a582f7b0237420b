"""The app's state in a real database: scenarios with versions, runs, comments, the audit trail, sessions.

SQLite by default, PostgreSQL (or any SQLAlchemy database) by URL. ``Store(url)`` brings the
schema up to date with the Alembic migrations shipped in this package, so a new release
migrates an old database on start. Every method is one short transaction; the records it
returns are frozen dataclasses, detached from the database.
"""

from __future__ import annotations

from workbench.webapp.store import _records, _store
from workbench.webapp.store._records import *  # noqa: F403  (its __all__: the records and StoreError)
from workbench.webapp.store._store import *  # noqa: F403  (its __all__: Store and INTERRUPTED)

__all__ = []
__all__ += _records.__all__
__all__ += _store.__all__
