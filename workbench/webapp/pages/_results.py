"""A what-if run's result in words and tables: the model's verdict beside the figures, KPIs with 95% intervals,
per-team queues, per-group effects (small groups left out) and the process-change fairness verdict."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from workbench.i18n import N_, Translator
from workbench.report.model import Block, Callout, Html, Paragraph, Table
from workbench.report.sections import (
    ATTRIBUTES,
    KPI_NAMES,
    caution_callouts,
    fairness_section,
    interval_note,
    verdict,
    verdict_blocks,
)
from workbench.webapp.experiment import audit_from_records, verdict_from_dict

__all__ = ["result_blocks", "side_by_side", "GROUP_KPIS", "kpi_text"]

#: The per-group measures shown (message ids).
GROUP_KPIS = {"cycle_time_h": N_("Time to close a ticket (mean)"),
              "waiting_time_h": N_("Time waiting in team queues (mean)")}
TEAM_WAIT = "team_wait_h:"


def kpi_text(kpi: str, value: float, t: Translator, *, sign: bool = False) -> str:
    """A KPI's value: hours for the time measures, else a number."""
    if kpi.startswith(TEAM_WAIT) or KPI_NAMES.get(kpi, ("", "h"))[1] == "h" or kpi.endswith("_h"):
        return t.format_duration(value, unit="hours", sign=sign)
    return t.format_number(value, 1, sign=sign)


def _interval(kpi: str, lo: float, hi: float, t: Translator) -> str:
    return t._("%(low)s to %(high)s") % {"low": kpi_text(kpi, lo, t, sign=True), "high": kpi_text(kpi, hi, t, sign=True)}


def _words(kpi: str, row: pd.Series, t: Translator, threshold: float) -> str:
    if not (kpi.endswith("_h") or kpi.startswith(TEAM_WAIT)):
        lo, hi = float(row["ci_low"]), float(row["ci_high"])
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return t._("no interval")
        return t._("no clear change") if lo <= 0 <= hi else (t._("more") if lo > 0 else t._("fewer"))
    return verdict(float(row["baseline"]), float(row["difference"]), float(row["ci_low"]), float(row["ci_high"]),
                   threshold=threshold, t=t)[1]


def _kpi_frame(comp: pd.DataFrame, kpis: Sequence[str], names: Sequence[str], t: Translator, threshold: float,
               first: str) -> pd.DataFrame:
    rows = comp.set_index("kpi").loc[list(kpis)]
    return pd.DataFrame({
        first: list(names),
        t._("Today"): [kpi_text(k, v, t) for k, v in zip(kpis, rows["baseline"], strict=True)],
        t._("With the change"): [kpi_text(k, v, t) for k, v in zip(kpis, rows["scenario"], strict=True)],
        t._("Difference"): [kpi_text(k, v, t, sign=True) for k, v in zip(kpis, rows["difference"], strict=True)],
        t._("95%% interval") % {}: [_interval(k, lo, hi, t) for k, lo, hi in
                                    zip(kpis, rows["ci_low"], rows["ci_high"], strict=True)],
        t._("What it means"): [_words(k, r, t, threshold) for k, (_, r) in zip(kpis, rows.iterrows(), strict=True)],
    })


def result_blocks(result: dict[str, Any], t: Translator, *, min_group_size: int, threshold: float = 0.02
                  ) -> list[Block]:
    """Every block of one run's result, the model's verdict first."""
    blocks: list[Block] = []
    if result.get("verdict"):
        blocks.extend(verdict_blocks(verdict_from_dict(result["verdict"]), t))
    else:
        blocks.append(Callout("warning", t._("The simulation model was not checked against the log: treat its "
                                             "figures with care.")))
    comp = pd.DataFrame.from_records(result.get("comparison") or [])
    if len(comp):
        main = [k for k in KPI_NAMES if k in set(comp["kpi"])]
        blocks.append(Table(_kpi_frame(comp, main, [t.gettext(KPI_NAMES[k][0]) for k in main], t, threshold,
                                       t._("Measure")),
                            caption=t._("Today against the change, over %(n)s paired replications") % {
                                "n": t.format_number(result.get("replications", 0))}))
        blocks.append(interval_note(int(result.get("refits") or 0), t))
        if "mark" in comp.columns and comp["mark"].fillna("").astype(str).str.len().gt(0).any():
            blocks.append(Callout("flag", t._("The model was judged not usable: these figures are marked and "
                                              "should not be used for decisions.")))
        teams = sorted(k for k in comp["kpi"] if str(k).startswith(TEAM_WAIT))
        if teams:
            blocks.append(Table(_kpi_frame(comp, teams, [k.removeprefix(TEAM_WAIT) for k in teams], t, threshold,
                                           t._("Team")),
                                caption=t._("Time waiting in each team's queue, per ticket (all its pick-ups there)")))
    groups = pd.DataFrame.from_records(result.get("group_comparison") or [])
    if len(groups):
        shown = groups[groups["kpi"].isin(list(GROUP_KPIS))]
        small = shown["n_cases"].fillna(0) < min_group_size
        kept = shown[~small].sort_values(["attribute", "group", "kpi"])
        if len(kept):
            frame = pd.DataFrame({
                t._("Group"): [f"{t.gettext(ATTRIBUTES.get(str(a)) or str(a))}: {g}"
                             for a, g in zip(kept["attribute"], kept["group"], strict=True)],
                t._("Measure"): [t.gettext(GROUP_KPIS[k]) for k in kept["kpi"]],
                t._("Today"): [kpi_text(k, v, t) for k, v in zip(kept["kpi"], kept["baseline"], strict=True)],
                t._("With the change"): [kpi_text(k, v, t) for k, v in zip(kept["kpi"], kept["scenario"], strict=True)],
                t._("Difference (95%% interval)") % {}: [
                    f"{kpi_text(k, d, t, sign=True)} ({_interval(k, lo, hi, t)})" for k, d, lo, hi in
                    zip(kept["kpi"], kept["difference"], kept["ci_low"], kept["ci_high"], strict=True)],
            })
            blocks.append(Table(frame, caption=t._("The change per group of users"), max_rows=200))
        n_small = int(shown[small].drop_duplicates(["attribute", "group"]).shape[0])
        if n_small:
            blocks.append(Paragraph(t.ngettext("%(n)s group is too small to show.",
                                               "%(n)s groups are too small to show.", n_small) % {"n": n_small}))
    audit = audit_from_records(result.get("audit") or [], tuple(result.get("audit_notes") or ()))
    fair = fairness_section({"result": audit if len(audit.table) else None,
                             "note": "; ".join(result.get("audit_notes") or ())}, t)
    blocks.append(Html(f"<h3>{html.escape(fair.title)}</h3>"))
    blocks.extend(fair.blocks)
    # cautions in the reader's language; a run saved before they existed kept its notes in English
    blocks.extend(caution_callouts(result.get("cautions"), t))
    notes = [*(() if "cautions" in result else result.get("notes") or ()), *(result.get("warnings") or ())]
    if notes:
        blocks.append(Callout("warning", " ".join(notes)))
    return blocks


def side_by_side(results: Sequence[tuple[str, dict[str, Any]]], t: Translator) -> Table:
    """Two or more runs side by side: each KPI's difference from today, with its 95% interval."""
    kpis: list[str] = []
    columns: dict[str, list[str]] = {}
    for _, result in results:
        for row in result.get("comparison") or []:
            if row["kpi"] in KPI_NAMES and row["kpi"] not in kpis:
                kpis.append(row["kpi"])
    kpis = [k for k in KPI_NAMES if k in kpis]
    for label, result in results:
        by_kpi = {row["kpi"]: row for row in result.get("comparison") or []}
        columns[label] = [
            (f"{kpi_text(k, by_kpi[k]['difference'], t, sign=True)} "
             f"({_interval(k, by_kpi[k]['ci_low'], by_kpi[k]['ci_high'], t)})") if k in by_kpi else "\u2013"
            for k in kpis]
    today: list[str] = []
    for k in kpis:
        base = next((row["baseline"] for _, r in results for row in r.get("comparison") or [] if row["kpi"] == k),
                    float("nan"))
        today.append(kpi_text(k, base, t))
    frame = pd.DataFrame({t._("Measure"): [t.gettext(KPI_NAMES[k][0]) for k in kpis], t._("Today"): today,
                          **columns})
    return Table(frame, caption=t._("Difference from today (95%% interval), scenario by scenario") % {})
