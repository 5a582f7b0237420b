"""Date-time columns of a CSV table as text: what ``to_csv(date_format=CSV_DATE_FORMAT)`` writes, built faster."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CSV_DATE_FORMAT", "dates_as_text"]

#: The text of a date-time in a CSV table (the format ``to_csv`` is given).
CSV_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"


def dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its UTC and naive date-time columns as the text ``to_csv`` would write for them.

    ``to_csv(date_format=...)`` formats each value on its own (slow for tables of visits);
    for UTC and naive columns of whole microseconds the same text, ``2023-01-02T10:00:00.000000+0000``
    (naive: no offset) and an empty cell for a missing time, is built in one vectorised step.
    Other columns (other time zones, nanoseconds) are left to ``to_csv``. ``frame`` is not changed.
    """
    import numpy as np
    import pandas as pd

    out = None
    for i, dtype in enumerate(frame.dtypes):
        tz = getattr(dtype, "tz", None)
        if not (isinstance(dtype, pd.DatetimeTZDtype) and str(tz) == "UTC") and not (
                isinstance(dtype, np.dtype) and dtype.kind == "M"):
            continue
        values = frame.iloc[:, i]
        naive = values.dt.tz_localize(None) if tz is not None else values
        stamps = naive.to_numpy(dtype="datetime64[ns]")
        missing = np.isnat(stamps)
        if (stamps.view("i8")[~missing] % 1000).any():  # nanoseconds: to_csv's own formatting
            continue
        text = np.char.add(np.datetime_as_string(stamps, unit="us"), "+0000" if tz is not None else "")
        cells = text.astype(object)
        cells[missing] = None
        if out is None:
            out = frame.copy(deep=False)
        out.isetitem(i, pd.Series(cells, index=frame.index))
    return frame if out is None else out
