"""Cleaning steps: pure functions, each returning a new frame and the findings it made."""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.cleaning._coded import category_codes, object_values
from workbench.cleaning._source import SOURCE_ROW, TIE_BREAK, _countable
from workbench.cleaning.quality import Finding
from workbench.config import AttributeTake, LifecycleConfig, OrderConfig
from workbench.schema import ACTIVITY, CASE_ID, LIFECYCLE, START_TIMESTAMP, TIMESTAMP

__all__ = [
    "drop_missing_ids",
    "apply_lifecycle",
    "rename_activities",
    "drop_exact_duplicates",
    "sort_within_cases",
    "single_event_cases",
]


def _renumbered(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a new frame from a take or a filter) with the index 0..n-1, without another copy."""
    frame.index = pd.RangeIndex(len(frame))
    return frame


def _in_order(frame: pd.DataFrame, order: np.ndarray | None) -> pd.DataFrame:
    """``frame``'s rows in ``order`` (``None``: file order), index 0..n-1; no copy when the order is the file's."""
    if order is None or bool((order == np.arange(len(order))).all()):
        return _renumbered(frame.copy(deep=False))
    return _renumbered(frame.take(order))


def drop_missing_ids(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """Drop events without a case id or an activity (they cannot be placed in a case)."""
    findings = []
    out = frame.copy(deep=False)  # columns are replaced, never written into: the caller's frame is not changed
    for column in (CASE_ID, ACTIVITY):
        if category_codes(out[column]) is not None:
            missing, out[column] = _stripped_categories(out[column])
        else:
            missing = _stripped_objects(out, column)
        if missing.any():
            first = int(np.flatnonzero(missing)[0]) + 1
            findings.append(
                Finding(f"missing {column}", int(missing.sum()), "events", "dropped", f"first at row {first}")
            )
            out = out[~missing]
        else:
            findings.append(Finding(f"missing {column}", 0, "events", "dropped"))
    return out, findings


def _stripped_categories(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Which rows of a Categorical text column are missing or blank, and the column with its texts stripped."""
    codes, _ = category_codes(values)  # type: ignore[misc]
    categories = values.cat.categories
    texts = np.asarray(categories, dtype=object)
    if pd.api.types.infer_dtype(texts, skipna=False) == "string":  # each distinct text stripped once
        stripped = list(map(str.strip, texts))
        if all(map(operator.is_, stripped, texts)):  # ``str.strip`` gives the text itself when nothing is stripped
            blank = codes == -1  # nothing to strip: the column as it was; only the empty text is blank
            if "" in categories:
                blank |= codes == categories.get_loc("")
            return blank, values
        stripped_values = np.array([*stripped, ""], dtype=object)[:-1]
    else:
        stripped_values = pd.Index(categories).astype("string").str.strip().to_numpy(dtype=object, na_value=pd.NA)
    missing = np.append(stripped_values == "", True)[codes]  # code -1: missing
    new_codes, texts = pd.factorize(stripped_values)  # stripping can make two texts one
    recoded = pd.Categorical.from_codes(np.append(new_codes, -1)[codes],
                                        dtype=pd.CategoricalDtype(pd.Index(texts, dtype=object)), validate=False)
    return missing, pd.Series(recoded, index=values.index)


def _stripped_objects(out: pd.DataFrame, column: str) -> np.ndarray:
    """Which rows of a text column are missing or blank; replaces the column of ``out`` by its stripped texts."""
    codes, uniques = pd.factorize(out[column])  # strip each distinct value once
    stripped = pd.Index(uniques).astype("string").str.strip()
    blank = np.append((stripped == "").to_numpy(dtype=bool, na_value=True), True)  # code -1: missing
    missing = pd.Series(blank[codes], index=out.index)
    stripped_values = stripped.to_numpy(dtype=object, na_value=pd.NA)
    if not (out[column].dtype == object and pd.api.types.infer_dtype(uniques, skipna=False) == "string"
            and np.array_equal(np.asarray(uniques, dtype=object), stripped_values)):  # else: text as it was
        out[column] = pd.Series(np.append(stripped_values, pd.NA)[codes], index=out.index, dtype=object)
    return missing.to_numpy()


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
    out = frame.copy(deep=False)
    out[ACTIVITY] = out[ACTIVITY].replace(mapping)
    unused = sorted(set(mapping) - set(frame[ACTIVITY].unique()))
    detail = f"labels in activity_map not in the log: {unused[:5]}" if unused else ""
    return out, [Finding("activities renamed", int(hit.sum()), "events", "info", detail)]


def _repeated(key: np.ndarray) -> np.ndarray:
    """``Series(key).duplicated()``: true for each row whose key an earlier row holds.

    The source-row keys are numbers below the number of rows read, so when no key is
    held twice (the usual export) counting them says so without hashing.
    """
    if len(key) and int(key.max()) < _countable(len(key)):
        if not (np.bincount(key.view(np.int64) if key.dtype == np.uint64 else key) > 1).any():
            return np.zeros(len(key), dtype=bool)
    return pd.Series(key).duplicated().to_numpy()


def drop_exact_duplicates(frame: pd.DataFrame, *, columns: Sequence[str] | None = None) -> tuple[pd.DataFrame, list[Finding]]:
    """Drop events identical to an earlier event.

    With the hidden source-row key (from mapping) rows are compared on every column of
    the source row, or on ``columns`` (source names) when given; without it, on every
    column of ``frame``. The finding says which.
    """
    if SOURCE_ROW in frame.columns:
        dup = _repeated(frame[SOURCE_ROW].to_numpy())
        judged = (f"judged on the source columns {', '.join(columns)}" if columns is not None
                  else "judged on all columns of the source row")
    else:
        dup = frame.duplicated().to_numpy()
        judged = "judged on the mapped columns"
    kept = frame[~dup] if dup.any() else frame
    return kept, [Finding("exact duplicate events", int(dup.sum()), "events", "dropped", judged)]


def _tie_rank(values: pd.Series) -> np.ndarray:
    """Dense ranks of the tie-break values: numbers as numbers, else text; missing last."""
    present = values.notna()
    numbers = pd.to_numeric(values, errors="coerce")
    usable = numbers if bool((numbers.notna() == present).all()) else values.astype("string").mask(~present)
    return usable.rank(method="dense", na_option="bottom").to_numpy(dtype=float)


def _activity_rank(activity: pd.Series, order: OrderConfig, closing: Sequence[str]) -> tuple[np.ndarray, str]:
    if order.activity_order:
        listed = list(order.activity_order)
        unlisted = listed.index("*") if "*" in listed else -1
        rank = {a: i for i, a in enumerate(listed) if a != "*"}
        values = activity.astype(str).map(rank).fillna(unlisted).to_numpy(dtype=float)
        return values, "activity_order " + ", ".join(listed)
    values = activity.astype(str).isin(list(closing)).to_numpy(dtype=float)
    return values, "closing statuses last" if closing else "file order"


def _tie_rule(order: OrderConfig, closing: Sequence[str], *, tie_column: bool) -> str:
    """How events of a case sharing a timestamp are ordered, in words (for the findings)."""
    if order.activity_order:
        rule = "activity_order " + ", ".join(order.activity_order)
    else:
        rule = "closing statuses last" if closing else "file order"
    return f"column '{order.tie_break}', then " + rule if tie_column else rule


def _sorted_codes(values: pd.Series) -> np.ndarray:
    """Codes whose order is the values' order (``pd.factorize(values, sort=True)``); from the codes when coded.

    The codes of coded text are ranked by their texts in code point order, the order
    ``sort=True`` gives ``str`` objects (UTF-8 bytes sort the same way); they need not be
    consecutive, only ordered and equal exactly when the values are.
    """
    coded = category_codes(values)
    categories = values.cat.categories if coded is not None else None
    if coded is None or pd.api.types.infer_dtype(categories, skipna=False) != "string":
        return pd.factorize(values, sort=True)[0]
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, width = coded
    texts = pa.array(np.asarray(categories, dtype=object), type=pa.string())
    if width < 2 or pc.all(pc.less(texts[:-1], texts[1:])).as_py():  # already in order: a file sorted by case
        return codes.astype(np.int64)  # (UTF-8 bytes compare as code points do; -1 stays -1)
    rank = np.empty(width + 1, dtype=np.int64)
    rank[np.asarray(pc.sort_indices(texts))] = np.arange(width)
    rank[width] = -1  # code -1 (missing) stays -1, as factorize gives it
    return rank[codes]


def sort_within_cases(
    frame: pd.DataFrame, *, fix: bool, order: OrderConfig | None = None, closing: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[Finding]]:
    """Sort events by case, time, then the tie-breaks; count cases whose file order was not time order.

    Events of a case with the same timestamp are ordered by the ``order.tie_break``
    column (the hidden tie-break column from mapping), then by ``order.activity_order``
    or, without one, with the ``closing`` statuses last, then by file order.
    """
    order = order or OrderConfig()
    codes = _sorted_codes(frame[CASE_ID])
    ts = frame[TIMESTAMP].to_numpy(dtype="datetime64[ns]")  # not objects: tz-aware to_numpy() boxes
    cases_in_order = bool((codes[1:] >= codes[:-1]).all())  # often so: exports are sorted by case
    # an order of None is the file's order: the arrays are used as they are, not copied by a take
    by_case = None if cases_in_order else np.argsort(codes, kind="stable")  # file order within a case
    case, ts_case = (codes, ts) if by_case is None else (codes[by_case], ts[by_case])
    same_case = np.r_[False, case[1:] == case[:-1]]
    backwards = same_case & np.r_[False, ts_case[1:] < ts_case[:-1]]
    n_cases = int(np.unique(case[backwards]).size)
    findings = [Finding(
        "cases with events out of time order in the source", n_cases, "cases", "fixed" if fix else "flagged",
        "sorted by timestamp" if fix and n_cases else "",
    )]
    if not fix:
        return _in_order(frame, by_case), findings
    rule = _tie_rule(order, closing, tie_column=TIE_BREAK in frame.columns)
    # lexsort is stable: ties keep file order; a file already in case and time order is its own order
    in_time_order = cases_in_order and not backwards.any() and not np.isnat(ts).any()
    time_order = by_case if in_time_order else np.lexsort((ts, codes))
    case_sorted, ts_sorted = (codes, ts) if time_order is None else (codes[time_order], ts[time_order])
    tie_next = (case_sorted[1:] == case_sorted[:-1]) & (ts_sorted[1:] == ts_sorted[:-1])
    n_tied = int(np.unique(case_sorted[1:][tie_next]).size)
    full_order = time_order
    if n_tied:  # the tie-breaks reorder only the runs of events of a case sharing a timestamp
        at = np.flatnonzero(np.r_[tie_next, False] | np.r_[False, tie_next])  # positions in time order
        run = np.cumsum(~np.r_[False, tie_next][at])  # which run each position belongs to
        full_order = np.arange(len(codes)) if time_order is None else time_order.copy()
        rows = full_order[at]  # in file order within each run (lexsort is stable)
        keys = [_activity_rank(frame[ACTIVITY].iloc[rows], order, closing)[0]]
        if TIE_BREAK in frame.columns:  # ranked on the whole column: numbers or text is decided on all values
            keys.insert(0, _tie_rank(frame[TIE_BREAK].reset_index(drop=True))[rows])
        full_order[at] = rows[np.lexsort((*reversed(keys), run))]  # stable: file order is the last resort
    out = _in_order(frame, full_order)
    n_moved = 0
    if full_order is not None and full_order is not time_order:
        moved = full_order != (np.arange(len(codes)) if time_order is None else time_order)
        n_moved = int(np.unique(codes[full_order[moved]]).size)
    findings.append(Finding("cases with events sharing a timestamp", n_tied, "cases", "info",
                            f"{n_tied:,} cases, such events ordered by {rule}" if n_tied else ""))
    if n_moved:
        findings.append(Finding("cases whose same-timestamp events were reordered", n_moved, "cases", "fixed",
                                f"ordered by {rule}, not file order"))
    return out, findings


def single_event_cases(frame: pd.DataFrame, *, drop: bool) -> tuple[pd.DataFrame, list[Finding]]:
    """Find cases with only one event (no flow to see); drop them if asked."""
    coded = category_codes(frame[CASE_ID])
    if coded is not None and not (coded[0] < 0).any():  # case sizes by counting the codes
        sizes_by_code = np.bincount(coded[0], minlength=coded[1])
        single = sizes_by_code[coded[0]] == 1
        n = int((sizes_by_code == 1).sum())
    else:
        sizes = frame.groupby(CASE_ID, sort=False, observed=True)[ACTIVITY].transform("size")
        single = (sizes == 1).to_numpy()
        n = int(frame.loc[single, CASE_ID].nunique())
    if not drop:
        out = frame
    elif single.any():
        out = _renumbered(frame[~single])
    else:
        out = _renumbered(frame.copy(deep=False))
    return out, [Finding("cases with a single event", n, "cases", "dropped" if drop else "flagged")]


def _cases_with_several_values(case_codes: np.ndarray, values: pd.Series) -> tuple[int, bool]:
    """How many cases hold more than one distinct (non-missing) value of ``values``, and whether any is missing."""
    coded = category_codes(values)
    if coded is None:
        codes, uniques = pd.factorize(values)
        width = len(uniques)
    else:
        codes, width = coded
    present = codes >= 0
    if not width or not present.any():
        return 0, True
    everywhere = bool(present.all())
    cases = (case_codes if everywhere else case_codes[present]).astype(np.int64)
    n_cases = int(cases.max()) + 1
    pairs = cases * width + (codes if everywhere else codes[present])
    if n_cases * width <= 4 * len(pairs) + 2**16:  # few (case, value) pairs possible: mark them, no sort
        seen = np.zeros(n_cases * width, dtype=bool)
        seen[pairs] = True
        per_case = np.count_nonzero(seen.reshape(n_cases, width), axis=1)
    else:
        per_case = np.bincount(np.unique(pairs) // width)
    return int((per_case > 1).sum()), not everywhere


_TAKE_DETAIL = {
    "first": "the first value in each case is used; set take: last or event in case_attributes to choose",
    "last": "the last value in each case is used (take: last)",
    "event": "each event keeps the value known at that moment (take: event)",
}


def consolidate_case_attributes(
    frame: pd.DataFrame, columns: list[str], *, take: Mapping[str, AttributeTake] | None = None
) -> tuple[pd.DataFrame, list[Finding]]:
    """Give every event of a case the case's attribute values, as ``take`` says per attribute.

    Logs often record case attributes on one event only (e.g. Sepsis on the
    registration event). ``first`` (default) spreads the first non-missing value in the
    case to all its events, ``last`` the last one; ``event`` carries each value forward
    to the following events of the case (the value known at each event). Cases whose
    value changes are counted in a finding that says which value is used.
    """
    columns = [c for c in columns if c in frame.columns]
    if not columns:
        return frame, []
    take = take or {}
    out = frame.copy(deep=False)
    findings = []
    coded = category_codes(out[CASE_ID])  # equal codes, equal case ids: enough to count values per case
    grouped = None  # built only where needed: grouping a Categorical rebuilds its dtype
    if coded is not None:
        case_codes = coded[0]
    else:
        grouped = out.groupby(CASE_ID, sort=False, observed=True)
        case_codes = grouped.ngroup().to_numpy(dtype=np.int64)
    filled = 0
    for column in columns:
        how = take.get(column, "first")
        conflicts, some_missing = _cases_with_several_values(case_codes, out[column])
        if conflicts or some_missing:  # else every event already holds its case's one value: nothing to spread
            if category_codes(out[column]) is not None:  # spread as text, as in the text reader's column
                text = pd.Series(object_values(out[column]), index=out.index)
                by = text.groupby(out[CASE_ID], sort=False, observed=True)
            else:
                grouped = grouped if grouped is not None else out.groupby(CASE_ID, sort=False, observed=True)
                by = grouped[column]
            spread = by.ffill() if how == "event" else by.transform(how)
            filled += int((out[column].isna() & spread.notna()).sum())
            out[column] = spread
        if conflicts:
            findings.append(Finding(f"case attribute '{column}' changes within a case", conflicts, "cases",
                                    "fixed", _TAKE_DETAIL[how]))
    if filled:
        findings.append(Finding("case attribute values spread to every event of their case", filled, "values",
                                "fixed"))
    return out, findings
