"""How real ticket systems record the desk: the unkind parts of observation.

Each is off by default (the demo log stays as it was) and switched on by a
:class:`~workbench.demo.DemoParams` field or by the export:

- staff on leave (``leave_weeks``): whole working weeks per agent, drawn up front;
- pseudo-resources (``pseudo_resources``): system and user events recorded under the
  resources ``system`` and ``user`` in whichever team holds the ticket;
- a dispatcher (``dispatcher``): the first-line agent who forwards a ticket records
  ``"Tildelt <team>"`` under the destination team;
- partial start events (``start_event_share``): a ``lifecycle`` column, with a start
  event for only part of the agents' work;
- mixed UTC offsets (:func:`export_events`): local timestamps with ``+01:00`` in winter
  and ``+02:00`` in summer, as a CSV export from a Danish system carries them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from workbench.demo._params import STATUSES, TEAMS, DemoParams

__all__ = ["add_start_events", "draw_leave", "export_events", "relabel", "WORK_END_STATUSES"]

_S = {name: code for code, name in enumerate(STATUSES)}
_USER_STATUSES = (_S["Mail from user"], _S["Reopened"])
#: Statuses that end a piece of an agent's work (a start event may precede them).
WORK_END_STATUSES: tuple[str, ...] = ("Forwarded", "Sent back", "Resolved with mail")


def draw_leave(
    params: DemoParams, origin: dt.datetime, n_days: int, rng: np.random.Generator
) -> tuple[tuple[int, int, float, float], ...]:
    """Absences ``(team, agent, start, end)`` in hours after ``origin``: whole weeks, Monday to Friday.

    Each agent is away for about ``leave_weeks`` weeks a year, at weeks drawn uniformly
    from the simulated ``n_days`` (an agent's weeks are distinct).
    """
    if params.leave_weeks <= 0:
        return ()
    from workbench.demo._engine import AGENT_BLOCK

    zone = ZoneInfo(params.timezone)
    first_monday = params.start + dt.timedelta(days=(7 - params.start.weekday()) % 7)
    n_weeks = max((params.start + dt.timedelta(days=n_days) - first_monday).days // 7, 0)
    origin_utc = origin.astimezone(dt.UTC)

    def hours(day: dt.date) -> float:
        local = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        return (local.astimezone(dt.UTC) - origin_utc).total_seconds() / 3600.0

    expected = params.leave_weeks * n_days / 365.0
    root = int(rng.integers(2**63))
    out: list[tuple[int, int, float, float]] = []
    for ti, team in enumerate(TEAMS):
        for k in range(int(params.staff[team])):
            # each agent's own stream: one more agent in a team leaves everyone else's weeks alone
            agent_rng = np.random.default_rng([root, ti, k])
            u_count, keys = agent_rng.random(), agent_rng.random(n_weeks)
            count = min(int(expected + u_count), n_weeks)
            for w in np.sort(np.argsort(keys, kind="stable")[:count]):
                monday = first_monday + dt.timedelta(weeks=int(w))
                out.append((ti, ti * AGENT_BLOCK + k + 1, hours(monday), hours(monday + dt.timedelta(days=5))))
    return tuple(out)


def relabel(
    params: DemoParams,
    agents: np.ndarray,
    statuses: np.ndarray,
    status_codes: np.ndarray,
    agent_codes: np.ndarray,
    team_codes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Resource and status labels as the ticket system records them (copies; inputs unchanged)."""
    agents = agents.copy()
    statuses = statuses.copy()
    if params.dispatcher:
        assigned = (status_codes == _S["Assigned to team"]) & (agent_codes >= 0)
        statuses[assigned] = np.array([f"Tildelt {TEAMS[t]}" for t in team_codes[assigned]], dtype=object)
    if params.pseudo_resources:
        nobody = agent_codes < 0
        by_user = nobody & np.isin(status_codes, _USER_STATUSES)
        agents[nobody & ~by_user] = "system"
        agents[by_user] = "user"
    return agents, statuses


def add_start_events(events: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.DataFrame:
    """A copy of ``events`` with a ``lifecycle`` column and start events for a ``share`` of the agents' work.

    A start is recorded, for a random ``share`` of the events that end an agent's work
    (:data:`WORK_END_STATUSES` with a staff resource), at the ticket's previous event:
    the moment the agent took the ticket up (or went on after the previous step).
    """
    out = events.copy()
    out["lifecycle"] = "complete"
    u = rng.random(len(out))  # one draw per event, whatever its status
    if share <= 0 or out.empty:
        return out
    agent = out["agent"].astype(object)
    staff = agent.notna() & ~agent.isin(["system", "user"])
    same_ticket = out["ticket_id"].eq(out["ticket_id"].shift())
    chosen = out["status"].isin(WORK_END_STATUSES) & staff & same_ticket & (u < share)
    starts = out[chosen].copy()
    starts["timestamp"] = out["timestamp"].shift()[chosen]
    starts["lifecycle"] = "start"
    both = pd.concat([out, starts])
    both["_order"] = np.r_[np.arange(len(out)) * 2 + 1, np.flatnonzero(chosen.to_numpy()) * 2]
    return both.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def export_events(events: pd.DataFrame, timezone: str = "Europe/Copenhagen") -> pd.DataFrame:
    """A copy of ``events`` with timestamps as local ISO 8601 text carrying their UTC offset.

    In Copenhagen winter times read ``2023-03-01T09:15:00+01:00`` and summer times
    ``2023-07-03T09:15:00+02:00``, so one file mixes two offsets, as real exports do.
    """
    out = events.copy()
    local = pd.to_datetime(out["timestamp"], utc=True).dt.tz_convert(ZoneInfo(timezone))
    text = local.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    out["timestamp"] = text.str[:-2] + ":" + text.str[-2:]
    return out
