"""Shared helpers of the analysis package: input checks, status look-ups, durations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.config import StatusMeanings
from workbench.errors import ConfigError
from workbench.schema import ACTIVITY, CASE_ID, TEAM, TIMESTAMP, check_canonical

__all__ = [
    "MissingStatusError",
    "check_events",
    "require_statuses",
    "optional_statuses",
    "first_team_fallback",
    "has_teams",
    "require_teams",
    "check_known",
    "hours",
    "team_per_event",
    "case_position",
    "fill_index",
]

_HOUR_NS = 3_600_000_000_000


class MissingStatusError(ConfigError):
    """A question needs a ``statuses.<key>`` mapping the log config does not give."""

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


def first_team_fallback(statuses: StatusMeanings) -> tuple[str, ...]:
    """The note of a question that, with no first-line team mapped, takes each ticket's first team as it."""
    if statuses.first_line_team:
        return ()
    return ("no 'statuses.first_line_team' mapped: each ticket's first team is taken as its first line",)


#: The placeholder team of a log without a team column (time split only).
NO_TEAM = "(no team column)"


def has_teams(events: pd.DataFrame) -> bool:
    """Whether any event has a team (a log config may map no team column)."""
    return TEAM in events.columns and bool(events[TEAM].notna().any())


def require_teams(events: pd.DataFrame | None, *, what: str, known: bool | None = None) -> None:
    """Raise :class:`MissingStatusError` when no event has a team (the log config maps no team column).

    ``known``: whether the whole log has teams, when ``events`` is only a chunk of it.
    """
    teams = known if known is not None else (events is not None and has_teams(events))
    if not teams:
        raise MissingStatusError(
            f"{what} needs the team that handled each event, but the log has none; map columns.team in the "
            "log config (e.g. the ticket system's assigned group)",
            key="columns.team",
        )


def check_events(events: pd.DataFrame, *, columns: Sequence[str] = (), what: str = "analysis") -> pd.DataFrame:
    """Check the canonical columns a step needs and return the events sorted by case and time.

    The caller's frame is never modified; a sorted copy is returned only when needed.
    """
    check_canonical(events, columns=columns, what=what, allow_empty=True)
    if _is_sorted(events):
        return events
    return events.sort_values([CASE_ID, TIMESTAMP], kind="stable").reset_index(drop=True)


def _is_sorted(events: pd.DataFrame) -> bool:
    if len(events) < 2:
        return True
    case = events[CASE_ID].to_numpy()
    ts = events[TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64")
    same = case[1:] == case[:-1]
    if (ts[1:][same] < ts[:-1][same]).any():
        return False
    # each case must form one contiguous block
    starts = int((~same).sum()) + 1
    return starts == events[CASE_ID].nunique()


def require_statuses(statuses: StatusMeanings, key: str, *, question: str) -> tuple[str, ...]:
    """The labels of ``statuses.<key>``; a :class:`ConfigError` naming the key when empty."""
    labels = tuple(getattr(statuses, key))
    if not labels:
        raise MissingStatusError(
            f"{question} needs 'statuses.{key}' in the log config (which activity labels mean {key.replace('_', ' ')}); "
            f"it is empty, so this question cannot be answered for this log",
            key=key,
        )
    return labels


def optional_statuses(statuses: StatusMeanings, *keys: str) -> tuple[str, ...]:
    """All labels of the named status keys (possibly none)."""
    out: list[str] = []
    for key in keys:
        out.extend(getattr(statuses, key))
    return tuple(dict.fromkeys(out))


def check_known(names: Iterable[str], known: Iterable[object], *, what: str, where: str) -> None:
    """Raise a :class:`ConfigError` when a named activity/attribute value/team is not in the log."""
    known_set = {str(k) for k in known if not pd.isna(k)}
    unknown = [n for n in names if n not in known_set]
    if unknown:
        listing = sorted(known_set)
        shown = ", ".join(repr(v) for v in listing[:25]) + (f", ... ({len(listing)} in all)" if len(listing) > 25 else "")
        raise ConfigError(f"{where}: {what} {unknown} not in the log; the log has: {shown or 'none'}")


def hours(delta: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """Timedeltas (or ns int64) as float hours, NaN for NaT."""
    arr = np.asarray(delta)
    if arr.dtype.kind == "m":
        out = arr.astype("timedelta64[ns]").view("int64").astype("float64") / _HOUR_NS
        out[np.isnat(arr)] = np.nan
        return out
    return arr.astype("float64") / _HOUR_NS


def case_position(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For sorted events: (is first event of its case, is last event of its case)."""
    case = events[CASE_ID].to_numpy()
    n = len(case)
    first = np.ones(n, dtype=bool)
    last = np.ones(n, dtype=bool)
    if n > 1:
        same = case[1:] == case[:-1]
        first[1:] = ~same
        last[:-1] = ~same
    return first, last


def team_per_event(events: pd.DataFrame, *, statuses: StatusMeanings, column: str = TEAM) -> pd.Series:
    """The team (or other holder column) that has the ticket at each event.

    Missing values are carried forward within the case (a mail from the user does
    not move the ticket); closing events and messages from the user never move it
    either. Events before the first known team belong to ``statuses.first_line_team``
    when it is set.
    """
    codes, names = pd.factorize(events[column], sort=False)  # missing -> -1
    valid = codes >= 0
    passive = optional_statuses(statuses, "closed", "message_from_user")
    if passive:
        valid &= ~events[ACTIVITY].isin(passive).to_numpy()
    first, last = case_position(events)
    src = fill_index(valid, first, last, backward=False)
    if column == TEAM and statuses.first_line_team is not None:
        # a case that starts without a team starts with first line
        labels = np.append(np.asarray(names, dtype=object), statuses.first_line_team)
        pick = np.where(src >= 0, codes[np.maximum(src, 0)], len(labels) - 1)
    else:
        # events before the first known team belong to that team
        back = fill_index(valid, first, last, backward=True)
        src = np.where(src >= 0, src, back)
        labels = np.append(np.asarray(names, dtype=object), [None])
        pick = np.where(src >= 0, codes[np.maximum(src, 0)], len(labels) - 1)
    return pd.Series(labels[pick], index=events.index, dtype="object", name=column)


def fill_index(valid: np.ndarray, first: np.ndarray, last: np.ndarray, *, backward: bool) -> np.ndarray:
    """For sorted events: the row of the last valid event at or before each row in its case
    (``backward``: the first valid at or after it); -1 where there is none."""
    n = len(valid)
    idx = np.arange(n)
    if not backward:
        src = np.maximum.accumulate(np.where(valid, idx, -1)) if n else idx
        case_start = np.maximum.accumulate(np.where(first, idx, 0)) if n else idx
        return np.where(src >= case_start, src, -1)
    src = np.minimum.accumulate(np.where(valid, idx, n)[::-1])[::-1] if n else idx
    case_end = np.minimum.accumulate(np.where(last, idx, n)[::-1])[::-1] if n else idx
    return np.where(src <= case_end, src, -1)
