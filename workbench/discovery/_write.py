"""Writing every map and model of a log into one folder (the edge of the discovery stage)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.discovery._html import render_html
from workbench.discovery._map import NodeDuration, ProcessMap, build_process_map
from workbench.discovery._model import discover_process_model, write_process_model
from workbench.discovery._style import DEFAULT_MAX_PATHS
from workbench.discovery._svg import render_svg
from workbench.io.writers import write_table, write_text

__all__ = ["MAP_FILES", "write_maps"]

#: Output key -> file name written by :func:`write_maps`.
MAP_FILES: dict[str, str] = {
    "svg": "process_map.svg",
    "html": "process_map.html",
    "bpmn": "process_model.bpmn",
    "pnml": "process_model.pnml",
    "nodes": "map_nodes.csv",
    "edges": "map_edges.csv",
    "node_cases": "map_node_cases.csv",
    "edge_cases": "map_edge_cases.csv",
}


def write_maps(
    events: pd.DataFrame,
    out_dir: str | Path,
    *,
    title: str,
    min_case_share: float | None = None,
    noise_threshold: float = 0.2,
    max_case_ids: int | None = None,
    max_paths: int | None = DEFAULT_MAX_PATHS,
    node_duration: NodeDuration = "auto",
    process_map: ProcessMap | None = None,
) -> dict[str, Path]:
    """Write the process map (SVG, interactive HTML, CSV tables) and the process model (BPMN, PNML).

    Every file is written atomically (a temporary file in ``out_dir`` renamed over
    the target). Files: ``process_map.svg``, ``process_map.html``,
    ``process_model.bpmn``, ``process_model.pnml``, ``map_nodes.csv``,
    ``map_edges.csv``, and the case ids behind every node and edge in
    ``map_node_cases.csv`` and ``map_edge_cases.csv``.

    Parameters
    ----------
    events : pandas.DataFrame
        A canonical event log.
    out_dir : str or Path
        The output folder (created when missing).
    title : str
        Title of the HTML map.
    min_case_share : float, optional
        Simplification of the SVG and the HTML slider's start (share of cases, 0..1);
        ``None`` (default) picks a readable level (see :func:`render_svg`).
    noise_threshold : float, default 0.2
        The inductive miner's noise threshold for the BPMN and PNML model.
    max_case_ids : int, optional
        Passed to :func:`build_process_map` when ``process_map`` is not given.
    max_paths : int or None, default 150
        The most paths the SVG and the HTML map's most detailed level show.
    node_duration : {"auto", "activity", "since_previous", "until_next"}
        Passed to :func:`build_process_map` when ``process_map`` is not given;
        ``"until_next"`` (time spent in a status) suits status-change logs.
    process_map : ProcessMap, optional
        A map already built from ``events``, to avoid building it twice.

    Returns
    -------
    dict of str to Path
        The written files, keyed as in :data:`MAP_FILES`.
    """
    out = Path(out_dir)
    if process_map is None:
        process_map = build_process_map(events, max_case_ids=max_case_ids, node_duration=node_duration)
    pmap = process_map
    svg = render_svg(pmap, min_case_share=min_case_share, max_paths=max_paths)
    page = render_html(pmap, title=title, min_case_share=min_case_share, max_paths=max_paths)
    model = discover_process_model(events, noise_threshold=noise_threshold)
    paths = {key: out / name for key, name in MAP_FILES.items()}
    write_text(svg, paths["svg"])
    write_text(page, paths["html"])
    write_process_model(model, paths["bpmn"], paths["pnml"])
    write_table(pmap.nodes, paths["nodes"])
    write_table(pmap.edges, paths["edges"])
    write_table(pmap.node_cases, paths["node_cases"])
    write_table(pmap.edge_cases, paths["edge_cases"])
    return paths
