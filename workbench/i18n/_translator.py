"""The :class:`Translator`: messages from the gettext catalogs, numbers and dates from Babel."""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
import math
from importlib import resources
from typing import Literal, get_args

import pandas as pd
from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from workbench.errors import ConfigError

__all__ = ["LANGUAGES", "Language", "N_", "Translator", "check_language"]

Language = Literal["da", "en"]
#: The languages with a catalog.
LANGUAGES: tuple[str, ...] = get_args(Language)
#: Babel locale per language (English dates read "4 December 2026", as in Europe).
_LOCALES = {"da": "da_DK", "en": "en_GB"}
DOMAIN = "workbench"
MINUS = "\u2212"


def N_(message: str) -> str:
    """Mark a message for the catalogs where it is defined; translate it where it is shown."""
    return message


def check_language(language: str) -> Language:
    """``language`` if it has a catalog, else a :class:`~workbench.errors.ConfigError` naming the choices."""
    if language not in LANGUAGES:
        raise ConfigError(f"language {language!r} is not available; choose one of {', '.join(LANGUAGES)}")
    return language  # type: ignore[return-value]


def _load(language: str) -> _gettext.GNUTranslations:
    """Compile the language's ``.po`` catalog in memory (Babel) into a gettext translation."""
    source = resources.files("workbench.i18n").joinpath("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=_LOCALES[language], domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


class Translator:
    """Messages and formats in one language.

    Parameters
    ----------
    language : {"da", "en"}
        The reader's language.

    Notes
    -----
    Numbers use the language's separators (Danish ``1.234,5``; English ``1,234.5``) and
    a true minus sign; dates are long dates (``4. december 2026``). Every ``format_*``
    returns ``"–"`` for a missing value (None or NaN).
    """

    def __init__(self, language: str) -> None:
        self.language: Language = check_language(language)
        self.locale = Locale.parse(_LOCALES[self.language])
        self._translations = _load(self.language)

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"

    # -- messages --------------------------------------------------------------------------------------------------
    def gettext(self, message: str) -> str:
        """``message`` in the reader's language (the message itself when it has no translation)."""
        return self._translations.gettext(message)

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form of a message for ``n``."""
        return self._translations.ngettext(singular, plural, n)

    @property
    def translations(self) -> _gettext.GNUTranslations:
        """The gettext translations object (for Jinja2's i18n extension)."""
        return self._translations

    # -- numbers ---------------------------------------------------------------------------------------------------
    def format_number(self, value: float | int | None, decimals: int = 0, *, sign: bool = False) -> str:
        """``value`` rounded to ``decimals`` places with the language's separators (``sign``: always +/−)."""
        if _missing(value):
            return "\u2013"
        number = round(float(value), decimals)  # type: ignore[arg-type]
        if number == 0:
            number = 0.0  # no "-0"
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        text = format_decimal(abs(number), format=pattern, locale=self.locale)
        if number < 0:
            return MINUS + text
        return ("+" + text) if sign and number > 0 else text

    def format_percent(self, share: float | None, decimals: int = 1, *, sign: bool = False) -> str:
        """A share (0.454) as a percentage (``45,4 %`` / ``45.4%``)."""
        if _missing(share):
            return "\u2013"
        number = self.format_number(100 * float(share), decimals, sign=sign)  # type: ignore[arg-type]
        return f"{number}\u00a0%" if self.language == "da" else f"{number}%"

    def format_points(self, difference: float | None, decimals: int = 1) -> str:
        """A difference of two shares in percentage points (``+2,5 procentpoint``)."""
        if _missing(difference):
            return "\u2013"
        return self._("%(n)s pp") % {"n": self.format_number(100 * float(difference), decimals,  # type: ignore[arg-type]
                                                             sign=True)}

    def format_duration(self, hours: float | None, *, sign: bool = False, unit: str | None = None) -> str:
        """Hours in words: minutes below 1 h, hours below 48 h, else days (``unit`` forces one)."""
        if _missing(hours):
            return "\u2013"
        h = float(hours)  # type: ignore[arg-type]
        chosen = unit or ("minutes" if abs(h) < 1 else "hours" if abs(h) < 48 else "days")
        value, decimals = {"minutes": (h * 60, 0), "hours": (h, 1), "days": (h / 24, 1)}[chosen]
        if chosen == "hours" and abs(h) >= 10:
            decimals = 0
        number = self.format_number(value, decimals, sign=sign)
        count = round(abs(value), decimals)
        one = count == 1
        if chosen == "minutes":
            word = self.ngettext("minute", "minutes", 1 if one else 2)
        elif chosen == "hours":
            word = self.ngettext("hour", "hours", 1 if one else 2)
        else:
            word = self.ngettext("day", "days", 1 if one else 2)
        return f"{number}\u00a0{word}"

    # -- dates -----------------------------------------------------------------------------------------------------
    def format_date(self, value: dt.date | dt.datetime | pd.Timestamp | None, *, timezone: str | None = None) -> str:
        """A long date: ``4. december 2026`` / ``4 December 2026`` (in ``timezone`` when given)."""
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            return "\u2013"
        day = _local(value, timezone)
        return _babel_date(day.date() if isinstance(day, dt.datetime) else day, format="long", locale=self.locale)

    def format_datetime(self, value: dt.datetime | pd.Timestamp | None, *, timezone: str | None = None) -> str:
        """Weekday, date and time: ``fre. 4. dec. 2026 13:05`` / ``Fri 4 Dec 2026 13:05``, in ``timezone``."""
        if value is None or value is pd.NaT:
            return "\u2013"
        moment = _local(value, timezone)
        pattern = "EEE d. MMM y HH:mm" if self.language == "da" else "EEE d MMM y HH:mm"
        return _babel_datetime(moment, pattern, locale=self.locale)

    def weekday(self, number: int) -> str:
        """The weekday's name, Monday = 0 (``fredag`` / ``Friday``)."""
        return str(get_day_names("wide", locale=self.locale)[int(number) % 7])


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _local(value: dt.date | dt.datetime | pd.Timestamp, timezone: str | None) -> dt.date | dt.datetime:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and timezone is not None:
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
        return stamp.tz_convert(timezone).tz_localize(None).to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value
