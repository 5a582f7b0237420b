"""The process map as one self-contained interactive HTML page (or a fragment of a report).

The page's script and style are package data (``static/process_map.js`` and ``.css``,
written for this project) inlined into the page, so it makes no network request. Each
level of the simplification slider gets its own Graphviz layout, computed here.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from workbench.discovery._layout import best_rankdir, dot_source, layout_positions, map_drawing
from workbench.discovery._map import END_NODE, START_NODE, ProcessMap
from workbench.discovery._style import (
    DEFAULT_MAX_PATHS,
    check_max_paths,
    check_share,
    effective_share,
    initial_share,
    visible_parts,
)
from workbench.discovery._words import ENGLISH
from workbench.errors import ConfigError

__all__ = ["render_html", "render_html_fragment"]

_ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def render_html(
    process_map: ProcessMap,
    *,
    title: str,
    min_case_share: float | None = None,
    max_paths: int | None = DEFAULT_MAX_PATHS,
    max_levels: int = 12,
) -> str:
    """Render ``process_map`` as one self-contained interactive HTML page.

    Activities can be dragged (their paths follow); a slider hides activities and
    paths seen in fewer than a share of the cases, each level with its own layout;
    labels show frequency and duration together (or either); clicking an activity
    or path lists the case ids behind it, with the full list as a CSV download.
    The page loads nothing from the network.

    Parameters
    ----------
    process_map : ProcessMap
        From :func:`build_process_map`.
    title : str
        Shown as the page title and heading.
    min_case_share : float, optional
        The slider's starting threshold (share of cases, 0..1); ``None`` (default)
        starts at a readable level, as :func:`render_svg` does.
    max_paths : int or None, default 150
        The most detailed level shows at most this many paths (as in :func:`render_svg`).
    max_levels : int, default 12
        Most slider levels (each one a Graphviz layout); from the most detailed
        level, each step hides roughly the same fraction of the paths.

    Returns
    -------
    str
        The HTML document.
    """
    fragment = render_html_fragment(
        process_map,
        title=title,
        min_case_share=min_case_share,
        max_paths=max_paths,
        max_levels=max_levels,
        full_page=True,
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="workbench.discovery">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>html,body{margin:0;padding:0;background:#fff}</style>\n"
        f"</head>\n<body>\n{fragment}\n</body>\n</html>\n"
    )


def render_html_fragment(
    process_map: ProcessMap,
    *,
    title: str,
    element_id: str | None = None,
    min_case_share: float | None = None,
    max_paths: int | None = DEFAULT_MAX_PATHS,
    max_levels: int = 12,
    height: str = "760px",
    full_page: bool = False,
) -> str:
    """Render the interactive map as an HTML fragment to embed in a larger page.

    The fragment is a ``<div>`` with its own ``<style>`` and ``<script>`` elements;
    several fragments can share a page (the script is defined once, every
    instance is found through its own ``element_id``).

    Parameters
    ----------
    process_map, title, min_case_share, max_paths, max_levels
        As in :func:`render_html`.
    element_id : str, optional
        The id of the fragment's root element; default ``"wbpm-"`` plus a hash of
        the map and title. Must be unique in the page.
    height : str, default "760px"
        CSS height of the map block (ignored with ``full_page``).
    full_page : bool, default False
        Fill the browser window (used by :func:`render_html`).

    Raises
    ------
    ConfigError
        When ``element_id``, ``min_case_share``, ``max_paths`` or ``max_levels`` is invalid.
    """
    share = None if min_case_share is None else check_share(min_case_share)
    check_max_paths(max_paths)
    if not isinstance(max_levels, int) or max_levels < 2:
        raise ConfigError(f"max_levels must be an integer of at least 2, got {max_levels!r}")
    if not re.fullmatch(r"[0-9.]+(px|vh|em|rem|%)", height):
        raise ConfigError(f"height must be a CSS length such as '760px' or '80vh', got {height!r}")
    payload = map_payload(process_map, title, share, max_paths, max_levels)
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    data = data.replace("</", "<\\/").replace("<!--", "<\\!--")
    if element_id is None:
        element_id = "wbpm-" + hashlib.sha1(data.encode("utf-8")).hexdigest()[:10]
    if not _ID_PATTERN.match(element_id):
        raise ConfigError(
            f"element_id must start with a letter and hold only letters, digits, '-' and '_' "
            f"(at most 64), got {element_id!r}"
        )
    static = resources.files("workbench.discovery") / "static"
    style = (static / "process_map.css").read_text(encoding="utf-8")
    script = (static / "process_map.js").read_text(encoding="utf-8")
    classes = "wbpm wbpm-page" if full_page else "wbpm"
    return (
        f'<div id="{element_id}" class="{classes}" style="--wbpm-height:{height}">'
        f"<noscript>This process map needs JavaScript; the static map is process_map.svg.</noscript></div>\n"
        f"<style>{style}</style>\n"
        f'<script type="application/json" id="{element_id}-data">{data}</script>\n'
        f"<script>{script}\n"
        f'window.WorkbenchProcessMap.mount(document.getElementById("{element_id}"), '
        f'JSON.parse(document.getElementById("{element_id}-data").textContent));</script>'
    )


def map_payload(
    process_map: ProcessMap, title: str, min_case_share: float | None, max_paths: int | None, max_levels: int
) -> dict[str, Any]:
    """The JSON-ready data the page's script draws: nodes, edges, case ids and layouts per level."""
    nodes, edges = process_map.nodes, process_map.edges
    drawing = map_drawing(process_map)
    case_ids, node_codes, edge_codes = _encode_cases(process_map)
    node_items = []
    for i, row in enumerate(nodes.itertuples(index=False)):
        node_items.append(
            {
                "id": drawing.node_ids[i],
                "name": row.node,
                "kind": row.kind,
                **_figures(row),
                "timed": int(row.timed_events),
                "noDuration": ENGLISH.no_duration[process_map.node_duration],
                "fill": drawing.node_fill[i],
                "text": drawing.node_text[i],
                "cids": node_codes[i],
            }
        )
    edge_items = []
    node_id = dict(zip(nodes["node"], drawing.node_ids, strict=False))
    for j, row in enumerate(edges.itertuples(index=False)):
        kind = "start" if row.source == START_NODE else "end" if row.target == END_NODE else "path"
        edge_items.append(
            {
                "id": drawing.edge_ids[j],
                "s": node_id[row.source],
                "t": node_id[row.target],
                "source": row.source,
                "target": row.target,
                "kind": kind,
                **_figures(row),
                "colour": drawing.edge_colour[j],
                "width": drawing.edge_width[j],
                "cids": edge_codes[j],
            }
        )
    initial = initial_share(process_map.nodes, process_map.edges, min_case_share, max_paths)
    thresholds = _levels(process_map, initial, max_paths, max_levels)
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 1))) as pool:
        rankdir, first = _choose_direction(process_map, drawing, initial, pool)
        stops = list(
            pool.map(
                lambda t: first if t == initial else _layout_level(process_map, drawing, t, rankdir),
                thresholds,
            )
        )
    return {
        "title": title,
        "summary": {"cases": process_map.n_cases, "events": process_map.n_events},
        "nodeDurationText": process_map.node_duration_text,
        "edgeDurationText": process_map.edge_duration_text,
        "durationRange": [_num(v) for v in drawing.duration_range],
        "maxCaseIds": process_map.max_case_ids,
        "initialStop": thresholds.index(initial),
        "nodes": node_items,
        "edges": edge_items,
        "stops": stops,
        "caseIds": case_ids,
    }


def _figures(row: Any) -> dict[str, Any]:
    """A node's or path's counts and durations, as the page's script reads them."""
    return {
        "cases": int(row.cases),
        "events": int(row.events),
        "share": _num(row.case_share),
        "median": _num(row.median_hours),
        "mean": _num(row.mean_hours),
        "p90": _num(row.p90_hours),
    }

def _num(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else float(f"{value:.6g}")


def _levels(process_map: ProcessMap, initial: float, max_paths: int | None, max_levels: int) -> list[float]:
    """Slider thresholds: the most detailed level allowed by ``max_paths``, the initial
    threshold, and thresholds keeping geometrically fewer paths, down to the single
    most frequent one. Thresholds showing the same parts are merged."""
    shares = np.sort(process_map.edges["case_share"].to_numpy())[::-1]
    base = effective_share(process_map.edges, 0.0, max_paths)
    most = int((shares >= base).sum())
    counts = np.unique(np.round(np.geomspace(max(most, 1), 1, max_levels - 1)).astype(int))
    candidates = sorted({base, initial, *(float(shares[c - 1]) for c in counts)})
    levels: dict[tuple[bytes, bytes], float] = {}
    for threshold in candidates:
        node_mask, edge_mask = visible_parts(process_map.nodes, process_map.edges, threshold)
        key = (node_mask.tobytes(), edge_mask.tobytes())
        if key not in levels or threshold == initial:
            levels[key] = threshold
    return sorted(levels.values())


def _choose_direction(
    process_map: ProcessMap, drawing: Any, threshold: float, pool: ThreadPoolExecutor
) -> tuple[str, dict[str, Any]]:
    """Lay out the initial level both ways; keep the direction that fits a landscape view better."""
    futures = {d: pool.submit(_layout_level, process_map, drawing, threshold, d) for d in ("LR", "TB")}
    levels = {rankdir: future.result() for rankdir, future in futures.items()}
    rankdir = best_rankdir({d: (level["width"], level["height"]) for d, level in levels.items()})
    return rankdir, levels[rankdir]


def _layout_level(process_map: ProcessMap, drawing: Any, threshold: float, rankdir: str) -> dict[str, Any]:
    node_mask, edge_mask = visible_parts(process_map.nodes, process_map.edges, threshold)
    layout = layout_positions(dot_source(process_map, drawing, node_mask, edge_mask, rankdir=rankdir))
    nodes = {}
    for nid, geo in layout["nodes"].items():
        item = [geo["x"], geo["y"], geo["w"], geo["h"]]
        if "xl" in geo:
            item += geo["xl"]
        nodes[nid] = item
    edges = {}
    for eid, geo in layout["edges"].items():
        edges[eid] = {
            "p": [v for point in geo["path"] for v in point],
            "a": geo["arrow"],
            "l": geo["label"],
        }
    return {
        "threshold": threshold,
        "width": layout["width"],
        "height": layout["height"],
        "nodes": nodes,
        "edges": edges,
    }


def _encode_cases(process_map: ProcessMap) -> tuple[list[str], list[str], list[str]]:
    """The sorted case ids, and per node and edge its cases as gaps between indices into them.

    A node whose cases are all cases of the log (start, end) is encoded as ``"*"``.
    Vectorised: one factorisation of all case ids, one join of all numbers.
    """
    node_cases, edge_cases = process_map.node_cases, process_map.edge_cases
    ids = np.concatenate(
        [node_cases["case_id"].to_numpy(dtype=object), edge_cases["case_id"].to_numpy(dtype=object)]
    )
    codes, all_ids = pd.factorize(ids, sort=True)
    complete = process_map.max_case_ids is None and len(all_ids) == process_map.n_cases
    by_node = _encode_groups(codes[: len(node_cases)], _group_keys(node_cases, ["node"]))
    by_edge = _encode_groups(codes[len(node_cases) :], _group_keys(edge_cases, ["source", "target"]))
    node_codes = [
        "*" if complete and n == process_map.n_cases else by_node.get((str(node),), "")
        for node, n in zip(process_map.nodes["node"], process_map.nodes["cases"], strict=True)
    ]
    edge_codes = [
        by_edge.get((str(s), str(t)), "")
        for s, t in zip(process_map.edges["source"], process_map.edges["target"], strict=True)
    ]
    return [str(v) for v in all_ids], node_codes, edge_codes


def _group_keys(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """An integer group per row and the key (tuple of column values) of each group."""
    parts = [pd.factorize(frame[c].astype(str).to_numpy()) if not isinstance(frame[c].dtype, pd.CategoricalDtype)
             else (frame[c].cat.codes.to_numpy(), frame[c].cat.categories.astype(str)) for c in columns]  # fmt: skip
    group = np.zeros(len(frame), dtype=np.int64)
    for codes, uniques in parts:
        group = group * len(uniques) + codes
    radices = [len(uniques) for _, uniques in parts]
    keys: list[tuple[str, ...]] = []
    for g in range(int(np.prod(radices)) if len(frame) else 0):
        key, rest = [], g
        for (_, uniques), radix in zip(reversed(parts), reversed(radices), strict=True):
            key.append(str(uniques[rest % radix]))
            rest //= radix
        keys.append(tuple(reversed(key)))
    return group, keys


def _encode_groups(
    index: np.ndarray, grouping: tuple[np.ndarray, list[tuple[str, ...]]]
) -> dict[tuple[str, ...], str]:
    """``{group key: "i0,g1,g2,..."}``: the first case index, then the gaps to the next ones."""
    group, keys = grouping
    if len(index) == 0:
        return {}
    order = np.lexsort((index, group))
    index, group = index[order].astype(np.int64), group[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(index)]
    gaps = np.diff(index, prepend=0)
    gaps[starts] = index[starts]
    text = ",".join(map(str, gaps.tolist()))
    digits = 1 + sum((gaps >= 10**k).astype(np.int64) for k in range(1, 19))
    stop = np.cumsum(digits + 1) - 1  # where the comma after each number is (or would be)
    first = stop - digits
    return {keys[group[a]]: text[first[a] : stop[b - 1]] for a, b in zip(starts, ends, strict=True)}
