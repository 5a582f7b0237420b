"""A small, consistent set of matplotlib charts for the report, returned as SVG text.

The charts are drawn on :class:`matplotlib.figure.Figure` objects created directly (not
through ``pyplot``), so they need no GUI backend, touch no global figure registry and
leave nothing open. matplotlib is imported inside the functions: importing
:mod:`workbench.report` does not import it.

Each chart returns SVG text for :class:`workbench.report.Image`::

    Image(interval_chart(frame, "team", "hours", "low", "high", title="Median time to close",
                         unit="h"), "image/svg+xml", "Per team, with 95% intervals")
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from workbench.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_to_svg", "interval_chart", "distribution_chart", "bar_chart", "PALETTE"]

#: Colours of the report's charts (colour-blind safe, calm): main, comparison, highlight, muted.
PALETTE = {
    "main": "#1f4e79",
    "compare": "#d9822b",
    "highlight": "#a3262a",
    "muted": "#8a96a3",
    "grid": "#e3e8ee",
}

_RC: Any = {
    "svg.hashsalt": "workbench-report",  # stable ids: the same chart gives the same SVG
    "svg.fonttype": "path",  # text as outlines: no font needed where the report is opened
    "font.family": ["DejaVu Sans"],
    "font.size": 9.5,
    "axes.edgecolor": "#b8c2cc",
    "axes.labelcolor": "#1f2a37",
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#5a6675",
    "ytick.color": "#1f2a37",
    "legend.frameon": False,
}


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def plot_to_svg(fig: Any) -> str:
    """A matplotlib figure as SVG text, then close it.

    The SVG carries no date and stable element ids, so the same figure gives the same
    text. A figure made with ``pyplot`` is closed through ``pyplot``; one made with
    :class:`matplotlib.figure.Figure` needs no closing.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    str
        The SVG document.
    """
    import matplotlib

    if not hasattr(fig, "savefig"):
        raise TypeError(f"plot_to_svg expects a matplotlib Figure, got {type(fig).__name__}")
    buffer = io.StringIO()
    try:
        with matplotlib.rc_context({"svg.hashsalt": _RC["svg.hashsalt"], "svg.fonttype": "path"}):
            fig.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None and getattr(fig.canvas, "manager", None) is not None:
            pyplot.close(fig)
    return buffer.getvalue()


def _finite(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    array = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").to_numpy(dtype=float)
    return array[np.isfinite(array)]


_UNIT_WORDS = {"h": "Hours", "d": "Days", "days": "Days", "min": "Minutes", "%": "Percent"}


def _unit_label(unit: str) -> str:
    return f" ({unit})" if unit else ""


def _rows(data: pd.DataFrame, label_col: str, highlight: Sequence[str]) -> tuple[list[str], list[str], np.ndarray]:
    """A horizontal chart's row labels, their colours (``highlight`` ones stand out) and y positions, top first."""
    labels = [str(v) for v in data[label_col]]
    marked = set(map(str, highlight))
    colors = [PALETTE["highlight"] if label in marked else PALETTE["main"] for label in labels]
    return labels, colors, np.arange(len(labels))[::-1]


def interval_chart(
    frame: pd.DataFrame,
    label_col: str,
    est_col: str,
    lo_col: str,
    hi_col: str,
    *,
    title: str,
    unit: str = "",
    reference: float | None = None,
    highlight: Sequence[str] = (),
    xlabel: str = "",
) -> str:
    """Estimates with their 95% intervals, one horizontal line per row.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per label (plotted top to bottom in frame order).
    label_col, est_col, lo_col, hi_col : str
        The label, estimate and interval columns. Rows with a missing estimate are left
        out; a missing bound draws the point without a bar.
    title, unit : str
        The chart title and the unit of the x axis.
    reference : float, optional
        Draws a vertical reference line (e.g. 0 for differences, the overall value).
    highlight : sequence of str
        Labels drawn in the highlight colour (e.g. flagged groups).
    xlabel : str, optional
        The x-axis label; default "Estimate with 95% interval (<unit>)".

    Returns
    -------
    str
        The chart as SVG text.
    """
    import matplotlib

    _check_columns(frame, (label_col, est_col, lo_col, hi_col), "interval_chart")
    data = frame[[label_col, est_col, lo_col, hi_col]].copy()
    for col in (est_col, lo_col, hi_col):
        data[col] = pd.to_numeric(data[col], errors="coerce")
    data = data[np.isfinite(data[est_col].to_numpy(dtype=float))]
    if data.empty:
        raise ConfigError(f"interval_chart {title!r}: no row has a finite {est_col!r}; nothing to draw")
    labels, colors, y = _rows(data, label_col, highlight)
    est = data[est_col].to_numpy(dtype=float)
    lo = np.where(np.isfinite(data[lo_col].to_numpy(dtype=float)), data[lo_col].to_numpy(dtype=float), est)
    hi = np.where(np.isfinite(data[hi_col].to_numpy(dtype=float)), data[hi_col].to_numpy(dtype=float), est)
    with matplotlib.rc_context(_RC):
        fig = _new_figure(8.4, 1.1 + 0.34 * len(labels))
        ax = fig.add_subplot()
        ax.hlines(y, np.minimum(lo, est), np.maximum(hi, est), colors=colors, linewidth=2.2, alpha=0.55)
        ax.scatter(est, y, color=colors, s=30, zorder=3)
        if reference is not None and math.isfinite(reference):
            ax.axvline(reference, color=PALETTE["muted"], linewidth=1, linestyle="--", zorder=1)
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.7, len(labels) - 0.3)
        ax.set_xlabel(xlabel or f"Estimate with 95% interval{_unit_label(unit)}")
        ax.set_title(title)
        ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        return plot_to_svg(fig)


def distribution_chart(
    baseline: Sequence[float],
    scenario: Sequence[float],
    *,
    title: str,
    unit: str = "",
    labels: tuple[str, str] = ("Today", "With the change"),
    bins: int = 40,
    clip_quantile: float = 0.99,
    xlabel: str = "",
) -> str:
    """Two distributions of a KPI (baseline vs scenario) as overlaid histograms, medians marked.

    Long tails are cut at ``clip_quantile`` of the pooled values; the values beyond are
    counted in the last bar and the axis label says so.

    Parameters
    ----------
    baseline, scenario : sequence of float
        The KPI values (e.g. case durations in hours); non-finite values are ignored.
    title, unit : str
        The chart title and the unit of the values.
    labels : (str, str)
        Legend names of the two distributions.
    bins : int
        Number of bars.
    clip_quantile : float in (0, 1]
        Upper cut of the axis.
    xlabel : str, optional
        The x-axis label; default the unit in words ("hours" for ``"h"``).

    Returns
    -------
    str
        The chart as SVG text.
    """
    import matplotlib

    base, scen = _finite(baseline), _finite(scenario)
    if base.size == 0 or scen.size == 0:
        raise ConfigError(
            f"distribution_chart {title!r}: baseline has {base.size} and scenario {scen.size} finite values; "
            "both need at least one"
        )
    if not 0 < clip_quantile <= 1:
        raise ConfigError(f"distribution_chart clip_quantile must be in (0, 1], got {clip_quantile!r}")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ConfigError(f"distribution_chart bins must be a positive integer, got {bins!r}")
    pooled = np.concatenate([base, scen])
    low, high = float(pooled.min()), float(np.quantile(pooled, clip_quantile))
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, bins + 1)
    clipped = int((pooled > high).sum())
    with matplotlib.rc_context(_RC):
        fig = _new_figure(8.4, 3.1)
        ax = fig.add_subplot()
        for values, label, color in (
            (base, labels[0], PALETTE["main"]),
            (scen, labels[1], PALETTE["compare"]),
        ):
            weights = np.full(values.size, 100.0 / values.size)
            # a light fill and a darker outline, so the overlap of the two scenarios stays visible
            styles: tuple[dict[str, Any], ...] = (
                {"histtype": "stepfilled", "alpha": 0.28, "linewidth": 0},
                {"histtype": "step", "linewidth": 1.4, "label": f"{label} (median {_short(np.median(values))}{_sp(unit)})"},
            )
            for style in styles:
                ax.hist(np.clip(values, low, high), bins=cast(Any, edges), weights=weights, color=color, **style)
            ax.axvline(float(np.median(values)), color=color, linewidth=1.3, linestyle="--")
        label = xlabel or _UNIT_WORDS.get(unit, unit)
        if clipped:
            label += f"  (the last bar includes {clipped:,} values above {_short(high)}{_sp(unit)})"
        ax.set_xlabel(label)
        ax.set_ylabel("Share of cases (%)")
        ax.set_title(title)
        ax.grid(axis="y", color=PALETTE["grid"], linewidth=0.8)
        ax.set_axisbelow(True)
        ax.legend(loc="upper right")
        return plot_to_svg(fig)


def bar_chart(
    frame: pd.DataFrame,
    label_col: str,
    value_col: str,
    *,
    title: str,
    unit: str = "",
    sort: bool = True,
    highlight: Sequence[str] = (),
    max_bars: int = 25,
) -> str:
    """A horizontal bar chart with the values written at the bars' ends.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per bar.
    label_col, value_col : str
        The label and value columns (rows with a missing value are left out).
    title, unit : str
        The chart title and the unit of the values.
    sort : bool, default True
        Largest bar on top; otherwise frame order, top to bottom.
    highlight : sequence of str
        Labels drawn in the highlight colour.
    max_bars : int, default 25
        Bars shown (after sorting); the title says when some were left out.

    Returns
    -------
    str
        The chart as SVG text.
    """
    import matplotlib

    _check_columns(frame, (label_col, value_col), "bar_chart")
    if isinstance(max_bars, bool) or not isinstance(max_bars, int) or max_bars < 1:
        raise ConfigError(f"bar_chart max_bars must be a positive integer, got {max_bars!r}")
    data = frame[[label_col, value_col]].copy()
    data[value_col] = pd.to_numeric(data[value_col], errors="coerce")
    data = data[np.isfinite(data[value_col].to_numpy(dtype=float))]
    if data.empty:
        raise ConfigError(f"bar_chart {title!r}: no row has a finite {value_col!r}; nothing to draw")
    if sort:
        data = data.sort_values(value_col, ascending=False, kind="stable")
    left_out = max(0, len(data) - max_bars)
    data = data.iloc[:max_bars]
    labels, colors, y = _rows(data, label_col, highlight)
    values = data[value_col].to_numpy(dtype=float)
    with matplotlib.rc_context(_RC):
        fig = _new_figure(8.4, 1.0 + 0.32 * len(labels))
        ax = fig.add_subplot()
        ax.barh(y, values, color=colors, height=0.62)
        span = float(np.nanmax(np.abs(values))) or 1.0
        for yi, value in zip(y, values, strict=False):
            ax.text(
                value + (0.01 * span if value >= 0 else -0.01 * span),
                yi,
                f"{_short(value)}{_sp(unit)}",
                va="center",
                ha="left" if value >= 0 else "right",
                fontsize=8.5,
                color="#1f2a37",
            )
        ax.set_yticks(y, labels)
        ax.set_xlim(min(0.0, float(values.min()) * 1.15), max(0.0, float(values.max()) * 1.15) or 1.0)
        ax.set_xlabel(unit)
        ax.set_title(title + (f" (top {max_bars}; {left_out} more not shown)" if left_out else ""))
        ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        return plot_to_svg(fig)


def _check_columns(frame: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(f"{where} expects a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"{where}: column(s) {missing} not in the frame (columns: {[str(c) for c in frame.columns]})"
        )


def _sp(unit: str) -> str:
    return f" {unit}" if unit and unit != "%" else unit


def _short(value: float) -> str:
    """A number in 2-3 significant figures, as a chart label."""
    value = float(value)
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
