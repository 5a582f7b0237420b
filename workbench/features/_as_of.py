"""Prefixes seen later than their last event: features of a running case as of a moment.

A prefix's features describe the case at its last event. Seen at a later moment (the
``as_of`` of a prediction, or a training snapshot between two events), the case has
been idle since that event: :func:`advance_prefixes` moves the time-dependent features
on to the moment — ``elapsed_hours``, ``idle_hours``, hour and weekday, working hours
elapsed, and the hours spent in the current status. The other features (state so far,
counts, inter-case load at the last event) stay as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.errors import EventLogError
from workbench.features._columns import NS_PER_HOUR, time_ns

if TYPE_CHECKING:
    from workbench.features._featurizer import PrefixFeaturizer

__all__ = ["advance_prefixes"]



def advance_prefixes(
    featurizer: PrefixFeaturizer, X: pd.DataFrame, *, times: pd.Series, moments: pd.Series
) -> pd.DataFrame:
    """Features of the prefixes in ``X`` seen at ``moments`` instead of at their last event.

    Parameters
    ----------
    featurizer : PrefixFeaturizer
        The fitted featurizer that made ``X``.
    X : DataFrame
        Rows of :meth:`PrefixFeaturizer.transform`.
    times : Series
        The time of each row's last event (UTC, aligned with ``X`` by position).
    moments : Series
        When each prefix is seen (UTC, aligned by position); never before ``times``.

    Returns
    -------
    DataFrame
        A new frame (``X`` is not changed) with ``X``'s index and columns.
    """
    t = time_ns(pd.Series(pd.DatetimeIndex(times), dtype="datetime64[ns, UTC]"))
    m_series = pd.Series(pd.DatetimeIndex(moments), dtype="datetime64[ns, UTC]")
    m = time_ns(m_series)
    if len(t) != len(X) or len(m) != len(X):
        raise EventLogError(f"times and moments must have one value per feature row ({len(X)})")
    if (m < t).any():
        first = int(np.flatnonzero(m < t)[0])
        raise EventLogError(
            f"a prefix cannot be seen before its last event (row {first + 1}: moment {m_series.iloc[first]} is "
            f"before the event at {pd.Timestamp(t[first], tz='UTC')})"
        )
    idle = (m - t) / NS_PER_HOUR
    out = X.copy()
    names = set(featurizer.feature_names_out_)
    elapsed = X["elapsed_hours"].to_numpy(dtype=float)
    out["elapsed_hours"] = elapsed + idle
    if "idle_hours" in names:
        out["idle_hours"] = X["idle_hours"].to_numpy(dtype=float) + idle
    local = m_series.dt.tz_convert(featurizer.calendar.timezone) if featurizer.calendar is not None else m_series
    out["hour"] = (local.dt.hour + local.dt.minute / 60.0).to_numpy(dtype=float)
    out["weekday"] = local.dt.weekday.to_numpy(dtype=float)
    if "working_hours_elapsed" in names and featurizer.calendar is not None:
        from workbench.calendar import WorkingCalendar

        cal = WorkingCalendar.from_config(featurizer.calendar)
        start = pd.Series(t - (elapsed * NS_PER_HOUR).astype(np.int64)).astype("datetime64[ns]").dt.tz_localize("UTC")
        out["working_hours_elapsed"] = cal.working_hours_between(start, m_series).to_numpy(dtype=float)
    if featurizer.activities_:
        labels = featurizer.categories_["last_activity"]
        codes = X["last_activity"].to_numpy(dtype=float)
        column_of = dict(zip(featurizer.activities_, featurizer.duration_names_, strict=True))
        for code in np.unique(codes[~np.isnan(codes)]):
            column = column_of.get(labels[int(code)])
            if column is None:
                continue
            rows = codes == code
            out.loc[out.index[rows], column] = X[column].to_numpy(dtype=float)[rows] + idle[rows]
    return out
