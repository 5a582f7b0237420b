"""Staff away, on the engine clock: a team's learned absences as capacity changes over time.

A team's ``away`` maps the first day (UTC) of a period of ``away_days`` days (1 for
models learned per day, 7 for models saved with weekly absences) to the number of its
workers who were away then (see :mod:`workbench.simulation._workers`). Inside the period
the model was learned from, a day not listed had everybody in. Outside it, the learned
pattern repeats (shifted by the learned period rounded up to whole weeks, so weekdays
line up): the team keeps as much leave as it had, instead of none, so a one-person
team's cases still wait out its leave in a simulation of another period.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

__all__ = ["absence_schedule"]

_DAY = 86400.0
_WEEK = 7 * _DAY
#: how far the learned pattern is repeated on either side of the learned period
_COVER = 5 * 365 * _DAY


def absence_schedule(model, team_names: list[str], origin: dt.datetime) -> list[list[tuple[float, int]]]:
    """Per team: ``(time, away)`` changes in engine seconds from ``origin``, sorted; empty when nobody is ever away."""
    origin_ts = pd.Timestamp(origin)
    first, last = _learned_period(model.fitted_on, origin_ts)
    out: list[list[tuple[float, int]]] = []
    for name in team_names:
        team = model.teams[name]
        if not team.away or team.staff <= 0:
            out.append([])
            continue
        span = team.away_days * _DAY
        periods = sorted(
            ((pd.Timestamp(day, tz="UTC") - origin_ts).total_seconds(), min(int(n), team.staff))
            for day, n in team.away.items()
        )
        if math.isfinite(first) and math.isfinite(last):
            lo, hi = min(first, periods[0][0]), max(last, periods[-1][0] + span)
            cycle = math.ceil((hi - lo) / _WEEK) * _WEEK
            shifts = range(-math.ceil((lo + _COVER) / cycle), math.ceil((_COVER - lo) / cycle) + 1)
            periods = sorted((t + k * cycle, n) for k in shifts for t, n in periods if t + k * cycle + span > 0.0)
        changes: list[tuple[float, int]] = []
        for k, (t, n) in enumerate(periods):
            changes.append((t, n))
            nxt = periods[k + 1][0] if k + 1 < len(periods) else None
            if nxt is None or nxt > t + span + 1.0:
                changes.append((t + span, 0))
        # the state at time 0 and later: fold everything before 0 into one change at 0
        before = [n for t, n in changes if t <= 0.0]
        later = [(t, n) for t, n in changes if t > 0.0]
        schedule = [(0.0, before[-1] if before else 0), *later]
        out.append(schedule if any(n for _, n in schedule) else [])
    return out


def _learned_period(fitted_on, origin: pd.Timestamp) -> tuple[float, float]:
    """The first arrival and the last event of the learned log in seconds from ``origin`` (NaN when unknown)."""

    def seconds(text: str) -> float:
        try:
            return (pd.Timestamp(text).tz_convert("UTC") - origin).total_seconds()
        except (ValueError, TypeError):
            return math.nan

    first, last = seconds(fitted_on.first_arrival), seconds(fitted_on.last_event)
    if math.isfinite(first) and not math.isfinite(last) and fitted_on.days > 0:
        last = first + fitted_on.days * _DAY
    return first, last
