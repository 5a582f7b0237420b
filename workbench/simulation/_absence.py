"""Staff away, on the engine clock: a team's learned absences as capacity changes over time.

A team's ``away`` maps the first day of a week (UTC) to the number of its workers who
were away that week (see :mod:`workbench.simulation._workers`). Inside the period the
model was learned from, a week not listed had everybody in; outside it, the team has
its typical absence (the median week of the learned period).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

__all__ = ["absence_schedule"]

_WEEK = 7 * 86400.0


def absence_schedule(model, team_names: list[str], origin: dt.datetime) -> list[list[tuple[float, int]]]:
    """Per team: ``(time, away)`` changes in engine seconds, sorted; empty when nobody is ever away."""
    origin_ts = pd.Timestamp(origin)
    try:
        first = (pd.Timestamp(model.fitted_on.first_arrival).tz_convert("UTC") - origin_ts).total_seconds()
        last = (pd.Timestamp(model.fitted_on.last_event).tz_convert("UTC") - origin_ts).total_seconds()
    except (ValueError, TypeError):
        first = last = math.nan
    out: list[list[tuple[float, int]]] = []
    for name in team_names:
        team = model.teams[name]
        if not team.away or team.staff <= 0:
            out.append([])
            continue
        weeks = sorted(
            ((pd.Timestamp(day, tz="UTC") - origin_ts).total_seconds(), min(int(n), team.staff))
            for day, n in team.away.items()
        )
        n_weeks = max(len(weeks), math.ceil(model.fitted_on.days / 7.0)) if model.fitted_on.days else len(weeks)
        typical = round(float(np.median([n for _, n in weeks] + [0] * (n_weeks - len(weeks)))))
        changes: list[tuple[float, int]] = []
        if math.isfinite(first):
            changes.append((float("-inf"), typical))
            changes.append((min(first, weeks[0][0]), 0))
        for k, (t, n) in enumerate(weeks):
            changes.append((t, n))
            nxt = weeks[k + 1][0] if k + 1 < len(weeks) else None
            if nxt is None or nxt > t + _WEEK + 1.0:
                changes.append((t + _WEEK, 0))
        if math.isfinite(last):
            changes.append((max(last, weeks[-1][0] + _WEEK), typical))
        changes.sort(key=lambda c: c[0])
        # the state at time 0 and later: fold everything before 0 into one change at 0
        before = [n for t, n in changes if t <= 0.0]
        later = [(t, n) for t, n in changes if t > 0.0]
        schedule = ([(0.0, before[-1])] if before else []) + later
        out.append(schedule if any(n for _, n in schedule) else [])
    return out
