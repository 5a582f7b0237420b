"""Coded text columns: repeated text kept as integer codes from the reader through cleaning.

:func:`workbench.io.readers.read_csv_coded` gives ``Categorical`` columns (the distinct
texts once, one code per row) and Arrow string columns where the C engine would give
``str`` objects with ``NaN``. Mapping keeps them (and marks the canonical frame with
:data:`CODED_TEXT`); the cleaning steps work on the codes, and :func:`clean_log` turns
the columns back into the ``str`` objects and ``NaN`` the text reader gives, so the
clean frame is the same whichever reader read the file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CODED_TEXT", "is_coded", "category_codes", "object_values", "decoded", "distinct_count"]

#: ``frame.attrs`` key: the frame's Categorical and Arrow string columns hold coded text (from the CSV reader)
CODED_TEXT = "workbench_coded_text"


def is_coded(values: pd.Series) -> bool:
    """Whether ``values`` is a Categorical or an Arrow-backed column (not NumPy objects)."""
    return isinstance(values.dtype, (pd.CategoricalDtype, pd.ArrowDtype))


def category_codes(values: pd.Series) -> tuple[np.ndarray, int] | None:
    """The codes (``-1`` for missing) and the number of categories of a Categorical column; else ``None``."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return None
    return np.asarray(values.cat.codes), len(values.cat.categories)


def object_values(values: pd.Series) -> np.ndarray:
    """The column as ``str`` objects (any other cell as it is) with ``NaN`` for missing values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = np.asarray(values.cat.categories, dtype=object)
        return np.append(categories, np.nan)[np.asarray(values.cat.codes)]  # code -1 takes the NaN
    if isinstance(values.dtype, pd.ArrowDtype):
        import pyarrow as pa

        column = pa.array(values.array)
        out: np.ndarray = column.to_numpy(zero_copy_only=False)
        if column.null_count:
            out = out.astype(object, copy=False)
            out[np.asarray(column.is_null())] = np.nan
        return out
    return values.to_numpy()


def decoded(frame: pd.DataFrame, columns: list[str] | None = None, *, keep_mark: bool = False) -> pd.DataFrame:
    """``frame`` with its Categorical and Arrow columns (or those of ``columns``) as objects (:func:`object_values`).

    A new frame sharing the other columns with ``frame`` (nothing is copied). It carries
    the :data:`CODED_TEXT` mark when ``keep_mark`` (columns are left coded), else none.
    """
    names = list(frame.columns) if columns is None else columns
    values = {c: object_values(frame[c]) if c in names and is_coded(frame[c]) else frame[c] for c in frame.columns}
    out = pd.DataFrame(values, index=frame.index, copy=False)  # no copy on assignment, no consolidation
    out.attrs.update(frame.attrs)
    if keep_mark:
        out.attrs[CODED_TEXT] = True
    else:
        out.attrs.pop(CODED_TEXT, None)
    return out


def distinct_count(values: pd.Series) -> int:
    """How many distinct non-missing values ``values`` holds (``Series.nunique``), from the codes when coded."""
    coded = category_codes(values)
    if coded is None:
        return int(values.nunique())
    codes, width = coded
    present = codes[codes >= 0]
    return int(np.count_nonzero(np.bincount(present, minlength=width))) if len(present) else 0
