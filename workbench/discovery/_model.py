"""Process models: pm4py's inductive miner, exported as BPMN 2.0 (with diagram layout) and PNML."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import ConfigError, EventLogError
from workbench.io.writers import write_text
from workbench.schema import ACTIVITY, CASE_ID, PM4PY_COLUMNS, TIMESTAMP

__all__ = ["ProcessModel", "discover_process_model", "write_bpmn", "write_pnml", "write_process_model"]

_NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "omgdc": "http://www.omg.org/spec/DD/20100524/DC",
    "omgdi": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xsd": "http://www.w3.org/2001/XMLSchema",
}
#: Scale of pm4py's layout (text-wide tasks 36 high) towards the usual BPMN sizes (tasks 80 high).
_SCALE = 1.4
#: Width and height of shapes that BPMN tools draw at a fixed size.
_FIXED_SIZE = {
    "exclusiveGateway": 50.0,
    "parallelGateway": 50.0,
    "inclusiveGateway": 50.0,
    "startEvent": 36.0,
    "endEvent": 36.0,
    "intermediateThrowEvent": 36.0,
}


@dataclass(frozen=True)
class ProcessModel:
    """An inductive-miner model of a log as pm4py objects.

    Attributes
    ----------
    tree : pm4py ProcessTree
    bpmn : pm4py BPMN
    net, initial_marking, final_marking : pm4py Petri net and its markings
    noise_threshold : float
    """

    tree: Any
    bpmn: Any
    net: Any
    initial_marking: Any
    final_marking: Any
    noise_threshold: float


def discover_process_model(events: pd.DataFrame, *, noise_threshold: float = 0.2) -> ProcessModel:
    """Discover a process tree with pm4py's inductive miner and convert it to BPMN and a Petri net.

    Parameters
    ----------
    events : pandas.DataFrame
        A canonical event log (not modified).
    noise_threshold : float, default 0.2
        The inductive miner's infrequent-behaviour filter (0 keeps every path, which
        on ticket logs tends to give a flower model; 0.2 is pm4py's usual IMf choice).

    Raises
    ------
    ConfigError
        When ``noise_threshold`` is not between 0 and 1.
    EventLogError
        When the log lacks the case, activity or timestamp column or is empty.
    """
    import pm4py

    if not isinstance(noise_threshold, (int, float)) or not 0.0 <= float(noise_threshold) <= 1.0:
        raise ConfigError(
            f"noise_threshold must be between 0 and 1, got {noise_threshold!r}; 0.2 is a common choice"
        )
    frame = _pm4py_frame(events)
    tree = pm4py.discover_process_tree_inductive(
        frame,
        noise_threshold=float(noise_threshold),
        activity_key=PM4PY_COLUMNS[ACTIVITY],
        timestamp_key=PM4PY_COLUMNS[TIMESTAMP],
        case_id_key=PM4PY_COLUMNS[CASE_ID],
    )
    net, initial, final = pm4py.convert_to_petri_net(tree)
    bpmn = pm4py.convert_to_bpmn(tree)
    return ProcessModel(tree, bpmn, net, initial, final, float(noise_threshold))


def write_bpmn(events: pd.DataFrame, path: str | Path, *, noise_threshold: float = 0.2) -> Path:
    """Discover the inductive-miner model of ``events`` and write it as BPMN 2.0 XML with layout.

    The file carries BPMNDI shapes and edges (pm4py's Graphviz-based layout, scaled to
    the usual BPMN sizes: tasks 50 high, gateways 50 x 50, events 36 x 36, all
    at positive coordinates), so it opens in Camunda Modeler and bpmn.io. Written
    atomically.
    """
    return _write_bpmn_model(discover_process_model(events, noise_threshold=noise_threshold), path)


def write_pnml(events: pd.DataFrame, path: str | Path, *, noise_threshold: float = 0.2) -> Path:
    """Discover the inductive-miner model of ``events`` and write it as a Petri net (PNML), atomically."""
    return _write_pnml_model(discover_process_model(events, noise_threshold=noise_threshold), path)


def write_process_model(
    model: ProcessModel, bpmn_path: str | Path, pnml_path: str | Path
) -> tuple[Path, Path]:
    """Write an already discovered model as BPMN and PNML (atomically)."""
    return _write_bpmn_model(model, bpmn_path), _write_pnml_model(model, pnml_path)


def _write_bpmn_model(model: ProcessModel, path: str | Path) -> Path:
    import pm4py

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".bpmn-") as scratch:
        draft = Path(scratch) / "model.bpmn"
        pm4py.write_bpmn(model.bpmn, str(draft), auto_layout=True)
        text = draft.read_text(encoding="utf-8")
    return write_text(_tidy_layout(text), path)


def _write_pnml_model(model: ProcessModel, path: str | Path) -> Path:
    import pm4py

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".pnml-") as scratch:
        draft = Path(scratch) / "model.pnml"
        pm4py.write_pnml(model.net, model.initial_marking, model.final_marking, str(draft))
        text = draft.read_text(encoding="utf-8")
    return write_text(text, path)


def _tidy_layout(xml: str) -> str:
    """Scale pm4py's BPMN diagram to usual sizes and move it to positive coordinates."""
    import xml.etree.ElementTree as ET

    for prefix, uri in _NS.items():
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(xml.encode("utf-8"))
    kinds = {el.get("id"): el.tag.rsplit("}", 1)[-1] for el in root.iter() if el.get("id")}
    bounds = root.findall(".//bpmndi:BPMNShape/omgdc:Bounds", _NS)
    points = root.findall(".//bpmndi:BPMNEdge/omgdi:waypoint", _NS)
    if not bounds:
        return xml
    min_x = min(float(b.get("x", 0)) for b in bounds)
    min_y = min(float(b.get("y", 0)) for b in bounds)

    def scale(x: float, y: float) -> tuple[float, float]:
        return 40.0 + (x - min_x) * _SCALE, 40.0 + (y - min_y) * _SCALE

    for shape in root.findall(".//bpmndi:BPMNShape", _NS):
        box = shape.find("omgdc:Bounds", _NS)
        if box is None:
            continue
        x, y = scale(float(box.get("x", 0)), float(box.get("y", 0)))
        w, h = float(box.get("width", 0)) * _SCALE, float(box.get("height", 0)) * _SCALE
        size = _FIXED_SIZE.get(kinds.get(shape.get("bpmnElement"), ""))
        if size is not None:
            x, y, w, h = x + (w - size) / 2, y + (h - size) / 2, size, size
        for key, value in (("x", x), ("y", y), ("width", w), ("height", h)):
            box.set(key, f"{value:.1f}")
    for point in points:
        x, y = scale(float(point.get("x", 0)), float(point.get("y", 0)))
        point.set("x", f"{x:.1f}")
        point.set("y", f"{y:.1f}")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def _pm4py_frame(events: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (CASE_ID, ACTIVITY, TIMESTAMP) if c not in events.columns]
    if missing:
        raise EventLogError(
            f"event log: column(s) {missing} missing (columns: {list(events.columns)}); "
            "pass a canonical log from workbench.io.load_log"
        )
    if events.empty:
        raise EventLogError("event log is empty: a process model needs at least one event; check the filters")
    frame = pd.DataFrame(
        {
            PM4PY_COLUMNS[CASE_ID]: events[CASE_ID].astype(str).to_numpy(),
            PM4PY_COLUMNS[ACTIVITY]: events[ACTIVITY].astype(str).to_numpy(),
            PM4PY_COLUMNS[TIMESTAMP]: events[TIMESTAMP].reset_index(drop=True),
        }
    )
    return frame.sort_values(
        [PM4PY_COLUMNS[CASE_ID], PM4PY_COLUMNS[TIMESTAMP]], kind="stable", ignore_index=True
    )
