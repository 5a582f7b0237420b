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
]
