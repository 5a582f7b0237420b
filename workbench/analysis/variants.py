"""Variants: the distinct activity sequences of the cases, with counts, shares and durations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis._common import check_events
from workbench.schema import ACTIVITY, CASE_ID, TIMESTAMP

__all__ = ["SEPARATOR", "case_variants", "variants"]

#: Separator of the activities in a variant label.
SEPARATOR = " -> "


def case_variants(events: pd.DataFrame) -> pd.Series:
    """The variant (activity sequence joined with :data:`SEPARATOR`) of each case, indexed by case id."""
    ev = check_events(events, what="variants")
    if ev.empty:
        return pd.Series([], index=pd.Index([], name=CASE_ID), dtype="object", name="variant")
    codes, labels = pd.factorize(ev[ACTIVITY], sort=False)
    # join integer codes (fast), then map each distinct code string back to labels once
    code_str = pd.Series(codes.astype(str), index=ev.index)
    joined = code_str.groupby(ev[CASE_ID].to_numpy(), sort=False).agg(",".join)
    distinct = pd.unique(joined.to_numpy())
    names = np.array(labels, dtype=object)
    lookup = {s: SEPARATOR.join(names[[int(c) for c in s.split(",")]]) for s in distinct}
    out = joined.map(lookup)
    out.index.name = CASE_ID
    return out.rename("variant")


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
    var = case_variants(ev)
    g = ev.groupby(CASE_ID, sort=False)[TIMESTAMP]
    dur = ((g.max() - g.min()).dt.total_seconds() / 3600).reindex(var.index)
    frame = pd.DataFrame({"variant": var.to_numpy(), "hours": dur.to_numpy(), CASE_ID: var.index.to_numpy()})
    grouped = frame.groupby("variant", sort=False)
    table = pd.DataFrame(
        {
            "count": grouped.size(),
            "median_hours": grouped["hours"].median(),
            "mean_hours": grouped["hours"].mean(),
            "p90_hours": grouped["hours"].quantile(0.9),
            "case_ids": grouped[CASE_ID].agg(lambda s: tuple(sorted(s))),
        }
    ).reset_index()
    table = table.sort_values(["count", "variant"], ascending=[False, True], ignore_index=True)
    total = table["count"].sum()
    table["share"] = table["count"] / total if total else np.nan
    table["cumulative_share"] = table["share"].cumsum()
    table["length"] = table["variant"].str.count(SEPARATOR) + 1
    table.insert(0, "variant_id", [f"V{i}" for i in range(1, len(table) + 1)])
    cols = ["variant_id", "variant", "length", "count", "share", "cumulative_share", "median_hours", "mean_hours",
            "p90_hours", "case_ids"]
    return table[cols]
