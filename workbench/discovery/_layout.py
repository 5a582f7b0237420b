"""The Graphviz description of a process map, shared by the SVG and the HTML map."""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.discovery._map import ProcessMap
from workbench.discovery._style import (
    duration_colour,
    frequency_fill,
)
from workbench.discovery._words import ENGLISH, MapWords
from workbench.errors import StageError

__all__ = [
    "MapDrawing",
    "best_rankdir",
    "dot_source",
    "edge_lines",
    "layout_positions",
    "map_drawing",
    "node_lines",
    "run_dot",
]

FONT = "Helvetica"
NAME_SIZE = 13
STATS_SIZE = 10
EDGE_SIZE = 9
START_COLOUR = "#3f9a5b"
END_COLOUR = "#3b4652"
NEUTRAL_EDGE = "#9aa5b1"


def _durations(row: pd.Series, words: MapWords) -> tuple[str, str]:
    return words.durations(row["median_hours"], row["mean_hours"], row["p90_hours"])


def node_lines(row: pd.Series, node_duration: str, words: MapWords = ENGLISH) -> tuple[str, str]:
    """The frequency line and the duration line of an activity's label."""
    frequency = f"{words.n_cases(row['cases'])} · {words.n_events(row['events'])}"
    if row["timed_events"] == 0:
        return frequency, words.no_duration[node_duration]
    median_mean, p90 = _durations(row, words)
    return frequency, f"{median_mean} · {p90}"


def loop_line(row: pd.Series, words: MapWords = ENGLISH) -> str:
    """The one-line summary of a self-loop, shown inside its activity's box."""
    median_mean, p90 = _durations(row, words)
    return f"↻ {words.n_cases(row['cases'])} · {words.n_times(row['events'])} · {median_mean} · {p90}"


def edge_lines(row: pd.Series, words: MapWords = ENGLISH) -> list[str]:
    """The lines of an edge label: frequency, then (except for start/end edges) durations."""
    frequency = f"{words.n_cases(row['cases'])} · {words.n_times(row['events'])}"
    if pd.isna(row["median_hours"]):
        return [frequency]
    median_mean, p90 = _durations(row, words)
    return [frequency, median_mean, p90]


@dataclass(frozen=True)
class MapDrawing:
    """Drawing attributes of every node and edge of a map (ids, colours, widths, labels)."""

    node_ids: list[str]
    edge_ids: list[str]
    node_fill: list[str]
    node_text: list[str]
    edge_colour: list[str]
    edge_width: list[float]
    duration_range: tuple[float, float]


def map_drawing(process_map: ProcessMap) -> MapDrawing:
    """Colours and widths for all nodes and edges of ``process_map``."""
    nodes, edges = process_map.nodes, process_map.edges
    activity = nodes["kind"] == "activity"
    top_share = float(nodes.loc[activity, "case_share"].max()) if activity.any() else 1.0
    fills, texts = [], []
    for kind, share in zip(nodes["kind"], nodes["case_share"], strict=True):
        if kind == "start":
            fills.append(START_COLOUR)
            texts.append("#ffffff")
        elif kind == "end":
            fills.append(END_COLOUR)
            texts.append("#ffffff")
        else:
            fill, text = frequency_fill(float(share), top_share)
            fills.append(fill)
            texts.append(text)
    timed = edges["median_hours"].dropna()
    low, high = (float(timed.min()), float(timed.max())) if len(timed) else (0.0, 0.0)
    colours = [
        NEUTRAL_EDGE if pd.isna(h) else duration_colour(float(h), low, high) for h in edges["median_hours"]
    ]
    top_cases = float(edges["cases"].max()) if len(edges) else 1.0
    widths = [round(1.0 + 7.0 * math.sqrt(c / top_cases), 2) for c in edges["cases"]]
    return MapDrawing(
        node_ids=[f"n{i}" for i in range(len(nodes))],
        edge_ids=[f"e{i}" for i in range(len(edges))],
        node_fill=fills,
        node_text=texts,
        edge_colour=colours,
        edge_width=widths,
        duration_range=(low, high),
    )


def dot_source(
    process_map: ProcessMap,
    drawing: MapDrawing,
    node_mask: np.ndarray,
    edge_mask: np.ndarray,
    *,
    caption: list[str] | None = None,
    rankdir: str = "LR",
    words: MapWords = ENGLISH,
) -> str:
    """The DOT text of the shown part of the map (HTML-like labels, ids ``n<i>``/``e<i>``)."""
    nodes, edges = process_map.nodes, process_map.edges
    lines = [
        "digraph process_map {",
        (
            f"  graph [rankdir={rankdir}, nodesep={0.25 if rankdir == 'LR' else 0.35}, "
            f'ranksep={0.45 if rankdir == "LR" else 0.4}, pad=0.25, bgcolor="white", '
            f'fontname="{FONT}", id="process_map"];'
        ),
        f'  node [fontname="{FONT}", penwidth=1.2, color="#5b6b7a"];',
        f'  edge [fontname="{FONT}", fontsize={EDGE_SIZE}, fontcolor="#2f3b46", arrowsize=0.7];',
    ]
    if caption:
        text = "".join(_quote(line)[1:-1] + "\\l" for line in caption)
        lines.append(f'  graph [label="{text}", labelloc=b, labeljust=l, fontsize=10, fontcolor="#52606d"];')
    index = {name: i for i, name in enumerate(nodes["node"])}
    loops = {
        row["source"]: loop_line(row, words)
        for j, row in edges.iterrows()
        if edge_mask[j] and row["source"] == row["target"]
    }
    for i, row in enumerate(nodes.itertuples(index=False)):
        if not node_mask[i]:
            continue
        nid = drawing.node_ids[i]
        tip = _quote(words.tooltip % {"name": row.node, "cases": words.n_cases(row.cases),
                                      "events": words.n_events(row.events)})
        if row.kind != "activity":
            word = words.start if row.kind == "start" else words.end
            lines.append(
                f'  {nid} [id="{nid}", shape=circle, style=filled, fixedsize=true, width=0.32, '
                f'label="", xlabel={_quote(word)}, fontsize=9, fillcolor="{drawing.node_fill[i]}", '
                f'color="{drawing.node_fill[i]}", tooltip={tip}];'
            )
            continue
        frequency, duration = node_lines(nodes.iloc[i], process_map.node_duration, words)
        colour = drawing.node_text[i]
        label = (
            f'<<FONT POINT-SIZE="{NAME_SIZE}" COLOR="{colour}"><B>{html.escape(str(row.node))}</B></FONT>'
            f'<BR/><FONT POINT-SIZE="{STATS_SIZE}" COLOR="{colour}">{html.escape(frequency)}</FONT>'
            f'<BR/><FONT POINT-SIZE="{STATS_SIZE}" COLOR="{colour}">{html.escape(duration)}</FONT>'
        )
        if row.node in loops:
            label += (
                f'<BR/><FONT POINT-SIZE="{STATS_SIZE}" COLOR="{colour}">{html.escape(loops[row.node])}</FONT>'
            )
        label += ">"
        lines.append(
            f'  {nid} [id="{nid}", shape=box, style="rounded,filled", margin="0.18,0.09", '
            f'fillcolor="{drawing.node_fill[i]}", label={label}, tooltip={tip}];'
        )
    for j, row in enumerate(edges.itertuples(index=False)):
        if not edge_mask[j]:
            continue
        eid = drawing.edge_ids[j]
        shown = edge_lines(edges.iloc[j], words)
        label = "" if row.source == row.target else "\n".join(shown)
        artificial = row.source in _ENDS or row.target in _ENDS
        style = ', style="dashed"' if artificial else ""
        width = 1.4 if artificial else drawing.edge_width[j]
        lines.append(
            f"  {drawing.node_ids[index[row.source]]} -> {drawing.node_ids[index[row.target]]} "
            f'[id="{eid}", label={_quote(label)}, penwidth={width}, '
            f'color="{drawing.edge_colour[j]}", tooltip={_quote(f"{row.source} → {row.target}: " + " · ".join(shown))}'
            f"{style}];"
        )
    lines.append("}")
    return "\n".join(lines)


_ENDS = {"[start]", "[end]"}


def _quote(text: str) -> str:
    """A DOT double-quoted string; ``\\n`` becomes a centred line break."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def run_dot(source: str, fmt: str) -> bytes:
    """Run Graphviz ``dot`` on ``source`` and return its output in format ``fmt``."""
    import graphviz

    try:
        return graphviz.Source(source).pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise StageError(
            "discovery: Graphviz 'dot' was not found on PATH; install Debian's graphviz package "
            "(apt-get install graphviz)"
        ) from exc
    except graphviz.CalledProcessError as exc:
        raise StageError(f"discovery: Graphviz 'dot -T{fmt}' failed: {exc.stderr!r}") from exc


#: Width-to-height ratio the layout direction is chosen for (a landscape screen or page).
TARGET_ASPECT = 1.4


def best_rankdir(sizes: dict[str, tuple[float, float]]) -> str:
    """The direction (``"LR"`` or ``"TB"``) whose drawing of size (width, height) fits a
    landscape box at the largest scale; ties go to left-to-right."""

    def fit(size: tuple[float, float]) -> float:
        width, height = size
        return min(TARGET_ASPECT / max(width, 1.0), 1.0 / max(height, 1.0))

    return max(sorted(sizes, key=lambda d: d != "LR"), key=lambda d: fit(sizes[d]))


def layout_positions(source: str) -> dict[str, Any]:
    """Node boxes, edge splines and label positions from ``dot -Tjson``, y pointing down.

    Returns ``{"width", "height", "nodes": {id: {x, y, w, h}}, "edges": {id: {path,
    arrow, label}}}`` in points.
    """
    data = json.loads(run_dot(source, "json"))
    _, _, width, height = (float(v) for v in data["bb"].split(","))

    def point(text: str) -> list[float]:
        x, y = (float(v) for v in text.split(","))
        return [round(x, 1), round(height - y, 1)]

    nodes: dict[str, dict[str, float | list[float]]] = {}
    names: dict[int, str] = {}
    for obj in data.get("objects", []):
        names[obj["_gvid"]] = obj["name"]
        x, y = point(obj["pos"])
        nodes[obj["name"]] = {
            "x": x,
            "y": y,
            "w": round(float(obj["width"]) * 72.0, 1),
            "h": round(float(obj["height"]) * 72.0, 1),
        }
        if "xlp" in obj:
            nodes[obj["name"]]["xl"] = point(obj["xlp"])
    edges: dict[str, dict[str, Any]] = {}
    for edge in data.get("edges", []):
        arrow = None
        path = []
        for token in edge["pos"].split():
            if token.startswith("e,"):
                arrow = point(token[2:])
            elif token.startswith("s,"):
                continue
            else:
                path.append(point(token))
        edges[edge["id"]] = {
            "path": path,
            "arrow": arrow,
            "label": point(edge["lp"]) if "lp" in edge else None,
            "tail": names.get(edge["tail"]),
            "head": names.get(edge["head"]),
        }
    return {"width": round(width, 1), "height": round(height, 1), "nodes": nodes, "edges": edges}
