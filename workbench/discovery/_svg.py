"""The process map as a static SVG drawn by Graphviz."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from workbench.discovery._layout import best_rankdir, dot_source, map_drawing, run_dot
from workbench.discovery._map import ProcessMap
from workbench.discovery._style import (
    DEFAULT_MAX_PATHS,
    check_share,
    initial_share,
    visible_parts,
)
from workbench.discovery._words import ENGLISH, MapWords

__all__ = ["map_caption", "render_svg"]


def map_caption(
    process_map: ProcessMap,
    shown_nodes: int,
    shown_edges: int,
    share: float,
    asked: float,
    max_paths: int | None,
    words: MapWords = ENGLISH,
) -> list[str]:
    """The legend lines printed under a static map."""
    drawing = map_drawing(process_map)
    low, high = drawing.duration_range
    n_activities = int((process_map.nodes["kind"] == "activity").sum())
    raised = words.raised % {"asked": words.share(asked)} if share > asked else ""
    return [
        words.summary % {
            "cases": words.n_cases(process_map.n_cases), "events": words.n_events(process_map.n_events),
            "nodes": words.count(shown_nodes), "activities": words.count(n_activities),
            "edges": words.count(shown_edges), "paths": words.count(len(process_map.edges)),
            "share": words.share(share), "raised": raised,
        },
        words.node_legend % {"duration": words.node_duration[process_map.node_duration]},
        words.edge_legend % {"duration": words.edge_duration[process_map.edge_duration]},
        words.colour_legend % {"low": words.hours(low), "high": words.hours(high)},
    ]


def render_svg(
    process_map: ProcessMap,
    *,
    min_case_share: float | None = None,
    max_paths: int | None = DEFAULT_MAX_PATHS,
    words: MapWords = ENGLISH,
) -> str:
    """Render ``process_map`` as an SVG document with Graphviz ``dot``.

    Every activity shows its name, frequency (cases and events) and duration
    (median, mean and 90th percentile); every path shows its frequency and the
    duration between the two events. Paths get thicker with more cases and
    redder the slower they are. The map is laid out left to right or top to
    bottom, whichever fits a landscape page better.

    Parameters
    ----------
    process_map : ProcessMap
        From :func:`build_process_map`.
    min_case_share : float, optional
        Hide activities and paths seen in fewer than this share of the cases (0..1);
        each shown activity keeps its most frequent incoming and outgoing path.
        ``None`` (default) picks the lowest share that shows at most
        ``max(30, 3 x activities)`` paths, so a map of a busy log stays readable; 0
        shows everything (up to ``max_paths``).
    max_paths : int or None, default 150
        Raise the threshold until at most this many paths are shown (ties kept
        together; ``None``: no limit). Graphviz needs minutes for maps of several
        hundred labelled paths, and they are unreadable anyway.
    words : MapWords, default English
        The labels' and legend's words and number formats (see :class:`MapWords`).

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
    asked = 0.0 if min_case_share is None else check_share(min_case_share)
    share = initial_share(process_map.nodes, process_map.edges, min_case_share, max_paths)
    node_mask, edge_mask = visible_parts(process_map.nodes, process_map.edges, share)
    shown_activities = int((node_mask & (process_map.nodes["kind"] == "activity").to_numpy()).sum())
    caption = map_caption(process_map, shown_activities, int(edge_mask.sum()), share, asked, max_paths, words)
    drawing = map_drawing(process_map)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            rankdir: pool.submit(
                run_dot,
                dot_source(process_map, drawing, node_mask, edge_mask, caption=caption, rankdir=rankdir,
                           words=words),
                "svg",
            )
            for rankdir in ("LR", "TB")
        }
        drawings = {rankdir: future.result() for rankdir, future in futures.items()}
    sizes = {rankdir: _svg_size(svg) for rankdir, svg in drawings.items()}
    return drawings[best_rankdir(sizes)].decode("utf-8")


def _svg_size(svg: bytes) -> tuple[float, float]:
    match = re.search(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    return (float(match.group(1)), float(match.group(2))) if match else (1.0, 1.0)
