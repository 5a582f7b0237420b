"""Number and duration formats, colour scales and map simplification shared by SVG and HTML."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from workbench.errors import ConfigError

__all__ = [
    "DEFAULT_MAX_PATHS",
    "check_share",
    "duration_colour",
    "effective_share",
    "english_number",
    "format_count",
    "format_hours",
    "frequency_fill",
    "initial_share",
    "visible_parts",
]

#: Most paths a drawn map shows by default: Graphviz's layout time grows quickly beyond
#: this (about 3 s for 150 labelled paths, 14 s for 200 on a busy 2-core machine), and
#: a denser map is not readable anyway.
DEFAULT_MAX_PATHS = 150

#: Edge colour stops from fast to slow (blue, teal, amber, orange, red).
DURATION_STOPS: tuple[str, ...] = ("#4f7fbf", "#3a9e9a", "#dcae3a", "#e0702e", "#b8282e")
#: Node fill from rare to frequent.
FREQUENCY_STOPS: tuple[str, ...] = ("#f3f7fb", "#2c6aa0")


def format_count(value: float) -> str:
    """``1234`` -> ``'1,234'``."""
    return f"{int(value):,}"


def english_number(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` places and English thousands separators (``1,234.5``)."""
    return f"{value:,.{decimals}f}"


def format_hours(
    hours: float,
    *,
    number: Callable[[float, int], str] = english_number,
    units: tuple[str, str, str, str] = ("s", "min", "h", "d"),
) -> str:
    """A duration in hours as a short human text: ``'45 s'``, ``'12 min'``, ``'2.1 h'``, ``'3.4 d'``.

    ``number(value, decimals)`` formats the figure and ``units`` are the words for
    seconds, minutes, hours and days (another language passes its own).
    """
    if hours is None or (isinstance(hours, float) and math.isnan(hours)):
        return "–"
    second, minute, hour, day = units
    seconds = hours * 3600.0
    if abs(seconds) < 59.5:
        return f"{number(seconds, 0)} {second}"
    if abs(hours) < 0.995:
        return f"{number(seconds / 60.0, 0)} {minute}"
    if abs(hours) < 23.95:
        return f"{number(hours, 1)} {hour}"
    days = hours / 24.0
    return f"{number(days, 1 if abs(days) < 99.5 else 0)} {day}"


def _mix(stops: tuple[str, ...], t: float) -> str:
    t = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    frac = t - i
    a = [int(stops[i][k : k + 2], 16) for k in (1, 3, 5)]
    b = [int(stops[i + 1][k : k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * frac):02x}" for x, y in zip(a, b, strict=True))


def duration_position(hours: float, low: float, high: float) -> float:
    """Where ``hours`` lies between ``low`` and ``high`` on a log scale (0..1)."""
    if hours is None or math.isnan(hours):
        return 0.0
    lo, hi, x = (math.log10(max(v, 1.0 / 60.0)) for v in (low, high, hours))
    return 0.5 if hi <= lo else (x - lo) / (hi - lo)


def duration_colour(hours: float, low: float, high: float) -> str:
    """Colour of an edge whose median duration is ``hours`` (log scale between low and high)."""
    return _mix(DURATION_STOPS, duration_position(hours, low, high))


def frequency_fill(share: float, top: float) -> tuple[str, str]:
    """Fill and text colour of a node seen in ``share`` of the cases (``top`` = largest share)."""
    t = math.sqrt(share / top) if top > 0 else 0.0
    return _mix(FREQUENCY_STOPS, t), ("#ffffff" if t > 0.62 else "#1d2b36")


def check_share(min_case_share: float) -> float:
    """Validate a ``min_case_share`` parameter."""
    if not isinstance(min_case_share, (int, float)) or not 0.0 <= float(min_case_share) <= 1.0:
        raise ConfigError(
            f"min_case_share must be a share of cases between 0 and 1, got {min_case_share!r}; "
            "e.g. 0.05 hides what fewer than 5% of the cases pass through"
        )
    return float(min_case_share)


def check_max_paths(max_paths: int | None) -> int | None:
    """Validate a ``max_paths`` parameter."""
    if max_paths is not None and (not isinstance(max_paths, int) or max_paths < 1):
        raise ConfigError(f"max_paths must be a positive integer or None, got {max_paths!r}; e.g. 150")
    return max_paths


def effective_share(edges: pd.DataFrame, min_case_share: float, max_paths: int | None) -> float:
    """The threshold actually used: ``min_case_share``, raised until at most ``max_paths`` paths pass.

    Paths with equal shares stay or go together, so the result is the smallest
    edge share at which no more than ``max_paths`` paths are seen in that share of
    cases or more (the rescue of dangling activities can add a few).
    """
    share = check_share(min_case_share)
    limit = check_max_paths(max_paths)
    if limit is None:
        return share
    shares = np.sort(edges["case_share"].to_numpy())[::-1]
    if int((shares >= share).sum()) <= limit:
        return share
    ascending = shares[::-1]
    distinct = np.unique(ascending)
    passing = len(ascending) - np.searchsorted(ascending, distinct, side="left")
    return float(distinct[passing <= limit].min())


def initial_share(
    nodes: pd.DataFrame, edges: pd.DataFrame, min_case_share: float | None, max_paths: int | None
) -> float:
    """The threshold a map is drawn at: ``min_case_share`` (raised to respect ``max_paths``),
    or, when it is ``None``, the lowest threshold showing at most ``max(30, 3 x activities)``
    paths, which keeps a map readable (like the default view of commercial tools)."""
    if min_case_share is not None:
        return effective_share(edges, min_case_share, max_paths)
    readable = max(30, 3 * int((nodes["kind"] == "activity").sum()))
    checked = check_max_paths(max_paths)
    limit = readable if checked is None else min(readable, checked)
    return effective_share(edges, 0.0, limit)


def visible_parts(
    nodes: pd.DataFrame, edges: pd.DataFrame, min_case_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Which nodes and edges a map simplified at ``min_case_share`` shows.

    Activities and edges seen in at least ``min_case_share`` of the cases are shown;
    start and end always are. So that no shown activity is left dangling, each shown
    activity keeps its most frequent incoming and outgoing edge to shown nodes. The
    interactive HTML map applies the same rule in JavaScript.

    Returns
    -------
    (node_mask, edge_mask) : tuple of boolean arrays aligned with ``nodes`` and ``edges``
    """
    share = check_share(min_case_share)
    node_mask = (nodes["kind"] != "activity").to_numpy() | (nodes["case_share"] >= share).to_numpy()
    shown = set(nodes.loc[node_mask, "node"])
    ends_shown = (edges["source"].isin(shown) & edges["target"].isin(shown)).to_numpy()
    edge_mask = ends_shown & (edges["case_share"] >= share).to_numpy()
    candidates = edges[ends_shown].sort_values(["cases", "events"], ascending=False, kind="stable")
    for end, other in (("target", "source"), ("source", "target")):
        covered = set(edges.loc[edge_mask, end])
        for node in shown - covered:
            rows = candidates[(candidates[end] == node) & (candidates[other] != node)]
            if len(rows):
                edge_mask[edges.index.get_loc(rows.index[0])] = True
    return node_mask, edge_mask
