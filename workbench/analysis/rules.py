"""Rule and deadline checks (compliance): which cases break a service level or an ordering rule.

Rules live in YAML (``configs/rules/*.yaml``)::

    description: Service levels of the IT desk
    rules:
      - name: resolved within 5 working days
        type: resolved_within
        working_days: 5            # or working_hours: 40, or hours: 120 (calendar hours)
      - name: first response within 4 working hours
        type: first_response_within
        working_hours: 4
        response: [In progress, Mail to user]   # default: statuses in_progress, message_to_user, resolved
      - name: nothing is forwarded after it is resolved
        type: never_after
        activity: Forwarded
        after: Resolved with mail
      - name: at most 3 handovers between teams
        type: max_handovers
        max: 3
        level: team                # or resource

The clock of a deadline starts at the case's first event (or the first of ``start``
activities). A case that has not reached the deadline event yet is a violation
when its clock has already run past the limit at the end of the observation
(``status = "open"``), and otherwise pending. Working time uses the log's calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from workbench.analysis._common import check_events, check_known, optional_statuses, require_statuses
from workbench.analysis._segments import visits
from workbench.calendar import WorkingCalendar
from workbench.config import FrozenModel, StatusMeanings, exactly_one, load_yaml, parse_config
from workbench.errors import ConfigError
from workbench.schema import ACTIVITY, CASE_ID, RESOURCE, TEAM, TIMESTAMP

__all__ = [
    "ResolvedWithin",
    "FirstResponseWithin",
    "NeverAfter",
    "MaxHandovers",
    "Rule",
    "RuleSet",
    "RuleResult",
    "load_rules",
    "check_rules",
]

VIOLATION_COLUMNS = ("rule", "case_id", "status", "measured", "limit", "over", "unit", "detail")


#: The ways a deadline can be given, exactly one per rule.
_LIMITS = ("hours", "working_hours", "working_days")


class _Deadline(FrozenModel):
    name: str | None = None
    hours: float | None = Field(default=None, gt=0)
    working_hours: float | None = Field(default=None, gt=0)
    working_days: float | None = Field(default=None, gt=0)
    #: activities that start the clock (default: the case's first event)
    start: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one_limit(self) -> _Deadline:
        exactly_one(self, _LIMITS, needs="give")
        return self

    @property
    def limit(self) -> tuple[float, str]:
        key = exactly_one(self, _LIMITS, needs="give")
        return float(getattr(self, key)), key


class ResolvedWithin(_Deadline):
    """The case is resolved (first, or ``final``, resolution) within the limit."""

    type: Literal["resolved_within"] = "resolved_within"
    resolution: Literal["first", "final"] = "first"

    def describe(self) -> str:
        value, unit = self.limit
        return self.name or f"resolved within {value:g} {unit.replace('_', ' ')}"


class FirstResponseWithin(_Deadline):
    """The first response (an event of ``response``) comes within the limit."""

    type: Literal["first_response_within"] = "first_response_within"
    response: tuple[str, ...] = ()

    def describe(self) -> str:
        value, unit = self.limit
        return self.name or f"first response within {value:g} {unit.replace('_', ' ')}"


class NeverAfter(FrozenModel):
    """``activity`` never occurs after (the first) ``after``."""

    name: str | None = None
    type: Literal["never_after"] = "never_after"
    activity: str
    after: str

    def describe(self) -> str:
        return self.name or f"{self.activity!r} never after {self.after!r}"


class MaxHandovers(FrozenModel):
    """No more than ``max`` handovers between teams (or persons, ``level: resource``)."""

    name: str | None = None
    type: Literal["max_handovers"] = "max_handovers"
    max: int = Field(ge=0)
    level: Literal["team", "resource"] = "team"

    def describe(self) -> str:
        return self.name or f"at most {self.max} handovers between {'teams' if self.level == 'team' else 'persons'}"


Rule = Annotated[ResolvedWithin | FirstResponseWithin | NeverAfter | MaxHandovers, Field(discriminator="type")]


class RuleSet(FrozenModel):
    """A list of rules."""

    description: str = ""
    rules: tuple[Rule, ...] = Field(min_length=1)


def load_rules(path: str | Path) -> RuleSet:
    """Read and validate a rule set from YAML."""
    path = Path(path)
    return parse_config(RuleSet, load_yaml(path), source=f"rule config '{path}'")


@dataclass(frozen=True)
class RuleResult:
    """``violations``: one row per violating case and rule (columns ``rule, case_id, status, measured,
    limit, over, unit, detail``), worst first within a rule. ``summary``: one row per rule."""

    violations: pd.DataFrame
    summary: pd.DataFrame

    def case_ids(self, rule: str) -> list[str]:
        return sorted(self.violations.loc[self.violations["rule"] == rule, CASE_ID].unique())


def check_rules(
    events: pd.DataFrame,
    rules: RuleSet | Sequence[Rule],
    *,
    statuses: StatusMeanings,
    calendar: WorkingCalendar | None = None,
    as_of: pd.Timestamp | None = None,
) -> RuleResult:
    """Check every rule on every case.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical event log.
    rules : RuleSet or sequence of rules
    statuses : StatusMeanings
        ``resolved`` for ``resolved_within``; default response statuses for ``first_response_within``.
    calendar : WorkingCalendar, optional
        Needed by working-hour and working-day limits.
    as_of : pandas.Timestamp, optional
        End of the observation, for open cases (default: the log's latest timestamp).
    """
    items = tuple(rules.rules) if isinstance(rules, RuleSet) else tuple(rules)
    ev = check_events(events, what="rule checks")
    horizon = ev[TIMESTAMP].max() if as_of is None else pd.Timestamp(as_of).tz_convert("UTC")
    names = [r.describe() for r in items]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ConfigError(f"rule names must be unique; repeated: {sorted(dupes)}; give each rule a 'name'")
    parts, summary = [], []
    for i, rule in enumerate(items, start=1):
        where = f"rule {i} ({rule.type})"
        if isinstance(rule, NeverAfter):
            check_known([rule.activity, rule.after], ev[ACTIVITY].unique(), what="activities", where=where)
            found, checked, pending = _never_after(ev, rule)
        elif isinstance(rule, MaxHandovers):
            found, checked, pending = _handovers(ev, rule, statuses)
        else:
            for labels in (rule.start, getattr(rule, "response", ())):
                check_known(labels, ev[ACTIVITY].unique(), what="activities", where=where)
            found, checked, pending = _deadline(ev, rule, statuses, calendar, horizon, where)
        found = found.assign(rule=rule.describe())
        parts.append(found)
        over = found["over"]
        summary.append(
            {
                "rule": rule.describe(),
                "type": rule.type,
                "cases_checked": int(checked),
                "cases_pending": int(pending),
                "violations": len(found),
                "violation_share": len(found) / checked if checked else np.nan,
                "open_violations": int((found["status"] == "open").sum()),
                "median_over": float(over.median()) if len(found) else np.nan,
                "max_over": float(over.max()) if len(found) else np.nan,
                "unit": found["unit"].iloc[0] if len(found) else _unit(rule),
            }
        )
    violations = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(VIOLATION_COLUMNS))
    violations = violations[list(VIOLATION_COLUMNS)]
    return RuleResult(violations=violations, summary=pd.DataFrame(summary))


def _unit(rule: object) -> str:
    if isinstance(rule, NeverAfter):
        return "events"
    if isinstance(rule, MaxHandovers):
        return "handovers"
    return rule.limit[1]  # type: ignore[attr-defined]


def _frame(case_ids, status, measured, limit, unit, detail) -> pd.DataFrame:
    measured = np.asarray(measured, dtype="float64")
    return pd.DataFrame(
        {
            CASE_ID: np.asarray(case_ids, dtype=object),
            "status": status,
            "measured": measured,
            "limit": float(limit),
            "over": measured - float(limit),
            "unit": unit,
            "detail": detail,
        }
    ).sort_values(["over", CASE_ID], ascending=[False, True], ignore_index=True)


def _deadline(ev, rule, statuses, calendar, horizon, where) -> tuple[pd.DataFrame, int, int]:
    value, unit = rule.limit
    if unit != "hours" and calendar is None:
        raise ConfigError(f"{where}: '{unit}' needs a working calendar; set 'calendar' in the log config")
    if isinstance(rule, ResolvedWithin):
        targets = require_statuses(statuses, "resolved", question=f"{where} (resolved_within)")
        what = "resolution"
    else:
        targets = rule.response or optional_statuses(statuses, "in_progress", "message_to_user", "resolved")
        if not targets:
            raise ConfigError(
                f"{where}: name the 'response' activities, or map statuses.in_progress / message_to_user / "
                "resolved in the log config"
            )
        what = "first response"
    case = ev[CASE_ID]
    ts = ev[TIMESTAMP]
    if rule.start:
        start = ts.where(ev[ACTIVITY].isin(rule.start)).groupby(case.to_numpy(), sort=False).min()
    else:
        start = ts.groupby(case.to_numpy(), sort=False).min()
    start = start.dropna()
    start_each = case.map(start)
    hit = ev[ACTIVITY].isin(targets) & (ts >= start_each)
    agg = "max" if isinstance(rule, ResolvedWithin) and rule.resolution == "final" else "min"
    reached = ts.where(hit).groupby(case.to_numpy(), sort=False).agg(agg).reindex(start.index)
    is_open = reached.isna()
    stop = reached.where(~is_open, horizon)
    if unit == "hours":
        measured = (stop - start).dt.total_seconds() / 3600
        limit = value
    else:
        measured = calendar.working_hours_between(start, stop)
        if unit == "working_days":
            measured = measured / calendar.hours_per_day
        limit = value
    bad = measured > limit
    closed_bad = bad & ~is_open
    open_bad = bad & is_open
    label = unit.replace("_", " ")
    found = pd.concat(
        [
            _frame(measured.index[closed_bad], "closed", measured[closed_bad], limit, unit,
                   f"{what} after {label} limit"),
            _frame(measured.index[open_bad], "open", measured[open_bad], limit, unit,
                   f"no {what} yet; limit passed"),
        ],
        ignore_index=True,
    ).sort_values(["over", CASE_ID], ascending=[False, True], ignore_index=True)
    pending = int((is_open & ~bad).sum())
    return found, int(len(start) - pending), pending


def _never_after(ev: pd.DataFrame, rule: NeverAfter) -> tuple[pd.DataFrame, int, int]:
    case = ev[CASE_ID].to_numpy()
    pos = pd.Series(np.arange(len(ev)), index=ev.index)
    first_after = pos.where(ev[ACTIVITY] == rule.after).groupby(case, sort=False).min()
    checked = int(first_after.notna().sum())
    fa_each = pd.Series(case).map(first_after).to_numpy()
    offending = (ev[ACTIVITY] == rule.activity).to_numpy() & (pos.to_numpy() > fa_each)
    counts = pd.Series(offending.astype("int64")).groupby(case, sort=False).sum()
    counts = counts[counts > 0]
    found = _frame(counts.index, "closed", counts.to_numpy(), 0, "events",
                   f"{rule.activity!r} occurred after {rule.after!r}")
    return found, checked, 0


def _handovers(ev: pd.DataFrame, rule: MaxHandovers, statuses: StatusMeanings) -> tuple[pd.DataFrame, int, int]:
    column = TEAM if rule.level == "team" else RESOURCE
    if column not in ev.columns or ev[column].isna().all():
        raise ConfigError(f"max_handovers at level '{rule.level}' needs the '{column}' column, which is empty")
    vis = visits(ev, statuses=statuses, column=column)
    vis = vis[vis["holder"].notna()]
    n = vis.groupby(CASE_ID, sort=False).size() - 1
    bad = n[n > rule.max]
    found = _frame(bad.index, "closed", bad.to_numpy(), rule.max, "handovers", f"handovers between {column}s")
    return found, len(n), 0
