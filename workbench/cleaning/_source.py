"""Helper columns cleaning needs from the whole source row, carried through mapping and then dropped.

Mapping keeps only the columns a log config names; two checks need more of the
source row: exact duplicates are judged on all its columns (unless
``duplicates.columns`` names some), and ``order.tie_break`` names a source column that
orders events sharing a timestamp. :func:`source_helper_columns` computes both from the
raw table; :func:`workbench.cleaning.clean_log` uses and drops them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config import LogConfig
from workbench.errors import EventLogError

__all__ = ["HIDDEN_COLUMNS", "SOURCE_ROW", "TIE_BREAK", "source_helper_columns"]

#: a 64-bit key of the compared source columns of each row (equal exactly when the rows are)
SOURCE_ROW = "_source_row"
#: the values of ``order.tie_break``
TIE_BREAK = "_tie_break"
HIDDEN_COLUMNS: tuple[str, ...] = (SOURCE_ROW, TIE_BREAK)


def _row_key(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit number per row, equal for two rows exactly when all their compared values are equal.

    Each column is factorised (one pass of a hash table over values whose hashes Python
    caches) and the codes are combined column by column; when the product of the
    distinct counts could pass 2**62, the combined key is factorised again, so the key
    stays exact, with no hash collisions.
    """
    key = np.zeros(len(frame), dtype=np.int64)
    span = 1
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        try:
            codes, uniques = pd.factorize(column, use_na_sentinel=True)
        except TypeError:  # unhashable cells (e.g. lists from a nested XES attribute): compare their text
            codes, uniques = pd.factorize(column.astype(str), use_na_sentinel=True)
        width = len(uniques) + 1  # missing values (code -1) are one more value
        if span * width >= 2**62:
            key, distinct = pd.factorize(key)
            span = max(len(distinct), 1)
        key = key * width + (codes.astype(np.int64) + 1)
        span *= width
    return key.astype(np.uint64)


def source_helper_columns(raw: pd.DataFrame, config: LogConfig) -> dict[str, np.ndarray]:
    """The hidden helper columns for ``raw`` (one value per row), by name.

    Raises
    ------
    EventLogError
        When ``duplicates.columns`` or ``order.tie_break`` names a column that is not in ``raw``.
    """
    existing = [str(c) for c in raw.columns]
    named = list(config.duplicates.columns or ()) + ([config.order.tie_break] if config.order.tie_break else [])
    missing = [c for c in named if c not in raw.columns]
    if missing:
        shown = ", ".join(repr(c) for c in existing[:25]) + (" ..." if len(existing) > 25 else "")
        raise EventLogError(
            f"column '{missing[0]}' (named in duplicates.columns or order.tie_break) is not in the log; "
            f"columns that exist: {shown}; fix the log config"
        )
    compared = list(config.duplicates.columns) if config.duplicates.columns is not None else list(raw.columns)
    out = {SOURCE_ROW: _row_key(raw[compared])}
    if config.order.tie_break:
        out[TIE_BREAK] = raw[config.order.tie_break].to_numpy()
    return out
