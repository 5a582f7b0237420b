"""The process-map section: the map as a picture in the reader's language, and a link to the interactive map."""

from __future__ import annotations

from functools import partial
from typing import Any

from workbench.discovery import MapWords
from workbench.i18n import Translator
from workbench.report.blocks import Block, Image, Paragraph
from workbench.report.model import Section

__all__ = ["map_section", "map_words"]


def map_words(t: Translator) -> MapWords:
    """The drawn map's labels and legend in ``t``'s language, with its number formats."""
    return MapWords(
        number=t.format_number,
        units=(t._("s"), t._("min"), t._("h"), t._("d")),
        share=partial(t.format_percent, decimals=1),
        case=t.ngettext("%(n)s case", "%(n)s cases", 1),
        cases=t.ngettext("%(n)s case", "%(n)s cases", 2),
        events=t._("%(n)s events"),
        times=t._("%(n)s×"),
        median=t._("med %(d)s"),
        mean=t._("mean %(d)s"),
        p90=t._("p90 %(d)s"),
        start=t._("Start"),
        end=t._("End"),
        no_duration={
            "since_previous": t._("always first: no duration"),
            "until_next": t._("always last: no duration"),
            "activity": t._("no start times: no duration"),
        },
        node_duration={
            "activity": t._("time the step itself took"),
            "since_previous": t._("time since the ticket's previous step"),
            "until_next": t._("time until the ticket's next step"),
        },
        edge_duration={
            "completion_to_completion": t._("time from the end of one step to the end of the next"),
            "completion_to_start": t._("time from the end of one step to the start of the next"),
        },
        summary=t._("%(cases)s, %(events)s. Shown: %(nodes)s of %(activities)s steps and %(edges)s of %(paths)s "
                    "paths (those in at least %(share)s of the tickets%(raised)s)."),
        raised=t._(", raised from %(asked)s to keep the map readable"),
        node_legend=t._("Boxes: tickets · events; median · mean · 90th percentile of the %(duration)s."),
        edge_legend=t._("Arrows: tickets · passes; median · mean · 90th percentile of the %(duration)s."),
        colour_legend=t._("Arrow width: number of tickets. Arrow colour: median time, blue %(low)s to red %(high)s "
                          "(log scale)."),
        tooltip=t._("%(name)s: %(cases)s, %(events)s"),
    )


def map_section(discover: dict[str, Any], t: Translator, *, svg: str | None, link: str | None) -> Section:
    """The map as a picture that fits the page, and a link to the interactive map (drag, simplify, click)."""
    blocks: list[Block] = []
    if svg is not None:
        blocks.append(Image(svg, caption=t._("The process map: each box is a step, each arrow a move from one step "
                                             "to the next, with how many tickets and how long it took (median).")))
    if link is not None:
        blocks.append(Paragraph(t._("The interactive map, where you can simplify the map with a slider and click a "
                                    "box or an arrow to list its tickets, is the file %(file)s next to this report.")
                                % {"file": link}))
    return Section("process-map", t._("Process map"),
                   t._("How tickets move through the desk: the most common paths are the thickest arrows."),
                   tuple(blocks))
