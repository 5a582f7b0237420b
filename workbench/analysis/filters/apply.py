"""Applying a filter pipeline (see :mod:`workbench.analysis.filters.steps`) in its declared order.

The result keeps two views of the kept cases: :attr:`FilterResult.events`, what the
steps left (for the process map and the variants), and :attr:`FilterResult.case_events`,
every event of those cases as they were in the input (for the questions and the rules,
which judge whole tickets). An event filter that drops a ticket's ``Closed`` event
therefore changes its variant, never whether or when the ticket ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis._common import check_events, check_known
from workbench.analysis.filters.steps import (
    ActivityFilter,
    AttributeFilter,
    CaseDurationFilter,
    CaseIdFilter,
    FilterPipeline,
    FilterStep,
    FollowsFilter,
    ReworkFilter,
    TimeframeFilter,
    VariantFilter,
)
from workbench.analysis.variants import case_variants
from workbench.errors import ConfigError
from workbench.schema import ACTIVITY, CASE_ID, TIMESTAMP

__all__ = ["FilterResult", "apply_filters"]

REPORT_COLUMNS = ("step", "name", "type", "kind", "description", "cases_before", "events_before", "cases_kept",
                  "events_kept", "cases_removed", "events_removed")


@dataclass(frozen=True)
class FilterResult:
    """The filtered events and how many cases and events each step kept.

    ``report`` has one row per step (``step`` 0 is the input), with columns
    ``step``, ``name``, ``type``, ``kind`` (event/case), ``description``,
    ``cases_before``, ``events_before``, ``cases_kept``, ``events_kept``,
    ``cases_removed``, ``events_removed``.
    """

    events: pd.DataFrame
    report: pd.DataFrame
    #: every event of the kept cases, as in the input (the whole tickets)
    case_events: pd.DataFrame | None = None
    #: kept cases that event filters removed events from (sorted)
    cut_cases: tuple[str, ...] = ()
    #: the input log's latest timestamp: the end of the observation for open tickets
    as_of: pd.Timestamp | None = None

    @property
    def whole_cases(self) -> pd.DataFrame:
        """Every event of the kept cases (:attr:`case_events`, or :attr:`events` when not set)."""
        return self.case_events if self.case_events is not None else self.events

    def note(self) -> str:
        """One sentence on how the questions treat cases that event filters cut ("" when none were cut)."""
        if not self.cut_cases:
            return ""
        steps = [int(r.step) for r in self.report.itertuples(index=False) if r.kind == "event"]
        n_cases = int(self.events[CASE_ID].nunique())
        return (
            f"event filter step(s) {', '.join(map(str, steps))} removed events from {len(self.cut_cases):,} of the "
            f"{n_cases:,} cases kept; they shape the map and the variants, while the questions and rules judge each "
            "kept case with all its events (so a removed closing step does not make a finished case open)"
        )

    def lines(self) -> list[str]:
        """The report as short lines for a terminal."""
        out = []
        for r in self.report.itertuples(index=False):
            if r.step == 0:
                out.append(f"input: {r.cases_kept:,} cases, {r.events_kept:,} events")
            else:
                out.append(
                    f"step {r.step} ({r.kind} filter) {r.description}: kept {r.cases_kept:,} cases "
                    f"(-{r.cases_removed:,}), {r.events_kept:,} events (-{r.events_removed:,})"
                )
        return out


def apply_filters(events: pd.DataFrame, pipeline: FilterPipeline | Sequence[FilterStep]) -> FilterResult:
    """Apply the steps of ``pipeline`` in order; the caller's frame is not modified.

    Every activity or attribute a step names must exist in the input log (a
    :class:`~workbench.errors.ConfigError` lists what exists otherwise).
    """
    steps = tuple(pipeline.steps) if isinstance(pipeline, FilterPipeline) else tuple(pipeline)
    ev = check_events(events, what="filtering")
    for i, step in enumerate(steps, start=1):
        _validate(step, ev, i)
    rows = [_row(0, None, ev, ev)]
    current = ev
    for i, step in enumerate(steps, start=1):
        after = _apply(step, current)
        rows.append(_row(i, step, current, after))
        current = after
    report = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    kept = current[CASE_ID].unique()
    whole = ev[ev[CASE_ID].isin(kept)].reset_index(drop=True)
    per_case_before = whole.groupby(CASE_ID, sort=True).size()
    per_case_after = current.groupby(CASE_ID, sort=True).size().reindex(per_case_before.index)
    cut = tuple(str(c) for c in per_case_before.index[(per_case_after < per_case_before).to_numpy()])
    as_of = ev[TIMESTAMP].max() if len(ev) else None
    return FilterResult(events=current.reset_index(drop=True), report=report, case_events=whole, cut_cases=cut,
                        as_of=as_of)


def _row(i: int, step: FilterStep | None, before: pd.DataFrame, after: pd.DataFrame) -> dict[str, object]:
    cb, eb = int(before[CASE_ID].nunique()), len(before)
    ca, ea = int(after[CASE_ID].nunique()), len(after)
    return {
        "step": i,
        "name": (step.name or "") if step is not None else "input",
        "type": step.type if step is not None else "",
        "kind": step.kind if step is not None else "",
        "description": step.describe() if step is not None else "the log as loaded",
        "cases_before": cb,
        "events_before": eb,
        "cases_kept": ca,
        "events_kept": ea,
        "cases_removed": cb - ca,
        "events_removed": eb - ea,
    }


def _validate(step: FilterStep, ev: pd.DataFrame, i: int) -> None:
    where = f"filter step {i} ({step.type})"
    acts = ev[ACTIVITY].unique()
    if isinstance(step, ActivityFilter):
        check_known(step.activities, acts, what="activities", where=where)
    elif isinstance(step, FollowsFilter):
        check_known([step.a, step.b], acts, what="activities", where=where)
    elif isinstance(step, ReworkFilter):
        check_known(step.activities, acts, what="activities", where=where)
    elif isinstance(step, AttributeFilter):
        if step.attribute not in ev.columns:
            raise ConfigError(f"{where}: attribute '{step.attribute}' is not a column of the log; "
                              f"the log has: {', '.join(map(str, ev.columns))}")
        present = ev[step.attribute].dropna().unique()
        missing = [v for v in step.values if not _value_present(v, present)]
        if missing:
            shown = sorted(map(str, present))
            more = f", ... ({len(shown)} in all)" if len(shown) > 25 else ""
            raise ConfigError(f"{where}: value(s) {missing} of '{step.attribute}' not in the log; the log has: "
                              f"{', '.join(repr(v) for v in shown[:25])}{more}")


def _value_present(value: object, present: np.ndarray) -> bool:
    return any(value == p or str(value) == str(p) for p in present)


def _apply(step: FilterStep, ev: pd.DataFrame) -> pd.DataFrame:
    if ev.empty:
        return ev
    case = ev[CASE_ID]
    if isinstance(step, TimeframeFilter):
        lo, hi = step.bounds()
        ts = ev[TIMESTAMP]
        if step.mode == "events":
            return ev[(ts >= lo) & (ts < hi)]
        g = ts.groupby(case.to_numpy(), sort=False)
        first, last = g.transform("min"), g.transform("max")
        keep = {
            "contained": (first >= lo) & (last < hi),
            "intersecting": (first < hi) & (last >= lo),
            "started": (first >= lo) & (first < hi),
            "completed": (last >= lo) & (last < hi),
        }[step.mode]
        return ev[keep.to_numpy()]
    if isinstance(step, AttributeFilter):
        hit = _matches(ev[step.attribute], step.values)
        if step.level == "case":
            hit = _any_in_case(hit, case)
        return ev[hit == (step.action == "keep")]
    if isinstance(step, ActivityFilter):
        hit = ev[ACTIVITY].isin(step.activities).to_numpy()
        if step.level == "case":
            if step.match == "any":
                hit = _any_in_case(hit, case)
            else:
                present = pd.DataFrame({"c": case.to_numpy(), "a": ev[ACTIVITY].to_numpy()})[hit]
                n_present = present.drop_duplicates().groupby("c").size()
                full = n_present[n_present == len(set(step.activities))].index
                hit = case.isin(full).to_numpy()
        return ev[hit == (step.action == "keep")]
    if isinstance(step, VariantFilter):
        var = case_variants(ev)
        counts = var.value_counts()
        if step.top_k is not None:
            ranked = counts.rename("n").reset_index().sort_values(["n", "variant"], ascending=[False, True])
            chosen = set(ranked["variant"].head(step.top_k))
        elif step.min_count is not None:
            chosen = set(counts[counts >= step.min_count].index)
        else:
            chosen = set(counts[counts / counts.sum() >= step.min_share].index)
        cases_in = var.index[var.isin(chosen)]
        return _keep_cases(ev, cases_in, step.action)
    if isinstance(step, FollowsFilter):
        return _keep_cases(ev, _follows_cases(ev, step), step.action)
    if isinstance(step, CaseDurationFilter):
        g = ev[TIMESTAMP].groupby(case.to_numpy(), sort=False)
        hours = (g.transform("max") - g.transform("min")).dt.total_seconds() / 3600
        keep = np.ones(len(ev), dtype=bool)
        if step.min_hours is not None:
            keep &= (hours >= step.min_hours).to_numpy()
        if step.max_hours is not None:
            keep &= (hours <= step.max_hours).to_numpy()
        return ev[keep]
    if isinstance(step, ReworkFilter):
        sub = ev[ev[ACTIVITY].isin(step.activities)] if step.activities else ev
        counts = sub.groupby([sub[CASE_ID], sub[ACTIVITY]], sort=False).size()
        cases_in = counts[counts >= step.min_occurrences].index.get_level_values(0).unique()
        return _keep_cases(ev, cases_in, step.action)
    if isinstance(step, CaseIdFilter):
        if not step.ids:
            raise ConfigError(f"case_ids filter with file '{step.file}' was not read; build it with "
                              "CaseIdFilter.from_file or load the pipeline with load_filters")
        return _keep_cases(ev, pd.Index(step.ids), step.action)
    raise TypeError(f"unknown filter step {step!r}")  # pragma: no cover - the union is closed


def _matches(column: pd.Series, values: tuple[object, ...]) -> np.ndarray:
    hit = column.isin(list(values)).to_numpy()
    as_str = column.astype("string")
    return hit | as_str.isin([str(v) for v in values]).fillna(False).to_numpy(dtype=bool)


def _any_in_case(hit: np.ndarray, case: pd.Series) -> np.ndarray:
    return pd.Series(hit, index=case.index).groupby(case.to_numpy(), sort=False).transform("any").to_numpy()


def _keep_cases(ev: pd.DataFrame, cases: pd.Index | np.ndarray, action: str) -> pd.DataFrame:
    inside = ev[CASE_ID].isin(cases).to_numpy()
    return ev[inside == (action == "keep")]


def _follows_cases(ev: pd.DataFrame, step: FollowsFilter) -> pd.Index:
    case = ev[CASE_ID].to_numpy()
    act = ev[ACTIVITY].to_numpy()
    if step.relation == "directly":
        same = case[1:] == case[:-1]
        hit = same & (act[:-1] == step.a) & (act[1:] == step.b)
        return pd.Index(np.unique(case[:-1][hit]))
    pos = np.arange(len(ev))
    a_first = pd.Series(pos[act == step.a], index=case[act == step.a]).groupby(level=0).min()
    b_last = pd.Series(pos[act == step.b], index=case[act == step.b]).groupby(level=0).max()
    both = a_first.index.intersection(b_last.index)
    ok = b_last.reindex(both) > a_first.reindex(both)
    return both[ok.to_numpy()]
