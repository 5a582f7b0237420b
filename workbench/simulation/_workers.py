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
of the team's events); members without an event in a week the team worked were away
that week (leave, illness), which the model keeps as the team's absences. The evidence is kept in
the model (``teams.<team>.evidence`` and ``non_staff``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["WorkerFindings", "find_workers", "headcount"]

_EVERY_TEAM_MIN = 3
_EVERY_TEAM_SHARE = 0.8
_CONCURRENT_CASES = 3
_MEMBER_OWN_SHARE = 0.10
_MEMBER_TEAM_SHARE = 0.05
_USUAL_WEEK_SHARE = 0.15


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
        teams = frame["pool"].dropna().unique()
        if len(teams) >= _EVERY_TEAM_MIN:
            per = frame.dropna(subset=["pool"]).groupby("r")["pool"].nunique()
            wide = per[per >= max(_EVERY_TEAM_MIN, _EVERY_TEAM_SHARE * len(teams))]
            for r, n in wide.items():
                non_staff.setdefault(str(r), f"active in {n} of {len(teams)} teams")
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
    pool: np.ndarray, resource: np.ndarray, end: np.ndarray, pools: Iterable[str], *, team_mode: bool = True
) -> dict[str, tuple[int, str, dict[int, int], int]]:
    """Per team: the learned headcount, a one-line account of the evidence, absences, and the median week.

    A resource is a *member* of a team with at least 10% of its events there or at
    least 5% of the team's events; the headcount is the number of members. In every
    week the team recorded events (weeks counted from the clock origin), members with
    no event in a week the team had cases (events of any kind) were away: the result maps
    such weeks to the number away.
    """
    has = pd.notna(resource)
    week_all = np.floor(end / (7 * 86400.0)).astype(int)
    # a team's weeks: every week a case was with it (system and user events count: a week in which
    # its only worker was away has no worker events at all)
    # (whole weeks only: the log's first and last weeks are cut, and a week with under 15% of the team's
    # usual events is a closed week, not an absence)
    inner = (week_all > week_all.min()) & (week_all < week_all.max()) if len(week_all) else week_all > 0
    counts = pd.DataFrame({"p": pool[inner], "w": week_all[inner]}).groupby(["p", "w"]).size()
    usual = counts.groupby(level=0).transform("median")
    kept = counts[counts >= _USUAL_WEEK_SHARE * usual].reset_index()
    team_weeks = kept.groupby("p")["w"].unique()
    frame = pd.DataFrame({"r": resource[has], "pool": pool[has], "week": week_all[has]})
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
            per_week = g.groupby("week")["r"].nunique()
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
        weeks = np.sort(team_weeks[p]) if p in team_weeks.index else np.sort(g["week"].unique())
        active = g[g["r"].isin(member.index)].groupby("week")["r"].nunique().reindex(weeks, fill_value=0)
        n = max(1, len(member))
        away = {int(w): int(n - a) for w, a in active.items() if a < n}
        out[p] = (
            n,
            f"headcount {n}: the worker(s) doing most of its work ({len(n_rp) - len(member)} occasional other "
            f"resource(s) not counted); {int(active.min())} to {int(active.max())} active per week over "
            f"{len(weeks)} weeks (median {float(active.median()):g}); the weeks with fewer are kept as absence",
            away,
            int(max(1, round(float(active.median())))),
        )
    return out
