"""The reasons behind a prediction in words: ``weekday=4 (+0.74 d)`` becomes "Friday (+0,7 dage)".

The scoring stage writes each open ticket's strongest feature contributions as
``name=value (+effect unit)`` parts joined by ``"; "``; this module reads them back and
says them in the reader's language. A part it cannot read is shown as it is.
"""

from __future__ import annotations

import re

from workbench.i18n import N_, Translator

__all__ = ["reason_words", "feature_words", "ATTRIBUTES"]

_NOT_WORD = re.compile(r"\W+")


def _safe(label: str) -> str:
    """The feature-name form of an activity label (as the featurizer names its columns)."""
    return _NOT_WORD.sub("_", label).strip("_").lower() or "blank"

_PART = re.compile(r"^(?P<name>[^=]+)=(?P<value>.*) \((?P<effect>[+-]?[0-9.]+(?:e[+-]?[0-9]+)?)(?P<unit>[^)]*)\)$")
#: Case attributes of the demo desk and common logs, in words (message ids).
ATTRIBUTES = {"department": N_("department"), "category": N_("category"), "priority": N_("priority"),
               "channel": N_("channel")}


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def feature_words(name: str, value: str, t: Translator, *, waiting: tuple[str, ...] = (),
                  activities: tuple[str, ...] = ()) -> str:
    """One feature and its value in words (``activities``: the log's labels, to name count/time features)."""
    x = _number(value)
    labels = {_safe(a): a for a in activities}
    if name.startswith("count__"):
        activity = labels.get(name.removeprefix("count__"), name.removeprefix("count__"))
        n = int(x) if x is not None else 0
        if activity in waiting:
            return t.ngettext("waited %(n)s time for the user", "waited %(n)s times for the user", n) % {"n": n}
        return t.ngettext("'%(activity)s' %(n)s time", "'%(activity)s' %(n)s times", n) % {
            "activity": activity, "n": n}
    if name.startswith("hours_in__"):
        activity = labels.get(name.removeprefix("hours_in__"), name.removeprefix("hours_in__"))
        return t._("%(time)s in '%(activity)s'") % {"time": t.format_duration(x), "activity": activity}
    if name.startswith("attr__"):
        attribute = name.removeprefix("attr__")
        label = t.gettext(ATTRIBUTES[attribute]) if attribute in ATTRIBUTES else attribute
        return f"{label}: {value}"
    if x is None:
        simple = {"last_activity": t._("last step: %(v)s"), "prev_activity": t._("step before: %(v)s"),
                  "last_team": t._("with %(v)s")}
        return simple.get(name, f"{name}: %(v)s") % {"v": value}
    if name in ("weekday", "start_weekday"):
        day = t.weekday(int(x))
        return day if name == "weekday" else t._("opened on a %(day)s") % {"day": day}
    if name in ("hour", "start_hour"):
        clock = f"{int(x):02d}:{round((x % 1) * 60) % 60:02d}"
        return t._("at %(clock)s") % {"clock": clock} if name == "hour" else t._("opened at %(clock)s") % {
            "clock": clock}
    n = round(x)
    words = {
        "elapsed_hours": lambda: t._("open for %(time)s") % {"time": t.format_duration(x)},
        "working_hours_elapsed": lambda: t._("%(time)s of working time so far") % {
            "time": t.format_duration(x, unit="hours")},
        "since_last_hours": lambda: t._("%(time)s since the last step") % {"time": t.format_duration(x)},
        "prefix_length": lambda: t.ngettext("%(n)s step so far", "%(n)s steps so far", n) % {"n": n},
        "distinct_activities": lambda: t.ngettext("%(n)s kind of step", "%(n)s kinds of step", n) % {"n": n},
        "max_repeats": lambda: t._("one step repeated %(n)s times") % {"n": n},
        "teams_so_far": lambda: t.ngettext("%(n)s team so far", "%(n)s teams so far", n) % {"n": n},
        "team_changes": lambda: t.ngettext("%(n)s hand-over between teams", "%(n)s hand-overs between teams", n)
        % {"n": n},
        "resources_so_far": lambda: t.ngettext("%(n)s agent so far", "%(n)s agents so far", n) % {"n": n},
        "open_cases": lambda: t._("%(n)s tickets open at the desk") % {"n": t.format_number(n)},
        "open_cases_team": lambda: t._("%(n)s tickets open in its team") % {"n": t.format_number(n)},
        "recent_remaining_hours": lambda: t._("recent tickets needed %(time)s more from here") % {
            "time": t.format_duration(x)},
        "recent_duration_hours": lambda: t._("recent tickets took %(time)s") % {"time": t.format_duration(x)},
        "recent_ends": lambda: t._("%(n)s tickets ended recently") % {"n": t.format_number(n)},
        "recent_arrivals": lambda: t._("%(n)s tickets arrived recently") % {"n": t.format_number(n)},
    }
    if name in words:
        return words[name]()
    return f"{name}: {t.format_number(x, 1)}"


def _effect(effect: float, unit: str, t: Translator) -> str:
    unit = unit.strip()
    if unit == "d":
        return t.format_duration(effect * 24, sign=True)
    if unit == "log-odds":
        return t._("raises the risk") if effect > 0 else t._("lowers the risk")
    return t.format_number(effect, 2, sign=True)


def reason_words(text: object, t: Translator, *, waiting: tuple[str, ...] = (), activities: tuple[str, ...] = ()
                 ) -> str:
    """A ``"; "``-joined reason text from the scoring stage, in words ("" for none)."""
    if not isinstance(text, str) or not text.strip():
        return ""
    out = []
    for part in text.split("; "):
        match = _PART.match(part.strip())
        if match is None:
            out.append(part)
            continue
        words = feature_words(match["name"], match["value"], t, waiting=waiting, activities=activities)
        out.append(f"{words} ({_effect(float(match['effect']), match['unit'], t)})")
    return "; ".join(out)
