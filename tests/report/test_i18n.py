"""The catalogs cover every fixed text of the report and the web app, and Danish formats are Danish."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from workbench.errors import ConfigError
from workbench.i18n import LANGUAGES, Translator

REPO = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("workbench/report/**.py", "python"), ("workbench/i18n/**.py", "python"), ("workbench/webapp/**.py", "python"),
           ("workbench/report/templates/**.html", "jinja2"), ("workbench/webapp/templates/**.html", "jinja2")]


def _catalog(language: str):
    source = resources.files("workbench.i18n").joinpath("locale", language, "LC_MESSAGES", "workbench.po")
    with source.open("rb") as handle:
        return read_po(handle, locale=language)


def _source_messages() -> set[str]:
    found = extract_from_dir(str(REPO), method_map=METHODS, keywords=KEYWORDS,
                             options_map={f"workbench/{part}/templates/**.html": {"extensions": "jinja2.ext.i18n"}
                                          for part in ("report", "webapp")})
    ids = set()
    for _file, _line, message, _comments, _context in found:
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_every_message_in_the_code_has_a_danish_translation() -> None:
    danish = _catalog("da")
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in danish
                  if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = sorted(_source_messages() - translated)
    assert missing == [], f"messages without a Danish translation (run pybabel update and translate): {missing}"


def test_translations_keep_their_placeholders() -> None:
    for language in LANGUAGES:
        problems = [(m.id, errors) for m, errors in _catalog(language).check() if errors]
        assert problems == []


def test_danish_numbers_dates_and_durations() -> None:
    da, en = Translator("da"), Translator("en")
    assert da.format_number(1234.5, 1) == "1.234,5" and en.format_number(1234.5, 1) == "1,234.5"
    assert da.format_number(-0.04, 1) == "0,0"  # no "-0"
    assert da.format_number(-3.25, 1) == "\u22123,2" or da.format_number(-3.25, 1) == "\u22123,3"
    assert da.format_percent(0.4542) == "45,4\u00a0%" and en.format_percent(0.4542) == "45.4%"
    assert da.format_date(dt.date(2026, 12, 4)) == "4. december 2026"
    assert en.format_date(dt.date(2026, 12, 4)) == "4 December 2026"
    assert da.format_duration(1.94) == "1,9\u00a0timer" and da.format_duration(0.5) == "30\u00a0minutter"
    assert da.format_duration(72) == "3,0\u00a0dage" and en.format_duration(1) == "1.0\u00a0hour"
    assert da.weekday(4) == "fredag" and en.weekday(4) == "Friday"
    # times are shown in the log's time zone: 23:30 UTC on 31 December is 00:30 on 1 January in Copenhagen
    stamp = pd.Timestamp("2023-12-31 23:30", tz="UTC")
    assert da.format_datetime(stamp, timezone="Europe/Copenhagen").endswith("1. jan. 2024 00:30")
    assert da.format_date(stamp, timezone="Europe/Copenhagen") == "1. januar 2024"
    assert da.ngettext("%(n)s case", "%(n)s cases", 1) % {"n": 1} == "1 sag"
    assert en.ngettext("%(n)s case", "%(n)s cases", 1) % {"n": 1} == "1 case"


def test_an_unknown_language_is_refused_in_one_line() -> None:
    with pytest.raises(ConfigError, match=r"language 'sv' is not available; choose one of da, en"):
        Translator("sv")


def test_reasons_in_words() -> None:
    from workbench.report.sections._reasons import reason_words

    text = "weekday=4 (+0.74 d); count__waiting_for_user=5 (+0.40 d); attr__category=Netværk (-0.10 d)"
    da = reason_words(text, Translator("da"), waiting=("Waiting for user",), activities=("Waiting for user",))
    assert da == "fredag (+18\u00a0timer); ventede 5 gange på brugeren (+9,6\u00a0timer); kategori: Netværk (\u22122,4\u00a0timer)"
    en = reason_words("hour=14.5 (+1.20 log-odds)", Translator("en"))
    assert en == "at 14:30 (raises the risk)"


def test_no_practical_difference_below_the_threshold_whatever_the_interval() -> None:
    from workbench.report.sections._summary import verdict

    t = Translator("en")
    assert verdict(211.0, 0.2, 0.0, 0.3, threshold=0.02, t=t)[0] == "same"  # the issue's +0.2 h on 211 h
    assert verdict(211.0, -9.0, -12.0, -5.8, threshold=0.02, t=t)[0] == "better"
    assert verdict(211.0, 9.0, 5.8, 12.0, threshold=0.02, t=t)[0] == "worse"
    assert verdict(211.0, 9.0, -2.0, 20.0, threshold=0.02, t=t)[0] == "unclear"
    assert verdict(211.0, 0.2, 0.0, 0.3, threshold=0.0, t=t)[0] == "unclear"


def test_fairness_groups_and_flags_are_counted_once_each() -> None:
    from types import SimpleNamespace

    from workbench.report.sections._summary import fairness_counts

    table = pd.DataFrame({
        "attribute": ["department"] * 4 + ["channel"] * 2,
        "group": ["Kultur", "Kultur", "Kultur", "Teknik", "Mail", "Telefon"],
        "flagged": [True, True, False, False, False, False],  # one group flagged on two measures
        "suppressed": [False, False, False, False, False, True],
    })
    assert fairness_counts(SimpleNamespace(table=table)) == (1, 2, 3)


def test_data_quality_checks_are_said_in_the_report_language() -> None:
    from workbench.report.sections._quality import QUALITY_PHRASES

    quality_words = QUALITY_PHRASES.say

    da, en = Translator("da"), Translator("en")
    assert quality_words("missing case_id", da) == "mangler sagsnummer"
    assert quality_words("cases with a single event", da) == "sager med kun én hændelse"
    assert quality_words("keyed HMAC pseudonyms in resource, user", da) == (
        "nøglebaserede pseudonymer (HMAC) i resource, user")
    assert quality_words("1,234 cases, such events ordered by file order", da).startswith("1.234 sager")
    assert quality_words("dropped", da) == "fjernet" and quality_words("info", en) == "for information"
    assert quality_words("a check the report does not know yet", da) == "a check the report does not know yet"


def test_model_figures_measured_between_events_have_words() -> None:
    from workbench.report.sections._stages import _metric_name

    assert _metric_name("test_as_of_mae", Translator("en")) == (
        "mean absolute error (days), test part, seen between two events")
    assert _metric_name("test_mae", Translator("en")) == "mean absolute error (days), test part"


def test_the_map_in_the_danish_report_speaks_danish() -> None:
    from workbench.discovery import build_process_map, render_svg
    from workbench.report.sections._map import map_words

    base = pd.Timestamp("2024-03-04 08:00", tz="UTC")
    log = pd.DataFrame({
        "case_id": ["c1", "c1", "c2", "c2", "c2"],
        "activity": ["Registered", "Closed", "Registered", "In progress", "Closed"],
        "timestamp": [base, base + pd.Timedelta(hours=30), base, base + pd.Timedelta(hours=2),
                      base + pd.Timedelta(hours=3)],
    })
    svg = render_svg(build_process_map(log), words=map_words(Translator("da")))
    assert "2 sager, 5 hændelser. Vist: 3 af 3 trin" in svg
    assert "Pilens bredde: antal sager" in svg and "Slut" in svg
    assert "median 1,0 t · gns. 1,0 t" in svg
    for english in (" cases", " events", "Path width", "mean ", ">End<"):
        assert english not in svg


def test_rule_names_the_rule_checks_wrote_are_said_in_the_report_language() -> None:
    from workbench.report.sections._stages import RULE_PHRASES

    da = Translator("da")
    assert RULE_PHRASES.say("resolved within 5 working days", da) == "løst inden for 5 arbejdsdage"
    assert RULE_PHRASES.say("first response within 4.5 working hours", da) == "første svar inden for 4,5 arbejdstimer"
    assert RULE_PHRASES.say("'Forwarded' never after 'Resolved with mail'", da) == (
        "'Forwarded' aldrig efter 'Resolved with mail'")
    assert RULE_PHRASES.say("a name the desk chose", da) == "a name the desk chose"


def test_a_what_ifs_cautions_are_said_in_the_report_language() -> None:
    from workbench.report.sections import caution_callouts

    cautions = [{"kind": "near_full", "team": "IT-infrastruktur", "today": 0.78, "changed": 0.914},
                {"kind": "waiting_off", "team": "HR", "factor": 2.5}, {"kind": "no_staff"},
                {"kind": "no_capacity", "team": "BI"}, {"kind": "from a later version"}]
    da = [c.text for c in caution_callouts(cautions, Translator("da"), scenario="Flere sager")]
    assert da[0] == ("Scenariet Flere sager: IT-infrastruktur er optaget 78\u00a0% af arbejdstiden i dag og 91\u00a0% "
                     "med ændringen. Tæt på fuld belastning vokser en kø stejlt: få procent mere eller mindre arbejde "
                     "flytter ventetiden meget, så stol mere på retningen af denne virkning end på dens størrelse.")
    assert "forkert med en faktor 2,5" in da[1] and da[2].startswith("Scenariet Flere sager: Intet team har lært")
    assert da[3].startswith("Scenariet Flere sager: BI har ingen lært kapacitet") and len(da) == 4
    en = caution_callouts(cautions[:1], Translator("en"))
    assert en[0].kind == "warning" and en[0].text.startswith(
        "IT-infrastruktur is busy 78% of its working time today and 91% with the change.")
    assert caution_callouts(None, Translator("en")) == []
