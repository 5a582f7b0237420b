"""What :meth:`PrefixFeaturizer.fit <workbench.features.PrefixFeaturizer.fit>` learns from the training log.

Which attribute columns are numbers, which activities end a case, after how long an
idle case no longer counts as open: each is decided from the training log only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.features._columns import NS_PER_DAY, time_ns
from workbench.schema import ACTIVITY, CASE_ID, TIMESTAMP

__all__ = ["is_numeric", "learn_end_activities", "learn_idle_timeout"]


def is_numeric(values: pd.Series) -> bool:
    """Whether an attribute column is used as a number (booleans are categories)."""
    if pd.api.types.is_bool_dtype(values):
        return False
    return pd.api.types.is_numeric_dtype(values)


def learn_end_activities(ev: pd.DataFrame) -> tuple[str, ...]:
    """Activities that are the case's last event in at least half the cases where they occur."""
    last = ev.groupby(CASE_ID, sort=False)[ACTIVITY].last().astype(str).value_counts()
    present = ev[[CASE_ID, ACTIVITY]].drop_duplicates()[ACTIVITY].astype(str).value_counts()
    share = (last / present.reindex(last.index)).fillna(0.0)
    return tuple(sorted(share[share >= 0.5].index))


def learn_idle_timeout(ev: pd.DataFrame) -> int | None:
    """The 99th percentile of within-case gaps between events (at least one day)."""
    times = time_ns(ev[TIMESTAMP])
    case = pd.factorize(ev[CASE_ID], sort=False)[0]
    same = case[1:] == case[:-1]
    gaps = (times[1:] - times[:-1])[same]
    if len(gaps) == 0:
        return None
    return int(max(np.quantile(gaps, 0.99), NS_PER_DAY))
