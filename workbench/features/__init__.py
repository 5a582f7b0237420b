"""Prefix features for prediction: one row per event, describing the case up to that event.

:class:`PrefixFeaturizer` is a scikit-learn transformer from a canonical event log to a
feature table (intra-case state and aggregations, time and working time, open cases
in the system and in the case's team). Nothing it computes for a prefix uses events
after the prefix's last event.
"""

from __future__ import annotations

from workbench.features._as_of import advance_prefixes
from workbench.features._columns import check_events, sorted_events, time_ns
from workbench.features._featurizer import PrefixFeaturizer, check_is_fitted, prefix_index
from workbench.features._intercase import open_case_counts

__all__ = [
    "PrefixFeaturizer",
    "advance_prefixes",
    "check_is_fitted",
    "open_case_counts",
    "prefix_index",
    # event-log helpers the models share
    "check_events",
    "sorted_events",
    "time_ns",
]
