"""Overview (every role): the headline figures, the five questions with their case ids, the map, the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import panel as pn

from workbench.webapp.pages._common import experiment_of, header_html
from workbench.webapp.pages._render import CSS, card_html, escape, section_html

if TYPE_CHECKING:
    from workbench.i18n import Translator
    from workbench.webapp.context import PageContext
    from workbench.webapp.experiment import Experiment

__all__ = ["overview_page", "overview_content", "MAP_PATH"]

#: The interactive map, as the server's /files/ route serves it from the output folder.
MAP_PATH = "discover/process_map.html"


def _figures(figures: tuple[Any, ...]) -> str:
    cards = "".join(
        f'<div class="card"><div class="value">{escape(f.value)}</div><div class="label">{escape(f.label)}</div>'
        f'<div class="note">{escape(f.detail)}</div></div>' for f in figures)
    style = ("<style>.cards{display:flex;flex-wrap:wrap;gap:0.8em}.card{border:1px solid #ddd;border-radius:6px;"
             "padding:0.6em 1em;min-width:11em;max-width:16em}.card .value{font-size:1.6em;font-weight:600}"
             ".card .label{font-weight:600}</style>")
    return f'{style}<div class="cards">{cards}</div>'


def _with_rule_ids(section: Any, rules: Any, t: Any) -> Any:
    """The rules section with, per rule, every ticket that broke it (the drill-down to case ids)."""
    import dataclasses

    import pandas as pd

    from workbench.report.model import Details, Table

    v = rules.violations
    if not len(v):
        return section
    ids = v.groupby("rule", sort=False)["case_id"].agg(lambda s: sorted(s.astype(str).unique()))
    label = t._("Tickets")
    table = Table(pd.DataFrame({t._("Rule"): ids.index.astype(str), label: list(ids)}), case_id_column=label,
                  max_case_ids=5000)
    extra = Details(t._("Every ticket that broke a rule"), (table,))
    return dataclasses.replace(section, blocks=(*section.blocks, extra))


def overview_content(experiment: Experiment, t: Translator) -> str:
    """Everything below the header, as HTML: the same for every user in one language (built once per process)."""
    from workbench.report.sections import headline, questions_sections, rules_section, summary_figures

    found = experiment.discovery
    view = {"discovery": found.discovery, "process_map": found.process_map, "summary": found.summary()}
    head = headline(found.discovery.answers, t)
    figures = summary_figures({"discover": view}, t)
    parts = [f'<div id="figures"><p><strong>{escape(head)}</strong></p>{_figures(figures)}</div>']
    questions = questions_sections(view, t, timezone=experiment.timezone)
    five = t._("The five questions")
    parts.append(f'<h2 id="questions-title">{escape(five)}</h2>')
    parts.extend(section_html(s, t, collapsed=i > 0) for i, s in enumerate(questions))
    if experiment.has(MAP_PATH):
        src = f"/files/{MAP_PATH}"
        title, own_page = t._("Process map"), t._("Open the map on its own page")
        frame = (f'<iframe src="{src}" title="{escape(title)}" style="width:100%;height:640px;'
                 'border:1px solid #ddd" sandbox="allow-scripts allow-same-origin"></iframe>'
                 f'<p class="note"><a href="{src}" target="_blank">{escape(own_page)}'
                 "</a></p>")
        parts.append(card_html(title, frame, collapsed=False, name="process-map"))
    rules = rules_section(view, t)
    if rules is not None:
        parts.append(section_html(_with_rule_ids(rules, found.discovery.rules, t), t, collapsed=True))
    return "".join(parts)


def overview_page(ctx: PageContext) -> pn.viewable.Viewable:
    """The five questions with drill-down to case ids, the interactive map, rule violations, data as of.

    Nothing on it talks back to the server (the cards fold in the browser), so it is one HTML pane:
    the user's header, then the content every session in this language shares.
    """
    t = ctx.translator
    experiment = experiment_of(ctx)
    body = experiment.shared(("overview", ctx.language), lambda: overview_content(experiment, t))
    return pn.pane.HTML(header_html(ctx, t._("Overview"), experiment) + body, stylesheets=[CSS],
                        sizing_mode="stretch_width", name="overview")
