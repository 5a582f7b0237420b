"""The SimPy engine: one fresh :class:`simpy.Environment` per replication.

Each case is a SimPy process that walks the model's steps: a delay outside the
team's capacity (waiting on the user, hand-over times), a queue for a free worker of
the step's team (ordered by queue rank, then arrival), work within the team's
working calendar, then the next step from the routing rules. Teams are pools of
``staff`` workers; a worker who carries on with the next step (``same_worker``) keeps
the case without queueing again.

Common random numbers: arrivals, case attributes and case keys come from separate
streams; the delay, work time and next-step choice of a case's k-th visit to a step
come from a hash (splitmix64) of the case's key, the step and k. So a baseline and a
scenario run with the same seed see the same cases arrive with the same attributes,
and a case that reaches a step in both arms -- by whatever path -- has the same luck
there.

The hot loop reads only lists and dicts (see ``_compiled.py``); durations come from
quantile tables. :func:`simulate` returns a :class:`SimulationRun` with the simulated
event log in the canonical schema and one row per case.
"""

from __future__ import annotations

import datetime as dt
from heapq import heappop, heappush

import numpy as np
import pandas as pd
import simpy

from workbench.simulation._arrivals import sample_arrivals
from workbench.simulation._compiled import END_IDX, START_IDX, TABLE, Compiled, compile_model
from workbench.simulation._output import SimulationRun, collect
from workbench.simulation.model import SimulationModel

__all__ = ["SimulationRun", "simulate"]

_M64 = (1 << 64) - 1
_U64 = 1.0 / 18446744073709551616.0
_U21 = 1.0 / (1 << 21)
_U22 = 1.0 / (1 << 22)
_STREAMS = (
    "arrivals",
    "attributes",
    "routing",
    "delays",
    "work",
    "extra_arrivals",
    "extra_cases",
    "overflow",
)


class _Pool:
    __slots__ = ("free", "off", "queue", "retire", "seq")

    def __init__(self, staff: int, first_id: int) -> None:
        self.free = list(range(first_id + staff - 1, first_id - 1, -1))
        self.queue: list = []
        self.seq = 0
        self.off: list[int] = []  # workers away
        self.retire = 0  # workers to send away as soon as they finish their case


def simulate(
    model: SimulationModel,
    *,
    start: pd.Timestamp | dt.datetime | str,
    days: float,
    seed: int | np.random.SeedSequence,
    warmup_days: float = 0.0,
    n_cases: int | None = None,
    drain_days: float = 180.0,
    keep_events: bool = True,
    case_prefix: str = "sim-",
    replay: pd.DataFrame | None = None,
) -> SimulationRun:
    """Run one replication of ``model``.

    Parameters
    ----------
    model : SimulationModel
        The model (with any scenario already applied, see :func:`apply_scenario`).
    start : timestamp
        The instant the simulation clock starts (UTC); cases arrive from then on.
    days : float
        Length of the arrival period in days.
    seed : int or numpy.random.SeedSequence
        Seed of this replication. The same seed gives the same run.
    warmup_days : float
        Cases arriving in the first ``warmup_days`` are simulated (they load the queues)
        but left out of the measurement window.
    n_cases : int, optional
        Stop arrivals after this many cases (the validation protocol's "same number of
        cases"); ``days`` then only bounds the search.
    drain_days : float
        After the last arrival, cases in progress run for at most this long; cases still
        open then are reported with ``finished=False``.
    keep_events : bool
        Build the event-log DataFrame (turn off for speed when only KPIs are needed).
    case_prefix : str
        Simulated case ids are ``case_prefix`` + a number.
    replay : pandas.DataFrame, optional
        Historical cases to replay instead of drawing arrivals: an ``arrival`` column (UTC
        timestamps) and the model's case attribute columns. Only arrivals inside the period
        are used; a volume change thins them or adds drawn cases as usual.
    """
    if days <= 0:
        raise ValueError(f"days must be positive, got {days}")
    if warmup_days < 0 or warmup_days >= days:
        raise ValueError(f"warmup_days must be in [0, days), got {warmup_days} with days={days}")
    origin = pd.Timestamp(start)
    origin = origin.tz_localize("UTC") if origin.tzinfo is None else origin.tz_convert("UTC")
    if isinstance(seed, np.random.SeedSequence):  # a fresh copy: spawning must not depend on earlier use
        ss = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
    else:
        ss = np.random.SeedSequence(seed)
    streams = {name: _child(ss, k) for k, name in enumerate(_STREAMS)}
    comp = compile_model(model, origin.to_pydatetime())
    horizon = days * 86400.0
    replay_s = replay_profiles = None
    if replay is not None:
        replay_s, replay_profiles = _replay(comp, replay, origin)
    arrivals, extra, index = sample_arrivals(
        model.arrivals,
        origin,
        horizon,
        primary=streams["arrivals"],
        extra=streams["extra_arrivals"],
        max_cases=n_cases,
        replay=replay_s,
    )
    n = len(arrivals)
    profiles = _draw_profiles(comp, n, extra, streams)
    if replay_profiles is not None:
        profiles[~extra] = replay_profiles[index[~extra]]
    keys = _draw_keys(n, extra, streams)
    sim = _Run(comp, arrivals, profiles, keys)
    last_arrival = float(arrivals[-1]) if n else 0.0
    w0 = warmup_days * 86400.0
    w1 = horizon if n_cases is None else max(last_arrival, w0 + 1.0)
    sim.window = (w0, w1)
    until = max(horizon, last_arrival) + drain_days * 86400.0
    sim.run(until)
    return collect(sim, model, origin, arrivals, profiles, extra, w0, w1, keep_events, case_prefix)


def _replay(comp: Compiled, replay: pd.DataFrame, origin: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """Arrival seconds and case-mix profile of each historical case to replay."""
    from workbench.errors import EventLogError

    if "arrival" not in replay.columns:
        raise EventLogError("cases to replay need an 'arrival' column (UTC timestamps)")
    seconds = ((pd.to_datetime(replay["arrival"], utc=True) - origin) / pd.Timedelta(seconds=1)).to_numpy(
        dtype=float
    )
    lookup = {codes: k for k, codes in enumerate(comp.profile_codes)}
    codes = np.full((len(replay), len(comp.attributes)), -1, dtype=np.int64)
    for ai, attr in enumerate(comp.attributes):
        if attr in replay.columns:
            values = replay[attr].astype("string").fillna("(missing)").to_numpy(dtype=object)
            codes[:, ai] = [comp.value_codes[ai].get(v, -1) for v in values]
    w = np.asarray(comp.profile_weights, dtype=float)
    fallback = int(np.argmax(w))  # a combination the model never saw: its most common profile
    profiles = np.array([lookup.get(tuple(row), fallback) for row in codes.tolist()], dtype=np.int64)
    order = np.argsort(seconds, kind="stable")
    return seconds[order], profiles[order]


def _child(ss: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """The ``k``-th child of ``ss``, without changing ``ss`` (unlike ``spawn``)."""
    return np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, k))


def _draw_profiles(comp: Compiled, n: int, extra: np.ndarray, streams: dict) -> np.ndarray:
    w = np.asarray(comp.profile_weights, dtype=float)
    w = w / w.sum()
    out = np.empty(n, dtype=np.int64)
    prim = ~extra
    rng_p = np.random.default_rng(streams["attributes"])
    rng_e = np.random.default_rng(_child(streams["extra_cases"], 0))
    out[prim] = rng_p.choice(len(w), size=int(prim.sum()), p=w)
    out[extra] = rng_e.choice(len(w), size=int(extra.sum()), p=w)
    return out


def _draw_keys(n: int, extra: np.ndarray, streams: dict) -> list[int]:
    """One 62-bit key per case, from the primary or the extra stream (common random numbers)."""
    prim = ~extra
    keys = np.empty(n, dtype=np.int64)
    keys[prim] = np.random.default_rng(streams["routing"]).integers(0, 1 << 62, int(prim.sum()))
    keys[extra] = np.random.default_rng(_child(streams["extra_cases"], 1)).integers(
        0, 1 << 62, int(extra.sum())
    )
    return keys.tolist()


class _Run:
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
        env = self.env
        for i, t in enumerate(self.arrivals.tolist()):
            if t > env.now:
                yield env.timeout(t - env.now)
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
