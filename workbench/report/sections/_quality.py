"""The data-quality section: every check the loading ran, in the reader's language.

The checks are named by :mod:`workbench.cleaning` and :func:`workbench.io.load_log` in
English; :data:`QUALITY_PHRASES` says them in the reader's language.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.i18n import N_, Translator
from workbench.report.blocks import Callout, Details, Table
from workbench.report.model import Section
from workbench.report.sections._phrases import Phrasebook

__all__ = ["QUALITY_PHRASES", "quality_section"]

#: Check names, actions and details as the loading writes them.
QUALITY_PHRASES = Phrasebook((
    # checks
    (r"missing (?P<column>\S+)", N_("missing %(column)s")),
    N_("exact duplicate events"),
    (r"cases with events out of time order in the source", N_("tickets with events out of time order in the source")),
    (r"cases with events sharing a timestamp", N_("tickets with events sharing a timestamp")),
    (r"cases whose same-timestamp events were reordered", N_("tickets whose same-time events were reordered")),
    (r"cases with a single event", N_("tickets with a single event")),
    N_("person identifiers pseudonymised"),
    (r"activities renamed", N_("steps renamed")),
    (r"activity labels combined with lifecycle", N_("step names combined with the lifecycle")),
    (r"lifecycle transitions neither start nor complete", N_("lifecycle values neither start nor complete")),
    N_("start events without a matching complete"),
    (r"complete events without a start \(start_timestamp left empty\)", N_("complete events without a start")),
    N_("start after end"),
    N_("finished extract"),
    (r"case attribute '(?P<column>.+)' changes within a case", N_("ticket attribute '%(column)s' changes within a ticket")),
    (r"case attribute values spread to every event of their case", N_("ticket attributes copied to every event of their ticket")),
    (r"(?P<column>\S+): mixed UTC offsets converted to UTC", N_("%(column)s: mixed UTC offsets converted to UTC")),
    (r"(?P<column>\S+): local times in the repeated hour when clocks went back",
     N_("%(column)s: local times in the repeated hour when clocks went back")),
    (r"(?P<column>\S+): local times in the hour skipped when clocks went forward",
     N_("%(column)s: local times in the hour skipped when clocks went forward")),
    (r"(?P<column>\S+): time zone", N_("%(column)s: time zone")),
    N_("timestamps with a date only"),
    # actions
    N_("dropped"),
    N_("fixed"),
    N_("flagged"),
    (r"info", N_("for information")),
    # details
    (r"first at row (?P<row>\d+)", N_("first at row %(row)s")),
    N_("judged on all columns of the source row"),
    (r"judged on the source columns (?P<columns>.+)", N_("judged on the source columns %(columns)s")),
    N_("judged on the mapped columns"),
    (r"sorted by timestamp", N_("sorted by time")),
    (r"(?P<n>[\d,]+) cases, such events ordered by (?P<rule>.+)", N_("%(n)s tickets, such events ordered by %(rule)s")),
    (r"ordered by (?P<rule>.+), not file order", N_("ordered by %(rule)s, not file order")),
    (r"keyed HMAC pseudonyms in no column with values", N_("keyed pseudonyms (HMAC), but no column held values")),
    (r"keyed HMAC pseudonyms in (?P<columns>.+)", N_("keyed pseudonyms (HMAC) in %(columns)s")),
    N_("not applied here: this step writes no identifiers"),
    (r"OFF \(privacy\.pseudonymise: false\): outputs contain real identifiers",
     N_("OFF (privacy.pseudonymise: false): the outputs hold real identifiers")),
    (r"complete_cases: true, so no case is treated as open",
     N_("complete_cases: true, so no ticket is treated as open")),
    (r"start_timestamp cleared", N_("start time cleared")),
    (r"offsets (?P<offsets>.+)", N_("offsets %(offsets)s")),
    N_("read as the first (summer-time) occurrence"),
    N_("moved forward to the first valid time"),
    N_("no time of day in the log: durations count whole days, and working hours and the order of a day's events "
       "cannot be learned from it"),
    (r"local times in (?P<zone>.+) converted to UTC", N_("local times in %(zone)s converted to UTC")),
    (r"labels in activity_map not in the log: (?P<labels>.+)", N_("names in activity_map not in the log: %(labels)s")),
    (r"the first value in each case is used; set take: last or event in case_attributes to choose",
     N_("the first value in each ticket is used; set take: last or event in case_attributes to choose")),
    (r"the last value in each case is used \(take: last\)", N_("the last value in each ticket is used (take: last)")),
    (r"each event keeps the value known at that moment \(take: event\)",
     N_("each event keeps the value known at that moment (take: event)")),
))


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
        t._("Check"): [QUALITY_PHRASES.say(v, t) for v in frame["check"]],
        t._("Found"): frame["count"],
        t._("What was done"): [QUALITY_PHRASES.say(v, t) for v in frame["action"]],
        t._("Detail"): [QUALITY_PHRASES.say(v, t) for v in frame["detail"]],
    })
    return Section(
        "data-quality", t._("Data quality"),
        t._("%(read)s events read; %(kept)s events in %(cases)s tickets kept (%(acts)s kinds of step).") % {
            "read": t.format_number(quality.events_read), "kept": t.format_number(quality.events_kept),
            "cases": t.format_number(quality.cases_kept), "acts": t.format_number(quality.activities)},
        (callout, Details(t._("Every check, in the order it ran"), (Table(checks, formats={t._("Found"): "count"}),))),
    )
