from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import ConfigError, ScenarioError
from workbench.simulation import simulate
from workbench.simulation.distributions import duration_mean
from workbench.simulation.model import SimulationModel
from workbench.simulation.scenarios import Scenario, apply_scenario, load_scenario


def _apply(model: SimulationModel, *changes: dict) -> SimulationModel:
    return apply_scenario(model, Scenario(name="test", changes=list(changes)))


def test_staff_calendar_volume_and_priority_changes(toy_model: SimulationModel):
    m = _apply(
        toy_model,
        {"type": "staff", "team": "back", "add": 2},
        {"type": "staff", "team": "front", "set": 5},
        {"type": "calendar", "team": "back", "hours": {"mon": [[7, 19]], "sat": [[9, 13]]}},
        {"type": "volume", "factor": 1.2},
        {"type": "priority", "attribute": "dept", "value": "B", "rank_offset": 3},
    )
    assert (m.teams["back"].staff, m.teams["front"].staff) == (3, 5)
    assert (
        m.teams["back"].calendar.weekly_hours() == 16
        and m.teams["front"].calendar == toy_model.teams["front"].calendar
    )
    assert m.arrivals.scale == pytest.approx(1.2)
    assert m.priority_rules[0].value == "B"
    assert toy_model.teams["back"].staff == 1  # the input model is not changed


def test_routing_automate_remove_and_duration_changes(toy_model: SimulationModel):
    m = _apply(toy_model, {"type": "routing", "at": "Fix", "next": {"Fix": 0.0}})
    fix_rules = [r for r in m.routing if r.at == "Fix"]
    assert fix_rules[0].next == {"Reply": 1.0}
    m = _apply(toy_model, {"type": "automate", "activity": "Fix"}, {"type": "remove", "activity": "Reply"})
    assert m.activities["Fix"].automated and m.activities["Reply"].removed
    ev = simulate(m, start="2024-01-01", days=14, seed=1).events
    assert set(ev["activity"]) == {"Triage", "Fix"}
    assert (
        ev.loc[ev["activity"] == "Fix", "timestamp"] == ev.loc[ev["activity"] == "Fix", "start_timestamp"]
    ).all()
    m = _apply(toy_model, {"type": "duration", "activity": "Fix", "scale": 0.5})
    assert duration_mean(m.activities["Fix"].work) == pytest.approx(600.0)
    m = _apply(
        toy_model,
        {
            "type": "duration",
            "activity": "Fix",
            "of": "delay",
            "distribution": {"family": "fixed", "value": 60},
        },
    )
    assert m.transitions[0].delay.value == 60


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"type": "staff", "team": "Back office", "add": 1},
            r"team 'Back office' does not exist in the model; teams: 'back', 'front'",
        ),
        ({"type": "staff", "team": "back", "add": -2}, r"team 'back' has 1 staff; removing 2 leaves -1"),
        (
            {"type": "automate", "activity": "Repair"},
            r"activity 'Repair' does not exist in the model; activities: 'Fix', 'Reply', 'Triage'",
        ),
        (
            {"type": "remove", "activity": "Fix", "team": "front"},
            r"activity 'Fix' is not done by team 'front'; it is done by 'back'",
        ),
        (
            {"type": "priority", "attribute": "region", "value": "x"},
            r"case attribute 'region' does not exist in the model; attributes: 'dept'",
        ),
        (
            {"type": "priority", "attribute": "dept", "value": "Z"},
            r"'dept' has no value 'Z'; values: 'A', 'B'",
        ),
        (
            {"type": "routing", "at": "Fix", "next": {"Nowhere": 0.5}},
            r"next step 'Nowhere' does not exist in the model",
        ),
        (
            {"type": "misrouting", "factor": 0.5},
            r"the model has no visits to a wrong team \(sent back, then sent on or solved by the sender\)",
        ),
        (
            {"type": "route_attribute", "attribute": "dept", "value": "A", "team": "back"},
            r"does not know which activities assign a case",
        ),
    ],
)
def test_bad_names_raise_scenario_error_naming_them(toy_model: SimulationModel, change: dict, message: str):
    with pytest.raises(ScenarioError, match=message):
        _apply(toy_model, change)


def test_a_staffing_change_on_a_model_without_teams_says_why_there_are_none(toy_model: SimulationModel):
    bare = toy_model.model_copy(update={"teams": {}})
    with pytest.raises(ScenarioError, match=r"team 'back' does not exist in the model; teams: none \(the log names no "
                                            r"workers or teams.*map columns.resource and columns.team"):
        _apply(bare, {"type": "staff", "team": "back", "add": 1})


def test_scenario_files_are_validated(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges:\n  - {type: staff, team: A, add: 1, colour: red}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="colour': unknown key"):
        load_scenario(bad)
    bad.write_text("name: x\nchanges:\n  - {type: hire, team: A}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="does not match any of the expected tags"):
        load_scenario(bad)
    bad.write_text("name: x\nchanges:\n  - {type: staff, team: A}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="give exactly one of 'add'"):
        load_scenario(bad)


def test_shipped_demo_scenarios_apply_to_a_demo_model(repo_root: Path, demo_model: SimulationModel):
    files = sorted((repo_root / "configs" / "scenarios").glob("demo_*.yaml"))
    assert len(files) >= 3
    for path in files:
        apply_scenario(demo_model, load_scenario(path))


def test_misrouting_and_route_attribute_on_a_status_model(demo_model: SimulationModel):
    tag = "[sent back]"
    entry = [r for r in demo_model.routing if not r.at.endswith(tag) and any(k.endswith(tag) for k in r.next)]
    assert entry, "the demo model has misrouted visits"
    halved = _apply(demo_model, {"type": "misrouting", "factor": 0.5})
    for before in entry:
        after = next(
            r
            for r in halved.routing
            if (r.at, r.before, r.visit, r.when) == (before.at, before.before, before.visit, before.when)
        )
        mis_before = sum(p for k, p in before.next.items() if k.endswith(tag))
        assert sum(p for k, p in after.next.items() if k.endswith(tag)) == pytest.approx(mis_before / 2, rel=1e-4)
        assert sum(after.next.values()) == pytest.approx(1.0, abs=1e-4)
    routed = _apply(
        demo_model,
        {"type": "route_attribute", "attribute": "category", "value": "Rapporter og BI", "team": "BI-teamet"},
    )
    ev = simulate(routed, start="2023-01-02", days=21, seed=4).events
    bi = ev[ev["category"] == "Rapporter og BI"]
    first_assignment = bi[bi["activity"] == "Assigned to team"].groupby("case_id")["team"].first()
    assert (first_assignment == "BI-teamet").all() and len(first_assignment) > 5


def test_halving_misrouting_lets_needless_forwards_skip_their_detour(demo_model: SimulationModel):
    needless = "[sent back: not needed]"
    general = {r.at: r for r in demo_model.routing if r.before is None and r.visit is None and not r.when}
    entry = next(
        r for r in general.values() if not r.at.endswith("]") and any(k.endswith(needless) for k in r.next)
    )
    # where a needless detour ends: the step after its send-back
    sent_back = [n for n in general if n.endswith(needless) and n.startswith("Sent back")]
    exits = {k for n in sent_back for k in general[n].next}
    halved = _apply(demo_model, {"type": "misrouting", "factor": 0.5})
    after = next(r for r in halved.routing if (r.at, r.before, r.visit, r.when) == (entry.at, None, None, {}))
    freed = sum(p for k, p in entry.next.items() if k.endswith(needless)) / 2
    assert sum(p for k, p in after.next.items() if k.endswith(needless)) == pytest.approx(freed, rel=1e-4)
    # the freed share goes to where the detour would have ended, not to another team
    gained = {k: after.next.get(k, 0.0) - entry.next.get(k, 0.0) for k in set(after.next) | set(entry.next)}
    assert sum(v for k, v in gained.items() if k in exits) == pytest.approx(freed, abs=1e-4)
    assert sum(after.next.values()) == pytest.approx(1.0, abs=1e-4)


def test_halving_misrouting_sends_spared_cases_to_the_team_misrouted_cases_went_on_to(demo_model: SimulationModel):
    wrong, returned, needless = "[sent back]", "[returned]", "[sent back: not needed]"
    general = {r.at: r for r in demo_model.routing if r.before is None and r.visit is None and not r.when}
    entry = next(r for r in general.values() if not r.at.endswith("]") and any(k.endswith(wrong) for k in r.next))
    # where misrouted cases went once the sender had them back: the steps after its [returned] forwarding
    detour = {n for n in general if n.endswith((wrong, returned))}
    onward = {k for n in detour for k in general[n].next if k not in detour}
    assert onward and not any(k.endswith(wrong) for k in onward)
    halved = _apply(demo_model, {"type": "misrouting", "factor": 0.5})
    after = next(r for r in halved.routing if (r.at, r.before, r.visit, r.when) == (entry.at, None, None, {}))
    freed = sum(p for k, p in entry.next.items() if k.endswith(wrong)) / 2
    gained = {k: after.next.get(k, 0.0) - entry.next.get(k, 0.0) for k in set(after.next) | set(entry.next)}
    assert sum(v for k, v in gained.items() if k in onward) == pytest.approx(freed, abs=1e-4)
    # ... in the shares misrouted cases went on in (the demo's detours all return to one forwarding step)
    [forward] = [n for n in detour if any(k in onward for k in general[n].next)]
    for k, q in general[forward].next.items():
        assert gained[k] == pytest.approx(freed * q, abs=1e-4), k
    # the others at the decision keep their share: spared cases are not spread over them (needless
    # forwards spared at the same decision go on after their own detour)
    after_needless = {k for n in general if n.endswith(needless) for k in general[n].next if not k.endswith(needless)}
    assert all(abs(v) < 1e-4 for k, v in gained.items() if k not in onward | after_needless and not k.endswith("]"))
    assert sum(after.next.values()) == pytest.approx(1.0, abs=1e-4)
