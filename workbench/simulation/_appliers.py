"""How each change of a scenario is applied to a model: one function per change ``type``.

Every function takes the model, the change and ``where`` (the scenario and change, for
messages), checks the names the change uses against the model (one line naming the
missing team, activity or attribute value and what exists), and returns a changed copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from workbench.errors import ScenarioError
from workbench.simulation._estimation import NOT_NEEDED_VARIANT, RETURNED_VARIANT, SENT_BACK_VARIANT
from workbench.simulation.distributions import Duration, scale_duration
from workbench.simulation.model import (
    END,
    AttributeRoute,
    CalendarSpec,
    PriorityRule,
    RoutingRule,
    SimulationModel,
)

if TYPE_CHECKING:  # the change types (scenarios.py imports this module)
    from workbench.simulation import scenarios as sc

__all__ = ["APPLY"]


# -- name checks ---------------------------------------------------------------------------------


def _listing(names) -> str:
    names = sorted(set(names))
    shown = ", ".join(f"'{n}'" for n in names[:30])
    return shown + (f" and {len(names) - 30} more" if len(names) > 30 else "") if names else "none"


def _team(model: SimulationModel, team: str, where: str) -> str:
    if team not in model.teams:
        teams = _listing(model.teams) if model.teams else (
            "none (the log names no workers or teams, so no team has a capacity to change; map columns.resource "
            "and columns.team in the log config)")
        raise ScenarioError(f"{where}: team '{team}' does not exist in the model; teams: {teams}")
    return team


def _nodes(model: SimulationModel, activity: str, team: str | None, where: str) -> list[str]:
    if team is not None:
        _team(model, team, where)
    found = [
        n
        for n, a in model.activities.items()
        if (n == activity or a.activity == activity) and (team is None or a.team == team)
    ]
    if not found:
        if any(n == activity or a.activity == activity for n, a in model.activities.items()):
            teams = sorted({a.team for a in model.activities.values() if a.activity == activity and a.team})
            raise ScenarioError(
                f"{where}: activity '{activity}' is not done by team '{team}'; it is done by {_listing(teams)}"
            )
        activities = {a.activity for a in model.activities.values()}
        raise ScenarioError(
            f"{where}: activity '{activity}' does not exist in the model; activities: {_listing(activities)}"
        )
    return found


def _attribute(model: SimulationModel, attribute: str, value: str, where: str) -> None:
    if attribute not in model.case_mix.attributes:
        raise ScenarioError(
            f"{where}: case attribute '{attribute}' does not exist in the model; attributes: "
            f"{_listing(model.case_mix.attributes)}"
        )
    values = model.case_mix.values_of(attribute)
    if value not in values:
        raise ScenarioError(f"{where}: '{attribute}' has no value '{value}'; values: {_listing(values)}")


# -- the changes -----------------------------------------------------------------------------------


def _staff(model: SimulationModel, c: sc.StaffChange, where: str) -> SimulationModel:
    team = model.teams[_team(model, c.team, where)]
    new = c.set if c.set is not None else team.staff + (c.add or 0)
    if new < 0:
        raise ScenarioError(
            f"{where}: team '{c.team}' has {team.staff} staff; removing {-(c.add or 0)} leaves {new}"
        )
    teams = {
        **model.teams,
        c.team: team.model_copy(update={"staff": new, "note": f"{team.note}; scenario: {new}"}),
    }
    return model.model_copy(update={"teams": teams})


def _calendar(model: SimulationModel, c: sc.CalendarChange, where: str) -> SimulationModel:
    targets = [_team(model, c.team, where)] if c.team is not None else list(model.teams)
    teams = dict(model.teams)
    for t in targets:
        old = teams[t].calendar
        try:
            cal = CalendarSpec(timezone=c.timezone or old.timezone, hours=c.hours, holidays=old.holidays)
        except ValueError as exc:
            raise ScenarioError(f"{where}: {str(exc).splitlines()[0]}") from None
        teams[t] = teams[t].model_copy(update={"calendar": cal})
    return model.model_copy(update={"teams": teams})


def _target(model: SimulationModel, name: str, at_node: str, where: str) -> str:
    if name == END or name in model.activities:
        return name
    team = model.activities[at_node].team
    same_team = [
        n for n, a in model.activities.items() if a.activity == name and a.team == team and "[" not in n
    ]
    if len(same_team) == 1:
        return same_team[0]
    anywhere = [n for n, a in model.activities.items() if a.activity == name]
    if len(anywhere) == 1:
        return anywhere[0]
    if not anywhere:
        raise ScenarioError(
            f"{where}: next step '{name}' does not exist in the model; activities: "
            f"{_listing({a.activity for a in model.activities.values()})} (or '{END}')"
        )
    raise ScenarioError(f"{where}: next step '{name}' is ambiguous; name one of {_listing(anywhere)}")


def _set_probabilities(rule: RoutingRule, given: dict[str, float]) -> RoutingRule:
    rest = {k: v for k, v in rule.next.items() if k not in given}
    left = 1.0 - sum(given.values())
    total = sum(rest.values())
    if total > 0:
        new = {**{k: v * left / total for k, v in rest.items()}, **given}
    else:
        new = dict(given)
        if left > 1e-9:
            new[END] = new.get(END, 0.0) + left
    return rule.model_copy(update={"next": {k: v for k, v in new.items() if v > 0} or {END: 1.0}})


def _routing(model: SimulationModel, c: sc.RoutingChange, where: str) -> SimulationModel:
    nodes = _nodes(model, c.at, c.team, where)
    rules = list(model.routing)
    for node in nodes:
        given = {_target(model, k, node, where): v for k, v in c.next.items()}
        rules = [_set_probabilities(r, given) if r.at == node else r for r in rules]
    return model.model_copy(update={"routing": tuple(rules)})


def _route_attribute(model: SimulationModel, c: sc.RouteAttribute, where: str) -> SimulationModel:
    _attribute(model, c.attribute, c.value, where)
    _team(model, c.team, where)
    assigned = set(model.statuses.assigned)
    if not assigned:
        raise ScenarioError(
            f"{where}: the model does not know which activities assign a case to a team; "
            "set statuses.assigned in the log config and discover the model again"
        )
    has = [
        n for n, a in model.activities.items() if a.activity in assigned and a.team == c.team and "[" not in n
    ]
    if not has:
        teams = {a.team for a in model.activities.values() if a.activity in assigned and a.team}
        raise ScenarioError(
            f"{where}: team '{c.team}' never receives assigned cases in the model; teams that do: {_listing(teams)}"
        )
    routes = (*model.attribute_routes, AttributeRoute(attribute=c.attribute, value=c.value, team=c.team))
    return model.model_copy(update={"attribute_routes": routes})


def _misrouting(model: SimulationModel, c: sc.MisroutingChange, where: str) -> SimulationModel:
    """Scale the visits to a team that sends the case back: to a wrong team, or needlessly.

    A case that is spared the detour goes on as it would have after it: a case sent to the
    wrong team (``[sent back]``) goes to where misrouted cases went once the sender had
    them back (``[returned]``), i.e. to the team that was right for them; a case forwarded
    needlessly (``[sent back: not needed]``: the team sent it back and the sender solved it)
    goes on as it would have after coming back. Only where the model shows no such way on
    does a spared case go where the other cases at the same decision go.
    """
    wrong_tag, needless_tag = f"[{SENT_BACK_VARIANT}]", f"[{NOT_NEEDED_VARIANT}]"
    if c.team is not None:
        _team(model, c.team, where)

    def visits(tag: str) -> set[str]:
        return {n for n, a in model.activities.items() if n.endswith(tag) and (c.team is None or a.team == c.team)}

    wrong, needless = visits(wrong_tag), visits(needless_tag)
    variant = wrong | needless
    if not variant:
        raise ScenarioError(
            f"{where}: the model has no visits to a wrong team (sent back, then sent on or solved by the sender)"
            + (f" to team '{c.team}'" if c.team else "")
            + "; misrouting needs send-backs in the log (statuses.sent_back, or cases handed back to the team "
            "they came from)"
        )
    general = {r.at: r.next for r in model.routing if r.before is None and r.visit is None and not r.when}
    returned = {n for n in model.activities if n.endswith(f"[{RETURNED_VARIANT}]")}
    exits = {k: _detour_exits(k, wrong | returned, general) for k in wrong}
    exits.update({k: _detour_exits(k, needless, general) for k in needless})
    rules = []
    for r in model.routing:
        mis = sum(p for k, p in r.next.items() if k in variant)
        if r.at.endswith((wrong_tag, needless_tag)) or mis <= 0:
            rules.append(r)
            continue
        rest = 1.0 - mis
        nxt: dict[str, float] = {}
        if c.factor > 1.0:
            new_mis = min(mis * c.factor, 1.0)
            for k, p in r.next.items():
                if k in variant:
                    nxt[k] = p * (new_mis / mis)
                elif rest > 0:
                    nxt[k] = p * (1.0 - new_mis) / rest
        else:
            # a spared case goes on as it would have after the detour; with no way on known, where the others go
            stranded = sum(p for k, p in r.next.items() if k in variant and not exits[k]) * (1.0 - c.factor)
            for k, p in r.next.items():
                if k in variant:
                    nxt[k] = nxt.get(k, 0.0) + p * c.factor
                    for exit_, q in exits[k].items():
                        nxt[exit_] = nxt.get(exit_, 0.0) + p * (1.0 - c.factor) * q
                elif rest > 0:
                    nxt[k] = nxt.get(k, 0.0) + p * (1.0 + stranded / rest)
        total = sum(nxt.values())
        nxt = {k: v / total for k, v in nxt.items() if v > 0} if total > 0 else dict(r.next)
        rules.append(r.model_copy(update={"next": nxt or r.next}))
    return model.model_copy(update={"routing": tuple(rules)})


def _detour_exits(entry: str, detour: set[str], general: dict[str, dict[str, float]]) -> dict[str, float]:
    """Where a case entering ``entry`` goes when it leaves the ``detour`` steps (by the general rules)."""
    out: dict[str, float] = {}
    frontier = {entry: 1.0}
    for _ in range(12):  # a detour is a short chain; a longer loop is cut, its rest dropped
        step: dict[str, float] = {}
        for node, p in frontier.items():
            for k, q in general.get(node, {}).items():
                target = out if k not in detour else step
                target[k] = target.get(k, 0.0) + p * q
        frontier = step
        if not frontier:
            break
    total = sum(out.values())
    return {k: v / total for k, v in out.items()} if total > 0 else {}


def _volume(model: SimulationModel, c: sc.VolumeChange, where: str) -> SimulationModel:
    arrivals = model.arrivals.model_copy(update={"scale": model.arrivals.scale * c.factor})
    return model.model_copy(update={"arrivals": arrivals})


def _flag(model: SimulationModel, nodes: list[str], **flags: bool) -> SimulationModel:
    acts = {**model.activities, **{n: model.activities[n].model_copy(update=flags) for n in nodes}}
    return model.model_copy(update={"activities": acts})


def _automate(model: SimulationModel, c: sc.AutomateActivity, where: str) -> SimulationModel:
    return _flag(model, _nodes(model, c.activity, c.team, where), automated=True)


def _remove(model: SimulationModel, c: sc.RemoveActivity, where: str) -> SimulationModel:
    return _flag(model, _nodes(model, c.activity, c.team, where), removed=True)


def _duration(model: SimulationModel, c: sc.DurationChange, where: str) -> SimulationModel:
    nodes = set(_nodes(model, c.activity, c.team, where))

    def change(d: Duration | None) -> Duration | None:
        if d is None:
            return None if c.distribution is None else c.distribution
        return scale_duration(d, c.scale) if c.scale is not None else c.distribution

    acts = dict(model.activities)
    transitions = []
    if c.of == "work":
        for n in nodes:
            acts[n] = acts[n].model_copy(update={"work": change(acts[n].work)})
        for t in model.transitions:
            if t.target in nodes and t.work is not None:
                t = t.model_copy(update={"work": change(t.work) if c.scale is not None else None})
            transitions.append(t)
    else:
        seen = False
        for t in model.transitions:
            if t.target in nodes and t.delay is not None:
                t = t.model_copy(update={"delay": change(t.delay)})
                seen = True
            transitions.append(t)
        if not seen:
            raise ScenarioError(
                f"{where}: no step before '{c.activity}' has a delay in the model; nothing to change"
            )
    return model.model_copy(update={"activities": acts, "transitions": tuple(transitions)})


def _priority(model: SimulationModel, c: sc.PriorityChange, where: str) -> SimulationModel:
    _attribute(model, c.attribute, c.value, where)
    for t in c.teams:
        _team(model, t, where)
    rule = PriorityRule(attribute=c.attribute, value=c.value, rank_offset=c.rank_offset, teams=c.teams)
    return model.model_copy(update={"priority_rules": (*model.priority_rules, rule)})


APPLY: dict[str, Callable[..., SimulationModel]] = {
    "staff": _staff,
    "calendar": _calendar,
    "routing": _routing,
    "route_attribute": _route_attribute,
    "misrouting": _misrouting,
    "volume": _volume,
    "automate": _automate,
    "remove": _remove,
    "duration": _duration,
    "priority": _priority,
}
