"""Turn the pipeline stages' results into a :class:`~workbench.report.Report` written for its reader (pure).

The wording of the report lives here (and in the gettext catalogs of
:mod:`workbench.i18n`), so the same results read in Danish or English::

    report = build_report(results, title=..., subtitle=..., generated_at=..., settings={}, language="da",
                          timezone="Europe/Copenhagen")

Sections of stages that did not run are left out. The web app shows the same sections and
wording on its pages: it takes the single sections, the headline, a change's verdict and the
reasons in words from here too.
"""

from __future__ import annotations

from typing import Any

from workbench.i18n import N_, Translator
from workbench.report.model import Report, Section
from workbench.report.sections._map import map_section, map_words
from workbench.report.sections._quality import quality_section
from workbench.report.sections._questions import questions_sections
from workbench.report.sections._reasons import ATTRIBUTES, reason_words
from workbench.report.sections._stages import (
    caution_callouts,
    fairness_section,
    interval_note,
    models_section,
    rules_section,
    scenarios_section,
    skill_callout,
    verdict_blocks,
)
from workbench.report.sections._summary import KPI_NAMES, headline, scenario_changes, summary_figures, verdict
from workbench.report.sections.sweep import sweep_sections
from workbench.report.summary import Figure, ManagerSummary, ScenarioChange

#: The pipeline's setting names, in words (message ids).
SETTING_NAMES = {"experiment": N_("experiment"), "log config": N_("log config"), "seed": N_("seed"),
                 "pseudonymised": N_("pseudonymised"), "minimum group size": N_("minimum group size"),
                 "MLflow store": N_("MLflow store")}

__all__ = [
    "build_report",
    "summary_figures",
    "scenario_changes",
    "skill_callout",
    "KPI_NAMES",
    # the parts the web app's pages show on their own
    "headline",
    "questions_sections",
    "rules_section",
    "fairness_section",
    "verdict_blocks",
    "interval_note",
    "caution_callouts",
    "verdict",
    "reason_words",
    "ATTRIBUTES",
]


def _when(generated_at: str, t: Translator, timezone: str | None) -> str:
    """The run's time in the reader's format and the log's time zone (as given when it is not a time)."""
    import pandas as pd

    try:
        stamp = pd.Timestamp(generated_at)
    except (ValueError, TypeError):
        return generated_at
    if stamp is pd.NaT or stamp.tzinfo is None:
        return generated_at
    return t.format_datetime(stamp, timezone=timezone or "UTC")


def build_report(
    results: dict[str, dict[str, Any]],
    *,
    title: str,
    subtitle: str,
    generated_at: str,
    settings: dict[str, str],
    language: str = "en",
    log_config: Any = None,
    timezone: str | None = None,
    practical_difference: float = 0.02,
    map_svg: str | None = None,
    map_link: str | None = None,
    extra_sections: tuple[Section, ...] = (),
    figures: tuple[Figure, ...] = (),
    changes: tuple[ScenarioChange, ...] = (),
    notes: tuple[str, ...] = (),
) -> Report:
    """Assemble the report from whatever stages ran.

    Parameters
    ----------
    results : dict
        Each stage's result, by stage name (``load``, ``discover``, ``simulate``, ``train``,
        ``predict``, ``audit``).
    title, subtitle, generated_at : str
        Shown on the first page.
    settings : dict of str
        The run's settings, shown last.
    language : {"en", "da"}
        The reader's language (fixed texts, numbers, dates). Names from the log stay as they are.
    log_config : LogConfig, optional
        The log's config: its calendar (time zone, opening hours) and status meanings.
    timezone : str, optional
        The time zone times are shown in; default the log calendar's, else UTC.
    practical_difference : float, default 0.02
        A simulated change smaller than this share of today's value is "no practical difference".
    map_svg, map_link : str, optional
        The process map as SVG text (default: drawn from the discover stage's map), and the
        path of the interactive map relative to the report (default
        ``../discover/process_map.html``, where the pipeline writes it).
    """
    t = Translator(language)
    sections: list[Section] = []
    head = subtitle
    calendar = None
    waiting: tuple[str, ...] = ()
    if log_config is not None:
        from workbench.calendar import WorkingCalendar

        calendar = WorkingCalendar.from_config(log_config.calendar)
        waiting = tuple(log_config.statuses.waiting_on_user)
        timezone = timezone or log_config.calendar.timezone
    if "load" in results:
        sections.append(quality_section(results["load"], t))
    if "discover" in results:
        d = results["discover"]
        if map_svg is None and d.get("process_map") is not None:
            from workbench.discovery import render_svg

            map_svg = render_svg(d["process_map"], words=map_words(t))
        link = map_link if map_link is not None else "../discover/process_map.html"
        sections.append(map_section(d, t, svg=map_svg, link=link))
        sections.extend(questions_sections(d, t, timezone=timezone))
        rules = rules_section(d, t)
        if rules is not None:
            sections.append(rules)
        head = headline(d["discovery"].answers, t) or subtitle
    if "simulate" in results:
        sections.append(scenarios_section(results["simulate"], t))
    sections.extend(sweep_sections(results, t))
    if "train" in results:
        activities: tuple[str, ...] = ()
        if "load" in results:
            activities = tuple(str(a) for a in results["load"]["loaded"].events["activity"].unique())
        sections.append(models_section(results["train"], results.get("predict"), t, timezone=timezone,
                                       calendar=calendar, waiting=waiting, activities=activities))
    if "audit" in results:
        sections.append(fairness_section(results["audit"], t))
    sections.extend(extra_sections)
    summary = ManagerSummary(
        headline=head,
        figures=figures or summary_figures(results, t),
        changes=changes or scenario_changes(results, t, threshold=practical_difference),
        notes=notes,
        practical_difference=practical_difference,
    )
    shown = {t.gettext(SETTING_NAMES.get(k, k)): t.gettext(v) if v in ("yes", "no") else v
             for k, v in settings.items()}
    return Report(title=title, subtitle=subtitle, generated_at=_when(generated_at, t, timezone), summary=summary,
                  sections=tuple(sections), settings=shown, lang=t.language)
