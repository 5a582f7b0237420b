"""The data-quality section: every check the loading ran, in the reader's language.

The checks are named by :mod:`workbench.cleaning` and :func:`workbench.io.load_log` in
English (their names are stable: the terminal and the JSON outputs show them as they
are). The report translates them here, by pattern: a check, action or detail with no
pattern below is shown as it is, so a new check is never lost, only untranslated.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from workbench.i18n import N_, Translator
from workbench.report.blocks import Callout, Details, Table
from workbench.report.model import Section

__all__ = ["quality_section", "quality_words"]

#: Check names, actions and details as the loading writes them (regular expressions,
#: matched whole) and their message ids; a named group fills the placeholder of that name.
_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), msgid) for pattern, msgid in (
    # checks
    (r"missing (?P<column>\S+)", N_("missing %(column)s")),
    (r"exact duplicate events", N_("exact duplicate events")),
    (r"cases with events out of time order in the source", N_("tickets with events out of time order in the source")),
    (r"cases with events sharing a timestamp", N_("tickets with events sharing a timestamp")),
    (r"cases whose same-timestamp events were reordered", N_("tickets whose same-time events were reordered")),
    (r"cases with a single event", N_("tickets with a single event")),
    (r"person identifiers pseudonymised", N_("person identifiers pseudonymised")),
    (r"activities renamed", N_("steps renamed")),
    (r"activity labels combined with lifecycle", N_("step names combined with the lifecycle")),
    (r"lifecycle transitions neither start nor complete", N_("lifecycle values neither start nor complete")),
    (r"start events without a matching complete", N_("start events without a matching complete")),
    (r"complete events without a start \(start_timestamp left empty\)", N_("complete events without a start")),
    (r"start after end", N_("start after end")),
    (r"finished extract", N_("finished extract")),
    (r"case attribute '(?P<column>.+)' changes within a case", N_("ticket attribute '%(column)s' changes within a ticket")),
    (r"case attribute values spread to every event of their case", N_("ticket attributes copied to every event of their ticket")),
    (r"(?P<column>\S+): mixed UTC offsets converted to UTC", N_("%(column)s: mixed UTC offsets converted to UTC")),
    (r"(?P<column>\S+): local times in the repeated hour when clocks went back",
     N_("%(column)s: local times in the repeated hour when clocks went back")),
    (r"(?P<column>\S+): local times in the hour skipped when clocks went forward",
     N_("%(column)s: local times in the hour skipped when clocks went forward")),
    (r"(?P<column>\S+): time zone", N_("%(column)s: time zone")),
    # actions
    (r"dropped", N_("dropped")),
    (r"fixed", N_("fixed")),
    (r"flagged", N_("flagged")),
    (r"info", N_("for information")),
    # details
    (r"first at row (?P<row>\d+)", N_("first at row %(row)s")),
    (r"judged on all columns of the source row", N_("judged on all columns of the source row")),
    (r"judged on the source columns (?P<columns>.+)", N_("judged on the source columns %(columns)s")),
    (r"judged on the mapped columns", N_("judged on the mapped columns")),
    (r"sorted by timestamp", N_("sorted by time")),
    (r"(?P<n>[\d,]+) cases, such events ordered by (?P<rule>.+)", N_("%(n)s tickets, such events ordered by %(rule)s")),
    (r"ordered by (?P<rule>.+), not file order", N_("ordered by %(rule)s, not file order")),
    (r"keyed HMAC pseudonyms in no column with values", N_("keyed pseudonyms (HMAC), but no column held values")),
    (r"keyed HMAC pseudonyms in (?P<columns>.+)", N_("keyed pseudonyms (HMAC) in %(columns)s")),
    (r"not applied here: this step writes no identifiers", N_("not applied here: this step writes no identifiers")),
    (r"OFF \(privacy\.pseudonymise: false\): outputs contain real identifiers",
     N_("OFF (privacy.pseudonymise: false): the outputs hold real identifiers")),
    (r"complete_cases: true, so no case is treated as open",
     N_("complete_cases: true, so no ticket is treated as open")),
    (r"start_timestamp cleared", N_("start time cleared")),
    (r"offsets (?P<offsets>.+)", N_("offsets %(offsets)s")),
    (r"read as the first \(summer-time\) occurrence", N_("read as the first (summer-time) occurrence")),
    (r"moved forward to the first valid time", N_("moved forward to the first valid time")),
    (r"local times in (?P<zone>.+) converted to UTC", N_("local times in %(zone)s converted to UTC")),
    (r"labels in activity_map not in the log: (?P<labels>.+)", N_("names in activity_map not in the log: %(labels)s")),
    (r"the first value in each case is used; set take: last or event in case_attributes to choose",
     N_("the first value in each ticket is used; set take: last or event in case_attributes to choose")),
    (r"the last value in each case is used \(take: last\)", N_("the last value in each ticket is used (take: last)")),
    (r"each event keeps the value known at that moment \(take: event\)",
     N_("each event keeps the value known at that moment (take: event)")),
))


#: The canonical columns, in words.
_COLUMNS = {"case_id": N_("ticket id"), "activity": N_("step"), "timestamp": N_("time"),
            "start_timestamp": N_("start time")}


def quality_words(text: object, t: Translator) -> str:
    """A check name, action or detail of the data-quality report in ``t``'s language (as it is when unknown)."""
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    for pattern, msgid in _WORDS:
        match = pattern.fullmatch(value)
        if match:
            return t.gettext(msgid) % {name: _placeholder(name, part, t) for name, part in match.groupdict().items()}
    return value


def _placeholder(name: str, value: str, t: Translator) -> str:
    if name == "column" and value in _COLUMNS:
        return t.gettext(_COLUMNS[value])
    if name in ("n", "row"):
        return t.format_number(int(value.replace(",", "")))
    return value


def quality_section(load: dict[str, Any], t: Translator) -> Section:
    """What the loading found and did, one row per check, folded away when nothing was found."""
    quality = load["loaded"].quality
    problems = quality.problems
    callout = (Callout("ok", t._("No data-quality problems were found.")) if not problems else Callout(
        "warning", t.ngettext("%(n)s kind of data-quality problem was found and handled.",
                              "%(n)s kinds of data-quality problems were found and handled.", len(problems))
        % {"n": len(problems)}))
    frame = quality.to_frame()
    checks = pd.DataFrame({
        t._("Check"): [quality_words(v, t) for v in frame["check"]],
        t._("Found"): frame["count"],
        t._("What was done"): [quality_words(v, t) for v in frame["action"]],
        t._("Detail"): [quality_words(v, t) for v in frame["detail"]],
    })
    return Section(
        "data-quality", t._("Data quality"),
        t._("%(read)s events read; %(kept)s events in %(cases)s tickets kept (%(acts)s kinds of step).") % {
            "read": t.format_number(quality.events_read), "kept": t.format_number(quality.events_kept),
            "cases": t.format_number(quality.cases_kept), "acts": t.format_number(quality.activities)},
        (callout, Details(t._("Every check, in the order it ran"), (Table(checks, formats={t._("Found"): "count"}),))),
    )
