"""One replication's state and the per-case SimPy process: the engine's hot loop.

Each case walks the model's steps: a delay outside the team's capacity, a queue for a
free worker of the step's team (ordered by queue rank, then arrival), work within the
team's working calendar, then the next step from the routing rules. Teams are pools of
workers; the team's absence schedule sends workers away and back. The random numbers of
a case's k-th visit to a step come from a hash (splitmix64) of the case's key, the step
and k (common random numbers, see :mod:`workbench.simulation.engine`). The loop reads
only lists and dicts (see ``_compiled.py``).
"""

from __future__ import annotations

from heapq import heappop, heappush

import numpy as np
import simpy

from workbench.simulation._compiled import END_IDX, START_IDX, TABLE, Compiled

__all__ = ["Run"]

_M64 = (1 << 64) - 1
_U64 = 1.0 / 18446744073709551616.0
_U21 = 1.0 / (1 << 21)
_U22 = 1.0 / (1 << 22)


class _Pool:
    __slots__ = ("free", "off", "queue", "retire", "seq")

    def __init__(self, staff: int, first_id: int) -> None:
        self.free = list(range(first_id + staff - 1, first_id - 1, -1))
        self.queue: list = []
        self.seq = 0
        self.off: list[int] = []  # workers away
        self.retire = 0  # workers to send away as soon as they finish their case


class Run:
    """State of one replication; :meth:`case` is the per-case SimPy process."""

    def __init__(self, comp: Compiled, arrivals: np.ndarray, profiles: np.ndarray, keys: list[int]) -> None:
        self.c = comp
        self.arrivals = arrivals
        self.profiles = profiles
        self.keys = keys
        self.env = simpy.Environment()
        first = 0
        self.pools = []
        for staff in comp.staff:
            self.pools.append(_Pool(staff, first))
            first += max(staff, 1) + 1000
        self.window = (0.0, 0.0)
        n = len(arrivals)
        self.end = np.full(n, np.nan)
        self.started = 0  # cases started so far (arrivals are sorted: the first ``started`` of them)
        self.open_in_window = 0  # cases of the measurement window not finished yet
        self.cooldown_from = float("inf")  # arrivals from here on are the cool-down's
        self.records: list[tuple] = []  # (case, node, start, end, server, queued, delay, user)
        self.holds: list[tuple[int, float, float]] = []  # (team, from, to) a worker held a case
        self.route_memo: dict = {}

    def run(self, until: float) -> None:
        env = self.env
        env.process(self._source())
        for team, changes in enumerate(self.c.absence):
            if changes:
                env.process(self._absence(team, changes))
        env.run(until=until)

    def _absence(self, team: int, changes: list[tuple[float, int]]):
        """Send workers away and back as the team's absence schedule says."""
        env = self.env
        pool = self.pools[team]
        current = 0
        for t, away in changes:
            if t > env.now:
                yield env.timeout(t - env.now)
            delta, current = away - current, away
            for _ in range(max(delta, 0)):
                if pool.free:
                    pool.off.append(pool.free.pop())
                else:
                    pool.retire += 1
            for _ in range(max(-delta, 0)):
                if pool.retire > 0:
                    pool.retire -= 1
                elif pool.off:
                    server = pool.off.pop()
                    if pool.queue:
                        heappop(pool.queue)[2].succeed(server)
                    else:
                        pool.free.append(server)

    def _source(self):
        """Start the cases; after the window, only while a case of the window is still open (the cool-down)."""
        env = self.env
        w0, w1 = self.window
        after = self.cooldown_from
        for i, t in enumerate(self.arrivals.tolist()):
            if t > env.now:
                yield env.timeout(t - env.now)
            if t >= after and self.open_in_window == 0:
                return
            if w0 <= t < w1:
                self.open_in_window += 1
            self.started = i + 1
            env.process(self.case(i))

    def _release(self, team: int, server: int, since: float) -> None:
        pool = self.pools[team]
        self.holds.append((team, since, self.env.now))
        if pool.retire > 0:
            pool.retire -= 1
            pool.off.append(server)
        elif pool.queue:
            _, _, ev = heappop(pool.queue)
            ev.succeed(server)
        else:
            pool.free.append(server)

    def _route(self, at: int, before: int, visit: int, prof: int) -> tuple[list[float], list[int]] | None:
        """The routing table of the most specific rule matching this context (memoised per run)."""
        c = self.c
        vmax = c.max_visit.get(at, 1)
        vcap = min(vmax, visit)
        key = (at, before, vcap, prof)
        memo = self.route_memo
        if key in memo:
            return memo[key]
        codes = c.profile_codes[prof]
        table = None
        for use_before, use_visit, attr, rules in c.patterns.get(at, ()):
            table = rules.get(
                (
                    before if use_before else None,
                    vcap if use_visit else None,
                    codes[attr] if attr >= 0 else None,
                )
            )
            if table is not None:
                break
        memo[key] = table
        return table

    def case(self, i: int):
        env = self.env
        c = self.c
        route = self._route
        trans = c.trans
        node_team, node_uses, node_removed = c.node_team, c.node_uses, c.node_removed
        node_user, node_work = c.node_user_wait, c.node_work
        clocks, pools = c.clocks, self.pools
        prof = int(self.profiles[i])
        ranks = c.profile_ranks[prof]
        subst = c.profile_subst[prof]
        key = self.keys[i]
        record = self.records.append
        visits: dict[int, int] = {}
        prev = START_IDX
        cur = START_IDX
        held = -1
        server = -1
        since = 0.0
        # random numbers keyed by (case, step, visit): the k-th time a case is at a step it draws
        # the same numbers in every arm, however its path got there (common random numbers)
        z = (key + 0x9E3779B97F4A7C15) & _M64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        u = (z ^ (z >> 31)) * _U64
        while True:
            # -- routing: the most specific matching rule at `cur` --------------------------------
            hops = 0
            at, before = cur, prev
            while True:
                table = route(at, before, visits.get(at, 1), prof)
                if table is None:
                    nxt = END_IDX
                    break
                cum, targets = table
                j = 0
                while cum[j] < u:
                    j += 1
                nxt = targets[j]
                if subst is not None and nxt in subst:
                    nxt = subst[nxt]
                if nxt < 0 or not node_removed[nxt] or hops > 50:
                    break
                # a removed step: pass through it without time
                hops += 1
                visits[nxt] = visits.get(nxt, 0) + 1
                before, at = at, nxt
                u = (u * 7919.0 + 0.5) % 1.0
            if nxt < 0:
                break
            v = visits.get(nxt, 0) + 1
            z = (key + nxt * 0x100000001B3 + v * 0x1F3D5B79 + 0x9E3779B97F4A7C15) & _M64
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
            z = z ^ (z >> 31)
            u_delay = (z & 0x1FFFFF) * _U21
            u_work = ((z >> 21) & 0x1FFFFF) * _U21
            u = (z >> 42) * _U22  # for the routing decision when leaving `nxt`
            team = node_team[nxt]
            uses = node_uses[nxt]
            tr = trans.get((cur, nxt))
            if tr.__class__ is list:  # type: ignore[comparison-overlap]  # visit-specific transitions
                tr = tr[v if v < len(tr) else -1]
            if tr is not None:
                delay_tab, delay_clock, same, work_tab = tr
                if work_tab is None:
                    work_tab = node_work[nxt]
            else:
                delay_tab, delay_clock, same, work_tab = None, None, False, node_work[nxt]
            # -- keep or release the worker -------------------------------------------------------
            if held >= 0 and not (same and uses and team == held):
                self._release(held, server, since)
                held = -1
            # -- delay outside capacity -----------------------------------------------------------
            delay = 0.0
            if delay_tab is not None:
                d = delay_tab[int(u_delay * TABLE)]
                if d > 0.0:
                    now = env.now
                    target = delay_clock.advance(now, d) if delay_clock is not None else now + d
                    delay = target - now
                    yield env.timeout(delay)
            # -- queue for a worker ----------------------------------------------------------------
            queued = -1.0  # not picked up from a queue
            if uses and held < 0:
                pool = pools[team]
                t_req = env.now
                if pool.free:
                    server = pool.free.pop()
                else:
                    ev = env.event()
                    pool.seq += 1
                    heappush(pool.queue, (ranks[team], pool.seq, ev))
                    server = yield ev
                held = team
                since = env.now
                queued = since - t_req
            # -- work within the calendar ---------------------------------------------------------
            now = env.now
            w = work_tab[int(u_work * TABLE)] if work_tab is not None else 0.0
            if uses:
                begin, finish = clocks[team].begin_and_finish(now, w)
                if queued >= 0.0:
                    queued += begin - now
            else:
                begin = now
                finish = now + w
            if finish > now:
                yield env.timeout(finish - now)
            record(
                (
                    i,
                    nxt,
                    begin,
                    finish,
                    server if uses else -1,
                    queued,
                    delay,
                    node_user[cur] if cur >= 0 else False,
                )
            )
            visits[nxt] = v
            prev, cur = cur, nxt
        if held >= 0:
            self._release(held, server, since)
        self.end[i] = env.now
        w0, w1 = self.window
        if w0 <= self.arrivals[i] < w1:
            self.open_in_window -= 1
