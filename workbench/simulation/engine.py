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

The hot loop (``_run.py``) reads only lists and dicts (see ``_compiled.py``); durations come from
quantile tables. :func:`simulate` returns a :class:`SimulationRun` with the simulated
event log in the canonical schema and one row per case.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from workbench.simulation._arrivals import sample_arrivals
from workbench.simulation._compiled import Compiled, compile_model
from workbench.simulation._output import SimulationRun, collect
from workbench.simulation._run import Run
from workbench.simulation.model import SimulationModel

__all__ = ["SimulationRun", "simulate"]

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


def simulate(
    model: SimulationModel,
    *,
    start: pd.Timestamp | dt.datetime | str,
    days: float,
    seed: int | np.random.SeedSequence,
    warmup_days: float = 0.0,
    n_cases: int | None = None,
    drain_days: float = 180.0,
    cooldown_days: float = 60.0,
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
    cooldown_days : float
        After the period, new cases keep arriving (simulated, not measured) until every case
        of the measurement window has finished, for at most this many days: a case arriving
        on the period's last day meets the load it would meet on a real desk, not a desk that
        empties because nobody else comes. ``0`` stops arrivals at the period's end. Not used
        with ``n_cases`` or ``replay`` (a replayed log has no cases after its end either).
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
    if cooldown_days < 0:
        raise ValueError(f"cooldown_days must be non-negative, got {cooldown_days}")
    horizon = days * 86400.0
    cooldown = cooldown_days * 86400.0 if n_cases is None and replay is None else 0.0
    replay_s = replay_profiles = None
    if replay is not None:
        replay_s, replay_profiles = _replay(comp, replay, origin)
    arrivals, extra, index = sample_arrivals(
        model.arrivals,
        origin,
        horizon + cooldown,
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
    sim = Run(comp, arrivals, profiles, keys)
    last_arrival = float(arrivals[-1]) if n else 0.0
    w0 = warmup_days * 86400.0
    w1 = horizon if n_cases is None else max(last_arrival, w0 + 1.0)
    sim.window = (w0, w1)
    if cooldown > 0:
        sim.cooldown_from = horizon
    until = max(horizon, last_arrival) + drain_days * 86400.0
    sim.run(until)
    # the cool-down's arrivals after the window's last case finished never came: not cases of the run
    n = sim.started
    sim.end = sim.end[:n]
    return collect(sim, model, origin, arrivals[:n], profiles[:n], extra[:n], w0, w1, keep_events, case_prefix)


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
