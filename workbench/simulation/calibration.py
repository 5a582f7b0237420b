"""Capacity calibrated to the log's own waiting, where the direct estimate fails.

The direct estimate of a team's capacity (its headcount, absences and work times) can
miss what makes its queue: work recorded late, agents holding several cases, queue
habits. :func:`calibrate_capacity` replays the log's real arrivals through the model
(as the verdict's waiting check does) and, for every team whose mean pick-up wait is
off by more than ``tolerance`` (a ratio) and on the same side in so many of the log's
weeks that luck is ruled out (a capacity error shows in busy and quiet weeks alike; a
bad month of a small team near full load, which can triple its mean wait over the
whole log, does not make its capacity wrong), scales the
team's work times until the typical (median) replay's waiting matches the history: a
few damped multiplicative steps, each a few replays. The factors and the waits before and after are kept in the team's ``note``, so
the model says what was calibrated and by how much; when nothing was calibrated, a note
in ``estimation.notes`` says why (every team already within the tolerance, or no team
with enough pick-ups to compare). :func:`calibration_note` reads it back.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from workbench.simulation._checks import pickup_waits
from workbench.simulation.engine import simulate
from workbench.simulation.model import SimulationModel
from workbench.simulation.scenarios import Scenario, apply_scenario

__all__ = ["CALIBRATION_NOTE", "calibrate_capacity", "calibration_note", "scale_team_work"]

_TOLERANCE_H = 0.5
_MIN_PICKUPS = 20
#: the log's natural experiments: its weeks, each compared on its own
_PERIOD_DAYS = 7
_MIN_PERIOD_PICKUPS = 5
#: a team is calibrated only when its periods fall on the side of its gap more often than
#: a fair coin would with this chance (one-sided binomial sign test)
_SIGN_CHANCE = 0.01
#: every note :func:`calibrate_capacity` leaves in ``estimation.notes`` starts with this
CALIBRATION_NOTE = "capacity "


def calibration_note(model: SimulationModel) -> str | None:
    """What :func:`calibrate_capacity` did to ``model`` (its last note), or ``None`` when it never ran."""
    notes = [n for n in model.estimation.notes if n.startswith(CALIBRATION_NOTE)]
    return notes[-1] if notes else None


def _noted(model: SimulationModel, note: str) -> SimulationModel:
    notes = (*model.estimation.notes, note)
    return model.model_copy(update={"estimation": model.estimation.model_copy(update={"notes": notes})})


def scale_team_work(model: SimulationModel, factors: dict[str, float]) -> SimulationModel:
    """The model with every staffed step's work time of each team scaled by its factor."""
    changes = []
    for name, f in factors.items():
        if abs(f - 1.0) < 1e-9:
            continue
        acts = sorted({a.activity for a in model.activities.values() if a.team == name and a.uses_staff})
        changes += [{"type": "duration", "activity": a, "team": name, "of": "work", "scale": f} for a in acts]
    if not changes:
        return model
    return apply_scenario(model, Scenario.model_validate({"name": "calibration", "changes": changes}))


def _period_means(waits: pd.DataFrame, start: pd.Timestamp) -> pd.Series:
    """Mean pick-up wait per team and period of ``_PERIOD_DAYS`` days (index ``team, period``), where enough pick-ups."""
    if waits.empty:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_arrays([[], []], names=["team", "period"]))
    period = np.floor((waits["at"] - start) / pd.Timedelta(days=_PERIOD_DAYS)).astype(int)
    g = waits.assign(period=period.to_numpy()).groupby(["team", "period"])["wait_h"]
    means = g.mean()
    return means[g.size() >= _MIN_PERIOD_PICKUPS]


def _replayed_waits(
    model: SimulationModel, replay: pd.DataFrame, seed: int, use_starts: bool, replays: int = 1
) -> tuple[pd.Series, pd.Series]:
    """Each team's typical mean pick-up wait over ``replays`` replays of the log's arrivals, and per week.

    Returns the median over the replays of each replay's mean wait per team, and the
    median over the replays of each team's mean wait per week (see :func:`_period_means`). The log is one realisation; near full load a small team's
    mean wait over one period is heavily skewed (one replay in eight can wait five times
    as long as the others), so the model whose *median* replay matches the log is the
    one for which the log is a typical outcome; a pooled mean would be pulled by the one
    long replay.
    """
    start = replay["arrival"].min().floor("D")
    days = max((replay["arrival"].max() - start) / pd.Timedelta(days=1), 1.0) + 1e-3
    means, periods = [], []
    for child in np.random.SeedSequence(seed).spawn(replays):
        run = simulate(model, start=start, days=days, seed=child, replay=replay, case_prefix="calibrate-")
        waits = pickup_waits(run.events, model, use_starts=use_starts)
        means.append(waits.groupby("team")["wait_h"].mean())
        periods.append(_period_means(waits, start))
    table = pd.concat(means, axis=1)
    by_period = pd.concat(periods, axis=1).median(axis=1, skipna=True)
    return table.median(axis=1, skipna=True), by_period


def _persistent(real: pd.Series, replayed: pd.Series, ratio: pd.Series) -> pd.Series:
    """Per team: True where the log's periods wait on the side of ``ratio`` too consistently to be luck.

    A wrong capacity makes a team's queue too long (or too short) in busy and quiet
    weeks alike; the log's own luck (a leave week in a busy month, a run of long
    tickets) sits in a few of its weeks. Each week in which both the log and the
    replays have enough pick-ups counts on one side; a one-sided sign test
    (``scipy.stats.binomtest``) asks how likely that many weeks on the gap's side are
    for a model whose capacity is right (a queue carries over from one week to the next,
    so the weeks are not quite independent; the 1% threshold leaves room for that).
    """
    from scipy.stats import binomtest

    out = pd.Series(False, index=ratio.index)
    for team, r in ratio.items():
        if team not in real.index.get_level_values("team") or team not in replayed.index.get_level_values("team"):
            continue
        a, b = real.xs(team, level="team").align(replayed.xs(team, level="team"), join="inner")
        gaps = np.log((a + _TOLERANCE_H) / (b + _TOLERANCE_H)).dropna()
        gaps = gaps[gaps.abs() > 1e-9]
        if gaps.empty or r == 0:
            continue
        # ratio is simulated over real: a model that waits too long has the log's periods below it
        side = int((np.sign(gaps) == -np.sign(r)).sum())
        out[team] = bool(binomtest(side, len(gaps), 0.5, alternative="greater").pvalue < _SIGN_CHANCE)
    return out


def calibrate_capacity(
    model: SimulationModel,
    events: pd.DataFrame,
    *,
    iterations: int = 4,
    tolerance: float = 1.5,
    seed: int = 0,
    bounds: tuple[float, float] = (0.5, 2.0),
    replays: int = 8,
) -> SimulationModel:
    """Scale teams' work times so that replaying the log reproduces each team's waiting.

    Parameters
    ----------
    model : SimulationModel
        A model learned from ``events``.
    events : pandas.DataFrame
        The canonical log the model was learned from.
    iterations : int
        Calibration steps (each ``replays`` simulations of the log's period).
    tolerance : float
        A team is calibrated when its simulated over real mean wait (plus half an hour
        each) is off by more than this ratio, either way, and the gap is persistent (below).
    seed : int
        Seed of the replays.
    bounds : (float, float)
        Least and most a team's work may be scaled.
    replays : int
        Replays in each step (the same seeds in every step); a team's simulated wait is the
        median of the replays' means: a small team's waiting over one period swings with its
        luck (a leave week at a busy time), and calibrating to one replay, or to a mean that
        one long replay dominates, would fit that luck, not the capacity.

    A team is calibrated only when its gap is also persistent: the log's weeks wait on
    the gap's side of the replays' so consistently that a right capacity would give that
    with a chance below 1% (sign test; a log needs at least seven weeks with pick-ups at
    the team for that). Otherwise its learned capacity is kept.

    Returns
    -------
    SimulationModel
        The calibrated model; when no team was changed, ``model`` with a note saying why.
    """
    from workbench.schema import START_TIMESTAMP
    from workbench.simulation.experiment import historical_cases

    use_starts = START_TIMESTAMP in events and bool(events[START_TIMESTAMP].notna().mean() >= 0.5)
    real_all = pickup_waits(events, model, use_starts=use_starts).groupby("team")["wait_h"].agg(["mean", "size"])
    real = real_all.loc[real_all["size"] >= _MIN_PICKUPS, "mean"]
    if real.empty:
        return _noted(
            model,
            f"capacity not calibrated: no team has {_MIN_PICKUPS} pick-ups from a queue in the log to compare "
            "the simulated waiting with",
        )
    replay = historical_cases(events, model)
    real_periods = _period_means(
        pickup_waits(events, model, use_starts=use_starts), replay["arrival"].min().floor("D")
    )
    factors = dict.fromkeys(real.index, 1.0)
    first = None
    persistent: pd.Series | None = None
    best: tuple[float, dict[str, float], pd.Series] | None = None
    lo, hi = math.log(bounds[0]), math.log(bounds[1])
    for k in range(iterations):
        sim, sim_periods = _replayed_waits(scale_team_work(model, factors), replay, seed, use_starts, replays)
        sim = sim.reindex(real.index)
        ratio = np.log((sim.fillna(0.0) + _TOLERANCE_H) / (real + _TOLERANCE_H))
        # the log's own wait is one draw from a wide, skewed distribution: a gap that only some of
        # its weeks show is luck, not capacity, and is left alone (decided once, on the model as learned)
        allowed = math.log(tolerance)
        if persistent is None:
            persistent = _persistent(real_periods, sim_periods, ratio)
        first = sim if first is None else first
        err = float(np.average(ratio.abs(), weights=real_all.loc[real.index, "size"]))
        if best is None or err < best[0]:
            best = (err, dict(factors), sim)
        off = ratio[(ratio.abs() > allowed) & persistent.reindex(ratio.index, fill_value=False)]
        if off.empty or k == iterations - 1:
            break
        for team, r in off.items():
            # waiting grows steeply with work near full load: a damped step in log space
            step = float(np.clip(-0.25 * r, -0.35, 0.35))
            factors[team] = float(math.exp(np.clip(math.log(factors[team]) + step, lo, hi)))
    assert best is not None and first is not None
    _, factors, after = best
    changed = {t: f for t, f in factors.items() if abs(f - 1.0) > 1e-9}
    if not changed:
        return _noted(
            model,
            f"capacity checked, not changed: replaying the log gives every team's mean pick-up wait within "
            f"x{tolerance:g} of the real one, or off in too few of the log's weeks to be a capacity error "
            f"({len(real)} team(s) compared)",
        )
    calibrated = scale_team_work(model, changed)
    teams = dict(calibrated.teams)
    for t, f in changed.items():
        teams[t] = teams[t].model_copy(
            update={
                "note": teams[t].note
                + f"; capacity calibrated: work x{f:.2f} so that replaying the log gives {after[t]:.1f} h mean "
                f"pick-up wait (real {real[t]:.1f} h; {first[t]:.1f} h before)"
            }
        )
    notes = (*calibrated.estimation.notes, "capacity calibrated to the log's waiting: " + ", ".join(
        f"{t} work x{f:.2f}" for t, f in sorted(changed.items())
    ))
    return calibrated.model_copy(
        update={"teams": teams, "estimation": calibrated.estimation.model_copy(update={"notes": notes})}
    )
