"""Variants: the distinct activity sequences of the cases, with counts, shares and durations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis._common import case_position, check_events
from workbench.schema import ACTIVITY, CASE_ID, TIMESTAMP

__all__ = ["SEPARATOR", "case_variants", "variants"]

#: Separator of the activities in a variant label.
SEPARATOR = " -> "


def case_variants(events: pd.DataFrame) -> pd.Series:
    """The variant (activity sequence joined with :data:`SEPARATOR`) of each case, indexed by case id."""
    ev = check_events(events, what="variants")
    case_ids, vid, labels = _variant_codes(ev)
    out = pd.Series(labels[vid], index=pd.Index(case_ids, name=CASE_ID), dtype="object", name="variant")
    return out


def _variant_codes(ev: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(case ids, variant number per case, variant labels) for a sorted log.

    Sequences are compared through two 64-bit polynomial hashes plus their length (a
    false match has a probability of about 2**-128), so no string is built per case;
    a label is built once per distinct variant.
    """
    n = len(ev)
    if n == 0:
        return np.array([], dtype=object), np.array([], dtype="int64"), np.array([], dtype=object)
    codes, names = pd.factorize(ev[ACTIVITY], sort=False)
    first, _ = case_position(ev)
    starts = np.flatnonzero(first)
    lengths = np.diff(np.r_[starts, n])
    pos = np.arange(n) - np.repeat(starts, lengths)
    sym = codes.astype(np.uint64) + np.uint64(1)
    keys = {"n": lengths}
    for name, base in (("h1", 1_000_003), ("h2", 998_244_353)):
        powers = np.ones(int(lengths.max()), dtype=np.uint64)
        with np.errstate(over="ignore"):
            powers[1:] = np.cumprod(np.full(len(powers) - 1, base, dtype=np.uint64))
            keys[name] = np.add.reduceat(sym * powers[pos], starts)
    vid = pd.DataFrame(keys).groupby(["h1", "h2", "n"], sort=False).ngroup().to_numpy()
    rep = np.full(vid.max() + 1, -1, dtype="int64")
    rep[vid[::-1]] = np.arange(len(vid))[::-1]  # first case of each variant
    label_names = np.asarray(names, dtype=object)
    labels = np.array(
        [SEPARATOR.join(label_names[codes[starts[c]: starts[c] + lengths[c]]]) for c in rep], dtype=object
    )
    return ev[CASE_ID].to_numpy()[starts], vid, labels


def variants(events: pd.DataFrame) -> pd.DataFrame:
    """Table of variants, most frequent first.

    Returns
    -------
    pandas.DataFrame
        Columns ``variant_id`` (``V1`` is the most frequent), ``variant``, ``length``
        (activities), ``count`` (cases), ``share``, ``cumulative_share``,
        ``median_hours``, ``mean_hours``, ``p90_hours`` (case duration, first to last
        event) and ``case_ids`` (a tuple of the cases' ids). Ties in count are ordered by
        the variant label, so the table is the same on every run.
    """
    ev = check_events(events, what="variants")
    case_ids, vid, labels = _variant_codes(ev)
    first, last = case_position(ev)
    ts = ev[TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")
    hours = (ts[last] - ts[first]) / 3.6e12
    length = np.flatnonzero(last) - np.flatnonzero(first) + 1
    frame = pd.DataFrame({"vid": vid, "hours": hours, "length": length, CASE_ID: case_ids})
    frame = frame.sort_values(CASE_ID, kind="stable")
    grouped = frame.groupby("vid", sort=True)
    table = pd.DataFrame(
        {
            "variant": labels,
            "length": grouped["length"].first().to_numpy().astype("int64"),
            "count": grouped.size().to_numpy(),
            "median_hours": grouped["hours"].median().to_numpy(),
            "mean_hours": grouped["hours"].mean().to_numpy(),
            "p90_hours": grouped["hours"].quantile(0.9).to_numpy(),
            "case_ids": grouped[CASE_ID].agg(tuple).to_numpy(),
        }
    )
    table = table.sort_values(["count", "variant"], ascending=[False, True], ignore_index=True)
    total = table["count"].sum()
    table["share"] = table["count"] / total if total else np.nan
    table["cumulative_share"] = table["share"].cumsum()
    table.insert(0, "variant_id", [f"V{i}" for i in range(1, len(table) + 1)])
    cols = ["variant_id", "variant", "length", "count", "share", "cumulative_share", "median_hours", "mean_hours",
            "p90_hours", "case_ids"]
    return table[cols]
