"""Helper columns cleaning needs from the whole source row, carried through mapping and then dropped.

Mapping keeps only the columns a log config names; two checks need more of the
source row: exact duplicates are judged on all its columns (unless
``duplicates.columns`` names some), and ``order.tie_break`` names a source column that
orders events sharing a timestamp. :func:`source_helper_columns` computes both from the
raw table; :func:`workbench.cleaning.clean_log` uses and drops them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.cleaning._coded import is_coded, object_values
from workbench.config import LogConfig
from workbench.errors import EventLogError

__all__ = ["HIDDEN_COLUMNS", "SOURCE_ROW", "TIE_BREAK", "source_helper_columns"]

#: a key of the compared source columns of each row (equal exactly when the rows are): the first equal row
SOURCE_ROW = "_source_row"
#: the values of ``order.tie_break``
TIE_BREAK = "_tie_break"
HIDDEN_COLUMNS: tuple[str, ...] = (SOURCE_ROW, TIE_BREAK)


def _codes(values: Any) -> tuple[np.ndarray, int]:
    """Factorised codes of ``values`` (missing values are one more value) and how many values there are."""
    if isinstance(values, pd.Categorical):  # coded text: the codes are already there (unused categories do no harm)
        return values.codes.astype(np.int64) + 1, len(values.categories) + 1
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (e.g. lists from a nested XES attribute): compare their text
        codes, uniques = pd.factorize(pd.Series(values).astype(str), use_na_sentinel=True)
    return codes.astype(np.int64) + 1, len(uniques) + 1


#: partial keys below this many times the number of rows are counted (``bincount``), not hashed
_COUNTED = 8


def _countable(rows: int) -> int:
    """The largest key span counted with ``bincount`` for ``rows`` keys (at most 2**23 counters: 64 MB)."""
    return min(_COUNTED * rows + 2**16, 2**23)


def _row_key(frame: pd.DataFrame | list[Any]) -> np.ndarray:
    """One number per row, equal for two rows exactly when all their compared values are equal.

    A row's number is the position of the first row equal to it, so every number is
    below the number of rows (and a row whose number is its own position has no earlier
    equal). The columns are compared one after another, each only on the rows still tied
    with another row on the columns before it (a row that differs from every other row
    keeps its own position and is left out), so after the first few columns the rest of
    the columns are factorised on a handful of rows. Cheap columns (few distinct values)
    should come first, and columns of nearly unique text (timestamps, event ids) last.
    Coded columns (Categorical) cost nothing to factorise; while their combined key
    stays small they are combined before the ties are looked for, and small keys are
    counted, not hashed. The key is exact: no hash, no collisions.
    """
    columns = [frame.iloc[:, i].to_numpy() for i in range(frame.shape[1])] if isinstance(frame, pd.DataFrame) else frame
    n = len(columns[0]) if columns else 0
    final = np.arange(n, dtype=np.int64)  # a row tied with no other keeps its own position
    rows = final  # the rows still tied with another row, in file order
    key = np.zeros(n, dtype=np.int64)  # their partial key, aligned with ``rows``
    span = 1  # the partial keys are below this
    for i, values in enumerate(columns):
        codes, width = _codes(values if len(rows) == n else values[rows])
        if span * width >= 2**62:  # renumber the partial keys 0..k-1 before they could overflow
            key, distinct = pd.factorize(key)
            span = len(distinct)
        key = key * width + codes
        span *= width
        following = columns[i + 1] if i + 1 < len(columns) else None
        if isinstance(following, pd.Categorical) and span * (len(following.categories) + 1) <= _countable(len(key)):
            continue  # its codes cost nothing on every row: combine them, then count the keys once
        if span <= _countable(len(key)):  # small keys: count them
            tied = np.bincount(key, minlength=span)[key] > 1
        else:
            tied = pd.Series(key).duplicated(keep=False).to_numpy()
        rows, key = rows[tied], key[tied]
        if len(rows) == 0:
            break
    if len(rows):  # rows equal on every column: each takes the position of the first of its group
        group, distinct = pd.factorize(key)
        first = np.empty(len(distinct), dtype=np.int64)
        first[group[::-1]] = rows[::-1]  # the last write of each group is its first row
        final[rows] = first[group]
    return final.astype(np.uint64)


def _cheap_first(raw: pd.DataFrame, compared: list[str], config: LogConfig) -> list[str]:
    """``compared`` ordered for :func:`_row_key`: the case id, then by distinct values in a sample, fewest first.

    Coded (Categorical) columns cost nothing to factorise, so they come right after the
    case id, the ones with the most distinct values first: they leave the fewest rows tied.
    """
    sample = raw.iloc[:: max(1, len(raw) // 2000)]

    def distinct(column: str) -> int:
        try:
            return int(sample[column].nunique(dropna=False))
        except TypeError:  # unhashable cells
            return len(sample)

    others = [c for c in compared if c != config.columns.case_id]
    coded = sorted((c for c in others if isinstance(raw[c].dtype, pd.CategoricalDtype)),
                   key=lambda c: -len(raw[c].cat.categories))
    rest = sorted((c for c in others if c not in coded), key=distinct)
    return ([config.columns.case_id] if config.columns.case_id in compared else []) + coded + rest


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
    columns = [raw[c].array if is_coded(raw[c]) else raw[c].to_numpy() for c in _cheap_first(raw, compared, config)]
    out = {SOURCE_ROW: _row_key(columns)}
    if config.order.tie_break:
        out[TIE_BREAK] = object_values(raw[config.order.tie_break])
    return out
