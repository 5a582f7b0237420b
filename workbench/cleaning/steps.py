"""Cleaning steps: pure functions, each returning a new frame and the findings it made."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.cleaning.quality import Finding
from workbench.config import LifecycleConfig
from workbench.schema import ACTIVITY, CASE_ID, LIFECYCLE, START_TIMESTAMP, TIMESTAMP

__all__ = [
    "drop_missing_ids",
    "apply_lifecycle",
    "rename_activities",
    "drop_exact_duplicates",
    "sort_within_cases",
    "single_event_cases",
]


def drop_missing_ids(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """Drop events without a case id or an activity (they cannot be placed in a case)."""
    findings = []
    out = frame.copy()
    for column in (CASE_ID, ACTIVITY):
        codes, uniques = pd.factorize(out[column])  # strip each distinct value once
        stripped = pd.Index(uniques).astype("string").str.strip()
        text = pd.Series(stripped.take(codes, allow_fill=True, fill_value=pd.NA), index=out.index, dtype="string")
        out[column] = text
        missing = text.isna() | (text == "")
        if missing.any():
            first = int(np.flatnonzero(missing.to_numpy())[0]) + 1
            findings.append(
                Finding(f"missing {column}", int(missing.sum()), "events", "dropped", f"first at row {first}")
            )
            out = out[~missing.to_numpy()]
        else:
            findings.append(Finding(f"missing {column}", 0, "events", "dropped"))
    return out, findings


def apply_lifecycle(frame: pd.DataFrame, config: LifecycleConfig) -> tuple[pd.DataFrame, list[Finding]]:
    """Use the lifecycle column as the config says (``ignore``, ``pair`` or ``append``)."""
    if config.mode == "ignore" or frame[LIFECYCLE].isna().all():
        return frame, []
    life = frame[LIFECYCLE].astype("string").str.strip()
    if config.mode == "append":
        out = frame.copy()
        has = life.notna() & (life != "")
        out.loc[has, ACTIVITY] = out.loc[has, ACTIVITY] + config.separator + life[has]
        return out, [Finding("activity labels combined with lifecycle", int(has.sum()), "events", "info",
                             f"activity{config.separator}lifecycle, e.g. "
                             f"{out.loc[has, ACTIVITY].iloc[0]!r}" if has.any() else "")]
    low = life.str.lower()
    starts = {s.lower() for s in config.start}
    completes = {c.lower() for c in config.complete}
    is_start = low.isin(starts).fillna(False).to_numpy()
    is_complete = low.isin(completes).fillna(False).to_numpy()
    other = ~(is_start | is_complete)
    findings: list[Finding] = []
    if other.any():
        values = life[other].fillna("(missing)").value_counts()
        shown = ", ".join(f"{v!r}: {n:,}" for v, n in values.head(5).items())
        findings.append(Finding("lifecycle transitions neither start nor complete", int(other.sum()), "events",
                                "dropped", shown))
    work = frame.loc[~other].copy()
    work["_start"] = is_start[~other]
    work["_pos"] = np.arange(len(work))
    work = work.sort_values([CASE_ID, ACTIVITY, TIMESTAMP, "_pos"], kind="mergesort")
    key = [work[CASE_ID], work[ACTIVITY]]
    work["_n_start"] = work["_start"].astype(int).groupby(key).cumsum()
    work["_n_complete"] = (~work["_start"]).astype(int).groupby(key).cumsum()
    starts_df = work[work["_start"]][[CASE_ID, ACTIVITY, "_n_start", TIMESTAMP]].rename(
        columns={"_n_start": "_k", TIMESTAMP: "_start_ts"}
    )
    comps = work[~work["_start"]].rename(columns={"_n_complete": "_k"})
    merged = comps.merge(starts_df, on=[CASE_ID, ACTIVITY, "_k"], how="left")
    valid = merged["_start_ts"].notna() & (merged["_start_ts"] <= merged[TIMESTAMP])
    merged[START_TIMESTAMP] = merged["_start_ts"].where(valid)
    unmatched_starts = len(starts_df) - int(valid.sum())
    no_start = int((~valid).sum())
    if unmatched_starts:
        findings.append(Finding("start events without a matching complete", unmatched_starts, "events", "dropped"))
    findings.append(Finding("complete events without a start (start_timestamp left empty)", no_start, "events",
                            "flagged"))
    merged = merged.sort_values("_pos", kind="mergesort")
    out = merged[list(frame.columns)].reset_index(drop=True)
    out[START_TIMESTAMP] = out[START_TIMESTAMP].astype("datetime64[ns, UTC]")
    return out, findings


def rename_activities(frame: pd.DataFrame, mapping: dict[str, str]) -> tuple[pd.DataFrame, list[Finding]]:
    """Rename activity labels (source label -> new label)."""
    if not mapping:
        return frame, []
    hit = frame[ACTIVITY].isin(list(mapping))
    out = frame.copy()
    out[ACTIVITY] = out[ACTIVITY].replace(mapping)
    unused = sorted(set(mapping) - set(frame[ACTIVITY].unique()))
    detail = f"labels in activity_map not in the log: {unused[:5]}" if unused else ""
    return out, [Finding("activities renamed", int(hit.sum()), "events", "info", detail)]


def drop_exact_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """Drop events identical in every column to an earlier event."""
    dup = frame.duplicated().to_numpy()
    return frame[~dup], [Finding("exact duplicate events", int(dup.sum()), "events", "dropped")]


def sort_within_cases(frame: pd.DataFrame, *, fix: bool) -> tuple[pd.DataFrame, list[Finding]]:
    """Sort events by case, then time (stable); count cases whose file order was not time order."""
    codes, _ = pd.factorize(frame[CASE_ID], sort=True)
    ts = frame[TIMESTAMP].to_numpy(dtype="datetime64[ns]")  # not objects: tz-aware to_numpy() boxes
    by_case = np.argsort(codes, kind="stable")  # file order kept within each case
    case, ts_case = codes[by_case], ts[by_case]
    same_case = np.r_[False, case[1:] == case[:-1]]
    backwards = same_case & np.r_[False, ts_case[1:] < ts_case[:-1]]
    n_cases = int(np.unique(case[backwards]).size)
    finding = Finding(
        "cases with events out of time order in the source", n_cases, "cases", "fixed" if fix else "flagged",
        "sorted by timestamp" if fix and n_cases else "",
    )
    order = np.lexsort((ts, codes)) if fix else by_case  # lexsort is stable: ties keep file order
    out = frame.iloc[order].reset_index(drop=True)
    return out, [finding]


def single_event_cases(frame: pd.DataFrame, *, drop: bool) -> tuple[pd.DataFrame, list[Finding]]:
    """Find cases with only one event (no flow to see); drop them if asked."""
    sizes = frame.groupby(CASE_ID, sort=False, observed=True)[ACTIVITY].transform("size")
    single = (sizes == 1).to_numpy()
    n = int(frame.loc[single, CASE_ID].nunique())
    out = frame[~single].reset_index(drop=True) if drop else frame
    return out, [Finding("cases with a single event", n, "cases", "dropped" if drop else "flagged")]


def consolidate_case_attributes(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[Finding]]:
    """Give every event of a case the case's attribute values.

    Logs often record case attributes on one event only (e.g. Sepsis on the
    registration event): the first non-missing value in the case is spread to all its
    events. Cases with more than one distinct value keep the first, and are flagged.
    """
    columns = [c for c in columns if c in frame.columns]
    if not columns:
        return frame, []
    out = frame.copy()
    findings = []
    grouped = out.groupby(CASE_ID, sort=False, observed=True)
    filled = 0
    for column in columns:
        first = grouped[column].transform("first")
        conflicts = int((grouped[column].transform("nunique") > 1).groupby(out[CASE_ID]).any().sum())
        filled += int((out[column].isna() & first.notna()).sum())
        out[column] = first
        if conflicts:
            findings.append(Finding(f"case attribute '{column}' changes within a case", conflicts, "cases",
                                    "fixed", "the first value in each case is used"))
    if filled:
        findings.append(Finding("case attribute values spread to every event of their case", filled, "values",
                                "fixed"))
    return out, findings
