"""The words and number formats of a drawn map: its labels, tooltips and legend.

:class:`MapWords` holds them in English by default. A front end that speaks another
language (the report, in Danish) passes its own, built from its message catalog; the
map's layout and figures stay the same. Activity names are the log's and never
translated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from workbench.discovery._style import english_number, format_hours

__all__ = ["MapWords", "ENGLISH"]

_NO_DURATION = {
    "since_previous": "always first: no duration",
    "until_next": "always last: no duration",
    "activity": "no start times: no duration",
}


def _share(share: float) -> str:
    return f"{share:.1%}"


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class MapWords:
    """How a drawn map says its figures.

    The text fields are ``%``-templates with named placeholders, as gettext catalogs
    hold them: ``n`` a count already formatted, ``d`` a duration already formatted.

    Parameters
    ----------
    number : callable
        ``number(value, decimals)``: a figure with the language's separators (``1,234.5``).
    units : tuple of str
        The short words for seconds, minutes, hours and days of a duration (``2.1 h``).
    share : callable
        A share as a percentage (``12.3%``).
    case, cases : str
        A number of cases, singular and plural (``"%(n)s case"``, ``"%(n)s cases"``).
    events, times : str
        A number of events of an activity (``"%(n)s events"``) and of a path (``"%(n)s×"``).
    median, mean, p90 : str
        A duration's median, mean and 90th percentile (``"med %(d)s"``).
    start, end : str
        The names of the start and end circles.
    no_duration : mapping
        What an activity without durations says, by the map's ``node_duration``.
    node_duration, edge_duration : mapping
        The map's node and edge durations in words, by ``node_duration`` / ``edge_duration``.
    summary, raised, node_legend, edge_legend, colour_legend, tooltip : str
        The legend's lines and an activity's tooltip (placeholders as in the English defaults).
    """

    number: Callable[[float, int], str] = english_number
    units: tuple[str, str, str, str] = ("s", "min", "h", "d")
    share: Callable[[float], str] = _share
    case: str = "%(n)s case"
    cases: str = "%(n)s cases"
    events: str = "%(n)s events"
    times: str = "%(n)s×"
    median: str = "med %(d)s"
    mean: str = "mean %(d)s"
    p90: str = "p90 %(d)s"
    start: str = "Start"
    end: str = "End"
    no_duration: Mapping[str, str] = field(default_factory=lambda: _frozen(_NO_DURATION))
    node_duration: Mapping[str, str] = field(default_factory=lambda: _frozen({
        "activity": "activity duration (timestamp - start_timestamp)",
        "since_previous": "time since the previous event of the case",
        "until_next": "time until the next event of the case",
    }))
    edge_duration: Mapping[str, str] = field(default_factory=lambda: _frozen({
        "completion_to_completion": "time from the completion of the source event to the completion of the target",
        "completion_to_start": "time from the completion of the source event to the start of the target "
        "(its completion when the start is unknown)",
    }))
    summary: str = (
        "%(cases)s, %(events)s. Shown: %(nodes)s of %(activities)s activities and %(edges)s of %(paths)s "
        "paths (those in at least %(share)s of the cases%(raised)s)."
    )
    raised: str = ", raised from %(asked)s to keep the map readable"
    node_legend: str = "Activities: cases · events; median · mean · 90th percentile of the %(duration)s."
    edge_legend: str = "Paths: cases · occurrences; median · mean · p90 of the %(duration)s."
    colour_legend: str = (
        "Path width: number of cases. Path colour: median duration, blue %(low)s to red %(high)s (log scale)."
    )
    tooltip: str = "%(name)s: %(cases)s, %(events)s"

    def count(self, n: float) -> str:
        """A whole number (``1,234``)."""
        return self.number(n, 0)

    def hours(self, hours: float) -> str:
        """A duration given in hours, short (``45 s``, ``12 min``, ``2.1 h``, ``3.4 d``)."""
        return format_hours(hours, number=self.number, units=self.units)

    def n_cases(self, n: float) -> str:
        """``n`` cases, singular or plural."""
        return (self.case if n == 1 else self.cases) % {"n": self.count(n)}

    def n_events(self, n: float) -> str:
        """``n`` events of an activity."""
        return self.events % {"n": self.count(n)}

    def n_times(self, n: float) -> str:
        """``n`` passes along a path."""
        return self.times % {"n": self.count(n)}

    def durations(self, median: float, mean: float, p90: float) -> tuple[str, str]:
        """``("med … · mean …", "p90 …")``."""
        return (
            f"{self.median % {'d': self.hours(median)}} · {self.mean % {'d': self.hours(mean)}}",
            self.p90 % {"d": self.hours(p90)},
        )


#: The default words: English, with English number formats.
ENGLISH = MapWords()
