"""A :class:`SimulationModel` compiled into the flat lists and dicts the engine's hot loop reads.

Nothing here is public: the engine calls :func:`compile_model` once per replication
(cheap) and reads indices, quantile tables and routing dicts, never pydantic objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from workbench.errors import ScenarioError
from workbench.simulation._absence import absence_schedule
from workbench.simulation._clock import WorkClock
from workbench.simulation.distributions import quantile_table
from workbench.simulation.model import END, START, CalendarSpec, SimulationModel

__all__ = ["TABLE", "Compiled", "compile_model"]

TABLE = 1024
#: index of the START and END sentinels in the routing tables
START_IDX = -1
END_IDX = -2


@dataclass
class Compiled:
    names: list[str]
    team_names: list[str]
    node_team: list[int]
    node_uses: list[bool]
    node_removed: list[bool]
    node_user_wait: list[bool]
    node_work: list[tuple[float, ...] | None]
    node_activity: list[str]
    node_team_name: list[str | None]
    #: (source, target) -> (delay table | None, clock | None (elapsed time), same worker, work table | None),
    #: or a list of those indexed by the visit number of the target (last entry: that visit or later)
    trans: dict[tuple[int, int], tuple[tuple[float, ...] | None, WorkClock | None, bool, tuple[float, ...] | None]]
    #: node -> list of (use_before, use_visit, attribute index | -1, {key: (cumulative probs, targets)})
    patterns: dict[int, list[tuple[bool, bool, int, dict]]]
    max_visit: dict[int, int]
    staff: list[int]
    clocks: list[WorkClock]
    default_clock: WorkClock
    attributes: list[str]
    profile_codes: list[tuple[int, ...]]  # per profile: value code per attribute
    profile_weights: list[float]
    value_codes: list[dict[str, int]]  # per attribute: value -> code
    #: per profile: queue rank offset per team (list over teams)
    profile_ranks: list[list[float]]
    #: per profile: node substitution map (route a case attribute to a team) or None
    profile_subst: list[dict[int, int] | None]
    extra: dict = field(default_factory=dict)
    #: per team: (engine time, workers away from then on), see ``_absence.py``
    absence: list[list[tuple[float, int]]] = field(default_factory=list)


def _table(dist: object | None) -> tuple[float, ...] | None:
    if dist is None:
        return None
    return _cached_table(dist)


@lru_cache(maxsize=1024)
def _cached_table(dist: object) -> tuple[float, ...]:
    """The quantile table of a distribution (a frozen, hashable model), computed once per process.

    Every replication compiles its model again, and scipy's quantile functions are most of
    that (a model holds a few hundred distributions); the engine only reads the tables.
    A table is 1,024 floats (about 32 kB), so the cache holds at most about 32 MB.
    """
    return tuple(quantile_table(dist, TABLE))  # type: ignore[arg-type]


def compile_model(model: SimulationModel, origin: dt.datetime) -> Compiled:
    """Compile ``model`` for a run whose clock starts at ``origin`` (UTC)."""
    route_to_team = tuple((r.attribute, r.value, r.team) for r in model.attribute_routes)
    names = list(model.activities)
    index = {n: i for i, n in enumerate(names)}
    team_names = list(model.teams)
    team_index = {t: i for i, t in enumerate(team_names)}
    clocks = [WorkClock(model.teams[t].calendar, origin) for t in team_names]
    default_clock = WorkClock(model.default_calendar, origin)
    users_clock = WorkClock(model.users_calendar, origin) if model.users_calendar is not None else None
    node_team, node_uses, node_removed, node_user, node_work, node_act, node_tname = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for n in names:
        a = model.activities[n]
        ti = team_index[a.team] if a.team is not None else -1
        uses = a.uses_staff and not a.automated and ti >= 0 and model.teams[a.team].staff > 0  # type: ignore[index]
        if a.uses_staff and not a.automated and ti >= 0 and model.teams[a.team].staff == 0:  # type: ignore[index]
            uses = True  # a team with no staff: cases queue for ever (the KPIs show it)
        node_team.append(ti)
        node_uses.append(uses)
        node_removed.append(a.removed)
        node_user.append(a.user_wait_after)
        node_work.append(None if a.automated else _table(a.work))
        node_act.append(a.activity)
        node_tname.append(a.team)
    trans: dict = {}
    by_visit: dict[tuple[int, int], dict[int, tuple]] = {}
    for tr in model.transitions:
        s = START_IDX if tr.source == START else index[tr.source]
        t = index[tr.target]
        if tr.clock == "users" and users_clock is not None:
            clock: WorkClock | None = None if users_clock.always else users_clock
        elif tr.clock in ("working", "users"):  # no users' hours in the model: the team's
            ti = node_team[t]
            team_clock = clocks[ti] if ti >= 0 else default_clock
            clock = None if team_clock.always else team_clock
        else:
            clock = None
        work = None if model.activities[tr.target].automated else _table(tr.work)
        entry = (_table(tr.delay), clock, tr.same_worker, work)
        if tr.visit is None:
            trans[(s, t)] = entry
        else:
            by_visit.setdefault((s, t), {})[tr.visit] = entry
    for key, visits in by_visit.items():
        # a list indexed by visit number (a visit beyond the last entry uses the last entry);
        # missing levels use the transition's general entry
        generic = trans.get(key, (None, None, False, None))
        trans[key] = [generic] + [visits.get(v, generic) for v in range(1, max(visits) + 1)]
    attributes = list(model.case_mix.attributes)
    attr_index = {a: i for i, a in enumerate(attributes)}
    value_codes = [{v: k for k, v in enumerate(model.case_mix.values_of(a))} for a in attributes]
    patterns: dict[int, dict[tuple[bool, bool, int], dict]] = {}
    max_visit: dict[int, int] = {}
    for rule in model.routing:
        at = START_IDX if rule.at == START else index[rule.at]
        attr = -1
        value = None
        if rule.when:
            ((aname, aval),) = rule.when.items()
            attr = attr_index[aname]
            value = value_codes[attr].get(aval, -1)
        pat = (rule.before is not None, rule.visit is not None, attr)
        before = None if rule.before is None else (START_IDX if rule.before == START else index[rule.before])
        rule_key = (before, rule.visit, value)
        targets, cum, acc = [], [], 0.0
        for target, p in rule.next.items():
            if p <= 0:
                continue
            acc += p
            targets.append(END_IDX if target == END else index[target])
            cum.append(acc)
        cum[-1] = 1.0 + 1e-12
        patterns.setdefault(at, {}).setdefault(pat, {})[rule_key] = (cum, targets)
        if rule.visit is not None:
            max_visit[at] = max(max_visit.get(at, 1), rule.visit)

    def specificity(p: tuple[bool, bool, int]) -> tuple[int, bool, bool, bool]:
        # more conditions first; then an attribute, then the previous step, then the visit number
        return (int(p[2] >= 0) + int(p[0]) + int(p[1]), p[2] >= 0, p[0], p[1])

    ordered = {
        at: [
            (p[0], p[1], p[2], d)
            for p, d in sorted(pats.items(), key=lambda kv: specificity(kv[0]), reverse=True)
        ]
        for at, pats in patterns.items()
    }
    profile_codes, weights = [], []
    for prof in model.case_mix.profiles:
        profile_codes.append(
            tuple(value_codes[i].get(prof.values.get(a, ""), -1) for i, a in enumerate(attributes))
        )
        weights.append(prof.weight)
    if not profile_codes:
        profile_codes, weights = [()], [1.0]
    ranks = _profile_ranks(model, attributes, value_codes, profile_codes, team_names)
    subst = _profile_subst(model, route_to_team, attributes, value_codes, profile_codes, names, index)
    return Compiled(
        names=names,
        team_names=team_names,
        node_team=node_team,
        node_uses=node_uses,
        node_removed=node_removed,
        node_user_wait=node_user,
        node_work=node_work,
        node_activity=node_act,
        node_team_name=node_tname,
        trans=trans,
        patterns=ordered,
        max_visit=max_visit,
        staff=[model.teams[t].staff for t in team_names],
        clocks=clocks,
        default_clock=default_clock,
        attributes=attributes,
        profile_codes=profile_codes,
        profile_weights=weights,
        value_codes=value_codes,
        profile_ranks=ranks,
        profile_subst=subst,
        absence=absence_schedule(model, team_names, origin),
    )


def _profile_ranks(model, attributes, value_codes, profile_codes, team_names) -> list[list[float]]:
    out = []
    qp = model.queue_priority
    for codes in profile_codes:
        values = {a: _decode(value_codes[i], codes[i]) for i, a in enumerate(attributes)} if codes else {}
        base = 0.0
        if qp is not None:
            base = qp.ranks.get(values.get(qp.attribute, ""), qp.default_rank)
        per_team = [base] * len(team_names)
        for rule in model.priority_rules:
            if values.get(rule.attribute) == rule.value:
                for ti, t in enumerate(team_names):
                    if not rule.teams or t in rule.teams:
                        per_team[ti] += rule.rank_offset
        out.append(per_team)
    return out


def _profile_subst(model, route_to_team, attributes, value_codes, profile_codes, names, index):
    if not route_to_team:
        return [None] * len(profile_codes)
    assigned = set(model.statuses.assigned)
    maps: dict[tuple[str, str], dict[int, int]] = {}
    for attr, value, team in route_to_team:
        m: dict[int, int] = {}
        for n in names:
            act = model.activities[n]
            if act.activity in assigned and act.team != team:
                target = next(
                    (
                        k
                        for k in names
                        if model.activities[k].activity == act.activity
                        and model.activities[k].team == team
                        and k == _plain(k)
                    ),
                    None,
                )
                if target is None:
                    raise ScenarioError(
                        f"route_attribute: team '{team}' has no '{act.activity}' step in the model, so cases cannot "
                        f"be assigned to it directly; teams with one: "
                        f"{sorted({model.activities[k].team for k in names if model.activities[k].activity == act.activity and model.activities[k].team})}"
                    )
                m[index[n]] = index[target]
        maps[(attr, value)] = m
    out = []
    for codes in profile_codes:
        values = {a: _decode(value_codes[i], codes[i]) for i, a in enumerate(attributes)} if codes else {}
        merged: dict[int, int] = {}
        for (attr, value), m in maps.items():
            if values.get(attr) == value:
                merged.update(m)
        out.append(merged or None)
    return out


def _plain(name: str) -> str:
    return name.split(" [", 1)[0]


def _decode(codes: dict[str, int], code: int) -> str | None:
    for v, k in codes.items():
        if k == code:
            return v
    return None


def calendar_clock(calendar: CalendarSpec, origin: dt.datetime) -> WorkClock:
    return WorkClock(calendar, origin)
