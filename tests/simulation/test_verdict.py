"""The verdict before any what-if: a model that cannot reproduce its log is refused."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.config import LogConfig
from workbench.errors import ScenarioError
from workbench.schema import CASE_ID, TIMESTAMP
from workbench.simulation import Scenario, Verdict, run_experiment, validate_model
from workbench.simulation.verdict import UNUSABLE_MARK, Check, check_usable, level_of, verdict_from_checks


def _changed_world(events: pd.DataFrame, stretch: float = 12.0) -> pd.DataFrame:
    """Cases starting in the last fifth of the log take ``stretch`` times as long: no model of the rest fits.

    (At 8 times the verdict came out at the very edge, -44% and "usable with care", once absences were
    learned per day and repeated outside the learned period; 12 times is clearly beyond any model of the rest.)
    """
    ev = events.copy()
    first = ev.groupby(CASE_ID)[TIMESTAMP].transform("min")
    late = first >= first.quantile(0.8)
    ev.loc[late, TIMESTAMP] = first[late] + (ev.loc[late, TIMESTAMP] - first[late]) * stretch
    return ev.sort_values([CASE_ID, TIMESTAMP], kind="stable").reset_index(drop=True)


def test_levels_and_the_worst_check_decides():
    assert level_of("cycle_time", math.log(1.1)) == "good"
    assert level_of("cycle_time", math.log(0.7)) == "usable with care"
    assert level_of("cycle_time", math.log(0.5)) == "not usable"
    assert level_of("waiting", math.nan) is None
    v = verdict_from_checks(
        (Check("cycle_time", 0.1, "good", "a"), Check("waiting", 3.0, "not usable", "b"), Check("x", math.nan, None, "c"))
    )
    assert v.level == "not usable" and not v.usable
    assert "not checked" in v.summary
    assert verdict_from_checks(()).level == "usable with care"


def test_a_not_usable_model_refuses_scenarios_unless_overridden(toy_model):
    bad = Verdict("not usable", (Check("cycle_time", 3.0, "not usable", "mean 400 h simulated vs 100 h real"),))
    scenario = Scenario(name="one more", changes=({"type": "staff", "team": "back", "add": 1},))
    with pytest.raises(ScenarioError, match=r"^scenario refused: the model not usable: cycle_time .*--allow-unusable"):
        run_experiment(toy_model, scenario, replications=2, days=21, warmup_days=7, verdict=bad)
    res = run_experiment(
        toy_model, scenario, replications=2, days=21, warmup_days=7, verdict=bad, allow_unusable=True
    )
    assert res.settings["marked"] and (res.comparison["mark"] == UNUSABLE_MARK).all()
    assert check_usable(Verdict("usable with care", ()), allow_unusable=False) is False


@pytest.mark.slow
def test_a_log_the_model_cannot_reproduce_is_not_usable(demo_events, demo_config: LogConfig):
    result = validate_model(_changed_world(demo_events), config=demo_config, replications=2, seed=0)
    assert result.verdict is not None
    assert result.verdict.level == "not usable", result.verdict.summary
    cycle = next(c for c in result.verdict.checks if c.name == "cycle_time")
    assert cycle.figure < math.log(0.6)  # the model, learned on the fast past, is far too quick
    scenario = Scenario(name="one more", changes=({"type": "staff", "team": "IT-infrastruktur", "add": 1},))
    with pytest.raises(ScenarioError, match="scenario refused"):
        run_experiment(result.model, scenario, replications=2, verdict=result.verdict)
    assert result.settings["verdict"]["level"] == "not usable"


def test_a_staffing_scenario_on_a_team_whose_waiting_is_not_reproduced_says_so(toy_model):
    from workbench.simulation.verdict import caution_note, scenario_cautions

    def scenario_notes(model, scenario, verdict):  # as the result's notes say them
        return tuple(caution_note(c) for c in scenario_cautions(model, scenario, verdict))

    v = Verdict(
        "usable with care",
        (Check("waiting", 0.3, "good", "x", per_team={"back": math.log(3.0), "front": 0.0}),),
    )
    more_back = Scenario(name="b", changes=({"type": "staff", "team": "back", "add": 1},))
    more_front = Scenario(name="f", changes=({"type": "staff", "team": "front", "add": 1},))
    assert scenario_notes(toy_model, more_back, v) == (
        "The model does not reproduce the waiting in back (off by a factor 3.0): treat its staffing effect with care.",
    )
    assert scenario_notes(toy_model, more_front, v) == ()


def test_a_staffing_or_volume_effect_on_capacity_the_log_could_not_check_says_so(toy_model):
    from workbench.simulation.verdict import scenario_cautions

    def kinds(scenario, verdict):
        return [(c["kind"], c.get("team")) for c in scenario_cautions(toy_model, scenario, verdict)]

    more_back = Scenario(name="b", changes=({"type": "staff", "team": "back", "add": 1},))
    busier = Scenario(name="v", changes=({"type": "volume", "factor": 1.2},))
    both = Scenario(name="bv", changes=(*more_back.changes, *busier.changes))
    cycle = Check("cycle_time", 0.05, "good", "a")
    # a log without teams (or queues): "good" from the cycle time alone; capacity is the model's assumption
    alone = Verdict("good", (cycle, Check("waiting", math.nan, None, "no team"),
                             Check("load_response", math.nan, None, "no waiting")))
    assert kinds(more_back, alone) == [("capacity_unchecked", None)]
    assert kinds(busier, alone) == [("capacity_unchecked", None)]
    assert kinds(both, alone) == [("capacity_unchecked", None)]  # said once
    # waiting checked for "front" only: a change on "back" rests on capacity nobody checked
    front_only = Verdict("good", (cycle, Check("waiting", 0.1, "good", "x", per_team={"front": 0.1}),
                                  Check("load_response", 0.1, "good", "y")))
    assert kinds(more_back, front_only) == [("team_unchecked", "back")]
    assert kinds(busier, front_only) == []
    checked = Verdict("good", (cycle, Check("waiting", 0.1, "good", "x", per_team={"front": 0.1, "back": 0.2}),
                               Check("load_response", math.nan, None, "an extract")))
    assert kinds(more_back, checked) == []
    assert kinds(busier, checked) == [("load_unchecked", None)]  # load response is what a volume change needs
    assert kinds(busier, None) == [] and kinds(None, alone) == []  # no verdict, no scenario: nothing to say
    # the verdict itself says it, on the command line and in the report (and the web app, which uses its blocks)
    assert alone.summary.startswith("model good, capacity not checked: cycle_time a (good); waiting no team")
    assert checked.summary.startswith("model good: ") and front_only.capacity_checked
    from workbench.i18n import Translator
    from workbench.report.sections import verdict_blocks

    for language in ("en", "da"):
        said = verdict_blocks(alone, Translator(language))[0].text
        unsaid = verdict_blocks(checked, Translator(language))[0].text
        assert len(said) > len(unsaid) and said.startswith(unsaid), language
    assert "only the cycle time was checked" in verdict_blocks(alone, Translator("en"))[0].text
    assert verdict_blocks(alone, Translator("en"))[0].kind == "warning"  # not the all-clear of a checked "good"
    assert verdict_blocks(checked, Translator("en"))[0].kind == "ok"
    assert "kun gennemløbstiden blev kontrolleret" in verdict_blocks(alone, Translator("da"))[0].text


def test_a_caution_has_one_wording_said_in_the_readers_language():
    from workbench.i18n import Translator
    from workbench.simulation.verdict import CAUTION_TEXTS, caution_note, caution_text

    near = {"kind": "near_full", "team": "IT-infrastruktur", "today": 0.784, "changed": 0.912}
    english = caution_note(near)
    assert english.startswith("IT-infrastruktur is busy 78% of its working time today and 91% with the change.")
    assert caution_text(near, Translator("en")) == english  # the command line says what the English report says
    danish = caution_text(near, Translator("da"))
    assert danish != english and "IT-infrastruktur" in danish and "78" in danish and "91" in danish
    for kind in CAUTION_TEXTS:  # every kind is translated
        sample = {"kind": kind, "team": "X", "factor": 2.5, "today": 0.9, "changed": 0.95}
        assert caution_text(sample, Translator("da")) != caution_text(sample, Translator("en")), kind
    assert caution_text({"kind": "from a later version"}) is None
    with pytest.raises(ValueError, match="unknown caution kind"):
        caution_note({"kind": "from a later version"})


def _weeks(counts: list[int]) -> tuple[pd.Series, pd.DataFrame]:
    """Arrivals: ``counts[i]`` cases in week i (Mondays from 2 Jan 2023), each picked up after 1 h, or after
    ``1 + count/100`` h (busier weeks wait longer)."""
    at = [pd.Timestamp("2023-01-02 09:00", tz="UTC") + pd.Timedelta(weeks=i, minutes=j)
          for i, n in enumerate(counts) for j in range(n)]
    wait = [1.0 + n / 100 for n in counts for _ in range(n)]
    return pd.Series(at), pd.DataFrame({"team": "T", "at": at, "wait_h": wait})


def test_load_response_compares_busy_and_quiet_weeks_of_one_desk_only():
    from workbench.simulation._checks import load_response_check

    arrivals, real = _weeks([40, 60, 80, 50, 70, 90, 45, 65, 85])  # a desk's ordinary weeks
    same = load_response_check(real, real, arrivals)
    assert same.level == "good" and same.figure == pytest.approx(0.0)
    flat = real.assign(wait_h=1.0)  # a model whose queue does not respond to load
    assert load_response_check(real, flat, arrivals).figure < 0
    # an extract that keeps a few survivors of its early months: no natural experiment of load
    arrivals, real = _weeks([1, 2, 1, 2, 3, 2, 40, 300, 900])
    extract = load_response_check(real, real, arrivals)
    assert extract.level is None and math.isnan(extract.figure)
    assert "the arrivals of quiet weeks" in extract.detail and "not one desk's busy and quiet weeks" in extract.detail
    # too few pick-ups on one side to compare
    arrivals, real = _weeks([3, 4, 3, 5, 6, 5, 8, 9, 8])
    sparse = load_response_check(real, real, arrivals)
    assert sparse.level is None and "pick-ups in the log's busy or quiet weeks; 20 needed" in sparse.detail
