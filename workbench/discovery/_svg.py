"""The process map as a static SVG drawn by Graphviz."""

from __future__ import annotations

from workbench.discovery._layout import dot_source, map_drawing, run_dot
from workbench.discovery._map import ProcessMap
from workbench.discovery._style import format_hours, visible_parts

__all__ = ["render_svg", "map_caption"]


def map_caption(process_map: ProcessMap, shown_nodes: int, shown_edges: int, min_case_share: float) -> list[str]:
    """The legend lines printed under a static map."""
    drawing = map_drawing(process_map)
    low, high = drawing.duration_range
    n_activities = int((process_map.nodes["kind"] == "activity").sum())
    simplified = (
        f"Shown: {shown_nodes} of {n_activities} activities and {shown_edges} of {len(process_map.edges)} "
        f"paths (threshold {min_case_share:.1%} of cases)."
    )
    return [
        f"{process_map.n_cases:,} cases, {process_map.n_events:,} events. {simplified}",
        f"Activities: cases · events; median · mean · 90th percentile of the {process_map.node_duration_text}.",
        f"Paths: cases · occurrences; median · mean · p90 of the {process_map.edge_duration_text}.",
        f"Path width: number of cases. Path colour: median duration, blue {format_hours(low)} to red "
        f"{format_hours(high)} (log scale).",
    ]


def render_svg(process_map: ProcessMap, *, min_case_share: float = 0.0) -> str:
    """Render ``process_map`` as an SVG document with Graphviz ``dot``.

    Every activity shows its name, frequency (cases and events) and duration
    (median, mean and 90th percentile); every path shows its frequency and the
    duration between the two events. Paths get thicker with more cases and
    redder the slower they are.

    Parameters
    ----------
    process_map : ProcessMap
        From :func:`build_process_map`.
    min_case_share : float, default 0.0
        Hide activities and paths seen in fewer than this share of the cases (0..1);
        each shown activity keeps its most frequent incoming and outgoing path.

    Returns
    -------
    str
        The SVG text (UTF-8, with an XML declaration).

    Raises
    ------
    ConfigError
        When ``min_case_share`` is not between 0 and 1.
    StageError
        When Graphviz ``dot`` is not installed or fails.
    """
    node_mask, edge_mask = visible_parts(process_map.nodes, process_map.edges, min_case_share)
    shown_activities = int((node_mask & (process_map.nodes["kind"] == "activity").to_numpy()).sum())
    caption = map_caption(process_map, shown_activities, int(edge_mask.sum()), min_case_share)
    source = dot_source(process_map, map_drawing(process_map), node_mask, edge_mask, caption=caption)
    return run_dot(source, "svg").decode("utf-8")
