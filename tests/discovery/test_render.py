"""render_svg, render_html and render_html_fragment: valid, labelled, self-contained."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from workbench.discovery import build_process_map, render_html, render_html_fragment, render_svg
from workbench.discovery._style import format_hours, visible_parts
from workbench.errors import ConfigError

SVG = "{http://www.w3.org/2000/svg}"
#: The only URLs the page may contain: XML namespace names, which browsers never fetch.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def _groups(svg_text: str, kind: str) -> dict[str, str]:
    root = ET.fromstring(svg_text.encode("utf-8"))
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == kind:
            out[g.get("id")] = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
    return out


def test_svg_is_xml_and_labels_carry_frequency_and_duration(tiny_log):
    pmap = build_process_map(tiny_log)
    svg = render_svg(pmap)
    nodes = _groups(svg, "node")
    edges = _groups(svg, "edge")
    assert len(nodes) == len(pmap.nodes) and len(edges) == len(pmap.edges)
    # activity C: 4 cases, 4 events, median 3 h, mean 4.25 h, p90 8.2 h
    c_label = next(text for text in nodes.values() if text.startswith("C "))
    assert "4 cases · 4 events" in c_label
    assert "med 3.0 h · mean 4.2 h · p90 8.2 h" in c_label
    # path B -> C: 3 cases, 3 times, median 2 h, mean 2.33 h, p90 3.6 h
    j = pmap.edges.index[(pmap.edges["source"] == "B") & (pmap.edges["target"] == "C")].item()
    assert edges[f"e{j}"] == "3 cases · 3× med 2.0 h · mean 2.3 h p90 3.6 h"
    j = pmap.edges.index[pmap.edges["source"] == "[start]"][0]
    assert edges[f"e{j}"] == "3 cases · 3×"  # start and end paths carry no duration
    # the self-loop B -> B is summarised inside B's box
    b_label = next(text for text in nodes.values() if text.startswith("B "))
    assert "↻ 1 case · 1× · med 30 min · mean 30 min · p90 30 min" in b_label
    assert "time since the previous event" in svg


def test_svg_simplification_hides_rare_parts(wide_log):
    pmap = build_process_map(wide_log)
    full = _groups(render_svg(pmap), "edge")
    simple = _groups(render_svg(pmap, min_case_share=0.5), "edge")
    assert len(simple) < len(full)
    assert not any(text.startswith("12 cases") for text in simple.values())  # A -> C (12 of 162 cases)
    with pytest.raises(ConfigError, match="min_case_share must be a share of cases between 0 and 1"):
        render_svg(pmap, min_case_share=5)


def test_simplification_keeps_shown_activities_connected(log_factory):
    # D is frequent enough to show, but each of its paths is rarer than the threshold.
    log = log_factory(
        {
            **{f"m{i}": [("A", 0), ("B", 1)] for i in range(6)},
            "d1": [("A", 0), ("D", 1), ("B", 2)],
            "d2": [("A", 0), ("E", 1), ("D", 2), ("B", 3)],
            "d3": [("F", 0), ("D", 1), ("G", 2)],
        }
    )
    pmap = build_process_map(log)
    node_mask, edge_mask = visible_parts(pmap.nodes, pmap.edges, 0.3)
    shown = pmap.edges[edge_mask]
    assert "D" in set(pmap.nodes.loc[node_mask, "node"])
    assert (shown["target"] == "D").sum() == 1 and (shown["source"] == "D").sum() == 1
    assert shown.loc[shown["target"] == "D", "source"].item() == "A"  # A -> D: the only shown source


def test_duration_format():
    assert [format_hours(h) for h in (10 / 3600, 0.5, 2.06, 30, 24 * 150)] == [
        "10 s",
        "30 min",
        "2.1 h",
        "1.2 d",
        "150 d",
    ]


def _payload(page: str, element_id: str | None = None) -> dict:
    pattern = r'<script type="application/json" id="([^"]+)-data">(.*?)</script>'
    found = dict(re.findall(pattern, page, flags=re.DOTALL))
    data = found[element_id] if element_id else next(iter(found.values()))
    return json.loads(data)


def _decode(data: dict, code: str) -> list[str]:
    if code == "*":
        return list(data["caseIds"])
    index, out = 0, []
    for part in code.split(","):
        index += int(part)
        out.append(data["caseIds"][index])
    return out


def test_html_is_self_contained(wide_log):
    page = render_html(build_process_map(wide_log), title="Tickets <2024> & more")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Tickets &lt;2024&gt; &amp; more</title>" in page
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", page))
    assert urls <= NAMESPACES, urls - NAMESPACES
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page, flags=re.IGNORECASE)
    assert not re.search(r"\bsrc\s*=|@import|url\(|fetch\(|XMLHttpRequest|import\(", page)


def test_html_payload_holds_every_case_id_behind_each_part(tiny_log):
    pmap = build_process_map(tiny_log)
    data = _payload(render_html(pmap, title="t"))
    for edge in data["edges"]:
        assert _decode(data, edge["cids"]) == pmap.edge_case_ids(edge["source"], edge["target"])
    for node in data["nodes"]:
        assert _decode(data, node["cids"]) == pmap.node_case_ids(node["name"])
    assert data["stops"][0]["threshold"] == 0.0
    assert len(data["stops"][0]["edges"]) == len(pmap.edges)  # level 0 shows everything
    assert [len(s["edges"]) for s in data["stops"]] == sorted(
        (len(s["edges"]) for s in data["stops"]), reverse=True
    )


def test_html_payload_respects_max_case_ids(wide_log):
    pmap = build_process_map(wide_log, max_case_ids=20)
    data = _payload(render_html(pmap, title="t"))
    ab = next(e for e in data["edges"] if (e["source"], e["target"]) == ("A", "B"))
    assert ab["cases"] == 150 and len(_decode(data, ab["cids"])) == 20
    assert data["maxCaseIds"] == 20


def test_fragments_embed_side_by_side(tiny_log, wide_log):
    first = render_html_fragment(build_process_map(tiny_log), title="one")
    again = render_html_fragment(build_process_map(tiny_log), title="one")
    second = render_html_fragment(
        build_process_map(wide_log), title="two", element_id="map-two", height="600px"
    )
    assert first == again  # the default id depends only on the map and title
    first_id = re.match(r'<div id="([^"]+)"', first).group(1)
    assert first_id.startswith("wbpm-") and 'id="map-two"' in second and "--wbpm-height:600px" in second
    page = first + second
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert "if (window.WorkbenchProcessMap) { return; }" in page  # the script defines itself once
    assert _payload(page, "map-two")["title"] == "two"
    with pytest.raises(ConfigError, match="element_id must start with a letter"):
        render_html_fragment(build_process_map(tiny_log), title="x", element_id="1 bad")
    with pytest.raises(ConfigError, match="height must be a CSS length"):
        render_html_fragment(build_process_map(tiny_log), title="x", height="1px;color:red")


def test_initial_share_is_a_slider_level(wide_log):
    pmap = build_process_map(wide_log)
    data = _payload(render_html(pmap, title="t", min_case_share=0.5))
    level = data["stops"][data["initialStop"]]
    assert level["threshold"] == 0.5
    _, edge_mask = visible_parts(pmap.nodes, pmap.edges, 0.5)
    assert len(level["edges"]) == int(edge_mask.sum())


def test_busy_maps_are_capped_and_start_readable(busy_log):
    pmap = build_process_map(busy_log)
    assert len(pmap.edges) > 150
    auto = _groups(render_svg(pmap), "edge")
    activities = int((pmap.nodes["kind"] == "activity").sum())
    assert len(auto) <= 3 * activities + 2 * activities  # the readable limit, plus rescued paths
    capped = _groups(render_svg(pmap, min_case_share=0.0, max_paths=20), "edge")
    assert 0 < len(capped) <= 20 + 2 * activities
    svg = render_svg(pmap, min_case_share=0.0, max_paths=20)
    assert "raised from 0.0% to keep the map readable" in svg
    everything = _groups(render_svg(pmap, min_case_share=0.0, max_paths=None), "edge")
    assert len(everything) == len(pmap.edges)
    with pytest.raises(ConfigError, match="max_paths must be a positive integer or None"):
        render_svg(pmap, max_paths=0)


def test_html_levels_go_from_capped_detail_to_the_main_path(busy_log):
    pmap = build_process_map(busy_log)
    data = _payload(render_html(pmap, title="busy", max_paths=60, max_levels=6))
    counts = [len(level["edges"]) for level in data["stops"]]
    assert counts == sorted(counts, reverse=True) and len(counts) <= 7  # up to 6 levels plus the initial one
    assert counts[0] <= 60 + 24 and counts[-1] < counts[0]
    auto = data["stops"][data["initialStop"]]
    assert len(auto["edges"]) <= 3 * 12 + 24


def test_payload_does_not_depend_on_categorical_columns(tiny_log):
    import dataclasses

    pmap = build_process_map(tiny_log, max_case_ids=2)
    plain = dataclasses.replace(
        pmap,
        node_cases=pmap.node_cases.astype({"node": str}),
        edge_cases=pmap.edge_cases.astype({"source": str, "target": str}),
    )
    first, second = _payload(render_html(pmap, title="t")), _payload(render_html(plain, title="t"))
    assert [e["cids"] for e in first["edges"]] == [e["cids"] for e in second["edges"]]
    assert [n["cids"] for n in first["nodes"]] == [n["cids"] for n in second["nodes"]]
    bc = next(e for e in second["edges"] if (e["source"], e["target"]) == ("B", "C"))
    assert _decode(second, bc["cids"]) == ["c1", "c2"]


def test_svg_labels_and_legend_take_the_words_they_are_given(tiny_log):
    from workbench.discovery import MapWords

    def danish(value: float, decimals: int) -> str:
        return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")

    words = MapWords(number=danish, units=("s", "min", "t", "d"), case="%(n)s sag", cases="%(n)s sager",
                     events="%(n)s hændelser", median="median %(d)s", mean="gns. %(d)s", end="Slut",
                     summary="%(cases)s, %(events)s; vist: %(nodes)s af %(activities)s%(raised)s (%(share)s, "
                             "%(edges)s af %(paths)s).")
    svg = render_svg(build_process_map(tiny_log), words=words)
    c_label = next(text for text in _groups(svg, "node").values() if text.startswith("C "))
    assert "4 sager · 4 hændelser" in c_label
    assert "median 3,0 t · gns. 4,2 t · p90 8,2 t" in c_label
    assert "Slut" in svg and "4 sager, 11 hændelser; vist:" in svg
    assert "4 cases" not in svg and ">End<" not in svg
