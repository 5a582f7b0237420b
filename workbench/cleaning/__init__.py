"""Validate and clean an event log: pure functions and a data-quality report.

:func:`clean_log` runs the checks in a fixed order — missing ids, timestamps,
lifecycle, activity renaming, exact duplicates, ordering within cases, single-event
cases, empty log — and returns the cleaned canonical frame with a
:class:`DataQualityReport` of everything found and fixed.
"""

from __future__ import annotations

import pandas as pd

from workbench.cleaning._coded import CODED_TEXT, decoded, distinct_count, is_coded, object_values
from workbench.cleaning._source import HIDDEN_COLUMNS, source_helper_columns
from workbench.cleaning.quality import DataQualityReport, Finding
from workbench.cleaning.steps import (
    apply_lifecycle,
    consolidate_case_attributes,
    drop_exact_duplicates,
    drop_missing_ids,
    rename_activities,
    single_event_cases,
    sort_within_cases,
)
from workbench.cleaning.timestamps import (
    DATES_ONLY,
    DATES_ONLY_DETAIL,
    ParsedTimestamps,
    dates_only,
    parse_timestamps,
)
from workbench.config import LogConfig
from workbench.errors import EventLogError
from workbench.schema import ACTIVITY, CASE_ID, START_TIMESTAMP, TIMESTAMP

__all__ = [
    "clean_log",
    "decoded",
    "CODED_TEXT",
    "is_coded",
    "object_values",
    "DataQualityReport",
    "Finding",
    "parse_timestamps",
    "ParsedTimestamps",
    "source_helper_columns",
]


def _timestamp_findings(column: str, parsed: ParsedTimestamps) -> list[Finding]:
    findings = []
    if parsed.converted_offsets:
        findings.append(Finding(f"{column}: mixed UTC offsets converted to UTC", len(parsed.values), "values",
                                "fixed", "offsets " + ", ".join(parsed.converted_offsets)))
    if parsed.ambiguous:
        findings.append(Finding(f"{column}: local times in the repeated hour when clocks went back",
                                parsed.ambiguous, "values", "fixed", "read as the first (summer-time) occurrence"))
    if parsed.nonexistent:
        findings.append(Finding(f"{column}: local times in the hour skipped when clocks went forward",
                                parsed.nonexistent, "values", "fixed", "moved forward to the first valid time"))
    if parsed.localised_from and parsed.localised_from != "UTC":
        findings.append(Finding(f"{column}: time zone", 0, "values", "info",
                                f"local times in {parsed.localised_from} converted to UTC"))
    return findings


def _check_not_empty(frame: pd.DataFrame, events_read: int, source: str) -> None:
    if len(frame) == 0:
        raise EventLogError(
            f"the log is empty after cleaning: all {events_read:,} events of {source} were dropped; "
            "see the data-quality report (workbench validate)"
        )


def _all_text(values: pd.Series) -> bool:
    """A Categorical column of ``str`` categories with no missing value (``astype(str)`` changes nothing)."""
    return (isinstance(values.dtype, pd.CategoricalDtype) and not values.isna().any()
            and pd.api.types.infer_dtype(values.cat.categories, skipna=False) == "string")


def clean_log(
    frame: pd.DataFrame, config: LogConfig, *, source: str = "the log", decode: bool = True
) -> tuple[pd.DataFrame, DataQualityReport]:
    """Validate and clean a canonical frame (from :func:`workbench.io.mapping.to_canonical`).

    Returns a new frame (the input is not changed) and the data-quality report.
    ``decode=False`` leaves the text the CSV reader kept coded as Categorical columns
    (:func:`workbench.io.prepare_log` pseudonymises them on their codes, then calls
    :func:`decoded`); the values are the same.

    Raises
    ------
    EventLogError
        For problems that cannot be fixed without a guess: unparseable or mixed
        timestamps, and an empty log.
    """
    events_read = len(frame)
    coded = bool(frame.attrs.get(CODED_TEXT))  # text kept coded by the reader: decoded at the end
    if events_read == 0:
        raise EventLogError(f"the log is empty: {source} has no events; check the export or the filters")
    findings: list[Finding] = []
    out, f = drop_missing_ids(frame)
    findings += f
    if not config.cleaning.drop_missing_ids and any(x.count for x in f):
        bad = next(x for x in f if x.count)
        raise EventLogError(f"{bad.count:,} events have no {bad.check.split()[-1]} ({bad.detail}); fix the export")
    _check_not_empty(out, events_read, source)
    out.index = pd.RangeIndex(len(out))  # out is drop_missing_ids' own frame
    for column, required in ((TIMESTAMP, True), (START_TIMESTAMP, False)):
        if column == START_TIMESTAMP and config.columns.start_timestamp is None:
            out[column] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]")
            continue
        parsed = parse_timestamps(out[column], config.time, column=column, required=required)
        out[column] = pd.Series(parsed.values.astype("datetime64[ns, UTC]", copy=False).array, index=out.index)
        findings += _timestamp_findings(column, parsed)
        if column == TIMESTAMP and dates_only(out[column], config.time.timezone):
            findings.append(Finding(DATES_ONLY, len(out), "events", "info", DATES_ONLY_DETAIL))
    if config.columns.start_timestamp is not None:
        bad = out[START_TIMESTAMP].notna() & (out[START_TIMESTAMP] > out[TIMESTAMP])
        findings.append(Finding("start after end", int(bad.sum()), "events", "fixed",
                                "start_timestamp cleared" if bad.any() else ""))
        out.loc[bad, START_TIMESTAMP] = pd.NaT
    if coded and (config.lifecycle.mode != "ignore" or config.activity_map):
        out, coded = decoded(out), False  # the rarer steps work on the text itself
    out, f = apply_lifecycle(out, config.lifecycle)
    findings += f
    _check_not_empty(out, events_read, source)
    out, f = rename_activities(out, config.activity_map)
    findings += f
    if config.cleaning.drop_duplicates:
        out, f = drop_exact_duplicates(out, columns=config.duplicates.columns)
        findings += f
    out, f = sort_within_cases(out, fix=config.cleaning.sort_within_case, order=config.order,
                               closing=config.statuses.closed)
    findings += f
    out = out.copy(deep=False)
    for hidden in HIDDEN_COLUMNS:
        if hidden in out.columns:
            del out[hidden]
    out, f = consolidate_case_attributes(out, list(config.case_attributes), take=config.case_attribute_take)
    findings += f
    if config.complete_cases:
        findings.append(Finding("finished extract", 0, "cases", "info",
                                "complete_cases: true, so no case is treated as open"))
    out, f = single_event_cases(out, drop=config.cleaning.drop_single_event_cases)
    findings += f
    _check_not_empty(out, events_read, source)
    as_text = [CASE_ID, ACTIVITY]
    counts = None
    if coded:  # the columns as the text reader gives them; ids that are all text need no astype
        as_text = [c for c in as_text if not _all_text(out[c])]
        counts = None if as_text else (distinct_count(out[CASE_ID]), distinct_count(out[ACTIVITY]))
        out = decoded(out) if decode else decoded(out, as_text, keep_mark=True)
    for column in as_text:
        out[column] = out[column].astype(str)
    cases_kept, activities = counts or (int(out[CASE_ID].nunique()), int(out[ACTIVITY].nunique()))
    report = DataQualityReport(
        source=source,
        events_read=events_read,
        events_kept=len(out),
        cases_kept=cases_kept,
        activities=activities,
        first_event=out[TIMESTAMP].min(),
        last_event=out[TIMESTAMP].max(),
        findings=tuple(findings),
    )
    return out, report
