r"""Danish and English for every fixed text the workbench shows a reader, and Danish formats.

One small API, shared by the report and (later) the web app::

    >>> from workbench.i18n import Translator
    >>> da = Translator("da")
    >>> da._("Summary")
    'Resumé'
    >>> da.ngettext("%(n)s case", "%(n)s cases", 2) % {"n": da.format_number(2)}
    '2 sager'
    >>> da.format_number(1234.5, decimals=1), da.format_percent(0.4542), da.format_duration(1.94)
    ('1.234,5', '45,4\xa0%', '1,9\xa0timer')
    >>> import datetime as dt
    >>> da.format_date(dt.date(2026, 12, 4)), Translator("en").format_date(dt.date(2026, 12, 4))
    ('4. december 2026', '4 December 2026')

The messages are gettext catalogs (``locale/<language>/LC_MESSAGES/workbench.po``),
committed as ``.po`` sources and compiled in memory with Babel when a
:class:`Translator` is made: there is no build step and no binary file in the
repository that could fall out of step with its source. English messages are the
message ids, so the English catalog is the identity. Activity, team and group names
come from the log and are never translated.
"""

from __future__ import annotations

from workbench.i18n._translator import LANGUAGES, N_, Language, Translator, check_language

__all__ = ["LANGUAGES", "Language", "N_", "Translator", "check_language"]
