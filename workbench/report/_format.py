"""Turning values into the short texts a reader sees: table cells, case-id lists, scenario figures.

Pure functions returning plain strings and small dicts; escaping is the template's job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import Translator
from workbench.report.blocks import Table
from workbench.report.summary import ScenarioChange

__all__ = ["format_cell", "format_float", "float_decimals", "column_label", "table_view", "change_view"]

MINUS = "\u2212"
DASH = "\u2013"
#: Case ids shown in a cell before the "show all" expander.
ID_PREVIEW = 3
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


_ACRONYMS = {
    "id": "ID",
    "ids": "IDs",
    "ci": "CI",
    "kpi": "KPI",
    "auc": "AUC",
    "mae": "MAE",
    "rmse": "RMSE",
    "sla": "SLA",
    "pp": "pp",
    "utc": "UTC",
}


def column_label(name: object) -> str:
    """``"median_hours"`` -> ``"Median hours"``, ``"ci_low"`` -> ``"CI low"``; other names unchanged."""
    text = str(name)
    if not _SNAKE.match(text):
        return text
    words = [_ACRONYMS.get(word, word) for word in text.split("_")]
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def float_decimals(values: Iterable[float]) -> int:
    """Decimals that show a column of floats consistently: 0 for whole numbers or >= 100, else 1-3."""
    finite = [float(v) for v in values if isinstance(v, (int, float, np.number)) and math.isfinite(float(v))]
    if not finite or all(v == int(v) for v in finite):
        return 0
    largest = max(abs(v) for v in finite)
    places = 0 if largest >= 100 else 1 if largest >= 10 else 2 if largest >= 1 else 3
    smallest = min((abs(v) for v in finite if v != 0), default=0.0)
    while places < 4 and 0 < smallest < 0.5 * 10**-places:
        places += 1
    return places


def format_float(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` places, thousands separators and a true minus sign."""
    if not math.isfinite(value):
        return DASH
    return f"{value:,.{decimals}f}".replace("-", MINUS)


def _number(value: float) -> str:
    if not math.isfinite(value):
        return DASH
    if value == int(value) and abs(value) < 1e15:
        text = f"{int(value):,}"
    elif abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    elif abs(value) >= 1:
        text = f"{value:.2f}"
    elif abs(value) >= 0.001:
        text = f"{value:.3f}"
    else:
        text = f"{value:.2g}"
    return text.replace("-", MINUS)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def format_cell(value: Any) -> str:
    """A value as a short text: numbers with separators, timestamps to the minute, lists joined."""
    if _is_missing(value):
        return DASH
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}".replace("-", MINUS)
    if isinstance(value, (float, np.floating)):
        return _number(float(value))
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_convert("UTC")
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M") + (" UTC" if value.tzinfo is not None else "")
    if isinstance(value, (pd.Timedelta, np.timedelta64)):
        return f"{_number(pd.Timedelta(value).total_seconds() / 3600)} h"
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        return ", ".join(format_cell(v) for v in list(value))
    return str(value)


def _ids(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        return [str(v) for v in list(value) if not _is_missing(v)]
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value if not _is_missing(v))
    if _is_missing(value):
        return []
    return [str(value)]


def _id_cell(value: Any, limit: int, t: Translator | None = None) -> dict[str, Any]:
    ids = _ids(value)
    t = t or Translator("en")
    return {
        "type": "ids",
        "count": len(ids),
        "label": t.ngettext("%(n)s case", "%(n)s cases", len(ids)) % {"n": t.format_number(len(ids))},
        "preview": ids[:ID_PREVIEW],
        "all": ids[:limit] if len(ids) > ID_PREVIEW else [],
        "cut": max(0, len(ids) - limit) if len(ids) > ID_PREVIEW else 0,
        "sort": len(ids),
    }


def _sort_key(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)) or _is_missing(value):
        return ""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value))
    if isinstance(value, pd.Timestamp):
        return repr(float(value.value))
    if isinstance(value, (pd.Timedelta, np.timedelta64)):
        return repr(pd.Timedelta(value).total_seconds())
    return ""


def formatted(value: Any, kind: str, t: Translator, timezone: str | None) -> str:
    """One value in one of :data:`~workbench.report.blocks.FORMATS`, in the translator's language."""
    if _is_missing(value):
        return DASH
    if kind == "text":
        return str(value)
    if kind in ("date", "datetime"):
        stamp = pd.Timestamp(value)
        if kind == "date":
            return t.format_date(stamp, timezone=timezone or "UTC")
        return t.format_datetime(stamp, timezone=timezone or "UTC")
    number = float(value)
    if kind == "count":
        return t.format_number(number, 0)
    if kind == "number":
        return t.format_number(number, 0 if abs(number) >= 100 else 1)
    if kind == "percent":
        return t.format_percent(number, 1)
    if kind == "points":
        return t.format_points(number)
    return t.format_duration(number)


def table_view(table: Table, t: Translator | None = None) -> dict[str, Any]:
    """Header, rows and notes of a :class:`Table`, ready for the template."""
    t = t or Translator("en")
    frame = table.frame
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    total = len(frame)
    shown = frame.iloc[: table.max_rows]
    numeric = [
        (pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype))
        or pd.api.types.is_timedelta64_dtype(dtype)
        for dtype in frame.dtypes
    ]
    columns = []
    for name, is_num in zip(frame.columns, numeric, strict=False):
        is_ids = table.case_id_column is not None and name == table.case_id_column
        columns.append({"name": name, "label": column_label(name), "numeric": bool(is_num) and not is_ids,
                        "ids": is_ids})
    decimals = [
        float_decimals(frame[name].tolist()) if pd.api.types.is_float_dtype(dtype) else None
        for name, dtype in zip(frame.columns, frame.dtypes, strict=False)
    ]
    rows = []
    for values in shown.itertuples(index=False, name=None):
        row = []
        for column, places, value in zip(columns, decimals, values, strict=False):
            if column["ids"]:
                row.append(_id_cell(value, table.max_case_ids, t))
            elif column["name"] in table.formats:
                kind = table.formats[column["name"]]
                row.append({"type": "text", "text": formatted(value, kind, t, table.timezone),
                            "sort": _sort_key(value)})
            elif t.language != "en" and places is not None and not _is_missing(value):
                row.append({"type": "text", "text": t.format_number(float(value), places), "sort": _sort_key(value)})
            elif t.language != "en" and isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                row.append({"type": "text", "text": t.format_number(int(value)), "sort": _sort_key(value)})
            elif isinstance(value, (bool, np.bool_)):
                row.append({"type": "text", "text": t._("yes") if value else t._("no"), "sort": ""})
            else:
                text = (
                    format_float(float(value), places)
                    if places is not None and not _is_missing(value)
                    else None
                )
                row.append({"type": "text", "text": text or format_cell(value), "sort": _sort_key(value)})
        rows.append(row)
    return {
        "caption": table.caption,
        "columns": columns,
        "rows": rows,
        "total": total,
        "shown": len(shown),
        "sortable": total == len(shown) and total > 1,
    }


def _scale(unit: str) -> tuple[float, str, str]:
    """(factor, value suffix, difference suffix) for a KPI unit."""
    if unit == "rate":
        return 100.0, "%", " pp"
    if unit == "%":
        return 1.0, "%", " pp"
    suffix = f" {unit}" if unit else ""
    return 1.0, suffix, suffix


def _decimals(values: Iterable[float]) -> int:
    finite = [abs(v) for v in values if math.isfinite(v)]
    largest = max(finite, default=0.0)
    return 0 if largest >= 100 else 1 if largest >= 1 else 2


def _fixed(value: float, decimals: int, *, signed: bool = False) -> str:
    if not math.isfinite(value):
        return DASH
    text = f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"
    if signed and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.replace("-", MINUS)


def change_view(change: ScenarioChange, t: Translator | None = None) -> dict[str, str]:
    """The texts of one scenario-change row: today, with the change, difference, interval."""
    t = t or Translator("en")
    if change.unit in ("h", "hours"):
        unit = "hours" if max(abs(change.baseline), abs(change.scenario_value)) < 48 else "days"

        def value(x: float, sign: bool = False) -> str:
            return t.format_duration(x, sign=sign, unit=unit)

        def diff(x: float) -> str:
            return t.format_duration(x, sign=True, unit="minutes" if abs(x) < 1 else "hours" if abs(x) < 48 else "days")
    elif change.unit in ("rate", "%"):
        factor = 1.0 if change.unit == "rate" else 0.01

        def value(x: float, sign: bool = False) -> str:
            return t.format_percent(x * factor, 1, sign=sign)

        def diff(x: float) -> str:
            return t.format_points(x * factor)
    else:
        places = _decimals((change.baseline, change.scenario_value))
        suffix = f" {change.unit}" if change.unit else ""

        def value(x: float, sign: bool = False) -> str:
            return t.format_number(x, places, sign=sign) + suffix

        def diff(x: float) -> str:
            d = places
            while d < 3 and x != 0 and math.isfinite(x) and abs(x) < 0.5 * 10**-d:
                d += 1
            return t.format_number(x, d, sign=True) + suffix
    lo, hi = change.ci_low, change.ci_high
    if math.isfinite(lo) and math.isfinite(hi):
        interval = t._("%(low)s to %(high)s") % {"low": diff(lo), "high": diff(hi)}
    else:
        interval = t._("no interval")
    return {
        "scenario": change.scenario,
        "kpi": change.kpi,
        "baseline": value(change.baseline),
        "scenario_value": value(change.scenario_value),
        "difference": diff(change.difference),
        "interval": interval,
        "verdict": change.verdict_text,
        "tone": change.tone,
    }
