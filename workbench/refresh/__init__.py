"""Daily refresh from the ticket system's database into a local event store that survives crashes.

:func:`refresh` reads what changed in the SQL source since the store's watermark (minus a
look-back), checks the source's columns against the log config first (schema drift stops
the refresh, nothing merged), merges the rows idempotently into the store (Parquet
partitions switched by an atomic manifest; a journal finishes or rolls back a killed
refresh), and recomputes the desk's questions, rule checks, alerts, scores and model drift.
The questions' per-case tables are kept with the store and rebuilt only for the cases whose
events changed (:mod:`workbench.refresh.incremental`); the answers are a full recomputation's.
"""

from __future__ import annotations

from workbench.refresh.config import RefreshConfig, RefreshPlan, load_refresh_config, plan_refresh
from workbench.refresh.lock import LockedError, refresh_lock
from workbench.refresh.run import RefreshResult, refresh, write_refresh
from workbench.refresh.schema import SchemaDriftError
from workbench.refresh.store import EventStore, Manifest, StoreError
from workbench.refresh.update import StoreUpdate, update_store

__all__ = [
    "RefreshConfig",
    "RefreshPlan",
    "load_refresh_config",
    "plan_refresh",
    "refresh",
    "RefreshResult",
    "write_refresh",
    "update_store",
    "StoreUpdate",
    "EventStore",
    "Manifest",
    "StoreError",
    "SchemaDriftError",
    "LockedError",
    "refresh_lock",
]
