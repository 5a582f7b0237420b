"""The figures behind the verdict (see :mod:`workbench.simulation.verdict`), on any canonical log.

Real and simulated logs are measured the same way, with the model saying which steps
use a team's staff: a *pick-up wait* is the time from the event before a team visit
(a run of one team's events in a case) to the visit's first staffed event.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from workbench.schema import ACTIVITY, CASE_ID, START_TIMESTAMP, TEAM, TIMESTAMP
from workbench.simulation.model import SimulationModel
from workbench.simulation.verdict import Check, level_of

__all__ = ["cycle_mean_h", "cycle_time_check", "load_response_check", "pickup_waits", "waiting_check"]

_MIN_VISITS = 20
#: Busy weeks with more than this many times the arrivals of quiet weeks are no natural experiment of
#: load: a desk's busy third of weeks has 1.5-3x the tickets of its quiet third (the demo 1.6x, BPIC 2012
#: 1.7x, the Helpdesk log 2.7x); an extract that keeps a few survivors of its early months has 100x and more.
_MAX_WEEK_SPREAD = 5.0
_TOLERANCE_H = 0.5


def cycle_mean_h(events: pd.DataFrame) -> float:
    """Mean hours from each case's first to its last event."""
    if events.empty:
        return math.nan
    t = pd.to_datetime(events[TIMESTAMP], utc=True)
    g = t.groupby(events[CASE_ID].to_numpy())
    return float(((g.max() - g.min()) / pd.Timedelta(hours=1)).mean())


def pickup_waits(events: pd.DataFrame, model: SimulationModel, *, use_starts: bool) -> pd.DataFrame:
    """One row per team visit with a staffed event: ``team``, ``at`` (visit start, UTC), ``wait_h``."""
    if events.empty or TEAM not in events or not model.teams:
        # typed, so that the checks can take weeks of "at" from an empty table too
        return pd.DataFrame({"team": pd.Series(dtype=object), "at": pd.Series(dtype="datetime64[ns, UTC]"),
                             "wait_h": pd.Series(dtype=float)})
    staffed = {(a.activity, a.team) for a in model.activities.values() if a.uses_staff and a.team}
    ev = events.sort_values([CASE_ID, TIMESTAMP], kind="stable")
    case = ev[CASE_ID].astype(str).to_numpy()
    team = ev[TEAM].astype("string").fillna("").to_numpy(dtype=object)
    end = pd.to_datetime(ev[TIMESTAMP], utc=True)
    when = end
    if use_starts and START_TIMESTAMP in ev:
        when = pd.to_datetime(ev[START_TIMESTAMP], utc=True).fillna(end)
    t = (end - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(hours=1)
    tw = (when - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(hours=1)
    t, tw = t.to_numpy(dtype=float), tw.to_numpy(dtype=float)
    same_case = np.r_[False, case[1:] == case[:-1]]
    new_visit = ~same_case | np.r_[True, team[1:] != team[:-1]]
    visit = np.cumsum(new_visit)
    prev_t = np.where(same_case, np.r_[np.nan, t[:-1]], t)
    is_staffed = np.fromiter(
        (k in staffed for k in zip(ev[ACTIVITY].astype(str).to_numpy(), team, strict=True)), dtype=bool, count=len(ev)
    )
    frame = pd.DataFrame({"visit": visit, "team": team, "t0": np.where(new_visit, prev_t, np.nan), "tw": tw})
    first = frame.groupby("visit").agg(team=("team", "first"), t0=("t0", "first"))
    pick = frame[is_staffed].groupby("visit")["tw"].first()
    out = first.join(pick, how="inner")
    wait = np.maximum(out["tw"].to_numpy() - out["t0"].to_numpy(), 0.0)
    at = pd.to_datetime(out["t0"].to_numpy() * 3600.0, unit="s", utc=True)
    return pd.DataFrame({"team": out["team"].to_numpy(), "at": at, "wait_h": wait})


def cycle_time_check(real: pd.DataFrame, simulated_means: list[float]) -> Check:
    r = cycle_mean_h(real)
    s = float(np.nanmean(simulated_means)) if simulated_means else math.nan
    fig = math.log(s / r) if r > 0 and s > 0 and math.isfinite(s) else math.nan
    return Check(
        "cycle_time", fig, level_of("cycle_time", fig), f"mean {s:.1f} h simulated vs {r:.1f} h real ({math.expm1(fig):+.0%})"
    )


def waiting_check(real: pd.DataFrame, simulated: pd.DataFrame, replications: int) -> Check:
    """Visit-weighted mean of |log| of each team's simulated over real mean pick-up wait (+ half an hour)."""
    rw = real.groupby("team")["wait_h"].agg(["mean", "size"])
    rw = rw[rw["size"] >= _MIN_VISITS]
    if rw.empty:
        return Check("waiting", math.nan, None, f"no team with {_MIN_VISITS} pick-ups in the test period")
    sw = simulated.groupby("team")["wait_h"].mean().reindex(rw.index)
    signed = np.log((sw.fillna(0.0) + _TOLERANCE_H) / (rw["mean"] + _TOLERANCE_H))
    err = signed.abs()
    fig = float(np.average(err, weights=rw["size"]))
    worst = err.idxmax()
    return Check(
        "waiting",
        fig,
        level_of("waiting", fig),
        f"off by a factor {math.exp(fig):.2f} per team on average (worst: {worst}, "
        f"{sw.get(worst, math.nan):.1f} h simulated vs "
        f"{rw.loc[worst, 'mean']:.1f} h real)",
        per_team={str(t): round(float(v), 4) for t, v in signed.items()},
    )


def load_response_check(real: pd.DataFrame, replayed: pd.DataFrame, arrivals: pd.Series) -> Check:
    """Waiting in busy weeks over quiet weeks, replayed through the model against the history."""
    week = arrivals.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W")
    load = week.value_counts()
    if len(load) < 9:
        return Check("load_response", math.nan, None, f"{len(load)} weeks of arrivals; 9 needed")
    lo, hi = load.quantile(1 / 3), load.quantile(2 / 3)
    busy, quiet = set(load.index[load >= hi]), set(load.index[load <= lo])
    spread = float(load[load >= hi].mean() / load[load <= lo].mean())
    if spread > _MAX_WEEK_SPREAD:  # BPIC 2013 incidents: a median week of 2 new cases, the last one 3,958
        return Check("load_response", math.nan, None,
                     f"busy weeks have {spread:.0f}x the arrivals of quiet weeks: a log that grows or shrinks "
                     "(an extract), not one desk's busy and quiet weeks")

    def sides(w: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        wk = w["at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W")
        return w.loc[wk.isin(busy).to_numpy(), "wait_h"], w.loc[wk.isin(quiet).to_numpy(), "wait_h"]

    def ratio(busy_waits: pd.Series, quiet_waits: pd.Series) -> float:
        b, q = busy_waits.mean(), quiet_waits.mean()
        return float(b / q) if q and q > 0 and b > 0 else math.nan

    real_sides = sides(real)
    few = min(len(side) for side in real_sides)
    if 0 < few < _MIN_VISITS:
        return Check("load_response", math.nan, None,
                     f"{few} pick-ups in the log's busy or quiet weeks; {_MIN_VISITS} needed on each side")
    r, s = ratio(*real_sides), ratio(*sides(replayed))
    fig = math.log(s / r) if math.isfinite(r) and math.isfinite(s) and r > 0 and s > 0 else math.nan
    detail = (
        f"busy/quiet-week waiting {s:.2f}x simulated vs {r:.2f}x real"
        if math.isfinite(fig)
        else "no waiting to compare in busy and quiet weeks"
    )
    return Check("load_response", fig, level_of("load_response", fig), detail)
