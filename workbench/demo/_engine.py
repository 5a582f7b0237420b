"""The SimPy model of the desk: one process per ticket, one priority-queued pool per team."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from workbench.demo._calendar import WorkCalendar
from workbench.demo._draws import TicketDraws
from workbench.demo._params import CHANNELS, STATUSES, TEAMS, DemoParams

__all__ = ["EventRecord", "run_desk", "AGENT_BLOCK", "KIND_NONE", "KIND_REAL", "KIND_HARMLESS"]

#: Agent numbers are ``team index * AGENT_BLOCK + k + 1``, so a team's ids do not move when
#: another team's staff changes.
AGENT_BLOCK = 100
KIND_NONE, KIND_REAL, KIND_HARMLESS = 0, 1, 2

_S = {name: code for code, name in enumerate(STATUSES)}
REGISTERED = _S["Registered"]
ASSIGNED = _S["Assigned to team"]
IN_PROGRESS = _S["In progress"]
WAITING = _S["Waiting for user"]
MAIL_TO = _S["Mail to user"]
MAIL_FROM = _S["Mail from user"]
FORWARDED = _S["Forwarded"]
SENT_BACK = _S["Sent back"]
RESOLVED = _S["Resolved with mail"]
REOPENED = _S["Reopened"]
CLOSED = _S["Closed"]

_SECOND = 1.0 / 3600.0
_STEP = 20 * _SECOND  # between two statuses an agent records in a row
_SYSTEM_STEP = 30 * _SECOND  # between a forward and the system's assignment
_PHONE = CHANNELS.index("Telefon")


class EventRecord:
    """Column lists of the events, appended in simulation order (per ticket chronological)."""

    def __init__(self) -> None:
        self.ticket: list[int] = []
        self.status: list[int] = []
        self.time: list[float] = []
        self.agent: list[int] = []
        self.team: list[int] = []
        self.kind: list[int] = []

    def emit(self, ticket: int, status: int, time: float, agent: int, team: int, kind: int = KIND_NONE) -> None:
        self.ticket.append(ticket)
        self.status.append(status)
        self.time.append(time)
        self.agent.append(agent)
        self.team.append(team)
        self.kind.append(kind)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "ticket": np.asarray(self.ticket, dtype=np.int64),
            "status": np.asarray(self.status, dtype=np.int64),
            "time": np.asarray(self.time, dtype=float),
            "agent": np.asarray(self.agent, dtype=np.int64),
            "team": np.asarray(self.team, dtype=np.int64),
            "kind": np.asarray(self.kind, dtype=np.int64),
        }


@dataclass(eq=False)
class _Desk:
    """The running desk: its inputs, one priority-queued pool and free-agent queue per team, who last had a ticket."""

    env: simpy.Environment
    p: DemoParams
    cal: WorkCalendar
    user_cal: WorkCalendar
    d: TicketDraws
    rec: EventRecord
    pools: list[simpy.PriorityResource] = field(init=False)
    free: list[deque[int]] = field(init=False)
    owner: dict[tuple[int, int], int] = field(init=False, default_factory=dict)  # (ticket, team) -> the agent who last had it
    close_after: float = field(init=False)

    def __post_init__(self) -> None:
        params = self.p
        self.pools = [simpy.PriorityResource(self.env, capacity=int(params.staff[t])) for t in TEAMS]
        self.free = [
            deque(ti * AGENT_BLOCK + k + 1 for k in range(int(params.staff[t]))) for ti, t in enumerate(TEAMS)
        ]
        self.close_after = params.auto_close_working_days * (params.work_end_hour - params.work_start_hour)

    # -- building blocks -------------------------------------------------------------------------
    def _pick_up(self, i: int, team: int) -> Generator[Any, Any, tuple[int, Any]]:
        """Queue at ``team`` (only in working hours), then take a free agent; returns (agent, request)."""
        env, cal = self.env, self.cal
        t = cal.next_open(env.now)
        if t > env.now:
            yield env.timeout(t - env.now)
        req = self.pools[team].request(priority=float(self.d.queue_rank[i]))  # type: ignore[arg-type]  # SimPy orders any comparable priority
        yield req
        t = cal.next_open(env.now)
        if t > env.now:
            yield env.timeout(t - env.now)
        free = self.free[team]
        owner = self.owner.get((i, team))
        if owner is not None and owner in free:  # the agent who had the ticket takes it again if free
            free.remove(owner)
            return owner, req
        agent = free.popleft()
        self.owner[(i, team)] = agent
        return agent, req

    def leave(self, team: int, agent: int, start: float, end: float) -> Generator[Any, Any, None]:
        """An agent is away from ``start`` to ``end``: holds a place in the team's pool (ahead of tickets)."""
        if start > self.env.now:
            yield self.env.timeout(start - self.env.now)
        req = self.pools[team].request(priority=-1)
        yield req  # the agent finishes the ticket in hand first
        free = self.free[team]
        if agent in free:
            free.remove(agent)
        else:
            agent = free.popleft()
        if end > self.env.now:
            yield self.env.timeout(end - self.env.now)
        self._release(team, agent, req)

    def _release(self, team: int, agent: int, req: Any) -> None:
        self.free[team].append(agent)
        self.pools[team].release(req)

    def _busy_until(self, hours: float) -> Generator[Any, Any, float]:
        end = self.cal.add_working(self.env.now, hours)
        yield self.env.timeout(end - self.env.now)
        return end

    def _agent_steps(self, i: int, statuses: tuple[int, ...], agent: int, team: int, kind: int = KIND_NONE) -> float:
        """Record statuses an agent sets one after the other, from now, in working time."""
        t = self.env.now
        for k, status in enumerate(statuses):
            if k:
                t = self.cal.add_working(t, _STEP)
            self.rec.emit(i, status, t, agent, team, kind)
        return t

    def _wait_to(self, t: float) -> Generator[Any, Any, None]:
        if t > self.env.now:
            yield self.env.timeout(t - self.env.now)

    # -- the work of one team on a ticket, ending with a resolution ------------------------------
    def _resolve(self, i: int, team: int, effort: float, rounds: int) -> Generator[Any, Any, None]:
        rec, d = self.rec, self.d
        agent, req = yield from self._pick_up(i, team)
        rec.emit(i, IN_PROGRESS, self.env.now, agent, team)
        if d.info_mail[i] and rounds >= 0:
            half = yield from self._busy_until(effort / 2)
            rec.emit(i, MAIL_TO, half, agent, team)
            effort = effort / 2
        yield from self._busy_until(effort)
        for r in range(max(rounds, 0)):
            last = self._agent_steps(i, (MAIL_TO, WAITING), agent, team)
            yield from self._wait_to(last)
            self._release(team, agent, req)
            if d.reply_after_hours[i, r]:
                yield self.env.timeout(float(d.reply[i, r]))
            else:
                yield from self._wait_to(self.user_cal.add_working(self.env.now, float(d.reply[i, r])))
            rec.emit(i, MAIL_FROM, self.env.now, -1, team)
            agent, req = yield from self._pick_up(i, team)
            rec.emit(i, IN_PROGRESS, self.env.now, agent, team)
            yield from self._busy_until(float(d.followup[i, r]))
        rec.emit(i, RESOLVED, self.env.now, agent, team)
        self._release(team, agent, req)

    def _forward(self, i: int, to_team: int, triage: float) -> Generator[Any, Any, None]:
        agent, req = yield from self._pick_up(i, 0)
        self.rec.emit(i, IN_PROGRESS, self.env.now, agent, 0)
        yield from self._busy_until(triage)
        self.rec.emit(i, FORWARDED, self.env.now, agent, 0)
        self._release(0, agent, req)
        yield self.env.timeout(_SYSTEM_STEP)
        # a dispatching agent records the assignment under the destination team; else the system
        self.rec.emit(i, ASSIGNED, self.env.now, agent if self.p.dispatcher else -1, to_team)

    def ticket(self, i: int) -> Generator[Any, Any, None]:
        env, d, rec = self.env, self.d, self.rec
        registrar = int(d.registrar[i]) + 1 if d.channel[i] == _PHONE else -1
        rec.emit(i, REGISTERED, env.now, registrar, 0)
        yield env.timeout(_SYSTEM_STEP)
        rec.emit(i, ASSIGNED, env.now, -1, 0)
        right = int(d.right_team[i])
        first = int(d.first_team[i])
        if first != 0:
            yield from self._forward(i, first, float(d.triage[i, 0]))
            if first != right:  # misrouted: the wrong team looks at it and sends it back
                agent, req = yield from self._pick_up(i, first)
                rec.emit(i, IN_PROGRESS, env.now, agent, first)
                yield from self._busy_until(float(d.sent_back_effort[i]))
                rec.emit(i, SENT_BACK, env.now, agent, first)
                self._release(first, agent, req)
                yield env.timeout(_SYSTEM_STEP)
                rec.emit(i, ASSIGNED, env.now, -1, 0)
                if right != 0:
                    yield from self._forward(i, right, float(d.triage[i, 1]))
        yield from self._resolve(i, right, float(d.effort[i]), int(d.n_rounds[i]))
        for k in range(d.reopen_kind.shape[1]):
            resolved_at = env.now
            close_at = self.cal.add_working(resolved_at, self.close_after)
            kind = int(d.reopen_kind[i, k])
            if kind == KIND_NONE:
                yield env.timeout(close_at - resolved_at)
                rec.emit(i, CLOSED, env.now, -1, right)
                return
            # the user answers the resolution mail in their own hours, before the system closes it
            ucal = self.user_cal
            window = ucal.worked(close_at) - ucal.worked(resolved_at)
            reopen_at = ucal.add_working(resolved_at, float(d.reopen_frac[i, k]) * window)
            reopen_at = min(max(reopen_at, resolved_at + 60 * _SECOND), close_at - 60 * _SECOND)
            yield env.timeout(reopen_at - resolved_at)
            rec.emit(i, REOPENED, env.now, -1, right, kind)
            if kind == KIND_HARMLESS:
                agent, req = yield from self._pick_up(i, right)
                end = self.cal.add_working(env.now, float(d.close_effort[i]))
                yield from self._wait_to(end)
                rec.emit(i, CLOSED, env.now, agent, right, kind)
                self._release(right, agent, req)
                return
            if d.reopen_mail[i, k]:
                yield env.timeout(5 * _SECOND)
                rec.emit(i, MAIL_FROM, env.now, -1, right)
            yield from self._resolve(i, right, float(d.rework[i, k]), -1)
        # unreachable with reopen_kind's last column never real, kept for safety
        rec.emit(i, CLOSED, self.cal.add_working(env.now, self.close_after), -1, right)


def run_desk(
    params: DemoParams,
    calendar: WorkCalendar,
    user_calendar: WorkCalendar,
    arrivals: np.ndarray,
    draws: TicketDraws,
    leave: tuple[tuple[int, int, float, float], ...] = (),
) -> EventRecord:
    """Simulate every ticket to its end in a fresh SimPy environment and return the events.

    ``calendar`` holds the desk's working hours, ``user_calendar`` the hours in which
    employees usually answer; ``leave`` lists ``(team, agent, start, end)`` absences.
    """
    env = simpy.Environment()
    record = EventRecord()
    desk = _Desk(env, params, calendar, user_calendar, draws, record)
    for team, agent, start, end in leave:
        env.process(desk.leave(team, agent, start, end))

    def source() -> Generator[Any, Any, None]:
        for i, t in enumerate(arrivals):
            yield env.timeout(float(t) - env.now)
            env.process(desk.ticket(i))

    env.process(source())
    env.run()
    return record
