"""Process discovery: directly-follows maps with frequency and duration, process models, renderings.

``build_process_map`` turns a canonical event log into a :class:`ProcessMap` (tidy tables of
nodes, edges and the case ids behind them); ``render_svg`` and ``render_html`` draw it;
``write_bpmn`` and ``write_pnml`` export an inductive-miner model; ``write_maps`` writes them all.
"""

from __future__ import annotations

from workbench.discovery._html import render_html, render_html_fragment
from workbench.discovery._map import END_NODE, START_NODE, ProcessMap, build_process_map
from workbench.discovery._model import (
    ProcessModel,
    discover_process_model,
    write_bpmn,
    write_pnml,
    write_process_model,
)
from workbench.discovery._svg import render_svg
from workbench.discovery._words import MapWords
from workbench.discovery._write import MAP_FILES, write_maps

__all__ = [
    "END_NODE",
    "MAP_FILES",
    "MapWords",
    "START_NODE",
    "ProcessMap",
    "ProcessModel",
    "build_process_map",
    "discover_process_model",
    "render_html",
    "render_html_fragment",
    "render_svg",
    "write_bpmn",
    "write_maps",
    "write_pnml",
    "write_process_model",
]
