"""Map a source table to the canonical event-log columns named by the log config."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.cleaning import CODED_TEXT, is_coded, object_values, source_helper_columns
from workbench.config import LogConfig
from workbench.errors import EventLogError
from workbench.schema import CORE_COLUMNS, START_TIMESTAMP, TIMESTAMP

__all__ = ["to_canonical"]


def _missing_message(missing: list[tuple[str, str]], existing: list[str]) -> str:
    named = ", ".join(f"'{src}' (for {role})" for role, src in missing)
    shown = ", ".join(repr(c) for c in existing[:25]) + (" ..." if len(existing) > 25 else "")
    hint = ""
    if len(existing) == 1 and any(sep in existing[0] for sep in (";", "\t", "|")):
        hint = "; the file seems to use another delimiter: set source.delimiter"
    return (
        f"column{'s' if len(missing) > 1 else ''} {named} not found in the log; "
        f"columns that exist: {shown}; fix the columns section of the log config{hint}"
    )


def to_canonical(raw: pd.DataFrame, config: LogConfig) -> pd.DataFrame:
    """Return a new frame with the canonical core columns and the configured attributes.

    Raises
    ------
    EventLogError
        When a column the config names is not in ``raw``; the message lists the columns that exist.
    """
    cols = config.columns
    wanted: list[tuple[str, str]] = [(role, src) for role, src in cols.model_dump().items() if src is not None]
    wanted += [(name, src) for name, src in config.case_attributes.items()]
    wanted += [(name, src) for name, src in config.event_attributes.items() if name not in config.case_attributes]
    missing = [(role, src) for role, src in wanted if src not in raw.columns]
    if missing:
        raise EventLogError(_missing_message(missing, [str(c) for c in raw.columns]))
    sources: dict[str, str] = {}
    for role, src in wanted:  # a role named twice keeps its last source, as before
        sources[role] = src
    ordered = list(CORE_COLUMNS) + [role for role in sources if role not in CORE_COLUMNS]
    coded = bool(raw.attrs.get(CODED_TEXT))
    n = len(raw)
    index = pd.RangeIndex(n)
    columns: dict[str, object] = {}
    for role in ordered:  # in their final order
        if role in sources:
            values = raw[sources[role]]
            if isinstance(values, pd.DataFrame):
                values = values.iloc[:, 0]
            columns[role] = _mapped(values, role) if coded else values.to_numpy()
        elif role.endswith("timestamp"):
            columns[role] = np.full(n, np.datetime64("NaT", "ns"))
        else:  # a Series, so that the frame does not look for dates in a million missing values
            columns[role] = pd.Series(np.full(n, pd.NA, dtype=object), index=index, dtype=object, copy=False)
    columns.update(source_helper_columns(raw, config))  # used and dropped by cleaning
    # one frame of the arrays as they are: no copy per column (the source's arrays are never written into)
    out = pd.DataFrame(columns, index=index, copy=False)
    if coded:
        out.attrs[CODED_TEXT] = True
    return out


def _mapped(values: pd.Series, role: str) -> object:
    """A coded source column for ``role``: Categorical text stays coded, Arrow text only for timestamps."""
    if isinstance(values.dtype, pd.CategoricalDtype) or (is_coded(values) and role in (TIMESTAMP, START_TIMESTAMP)):
        return values.array  # cleaning reads the codes, parses the timestamps from Arrow, and decodes the rest
    return object_values(values)
