"""Fixed English phrases other layers write (check names, rule names), said in the report's language.

The loading and the rule checks name what they did in English; those names are stable
(the terminal and the JSON outputs show them as they are). A :class:`Phrasebook` maps
each phrase, by a regular expression matched whole, to a message id whose named
placeholders take the groups of the same name. A phrase no pattern matches is shown
as it is: a new check is never lost, only untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from workbench.i18n import N_, Translator

__all__ = ["Phrasebook"]

#: The canonical columns, in words.
_COLUMNS = {"case_id": N_("ticket id"), "activity": N_("step"), "timestamp": N_("time"),
            "start_timestamp": N_("start time")}
#: Units of a limit, in words.
_UNITS = {"hours": N_("hours"), "working hours": N_("working hours"), "working days": N_("working days")}


class Phrasebook:
    """Phrases (regular expressions, matched whole) and their message ids.

    An entry is ``(pattern, msgid)``, or just the msgid where the phrase is that very text.

    Placeholders: ``column`` (a canonical column is put in words), ``n``, ``row`` and
    ``value`` (numbers in the reader's format), ``unit`` (a limit's unit in words); any
    other group is inserted as it is (names from the log or the config).
    """

    def __init__(self, phrases: Iterable[str | tuple[str, str]]) -> None:
        self._phrases = tuple(
            (re.compile(re.escape(entry)), entry) if isinstance(entry, str) else (re.compile(entry[0]), entry[1])
            for entry in phrases
        )

    def say(self, text: object, t: Translator) -> str:
        """``text`` in ``t``'s language (as it is when no phrase matches; "" for a missing value)."""
        value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
        for pattern, msgid in self._phrases:
            match = pattern.fullmatch(value)
            if match:
                return t.gettext(msgid) % {name: _placeholder(name, part, t)
                                           for name, part in match.groupdict().items()}
        return value


def _placeholder(name: str, value: str, t: Translator) -> str:
    if name == "column" and value in _COLUMNS:
        return t.gettext(_COLUMNS[value])
    if name == "unit" and value in _UNITS:
        return t.gettext(_UNITS[value])
    if name in ("n", "row", "value"):
        number = float(value.replace(",", ""))
        return t.format_number(number, 0 if number.is_integer() else 1)
    return value
