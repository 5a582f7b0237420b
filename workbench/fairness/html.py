"""The audit as a self-contained HTML section: charts, verdicts in plain words, settings.

:func:`render_audit_html` returns an HTML *fragment* (one ``<section>``) that the
report stage can embed; :func:`render_audit_page` wraps it in a complete page. The
charts are matplotlib PNGs embedded as base64 ``data:`` URIs (no external files,
and no random ids, so the same audit renders to the same bytes).
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Mapping
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from workbench.fairness.result import AuditResult
from workbench.fairness.verdict import format_value

__all__ = ["disparity_chart", "render_audit_html", "render_audit_page"]

_TITLES = {
    "historical": "Existing disparities in the log (historical outcomes)",
    "model": "Model audit: is the model worse for some group?",
    "process": "Process-change audit: who gains and who loses under the scenario?",
}

_CSS = """
.wb-fairness{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;max-width:1100px}
.wb-fairness h2{margin-bottom:.2em}.wb-fairness h3{margin-top:1.6em;border-bottom:1px solid #ddd}
.wb-fairness .wb-verdict{padding:.6em .9em;border-radius:6px;font-weight:600;margin:.6em 0}
.wb-fairness .wb-flag{background:#fdecea;color:#8a1c12}.wb-fairness .wb-ok{background:#eaf6ec;color:#1d5e2a}
.wb-fairness figure{margin:.8em 0}.wb-fairness img{max-width:100%}
.wb-fairness ul.wb-verdicts{margin:.2em 0 1em 1em;padding:0}.wb-fairness ul.wb-verdicts li{margin:.2em 0}
.wb-fairness li.wb-flagged{color:#8a1c12;font-weight:600}.wb-fairness li.wb-suppressed{color:#777;font-style:italic}
.wb-fairness table.wb-settings{border-collapse:collapse;font-size:.9em}
.wb-fairness table.wb-settings td{border:1px solid #ddd;padding:.2em .5em;vertical-align:top}
.wb-fairness .wb-notes{color:#555;font-size:.92em}
"""


def _effect(row: pd.Series) -> tuple[float, float, float, str]:
    """(effect, low, high, axis label) in display units."""
    if row["compare"] == "ratio":
        return ((row["ratio"] - 1) * 100, (row["ratio_low"] - 1) * 100, (row["ratio_high"] - 1) * 100,
                "difference from the reference, %")
    scale = 100.0 if row["unit"] == "rate" else 1.0
    unit = {"rate": "percentage points", "h": "h", "d": "days"}.get(str(row["unit"]), "")
    return (row["difference"] * scale, row["difference_low"] * scale, row["difference_high"] * scale,
            f"difference from the reference{', ' + unit if unit else ''}")


def disparity_chart(part: pd.DataFrame, *, title: str) -> str:
    """A horizontal chart of each group's disparity and interval; returns a ``data:image/png`` URI.

    Flagged groups are red, the reference group is marked, suppressed groups are
    listed as suppressed (no figure), and the thresholds are dashed lines.
    """
    from matplotlib.figure import Figure

    n = len(part)
    fig = Figure(figsize=(7.5, 0.9 + 0.38 * n), dpi=100)
    ax = fig.subplots()
    labels = []
    xlabel = "difference from the reference"
    for i, (_, row) in enumerate(part.iloc[::-1].iterrows()):
        y = i
        if row["suppressed"]:
            labels.append(f"{row['group']} (suppressed)")
            continue
        eff, lo, hi, xlabel = _effect(row)
        est = format_value(float(row["estimate"]), str(row["unit"]))
        labels.append(f"{row['group']} ({est})" + (" [reference]" if row["is_reference"] else ""))
        colour = "#c0392b" if row["flagged"] else ("#2c7fb8" if not row["is_reference"] else "#555555")
        if np.isfinite(lo) and np.isfinite(hi) and not row["is_reference"]:
            ax.plot([lo, hi], [y, y], color=colour, linewidth=2.2, solid_capstyle="butt")
        if np.isfinite(eff):
            ax.plot([eff], [y], "o", color=colour, markersize=6)
    first = part.iloc[0]
    thr_scale = 100.0 if (first["compare"] == "ratio" or first["unit"] == "rate") else 1.0
    thr = float(first["threshold"]) * thr_scale
    ax.axvline(0, color="#999999", linewidth=1)
    if thr > 0:
        worse = first["worse_if"]
        if worse in ("higher", "either"):
            ax.axvline(thr, color="#c0392b", linestyle="--", linewidth=0.9)
        if worse in ("lower", "either"):
            ax.axvline(-thr, color="#c0392b", linestyle="--", linewidth=0.9)
    ax.set_yticks(range(n))
    ax.set_yticklabels(labels, fontsize=8.5)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#eeeeee")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _settings_table(settings: Mapping[str, Any]) -> str:
    rows = []
    for section, values in settings.items():
        if isinstance(values, Mapping):
            for key, value in values.items():
                shown = json.dumps(value, ensure_ascii=False, default=_json_default) if not isinstance(value, str) \
                    else value
                rows.append(f"<tr><td>{escape(str(section))}</td><td>{escape(str(key))}</td>"
                            f"<td>{escape(shown)}</td></tr>")
        else:
            rows.append(f"<tr><td>{escape(str(section))}</td><td></td><td>{escape(str(values))}</td></tr>")
    return "<table class=\"wb-settings\">" + "".join(rows) + "</table>"


def _json_default(value: object) -> object:
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else round(float(value), 4)
    if isinstance(value, np.integer):
        return int(value)
    return str(value)


def render_audit_html(result: AuditResult, *, title: str | None = "Fairness audit", charts: bool = True) -> str:
    """The audit as one self-contained ``<section>`` (HTML string) for embedding in a report.

    ``title=None`` leaves out the ``<h2>`` heading (when the report gives the section its own).
    """
    table = result.table
    out = [f"<section class=\"wb-fairness\"><style>{_CSS}</style>"]
    if title:
        out.append(f"<h2>{escape(title)}</h2>")
    flagged = result.flagged_rows
    if len(table) == 0:
        out.append("<p class=\"wb-verdict wb-ok\">Nothing was audited.</p>")
    elif len(flagged):
        n_groups = len(flagged.drop_duplicates(["audit", "attribute", "group"]))
        out.append(f"<p class=\"wb-verdict wb-flag\">{n_groups} group{'s' if n_groups != 1 else ''} flagged. "
                   f"{escape(result.summary())}.</p>")
        out.append("<ul class=\"wb-verdicts\">" + "".join(
            f"<li class=\"wb-flagged\">{escape(str(v))}</li>" for v in flagged["verdict"]) + "</ul>")
    else:
        out.append(f"<p class=\"wb-verdict wb-ok\">No group flagged. {escape(result.summary())}.</p>")
    if result.notes:
        out.append("<ul class=\"wb-notes\">" + "".join(f"<li>{escape(n)}</li>" for n in result.notes) + "</ul>")
    for audit, part_a in table.groupby("audit", sort=False):
        out.append(f"<h3>{escape(_TITLES.get(str(audit), str(audit)))}</h3>")
        for (attribute, _metric), part in part_a.groupby(["attribute", "metric"], sort=False):
            label = str(part["metric_label"].iloc[0])
            ref = str(part["reference"].iloc[0]) if audit != "process" else "baseline"
            heading = f"{label} by {attribute}"
            out.append(f"<h4>{escape(heading)}</h4>")
            if part["controlled_for"].iloc[0]:
                out.append(f"<p class=\"wb-notes\">Controlled for {escape(str(part['controlled_for'].iloc[0]))}: "
                           "groups are compared within the same strata.</p>")
            if charts:
                uri = disparity_chart(part, title=f"{heading} (vs {ref.split(' within ')[0]})")
                out.append(f"<figure><img alt=\"{escape(heading)}: estimate and {escape(_conf(result))} interval "
                           f"per group\" src=\"{uri}\"></figure>")
            items = []
            for _, row in part.iterrows():
                cls = "wb-flagged" if row["flagged"] else ("wb-suppressed" if row["suppressed"] else "")
                items.append(f"<li class=\"{cls}\">{escape(str(row['verdict']))}</li>")
            out.append("<ul class=\"wb-verdicts\">" + "".join(items) + "</ul>")
    out.append("<h3>Settings used</h3>")
    out.append(_settings_table(result.settings))
    out.append("<p class=\"wb-notes\">Groups smaller than the minimum size are suppressed (shown, without figures). "
               "A group is flagged only when the whole confidence interval of its disparity lies beyond the "
               "threshold; person identifiers are pseudonymised and staff are never audited as groups.</p>")
    out.append("</section>")
    return "\n".join(out)


def _conf(result: AuditResult) -> str:
    for values in result.settings.values():
        if isinstance(values, Mapping) and "confidence" in values:
            return f"{float(values['confidence']):.0%}"
    return "95%"


def render_audit_page(result: AuditResult, *, title: str = "Fairness audit") -> str:
    """A complete HTML page holding :func:`render_audit_html`."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"</head><body>\n{render_audit_html(result, title=title)}\n</body></html>\n")
