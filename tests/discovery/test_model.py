"""BPMN and PNML export of the inductive-miner model, and write_maps."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from workbench.discovery import MAP_FILES, write_bpmn, write_maps, write_pnml
from workbench.errors import ConfigError, EventLogError

pm4py = pytest.importorskip("pm4py")

DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
MODEL = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def test_bpmn_parses_with_pm4py_and_has_diagram_layout(tiny_log, tmp_path):
    path = write_bpmn(tiny_log, tmp_path / "model.bpmn", noise_threshold=0.0)
    model = pm4py.read_bpmn(str(path))
    tasks = {n.get_name() for n in model.get_nodes() if type(n).__name__ == "Task"}
    assert tasks == {"A", "B", "C"}
    root = ET.parse(path).getroot()
    assert root.find(f"{DI}BPMNDiagram/{DI}BPMNPlane") is not None
    flow_nodes = [el for el in root.find(f"{MODEL}process") if el.tag.endswith(("task", "Gateway", "Event"))]
    shapes = root.findall(f".//{DI}BPMNShape")
    assert {s.get("bpmnElement") for s in shapes} == {el.get("id") for el in flow_nodes}
    assert len(root.findall(f".//{DI}BPMNEdge")) == len(root.findall(f"{MODEL}process/{MODEL}sequenceFlow"))
    bounds = [s.find(f"{DC}Bounds") for s in shapes]
    assert all(float(b.get("x")) >= 0 and float(b.get("y")) >= 0 for b in bounds)


def test_pnml_parses_with_pm4py(tiny_log, tmp_path):
    path = write_pnml(tiny_log, tmp_path / "model.pnml", noise_threshold=0.0)
    net, initial, final = pm4py.read_pnml(str(path))
    labels = {t.label for t in net.transitions if t.label}
    assert labels == {"A", "B", "C"}
    assert len(initial) == 1 and len(final) == 1


def test_process_model_errors(tiny_log, tmp_path):
    with pytest.raises(ConfigError, match="noise_threshold must be between 0 and 1"):
        write_bpmn(tiny_log, tmp_path / "m.bpmn", noise_threshold=1.5)
    with pytest.raises(EventLogError, match="event log is empty"):
        write_pnml(tiny_log.iloc[0:0], tmp_path / "m.pnml")
    assert list(tmp_path.iterdir()) == []


def test_write_maps_writes_every_file_atomically(tiny_log, tmp_path):
    out = tmp_path / "maps"
    paths = write_maps(tiny_log, out, title="Tiny", noise_threshold=0.0)
    assert {p.name for p in paths.values()} == set(MAP_FILES.values())
    assert sorted(p.name for p in out.iterdir()) == sorted(MAP_FILES.values())  # no temporary files left
    edges = pd.read_csv(paths["edges"])
    assert int(edges.loc[(edges["source"] == "B") & (edges["target"] == "C"), "cases"].item()) == 3
    behind = pd.read_csv(paths["edge_cases"])
    assert behind.loc[(behind["source"] == "A") & (behind["target"] == "B"), "case_id"].tolist() == [
        "c1",
        "c2",
    ]
    assert paths["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    ET.parse(paths["svg"])
    pm4py.read_bpmn(str(paths["bpmn"]))


def test_write_maps_leaves_nothing_behind_on_error(tiny_log, tmp_path):
    out = tmp_path / "maps"
    out.mkdir()
    (out / "process_map.svg").write_text("old", encoding="utf-8")
    with pytest.raises(ConfigError, match="min_case_share"):
        write_maps(tiny_log, out, title="Tiny", min_case_share=-1)
    assert [p.name for p in out.iterdir()] == ["process_map.svg"]
    assert (out / "process_map.svg").read_text(encoding="utf-8") == "old"
