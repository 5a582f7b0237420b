"""The scenario editor: widgets built from the scenario schema and the model's own names.

Staff per team, the volume of new tickets and the misrouting rate are edited in place; opening
hours, routing shares, direct routes and priorities are added to a list of changes. The editor
only builds the scenario's dict (the YAML file's shape); validation is the schema's and
:func:`~workbench.simulation.apply_scenario`'s, so the messages are the command line's.
"""

from __future__ import annotations

import functools
import html
from typing import Any

import panel as pn

from workbench.i18n import Translator
from workbench.simulation.model import END
from workbench.webapp.experiment import ModelChoices

__all__ = ["ScenarioEditor", "describe", "DAYS"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EVERY = ""


def describe(change: dict[str, Any], t: Translator) -> str:
    """One change in words (names from the log as they are)."""
    kind = change.get("type")
    team = change.get("team") or t._("every team")
    if kind == "staff":
        if change.get("set") is not None:
            return t._("%(team)s: %(n)s staff") % {"team": team, "n": change["set"]}
        return t._("%(team)s: %(n)s staff more or fewer") % {"team": team, "n": change.get("add")}
    if kind == "volume":
        return t._("New tickets × %(f)s") % {"f": t.format_number(change["factor"], 2)}
    if kind == "misrouting":
        return t._("Tickets sent to a wrong team × %(f)s") % {"f": t.format_number(change["factor"], 2)}
    if kind == "calendar":
        hours = "; ".join(f"{d} {a:g}-{b:g}" for d, spans in change["hours"].items() for a, b in spans)
        return t._("Opening hours of %(team)s: %(hours)s") % {"team": team, "hours": hours}
    if kind == "routing":
        nxt = ", ".join(f"{k} {t.format_percent(v, 0)}" for k, v in change["next"].items())
        return t._("After '%(at)s': %(next)s") % {"at": change["at"], "next": nxt}
    if kind == "route_attribute":
        return t._("Tickets with %(attr)s = %(value)s go straight to %(team)s") % {
            "attr": change["attribute"], "value": change["value"], "team": change["team"]}
    if kind == "priority":
        when = t._("earlier") if float(change.get("rank_offset", 0)) < 0 else t._("later")
        return t._("Tickets with %(attr)s = %(value)s are served %(when)s") % {
            "attr": change["attribute"], "value": change["value"], "when": when}
    return str(change)


def _two_columns(widgets: list[Any]) -> pn.Row:
    """Widgets in two columns, read row by row (as a two-column grid, at a fraction of a GridBox's build time)."""
    return pn.Row(pn.Column(*widgets[0::2]), pn.Column(*widgets[1::2]))


class ScenarioEditor:
    """The widgets of one scenario and the dict they describe (``to_dict``; ``load`` fills them back)."""

    def __init__(self, choices: ModelChoices, t: Translator) -> None:
        self.choices, self.t = choices, t
        _ = t._
        self.name = pn.widgets.TextInput(label=_("Name of the scenario"), value=_("My scenario"), width=360)
        self.description = pn.widgets.TextAreaInput(label=_("Description"), value="", height=60, width=360)
        today = _("%(team)s (today: %(n)s)")
        self.staff = {team: pn.widgets.IntInput(label=today % {"team": team, "n": n}, value=n, start=0, end=500,
                                                width=260)
                      for team, n in choices.teams.items()}
        self.volume = pn.widgets.FloatSlider(label=_("New tickets (× today)"), start=0.5, end=2.0, step=0.05,
                                             value=1.0, width=360)
        self.misrouting = pn.widgets.FloatSlider(label=_("Tickets sent to a wrong team (× today)"), start=0.0,
                                                 end=2.0, step=0.05, value=1.0, width=360,
                                                 disabled=not choices.has_misrouting)
        teams = {_("every team"): _EVERY, **{name: name for name in choices.teams}}
        self.cal_team = pn.widgets.Select(label=_("Team"), options=teams, width=260)
        self.cal_days = pn.widgets.CheckButtonGroup(
            label=_("Days"), options={t.weekday(i): d for i, d in enumerate(DAYS)}, value=list(DAYS[:5]))
        self.cal_from = pn.widgets.FloatInput(label=_("From (hour)"), value=8.0, start=0.0, end=24.0, step=0.5,
                                              width=120)
        self.cal_to = pn.widgets.FloatInput(label=_("To (hour)"), value=16.0, start=0.0, end=24.0, step=0.5,
                                            width=120)
        self.route_at = pn.widgets.Select(label=_("After the step"), options=list(choices.routing_points), width=260)
        self.route_next = pn.widgets.Select(label=_("Next step"), width=260, options={
            **{a: a for a in choices.activities}, _("The end (the ticket leaves the process)"): END})
        self.route_share = pn.widgets.FloatSlider(label=_("Share of tickets"), start=0.0, end=1.0, step=0.05,
                                                  value=0.5, width=260)
        attrs = list(choices.attributes)
        self.direct_attr = pn.widgets.Select(label=_("Tickets with"), options=attrs, width=200)
        self.direct_value = pn.widgets.Select(label=_("equal to"), options=self._values(attrs[0] if attrs else None),
                                              width=200)
        self.direct_team = pn.widgets.Select(label=_("go straight to"), options=list(choices.teams), width=220,
                                             disabled=not choices.can_route_directly)
        self.prio_attr = pn.widgets.Select(label=_("Tickets with"), options=attrs, width=200)
        self.prio_value = pn.widgets.Select(label=_("equal to"), options=self._values(attrs[0] if attrs else None),
                                            width=200)
        self.prio_when = pn.widgets.Select(label=_("are served"), options={_("earlier"): -10.0, _("later"): 10.0},
                                           width=160)
        self.direct_attr.param.watch(self._direct_values, "value")
        self.prio_attr.param.watch(self._prio_values, "value")
        self.extra: list[dict[str, Any]] = []
        self.extra_list = pn.Column(name="changes")
        self.add_calendar = pn.widgets.Button(label=_("Add opening hours"), color="default")
        self.add_route = pn.widgets.Button(label=_("Add routing share"), color="default")
        self.add_direct = pn.widgets.Button(label=_("Add direct route"), color="default",
                                            disabled=not choices.can_route_directly)
        self.add_priority = pn.widgets.Button(label=_("Add priority"), color="default")
        self.add_calendar.on_click(lambda _e: self.add(self.calendar_change()))
        self.add_route.on_click(lambda _e: self.add(self.routing_change()))
        self.add_direct.on_click(lambda _e: self.add(self.direct_change()))
        self.add_priority.on_click(lambda _e: self.add(self.priority_change()))
        self._show_extra()

    def _direct_values(self, event: Any) -> None:
        self.direct_value.options = self._values(event.new)

    def _prio_values(self, event: Any) -> None:
        self.prio_value.options = self._values(event.new)

    def _values(self, attribute: str | None) -> list[str]:
        return list(self.choices.attributes.get(attribute or "", ()))

    # -- the forms' changes -------------------------------------------------------------------------------------
    def calendar_change(self) -> dict[str, Any]:
        span = [[float(self.cal_from.value or 0), float(self.cal_to.value or 0)]]
        change: dict[str, Any] = {"type": "calendar", "hours": {d: span for d in self.cal_days.value}}
        if self.cal_team.value:
            change["team"] = self.cal_team.value
        return change

    def routing_change(self) -> dict[str, Any]:
        return {"type": "routing", "at": self.route_at.value, "next": {self.route_next.value: float(self.route_share.value or 0)}}

    def direct_change(self) -> dict[str, Any]:
        return {"type": "route_attribute", "attribute": self.direct_attr.value, "value": self.direct_value.value,
                "team": self.direct_team.value}

    def priority_change(self) -> dict[str, Any]:
        return {"type": "priority", "attribute": self.prio_attr.value, "value": self.prio_value.value,
                "rank_offset": float(self.prio_when.value)}

    def add(self, change: dict[str, Any]) -> None:
        """Add one change to the list."""
        self.extra.append(change)
        self._show_extra()

    def remove(self, index: int) -> None:
        """Remove the list's ``index``-th change."""
        del self.extra[index]
        self._show_extra()

    def _remove_clicked(self, index: int, _event: Any) -> None:
        self.remove(index)

    def _show_extra(self) -> None:
        rows: list[Any] = []
        for i, change in enumerate(self.extra):
            button = pn.widgets.Button(label=self.t._("Remove"), color="light", width=90)
            button.on_click(functools.partial(self._remove_clicked, i))
            rows.append(pn.Row(pn.pane.Str(describe(change, self.t)), button))
        if not rows:
            rows.append(pn.pane.Str(self.t._("No other changes yet.")))
        self.extra_list.objects = rows

    # -- the scenario ----------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The scenario in the YAML file's shape."""
        changes: list[dict[str, Any]] = [
            {"type": "staff", "team": team, "set": int(w.value)} for team, w in self.staff.items()
            if w.value is not None and int(w.value) != self.choices.teams[team]]
        volume, misrouting = float(self.volume.value or 0), float(self.misrouting.value or 0)
        if abs(volume - 1.0) > 1e-9:
            changes.append({"type": "volume", "factor": round(volume, 4)})
        if abs(misrouting - 1.0) > 1e-9:
            changes.append({"type": "misrouting", "factor": round(misrouting, 4)})
        changes.extend(self.extra)
        scenario: dict[str, Any] = {"name": " ".join(str(self.name.value).split()), "changes": changes}
        if self.description.value:
            scenario["description"] = str(self.description.value)
        return scenario

    def load(self, scenario: dict[str, Any]) -> None:
        """Fill the widgets from a scenario dict (changes the editor has no field for go to the list)."""
        self.name.value = str(scenario.get("name", ""))
        self.description.value = str(scenario.get("description", ""))
        for team, widget in self.staff.items():
            widget.value = self.choices.teams[team]
        self.volume.value, self.misrouting.value = 1.0, 1.0
        self.extra = []
        for change in scenario.get("changes", ()):
            kind, team = change.get("type"), change.get("team")
            if kind == "staff" and team in self.staff:
                base = self.choices.teams[team]
                self.staff[team].value = int(change["set"]) if change.get("set") is not None else \
                    base + int(change.get("add") or 0)
            elif kind == "volume":
                self.volume.value = float(change["factor"])
            elif kind == "misrouting" and not team and float(change["factor"]) <= 2.0:
                self.misrouting.value = float(change["factor"])
            else:
                self.extra.append(dict(change))
        self._show_extra()

    def tabs(self) -> pn.Tabs:
        """The editor's tabs: staff, hours, routing, volume and priorities."""
        _ = self.t._
        return pn.Tabs(
            (_("Staff"), pn.Column(pn.pane.HTML(f"<p>{html.escape(_('Staff per team (never per person).'))}</p>"),
                                   _two_columns(list(self.staff.values())))),
            (_("Opening hours"), pn.Column(self.cal_team, self.cal_days, pn.Row(self.cal_from, self.cal_to),
                                           self.add_calendar)),
            (_("Routing"), pn.Column(pn.Row(self.route_at, self.route_next), self.route_share, self.add_route,
                                     pn.pane.HTML(f"<p>{html.escape(_('Direct routes'))}</p>"),
                                     pn.Row(self.direct_attr, self.direct_value, self.direct_team), self.add_direct,
                                     self.misrouting)),
            (_("Volume and priorities"), pn.Column(self.volume, pn.Row(self.prio_attr, self.prio_value,
                                                                      self.prio_when), self.add_priority)),
            dynamic=True, name="editor-tabs",  # a tab is sent to the browser when it is first opened
        )
