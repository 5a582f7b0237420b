"""Who is a worker, and how many: telling staff from systems, users and dispatchers.

A ticket log's ``resource`` column names whoever recorded an event, which is not
always a person doing the team's work. Counting every name as staff of every team it
appears in gives teams many times their real headcount, so no queue can ever form in
a simulation. Three behaviours mark a resource, or one of its events, as not a worker:

- **hand-over events**: the first event of a team visit recorded by the resource that
  recorded the case's previous event in *another* team (a first-line agent logging
  "Tildelt <team>" under the destination team). The event is the sender's action, so
  it counts for no one's capacity in the destination team (the sender stays staff of
  their own team);
- **active in every team**: a resource recording events in every team (at least
  three, and at least 80% of them) is a pseudo-resource such as ``system`` or ``user``;
- **impossible concurrency**: a resource that, in its busy minutes, touches three or
  more different cases within the same minute (95th percentile) is not a person.

The log config can declare more (``non_staff: [...]``) and set headcounts
(``staff: {team: count}``). Headcount is then learned from the resources that do a
team's work: its *members* (at least 10% of their events in the team, or at least 5%
of the team's events); members without an event on a run of the team's working days too
long to be chance were away those days (leave, illness), which the model keeps as the
team's absences. The evidence is kept in
the model (``teams.<team>.evidence`` and ``non_staff``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["WorkerFindings", "active_in_every_team", "find_workers", "headcount"]

#: a resource recording events in at least this many teams, and this share of them, is not a person
_EVERY_TEAM_MIN = 3
_EVERY_TEAM_SHARE = 0.8
_CONCURRENT_CASES = 3
_MEMBER_OWN_SHARE = 0.10
_MEMBER_TEAM_SHARE = 0.05
_USUAL_DAY_SHARE = 0.15
#: an absence is a run of days without events that a worker at work has a chance below this of
_CHANCE = 0.01
#: runs of days without events this long or longer are not counted as chance gaps
_LONG_RUN = 3


@dataclass(frozen=True)
class WorkerFindings:
    """The outcome of :func:`find_workers`.

    Attributes
    ----------
    resource : numpy.ndarray
        Per event, the worker who did it, or ``None`` (system, user, dispatcher hand-over).
    non_staff : dict
        Resource -> why it is not staff.
    handovers : dict
        Team -> number of hand-over events recorded there by the sending team's worker.
    """

    resource: np.ndarray
    non_staff: dict[str, str] = field(default_factory=dict)
    handovers: dict[str, int] = field(default_factory=dict)


def active_in_every_team(resource: np.ndarray, team: np.ndarray) -> tuple[pd.Series, int]:
    """Resources that record events in (nearly) every team, with how many teams each: pseudo-resources.

    Returns the number of teams per such resource (empty with fewer than three teams) and the
    number of teams. Events without a resource or a team are left out.
    """
    frame = pd.DataFrame({"r": resource, "team": team}).dropna()
    n_teams = int(frame["team"].nunique())
    if n_teams < _EVERY_TEAM_MIN:
        return pd.Series(dtype=int), n_teams
    per = frame.groupby("r")["team"].nunique()
    return per[per >= max(_EVERY_TEAM_MIN, _EVERY_TEAM_SHARE * n_teams)], n_teams


def find_workers(
    case: np.ndarray,
    pool: np.ndarray,
    resource: np.ndarray,
    end: np.ndarray,
    *,
    team_mode: bool,
    declared: Iterable[str] = (),
    detect: bool = True,
) -> WorkerFindings:
    """Mark events and resources that are not a person doing the team's work.

    Parameters
    ----------
    case, pool, resource, end : numpy.ndarray
        Per event (in case order): case code, team (or activity without a team column),
        resource (``None`` when missing) and end time in seconds.
    team_mode : bool
        Whether ``pool`` is a real team column (hand-over and every-team rules need one).
    declared : iterable of str
        Resources the log config declares as not staff.
    detect : bool
        Apply the every-team and concurrency rules (hand-overs are always found).
    """
    res = np.asarray(resource, dtype=object).copy()
    has = pd.notna(res)
    non_staff: dict[str, str] = {}
    declared = set(declared)
    for r in sorted(declared & set(res[has].tolist())):
        non_staff[r] = "declared in the log config (non_staff)"
    handovers: dict[str, int] = {}
    if team_mode and len(res) > 1:
        pool_s = pd.Series(pool, dtype=object).fillna("").to_numpy()
        same_case = np.r_[False, case[1:] == case[:-1]]
        new_team = np.r_[False, pool_s[1:] != pool_s[:-1]] & same_case
        prev_res = np.r_[None, res[:-1]]
        hand = new_team & has & (res == prev_res)
        if hand.any():
            counts = pd.Series(pool_s[hand]).value_counts()
            handovers = {str(k): int(v) for k, v in counts.items()}
            res[hand] = None
    has = pd.notna(res)
    frame = pd.DataFrame({"r": res[has], "pool": pool[has], "case": case[has], "end": end[has]})
    if team_mode and detect:
        wide, n_teams = active_in_every_team(frame["r"].to_numpy(), frame["pool"].to_numpy())
        for r, n in wide.items():
            non_staff.setdefault(str(r), f"active in {n} of {n_teams} teams")
    if detect:
        minute = np.floor(frame["end"].to_numpy() / 60.0)
        per_minute = frame.assign(minute=minute).groupby(["r", "minute"])["case"].nunique()
        p95 = per_minute.groupby(level=0).quantile(0.95)
        n_events = frame.groupby("r").size()
        for r, q in p95.items():
            if q >= _CONCURRENT_CASES and n_events.get(r, 0) >= 50:
                non_staff.setdefault(
                    str(r), f"{q:.0f} different cases within one minute in its busy minutes (95th percentile)"
                )
    if non_staff:
        res[pd.Series(res, dtype=object).isin(list(non_staff)).to_numpy()] = None
    return WorkerFindings(resource=res, non_staff=non_staff, handovers=handovers)


def headcount(
    pool: np.ndarray,
    resource: np.ndarray,
    end: np.ndarray,
    pools: Iterable[str],
    *,
    team_mode: bool = True,
    works: np.ndarray | None = None,
) -> dict[str, tuple[int, str, dict[int, int], int]]:
    """Per team: the learned headcount, a one-line account of the evidence, absences, and the usual number present.

    A resource is a *member* of a team with at least 10% of its events there or at
    least 5% of the team's events; the headcount is the number of members. A member is
    *away* on a run of the team's working days (days a case was with the team: events of
    any kind, so a day on which its only worker was away counts) without one event of
    theirs, when the run is too long to be chance for how often they record events
    (probability below 1%; a whole week for a worker with one event a day, one day for a
    worker with five). Days are counted from the clock origin (``end`` in seconds), so an
    absence is found whatever weekday the log starts on. The result maps such days to
    the number of members away.

    ``works`` marks the events that are work of the team (steps that use its staff). When
    given, only those show that a member was at work: a phone call registered in a
    member's name, an owner field stamped by a rule or a dispatcher's assignment is no
    sign that they were in; counting such events hid half of a first-line team's leave.
    """
    has = pd.notna(resource)
    day_all = np.floor(end / 86400.0).astype(int)
    # working days: days with at least 15% of the log's usual daily events (a weekend or holiday has
    # next to none); a team's working days are those on which a case was with it (system, user and
    # dispatcher events count: a day on which its only worker was away has no worker events at all);
    # the log's first and last days are cut
    inner = (day_all > day_all.min()) & (day_all < day_all.max()) if len(day_all) else day_all > 0
    per_day = pd.Series(day_all[inner]).value_counts()
    open_days = per_day.index[per_day >= _USUAL_DAY_SHARE * per_day.median()]
    on = inner & np.isin(day_all, open_days)
    team_days = pd.DataFrame({"p": pool[on], "d": day_all[on]}).groupby("p")["d"].unique()
    at_work = np.ones(len(pool), dtype=bool) if works is None else np.asarray(works, dtype=bool)
    frame = pd.DataFrame({"r": resource[has], "pool": pool[has], "day": day_all[has], "work": at_work[has]})
    own = frame.groupby("r").size()
    out: dict[str, tuple[int, str, dict[int, int], int]] = {}
    for p in pools:
        g = frame[frame["pool"] == p]
        if g.empty:
            out[p] = (1, "no worker recorded events in this team: headcount 1 assumed", {}, 1)
            continue
        n_rp = g.groupby("r").size()
        if not team_mode:
            # one pool per activity (no team column): the same people work in many pools, so
            # membership means little; the pool has as many workers as are active in a median week
            per_week = g.groupby(g["day"] // 7)["r"].nunique()
            n = int(max(1, round(float(per_week.median()))))
            out[p] = (
                n,
                f"staff = median number of distinct workers active per week ({n}; {int(per_week.max())} at most, "
                f"{len(n_rp)} in all)",
                {},
                n,
            )
            continue
        member = n_rp[(n_rp >= _MEMBER_OWN_SHARE * own.reindex(n_rp.index)) | (n_rp >= _MEMBER_TEAM_SHARE * len(g))]
        days = np.sort(team_days[p]) if p in team_days.index else np.sort(g["day"].unique())
        away_count = pd.Series(0, index=days, dtype=int)
        away_runs = 0
        for r in member.index:
            mine = g[(g["r"] == r) & g["work"]]
            if mine.empty:
                continue
            absent = _absent_days(mine["day"].to_numpy(), days)
            away_count.loc[absent] += 1
            away_runs += int(len(absent) > 0)
        n = max(1, len(member))
        away = {int(d): int(k) for d, k in away_count.items() if k > 0}
        share = float(away_count.sum()) / (n * len(days)) if len(days) else 0.0
        out[p] = (
            n,
            f"headcount {n}: the worker(s) doing most of its work ({len(n_rp) - len(member)} occasional other "
            f"resource(s) not counted); over {len(days)} working days, {int(away_count.sum())} worker-day(s) "
            f"away ({share:.0%}; {away_runs} worker(s) with an absence), kept as absence",
            away,
            n,
        )
    return out


def _absent_days(worker_days: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The team days in runs without an event of this worker that are too long to be chance."""
    if len(days) == 0:
        return days
    present = np.isin(days, worker_days)
    rate = len(worker_days) / len(days)  # events per team day
    if rate <= 0:
        return days[:0]
    edges = np.flatnonzero(np.diff(np.r_[0, (~present).astype(int), 0]))
    runs = edges[1::2] - edges[::2]
    # a worker at work has no event on a day by chance (long pieces of work, quiet days) about as
    # often as short gaps show; a run of such days with a chance below 1% is an absence. At least
    # as long as a Poisson rate of events would need, and at least one day
    short = runs[runs < _LONG_RUN]
    p_gap = min(max(float(short.sum()) / len(days), np.exp(-rate)), 0.5)
    min_run = max(1, int(np.ceil(np.log(_CHANCE) / np.log(p_gap))) if p_gap > 0 else 1)
    out: list[np.ndarray] = []
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b - a >= min_run:
            out.append(days[a:b])
    return np.concatenate(out) if out else days[:0]
