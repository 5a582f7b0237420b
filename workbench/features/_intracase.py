"""Intra-case prefix features, computed for every event at once with cumulative group operations.

Row ``i`` of a case describes the prefix that ends with event ``i``. Every quantity
here is a running (cumulative) value over the case's events up to and including
``i``: counts so far, time so far, the last values seen. A status's duration is added
only when the next event closes it, so nothing from after the prefix's last event is
ever used.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.features._columns import NS_PER_HOUR

__all__ = ["changes_so_far", "cumulative_counts", "cumulative_durations", "distinct_so_far", "max_repeats"]



def cumulative_counts(labels: pd.Series, case_codes: np.ndarray, vocabulary: Sequence[str]) -> np.ndarray:
    """Per prefix, how often each label of ``vocabulary`` occurred so far (n x k)."""
    codes = pd.Categorical(labels.astype("string"), categories=list(vocabulary)).codes
    onehot = np.zeros((len(labels), len(vocabulary)), dtype=np.float64)
    known = codes >= 0
    onehot[np.flatnonzero(known), codes[known]] = 1.0
    return pd.DataFrame(onehot).groupby(case_codes, sort=False).cumsum().to_numpy()


def cumulative_durations(
    labels: pd.Series, times_ns: np.ndarray, case_codes: np.ndarray, first: np.ndarray, vocabulary: Sequence[str]
) -> np.ndarray:
    """Per prefix, hours spent so far in each status of ``vocabulary`` (closed statuses only).

    The time from event ``i-1`` to event ``i`` is credited to event ``i-1``'s label at event ``i``.
    """
    prev = labels.shift(1)
    prev[first] = pd.NA
    gap = np.zeros(len(labels), dtype=np.float64)
    gap[1:] = (times_ns[1:] - times_ns[:-1]) / NS_PER_HOUR
    gap[first] = 0.0
    codes = pd.Categorical(prev.astype("string"), categories=list(vocabulary)).codes
    mat = np.zeros((len(labels), len(vocabulary)), dtype=np.float64)
    known = codes >= 0
    mat[np.flatnonzero(known), codes[known]] = gap[known]
    return pd.DataFrame(mat).groupby(case_codes, sort=False).cumsum().to_numpy()


def distinct_so_far(values: pd.Series, case_codes: np.ndarray) -> np.ndarray:
    """Per prefix, the number of distinct non-missing values seen so far in the case."""
    frame = pd.DataFrame({"c": case_codes, "v": values.astype("string").to_numpy()})
    new = (~frame.duplicated(["c", "v"])) & frame["v"].notna()
    return new.astype(float).groupby(case_codes, sort=False).cumsum().to_numpy()


def changes_so_far(filled: pd.Series, case_codes: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Per prefix, how often a carried-forward value changed so far (e.g. handovers between teams)."""
    values = filled.astype("string")
    prev = values.shift(1)
    changed = (values != prev).fillna(False).to_numpy(dtype=bool) & prev.notna().to_numpy() & values.notna().to_numpy()
    changed[first] = False
    return pd.Series(changed.astype(float)).groupby(case_codes, sort=False).cumsum().to_numpy()


def max_repeats(labels: pd.Series, case_codes: np.ndarray) -> np.ndarray:
    """Per prefix, the largest number of times one label occurred so far (loops, rework)."""
    frame = pd.DataFrame({"c": case_codes, "v": labels.astype("string").to_numpy()})
    occurrence = frame.groupby(["c", "v"], sort=False, dropna=False).cumcount().to_numpy() + 1.0
    return pd.Series(occurrence).groupby(case_codes, sort=False).cummax().to_numpy()
