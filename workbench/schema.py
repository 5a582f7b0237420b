"""The canonical event-log schema every stage of the workbench reads and writes.

An event log is a :class:`pandas.DataFrame` with one row per event and these
columns (attribute columns follow, named as the log config names them):

========================  ==========================================================
``case_id``               string, the case (ticket) identifier; never pseudonymised
``activity``              string, the activity or status label
``timestamp``             ``datetime64[ns, UTC]``, when the event completed
``start_timestamp``       ``datetime64[ns, UTC]`` or ``NaT``, when the work started
``resource``              string or missing, the person (pseudonymised by default)
``team``                  string or missing, the team / group that handled the event
``lifecycle``             string or missing, the lifecycle transition as recorded
========================  ==========================================================

Rows are sorted by ``case_id`` order of first appearance... no: by
(``case_id``, ``timestamp``, original order) after cleaning, see
:func:`workbench.cleaning.clean_log`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

CASE_ID = "case_id"
ACTIVITY = "activity"
TIMESTAMP = "timestamp"
START_TIMESTAMP = "start_timestamp"
RESOURCE = "resource"
TEAM = "team"
LIFECYCLE = "lifecycle"

#: Columns that must exist after reading.
REQUIRED_COLUMNS: tuple[str, ...] = (CASE_ID, ACTIVITY, TIMESTAMP)
#: Columns that always exist after cleaning (filled with missing values when absent).
CORE_COLUMNS: tuple[str, ...] = (
    CASE_ID,
    ACTIVITY,
    TIMESTAMP,
    START_TIMESTAMP,
    RESOURCE,
    TEAM,
    LIFECYCLE,
)
TIMESTAMP_COLUMNS: tuple[str, ...] = (TIMESTAMP, START_TIMESTAMP)

#: pm4py's standard names, for handing a canonical log to pm4py.
PM4PY_COLUMNS: dict[str, str] = {
    CASE_ID: "case:concept:name",
    ACTIVITY: "concept:name",
    TIMESTAMP: "time:timestamp",
    START_TIMESTAMP: "start_timestamp",
    RESOURCE: "org:resource",
    TEAM: "org:group",
    LIFECYCLE: "lifecycle:transition",
}

__all__ = [
    "CASE_ID",
    "ACTIVITY",
    "TIMESTAMP",
    "START_TIMESTAMP",
    "RESOURCE",
    "TEAM",
    "LIFECYCLE",
    "REQUIRED_COLUMNS",
    "CORE_COLUMNS",
    "TIMESTAMP_COLUMNS",
    "PM4PY_COLUMNS",
    "check_canonical",
]


def check_canonical(
    events: pd.DataFrame,
    *,
    columns: Sequence[str] = (),
    what: str = "event log",
    allow_empty: bool = False,
    empty_hint: str = "check the log config's source and filters",
) -> None:
    """Raise :class:`~workbench.errors.EventLogError` unless ``events`` is a canonical event log.

    The one check every stage uses: a DataFrame with ``case_id``, ``activity``,
    ``timestamp`` and ``columns``; no missing case id, activity or timestamp; time stamps
    time-zone aware (``start_timestamp`` too, when it holds any); at least one event unless
    ``allow_empty``. The message names the column, the rule and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case_id": ["1"], "activity": ["Registered"],
    ...                     "timestamp": pd.to_datetime(["2026-01-05 09:00"], utc=True)})
    >>> check_canonical(log)
    >>> check_canonical(log.drop(columns="activity"), what="process map")
    Traceback (most recent call last):
    ...
    workbench.errors.EventLogError: process map: column(s) ['activity'] missing (columns: ['case_id', 'timestamp']); load the log with workbench.io.load_log so it has the canonical columns
    """
    import pandas as pd

    from workbench.errors import EventLogError

    if not isinstance(events, pd.DataFrame):
        raise EventLogError(f"{what} needs a pandas DataFrame of events, got {type(events).__name__}")
    needed = list(dict.fromkeys((CASE_ID, ACTIVITY, TIMESTAMP, *columns)))
    missing = [c for c in needed if c not in events.columns]
    if missing:
        raise EventLogError(
            f"{what}: column(s) {missing} missing (columns: {list(events.columns)[:12]}); "
            "load the log with workbench.io.load_log so it has the canonical columns"
        )
    if events.empty and not allow_empty:
        raise EventLogError(f"{what}: the event log is empty; {empty_hint}")
    for column in REQUIRED_COLUMNS:
        n_missing = int(events[column].isna().sum())
        if n_missing:
            raise EventLogError(
                f"{what}: column '{column}': {n_missing} missing values; clean the log with workbench.io.load_log"
            )
    for column in TIMESTAMP_COLUMNS:
        if column not in events.columns or (column != TIMESTAMP and events[column].isna().all()):
            continue  # an all-missing start_timestamp holds no time to misread
        if not isinstance(events[column].dtype, pd.DatetimeTZDtype):
            raise EventLogError(
                f"{what}: column '{column}' must be datetime64[ns, UTC], got {events[column].dtype}; "
                "load the log with workbench.io.load_log"
            )
