"""The staffing curve of a sweep in the report: the service measure over staff (or volume, or routing), with intervals.

:func:`sweep_sections` reads ``results["sweep"]`` -- ``{"result": SweepResult}``, and
``"answer": StaffAnswer`` when the smallest staffing was searched for, and ``"cautions"`` (see
:func:`~workbench.sweeps.sweep_cautions`) -- and returns the
section, or nothing when no sweep ran. The chart is drawn like the report's other charts
(:mod:`workbench.report.charts`): matplotlib without pyplot, SVG text, stable ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import Translator
from workbench.report.model import Block, Callout, Image, Paragraph, Section, Table
from workbench.report.sections._stages import caution_callouts

__all__ = ["sweep_sections", "sweep_section", "staffing_curve_chart", "curve_axis", "curve_measure"]

#: The axes a sweep varies, in the order the chart prefers them for its x axis.
AXES = ("staff", "volume", "routing_share")


def curve_axis(curve: pd.DataFrame) -> str:
    """The axis the sweep varied: staff when it did, else volume, else the routing share."""
    for axis in AXES:
        if axis in curve.columns and curve[axis].dropna().nunique() > 1:
            return axis
    return next((a for a in AXES if a in curve.columns and curve[a].notna().any()), "staff")


def curve_measure(curve: pd.DataFrame, target: Any | None) -> str:
    """The measure to draw: the target's, else the mean time to resolve, else the first one."""
    measures = list(dict.fromkeys(curve["measure"]))
    if target is not None and target.measure in measures:
        return str(target.measure)
    for preferred in ("resolution_time_h", "cycle_time_h"):
        if preferred in measures:
            return preferred
    return str(measures[0])


def staffing_curve_chart(
    curve: pd.DataFrame,
    *,
    measure: str,
    axis: str,
    title: str,
    xlabel: str,
    ylabel: str,
    target_value: float | None = None,
    target_label: str = "",
    answer: float | None = None,
    series_label: str = "",
) -> str:
    """The mean of ``measure`` at each point of ``axis`` with its 95% interval (a band and bars), as SVG.

    A second sweep axis (e.g. volume when staff is on the x axis) draws one line per value.
    ``target_value`` draws the target as a dashed line; ``answer`` rings the point found.
    """
    import matplotlib

    from workbench.report.charts import _RC, PALETTE, _new_figure, plot_to_svg

    rows = curve[curve["measure"] == measure].copy()
    rows = rows[np.isfinite(pd.to_numeric(rows["mean"], errors="coerce").to_numpy(dtype=float))]
    others = [a for a in AXES if a != axis and a in rows.columns and rows[a].dropna().nunique() > 1]
    colours = [PALETTE["main"], PALETTE["compare"], PALETTE["muted"], PALETTE["highlight"]]
    with matplotlib.rc_context(_RC):
        fig = _new_figure(8.4, 3.6)
        ax = fig.add_subplot()
        groups = list(rows.groupby(others, sort=True, dropna=False)) if others else [((), rows)]
        for i, (key, g) in enumerate(groups):
            g = g.sort_values(axis, kind="stable")
            x = g[axis].to_numpy(dtype=float)
            mean = g["mean"].to_numpy(dtype=float)
            lo = np.where(np.isfinite(g["ci_low"].to_numpy(dtype=float)), g["ci_low"].to_numpy(dtype=float), mean)
            hi = np.where(np.isfinite(g["ci_high"].to_numpy(dtype=float)), g["ci_high"].to_numpy(dtype=float), mean)
            colour = colours[i % len(colours)]
            values = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{a} {v:g}" for a, v in zip(others, values, strict=True)) if others else series_label
            ax.fill_between(x, lo, hi, color=colour, alpha=0.15, linewidth=0)
            ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], color=colour, marker="o", markersize=4.5,
                        linewidth=1.8, capsize=3, label=label or None)
        if target_value is not None and np.isfinite(target_value):
            ax.axhline(target_value, color=PALETTE["highlight"], linewidth=1.2, linestyle="--", label=target_label)
        if answer is not None:
            at = rows[rows[axis] == answer]
            if len(at):
                ax.scatter([answer] * len(at), at["mean"].to_numpy(dtype=float), s=160, facecolors="none",
                           edgecolors=PALETTE["highlight"], linewidths=1.8, zorder=4)
        if axis == "staff":
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(axis="y", color=PALETTE["grid"], linewidth=0.8)
        ax.set_axisbelow(True)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize=8.5)
        return plot_to_svg(fig)


def _is_share(measure: str) -> bool:
    return measure.startswith("resolved_within") or measure.startswith("utilisation")


def _value(measure: str, value: float, t: Translator) -> str:
    if not np.isfinite(value):
        return "–"
    if _is_share(measure):
        return t.format_percent(value)
    return t.format_number(value, 1)


def sweep_section(sweep: Mapping[str, Any], t: Translator) -> Section:
    """The section: the curve with intervals, the answer to the staffing question, and the points as a table."""
    result = sweep["result"]
    answer = sweep.get("answer")
    target = result.target
    curve = result.curve
    axis = curve_axis(curve)
    measure = curve_measure(curve, target)
    team = result.settings.get("team") or ""
    axis_words = {"staff": t._("Staff in %(team)s") % {"team": team} if team else t._("Staff"),
                  "volume": t._("Ticket volume (1 = today)"), "routing_share": t._("Routing share")}
    blocks: list[Block] = [Paragraph(
        t._("Each point was simulated %(n)s times with the same arriving tickets; the band and the bars are the "
            "95%% interval of the mean.") % {"n": result.settings.get("replications", "")})]
    if answer is not None:
        if answer.staff is None:
            blocks.append(Callout("flag", t._(
                "No staffing of %(team)s from %(low)s to %(high)s meets the target %(target)s; with %(high)s people "
                "the measure is %(mean)s (95%% interval %(ci_low)s to %(ci_high)s).") % {
                "team": answer.team, "low": answer.low, "high": answer.high, "target": str(answer.target),
                "mean": _value(measure, answer.mean, t), "ci_low": _value(measure, answer.ci_low, t),
                "ci_high": _value(measure, answer.ci_high, t)}))
        else:
            blocks.append(Callout("ok", t._(
                "The smallest staffing of %(team)s that meets the target %(target)s is %(staff)s people: the measure "
                "is then %(mean)s (95%% interval %(ci_low)s to %(ci_high)s).") % {
                "team": answer.team, "target": str(answer.target), "staff": answer.staff,
                "mean": _value(measure, answer.mean, t), "ci_low": _value(measure, answer.ci_low, t),
                "ci_high": _value(measure, answer.ci_high, t)}))
    blocks.extend(caution_callouts(sweep.get("cautions"), t))
    target_value = target.value if target is not None and target.measure == measure else None
    svg = staffing_curve_chart(
        curve, measure=measure, axis=axis, title=t._("The service measure against %(axis)s") % {
            "axis": axis_words[axis].lower() if axis != "staff" else axis_words[axis]},
        xlabel=axis_words[axis], ylabel=measure, target_value=target_value,
        target_label=t._("Target %(target)s") % {"target": str(target)} if target_value is not None else "",
        answer=float(answer.staff) if answer is not None and answer.staff is not None else None,
    )
    blocks.append(Image(svg, caption=t._("Dot: the mean over the replications; band and bars: its 95%% interval; "
                                         "dashed line: the target.") % {}))
    rows = curve[curve["measure"] == measure].sort_values([a for a in AXES if a in curve.columns], kind="stable")
    frame = pd.DataFrame({axis_words[a]: rows[a].to_numpy() for a in AXES
                          if a in rows.columns and rows[a].notna().any()})
    frame[t._("Mean")] = [_value(measure, v, t) for v in rows["mean"]]
    frame[t._("95%% interval") % {}] = [t._("%(low)s to %(high)s") % {"low": _value(measure, lo, t),
                                                                      "high": _value(measure, hi, t)}
                                        for lo, hi in zip(rows["ci_low"], rows["ci_high"], strict=True)]
    if "meets" in rows.columns and target_value is not None:
        frame[t._("Meets the target")] = [
            t._("surely") if bool(s) else t._("on average") if bool(m) else t._("no")
            for m, s in zip(rows["meets"].fillna(False), rows["meets_surely"].fillna(False), strict=True)]
    blocks.append(Table(frame, caption=t._("Every point of the sweep (%(measure)s)") % {"measure": measure}))
    return Section("staffing-sweep", t._("Staffing curve"),
                   t._("How the service measure changes with the number of people, simulated on your own desk."),
                   tuple(blocks))


def sweep_sections(results: Mapping[str, Any], t: Translator) -> tuple[Section, ...]:
    """The sweep's section when ``results`` holds a sweep (``results["sweep"]["result"]``), else none."""
    sweep = results.get("sweep")
    if not sweep or sweep.get("result") is None:
        return ()
    return (sweep_section(sweep, t),)
