"""Show the report's blocks (paragraphs, tables with case ids, callouts, charts) as Panel panes.

The pages say their answers with the same sections the report is built from
(:mod:`workbench.report.sections`), so the app and the report read alike in both languages;
this module only turns those blocks into HTML, escaping every text.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from typing import Any

import panel as pn

from workbench.i18n import Translator
from workbench.report import table_view
from workbench.report.model import Block, Callout, Details, Html, Image, Paragraph, Section, Table

__all__ = ["CSS", "block_html", "section_card", "section_html", "card_html", "blocks_pane", "callout", "escape", "message_pane", "show_message"]

#: The pages' own look: readable tables, callouts like the report's, case ids folded away.
CSS = """
:host { font-size: 15px; }
table.wb { border-collapse: collapse; margin: 0.4em 0 1em 0; font-size: 14px; }
table.wb caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
table.wb th, table.wb td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; vertical-align: top; }
table.wb th { background: #f3f4f6; text-align: left; }
table.wb td.num { text-align: right; white-space: nowrap; }
.callout { border-left: 5px solid; padding: 0.5em 0.8em; margin: 0.5em 0; border-radius: 3px; }
.callout.ok { border-color: #2e7d32; background: #edf7ee; }
.callout.warning { border-color: #b26a00; background: #fff6e5; }
.callout.flag { border-color: #c62828; background: #fdecec; }
.callout.info { border-color: #1565c0; background: #e8f1fb; }
.ids { font-family: monospace; font-size: 13px; }
.note { color: #555; font-size: 13px; }
details.card { border: 1px solid #ddd; border-radius: 4px; margin: 0.5em 0; }
details.card > summary { background: #f5f5f5; padding: 0.4em 0.8em; font-weight: 600; cursor: pointer; }
details.card > div.card-body { padding: 0 0.8em 0.4em 0.8em; }
"""

_LABELS = {"ok": "OK", "warning": "Note", "flag": "Flagged"}


def escape(text: object) -> str:
    """``text`` safe inside HTML."""
    return html.escape(str(text), quote=True)


def callout(kind: str, text: str, t: Translator) -> str:
    """A coloured box: ``ok``, ``warning`` or ``flag``."""
    label = t.gettext(_LABELS.get(kind, "Note"))
    return f'<div class="callout {escape(kind)}"><strong>{escape(label)}:</strong> {escape(text)}</div>'


#: A message's kind -> its callout's look.
_MESSAGE_KINDS = {"danger": "flag", "success": "ok", "warning": "warning", "info": "info"}


def message_pane(**kwargs: Any) -> pn.pane.HTML:
    """An empty, hidden pane for one message at a time (plain text only: never Markdown or HTML from a user)."""
    return pn.pane.HTML("", stylesheets=[CSS], visible=False, sizing_mode="stretch_width", **kwargs)


def show_message(pane: pn.pane.HTML, text: str, kind: str = "info") -> None:
    """Show ``text`` (escaped) in ``pane`` as a ``danger``, ``success``, ``warning`` or ``info`` box."""
    pane.object = f'<div class="callout {_MESSAGE_KINDS.get(kind, "info")}" role="status">{escape(text)}</div>'
    pane.visible = True


def _ids_cell(cell: dict[str, Any]) -> str:
    shown = cell["all"] or cell["preview"]
    more = f" (+{cell['cut']})" if cell.get("cut") else ""
    ids = ", ".join(escape(i) for i in shown)
    return (f'<details><summary>{escape(cell["label"])}</summary><div class="ids">{ids}{escape(more)}</div>'
            "</details>")


def _table(block: Table, t: Translator) -> str:
    view = table_view(block, t)
    head = "".join(f"<th>{escape(c['label'])}</th>" for c in view["columns"])
    rows = []
    for row in view["rows"]:
        cells = []
        for column, cell in zip(view["columns"], row, strict=False):
            if cell.get("type") == "ids":
                cells.append(f"<td>{_ids_cell(cell)}</td>")
            else:
                cls = ' class="num"' if column["numeric"] else ""
                cells.append(f"<td{cls}>{escape(cell['text'])}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{escape(view['caption'])}</caption>" if view["caption"] else ""
    left = view["total"] - view["shown"]
    more = ""
    if left > 0:
        words = t._("%(n)s more rows are in the CSV files.") % {"n": t.format_number(left)}
        more = f'<p class="note">{escape(words)}</p>'
    return f'<table class="wb">{caption}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'


def block_html(block: Block, t: Translator) -> str:
    """One report block as HTML."""
    if isinstance(block, Paragraph):
        return "".join(f"<p>{escape(p)}</p>" for p in block.text.split("\n\n") if p.strip())
    if isinstance(block, Table):
        return _table(block, t)
    if isinstance(block, Callout):
        return callout(block.kind, block.text, t)
    if isinstance(block, Details):
        inner = "".join(block_html(b, t) for b in block.blocks)
        return f"<details><summary>{escape(block.title)}</summary>{inner}</details>"
    if isinstance(block, Image):
        data = block.data if isinstance(block.data, bytes) else str(block.data).encode("utf-8")
        src = f"data:{block.mime};base64,{base64.b64encode(data).decode('ascii')}"
        caption = f'<p class="note">{escape(block.caption)}</p>' if block.caption else ""
        return f'<img src="{src}" style="max-width: 100%;" alt="">{caption}'
    if isinstance(block, Html):
        return str(block.fragment)  # trusted: built by the report's own sections
    raise TypeError(f"unknown block type {type(block).__name__}")


def blocks_pane(blocks: Iterable[Block] | str, t: Translator, **kwargs: Any) -> pn.pane.HTML:
    """Blocks (or ready HTML) as one HTML pane with the pages' style."""
    text = blocks if isinstance(blocks, str) else "".join(block_html(b, t) for b in blocks)
    return pn.pane.HTML(text, stylesheets=[CSS], sizing_mode="stretch_width", **kwargs)


def section_card(section: Section, t: Translator, *, collapsed: bool = False) -> pn.Card:
    """A report section as a card: its intro, then its blocks."""
    intro = f"<p>{escape(section.intro)}</p>" if section.intro else ""
    body = intro + "".join(block_html(b, t) for b in section.blocks)
    return pn.Card(blocks_pane(body, t), title=section.title, collapsed=collapsed, sizing_mode="stretch_width",
                   name=section.id)


def card_html(title: str, body: str, *, collapsed: bool = False, name: str = "") -> str:
    """A folding card in plain HTML (``body`` is ready HTML): the browser opens and closes it, no server round trip."""
    ident = f' id="{escape(name)}"' if name else ""
    state = "" if collapsed else " open"
    return (f'<details class="card"{ident}{state}><summary>{escape(title)}</summary>'
            f'<div class="card-body">{body}</div></details>')


def section_html(section: Section, t: Translator, *, collapsed: bool = False) -> str:
    """A report section as a folding card in HTML: its intro, then its blocks."""
    intro = f"<p>{escape(section.intro)}</p>" if section.intro else ""
    body = intro + "".join(block_html(b, t) for b in section.blocks)
    return card_html(section.title, body, collapsed=collapsed, name=section.id)
