"""A plain verdict on a learned model, before any what-if: good / usable with care / not usable.

Three checks compare the model's simulation with the history it was learned from; each
gives a figure and a level, and the verdict is the worst level:

- **cycle time**: mean time from a case's first to its last event in the simulated test
  period against the real one (relative error);
- **waiting**: the training cases' real arrivals are replayed through the model; per
  team, the mean time from a case reaching the team until a worker of the team picks it
  up, simulated against real (ratio per team, with half an hour of tolerance, weighted
  by the team's pick-ups) -- the capacity check;
- **load response**: the log's natural experiment -- in the same replay, the waiting in busy weeks (the third with the most arrivals) over the
  waiting in quiet weeks (the third with the fewest) must match the history's ratio. A
  model whose capacity is wrong (queues that never form, or that explode) fails here even
  when its average cycle time looks right.

A scenario on a "not usable" model is refused by
:func:`~workbench.simulation.run_experiment` unless explicitly overridden, and then every
figure is marked (:data:`UNUSABLE_MARK`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from workbench.errors import ScenarioError
from workbench.i18n import N_

if TYPE_CHECKING:
    from workbench.i18n import Translator

__all__ = [
    "CAUTION_TEXTS",
    "LEVELS",
    "UNUSABLE_MARK",
    "Caution",
    "Check",
    "Level",
    "Verdict",
    "caution_note",
    "caution_text",
    "check_usable",
    "scenario_cautions",
    "verdict_from_checks",
]

Level = Literal["good", "usable with care", "not usable"]
LEVELS: tuple[Level, ...] = ("good", "usable with care", "not usable")
#: Put before every figure of a scenario run on a "not usable" model (with the override).
UNUSABLE_MARK = "[model not usable]"

#: (good up to, usable with care up to) per check; above: not usable
#: (figures are natural logs of simulated over real, so too fast and too slow weigh alike)
THRESHOLDS: dict[str, tuple[float, float]] = {
    "cycle_time": (math.log(1.25), math.log(1.8)),
    "waiting": (math.log(1.5), math.log(2.5)),
    "load_response": (math.log(1.5), math.log(3.0)),
}


@dataclass(frozen=True)
class Check:
    """One check: its ``figure`` (log of simulated over real), ``level`` (None: not enough data) and a line."""

    name: str
    figure: float
    level: Level | None
    detail: str
    #: per team, where the check is per team (log of simulated over real)
    per_team: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """The verdict on a model: the worst level of its checks, with the figures."""

    level: Level
    checks: tuple[Check, ...]
    #: what else the verdict's reader must know, e.g. how the judged model's capacity was calibrated
    notes: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return self.level != "not usable"

    @property
    def capacity_checked(self) -> bool:
        """False when the waiting check was made but had nothing to compare (no team with enough pick-ups):
        the level then rests on the cycle time alone, and the model's capacity is its assumption."""
        return not any(c.name == "waiting" and c.level is None for c in self.checks)

    @property
    def summary(self) -> str:
        """One line: the level (and whether capacity could be checked) and each check's figure."""
        parts = [f"{c.name} {c.detail}" + (f" ({c.level})" if c.level else " (not checked)") for c in self.checks]
        level = self.level if self.capacity_checked else f"{self.level}, capacity not checked"
        return f"model {level}: " + "; ".join(parts + list(self.notes))

    def to_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "checks": [
                {"name": c.name, "figure": c.figure, "level": c.level, "detail": c.detail, "per_team": c.per_team}
                for c in self.checks
            ],
            "notes": list(self.notes),
        }


def level_of(name: str, figure: float) -> Level | None:
    """The level of a check's figure (``None`` when the figure is missing)."""
    if not math.isfinite(figure):
        return None
    good, care = THRESHOLDS[name]
    value = abs(figure)
    return "good" if value <= good else ("usable with care" if value <= care else "not usable")


def verdict_from_checks(checks: tuple[Check, ...]) -> Verdict:
    """The worst level of the checks that could be made ("usable with care" when none could)."""
    levels = [c.level for c in checks if c.level is not None]
    if not levels:
        return Verdict(level="usable with care", checks=checks)
    return Verdict(level=max(levels, key=LEVELS.index), checks=checks)


def check_usable(verdict: Verdict | None, *, allow_unusable: bool) -> bool:
    """Refuse a scenario on a "not usable" model; return whether its figures must be marked.

    Raises
    ------
    ScenarioError
        One line with the verdict's figures and the override, when the model is not usable
        and ``allow_unusable`` is false.
    """
    if verdict is None or verdict.usable:
        return False
    if not allow_unusable:
        raise ScenarioError(
            f"scenario refused: the {verdict.summary}; fix the log config (staff, non_staff, statuses) "
            "or pass --allow-unusable to run it anyway with every figure marked"
        )
    return True


#: A caution on a scenario's result: ``{"kind": ..., "team": ..., ...}`` (plain values, so a result's
#: settings stay JSON). Kinds: ``no_capacity`` (a staffing change on a team no worker was learned
#: for), ``waiting_off`` (... on a team whose waiting the model does not reproduce, with ``factor``),
#: ``team_unchecked`` (... on a team with too few pick-ups in the test period for the waiting check),
#: ``capacity_unchecked`` (a staffing or volume change on a model whose waiting could not be checked
#: at all: a verdict from the cycle time alone), ``load_unchecked`` (a volume change on a model whose
#: load response could not be checked), ``no_staff`` (a volume change on a model without any learned
#: capacity), ``near_full`` (a team the change moves near or from full load, with ``today`` and
#: ``changed``, see :func:`~workbench.simulation.experiment.near_full_teams`). Front ends phrase them
#: in their language.
Caution = dict[str, str | float]


def scenario_cautions(model, scenario, verdict: Verdict | None = None) -> tuple[Caution, ...]:
    """What a staffing or volume scenario cannot show on this model: no learned capacity, waiting not
    reproduced, or capacity the log gave nothing to check against (each said once per scenario)."""
    if scenario is None:
        return ()
    out: list[Caution] = []
    checks = {c.name: c for c in verdict.checks} if verdict is not None else {}
    waiting, load = checks.get("waiting"), checks.get("load_response")
    off = {
        t: r for t, r in (waiting.per_team if waiting else {}).items() if abs(r) > THRESHOLDS["waiting"][1]
    }
    staffed = any(a.uses_staff for a in model.activities.values())
    # checks the verdict could not make: what a staffing or volume effect then rests on, unchecked
    capacity_unchecked = staffed and verdict is not None and not verdict.capacity_checked
    load_unchecked = staffed and not capacity_unchecked and load is not None and load.level is None

    def add(caution: Caution) -> None:
        if caution not in out:
            out.append(caution)

    for change in scenario.changes:
        kind = getattr(change, "type", None)
        if kind == "staff":
            team = model.teams.get(change.team)
            if team is not None and team.note.startswith("no worker recorded"):
                add({"kind": "no_capacity", "team": change.team})
            elif capacity_unchecked:
                add({"kind": "capacity_unchecked"})
            elif waiting is not None and waiting.level is not None and change.team not in waiting.per_team:
                add({"kind": "team_unchecked", "team": change.team})
            if change.team in off:
                add({"kind": "waiting_off", "team": change.team,
                     "factor": round(math.exp(abs(off[change.team])), 2)})
        if kind == "volume":
            if not staffed:
                add({"kind": "no_staff"})
            elif capacity_unchecked:
                add({"kind": "capacity_unchecked"})
            elif load_unchecked:
                add({"kind": "load_unchecked"})
    return tuple(out)


#: each caution kind's words, one wording for every front end (message ids: the report and the web app
#: say them in the reader's language, the command line and a result's ``notes`` in English)
CAUTION_TEXTS: dict[str, str] = {
    "no_capacity": N_("%(team)s has no learned capacity (no worker recorded its events): the staffing effect rests on "
                      "an assumed headcount."),
    "waiting_off": N_("The model does not reproduce the waiting in %(team)s (off by a factor %(factor)s): treat its "
                      "staffing effect with care."),
    "team_unchecked": N_("%(team)s had too few pick-ups in the test period for the model's waiting there to be "
                         "checked against the log: its staffing effect rests on capacity learned from who did the "
                         "work, unchecked."),
    "capacity_unchecked": N_("The log gave nothing to check the model's capacity against (no team with enough "
                             "pick-ups from a queue), so the verdict rests on the cycle time alone: the effect of "
                             "more or fewer staff or tickets on waiting is the model's assumption, unchecked. Trust "
                             "its direction more than its size."),
    "load_unchecked": N_("The log has no ordinary busy and quiet weeks to check how the model's waiting responds to "
                         "load, so treat the size of this volume effect with care."),
    "no_staff": N_("No team has learned capacity (the log names no workers): more or less volume cannot change "
                   "waiting in this model."),
    "near_full": N_("%(team)s is busy %(today)s of its working time today and %(changed)s with the change. Near full "
                    "load a queue grows steeply: a few percent more or less work moves the waiting a lot, so trust "
                    "the direction of this effect more than its size."),
}


def caution_text(caution: Caution, t: Translator | None = None) -> str | None:
    """One caution in words, in ``t``'s language (English without one); ``None`` for a kind this version does not know."""
    message = CAUTION_TEXTS.get(str(caution.get("kind")))
    if message is None:
        return None
    if t is None:
        from workbench.i18n import Translator

        t = Translator("en")
    values = {
        "team": caution.get("team", ""),
        "factor": t.format_number(float(caution.get("factor", 0.0)), 1),
        "today": t.format_percent(float(caution.get("today", 0.0)), 0),
        "changed": t.format_percent(float(caution.get("changed", 0.0)), 0),
    }
    return t._(message) % values


def caution_note(caution: Caution) -> str:
    """One caution in English (the command line's note, a result's ``notes``)."""
    text = caution_text(caution)
    if text is None:
        raise ValueError(f"unknown caution kind {caution.get('kind')!r}")
    return text
