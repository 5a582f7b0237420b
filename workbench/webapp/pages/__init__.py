"""The web app's pages: one factory per page, each taking the session's :class:`~workbench.webapp.context.PageContext`.

==========  =====================================  =============================================
page        who (checked by the server)             what
==========  =====================================  =============================================
overview    every role                              the five questions with their case ids, the
                                                    interactive map, rule violations, data as of
whatif      manager, admin                          scenario editor, background runs, comparison
                                                    with the baseline, saved and shared scenarios
atrisk      analyst, manager, admin                 open cases at risk with reasons, CSV export
audit       reviewer, manager, admin                fairness audits in plain words, sign-off
==========  =====================================  =============================================
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.webapp.context import PageContext, PageFactory
    from workbench.webapp.settings import AppSettings

__all__ = ["PAGES", "Pages", "warm_up"]


def _shown(ctx: PageContext, build: Callable[[PageContext], Any]) -> Any:
    """The page, or (when a stage it needs has not run) the one line saying which and how to get it."""
    from workbench.errors import ConfigError
    from workbench.webapp.pages._common import error_line
    from workbench.webapp.pages._render import message_pane, show_message

    try:
        return build(ctx)
    except ConfigError as exc:
        note = ctx.translator._("This page cannot be shown yet: %(reason)s") % {"reason": error_line(exc)}
        shown = message_pane()
        show_message(shown, note, "warning")
        return shown


def _overview(ctx: PageContext) -> Any:
    from workbench.webapp.pages.overview import overview_page

    return _shown(ctx, overview_page)


def _whatif(ctx: PageContext) -> Any:
    from workbench.webapp.pages.whatif import whatif_page

    return _shown(ctx, whatif_page)


def _atrisk(ctx: PageContext) -> Any:
    from workbench.webapp.pages.atrisk import atrisk_page

    return _shown(ctx, atrisk_page)


def _audit(ctx: PageContext) -> Any:
    from workbench.webapp.pages.audit import audit_page

    return _shown(ctx, audit_page)


def warm_up(settings: AppSettings) -> list[str]:
    """Build what every session shares (per language), so that no user waits for the first build.

    Run once in the background when the app starts. A part whose pipeline stage has not run is
    left out (its page says so when opened). Returns the parts built, as ``page/language``.
    """
    from workbench.errors import ConfigError
    from workbench.i18n import Translator
    from workbench.webapp.experiment import open_experiment
    from workbench.webapp.pages.atrisk import atrisk_table
    from workbench.webapp.pages.audit import audits_html
    from workbench.webapp.pages.overview import overview_content

    experiment = open_experiment(settings.experiment, settings.outputs)
    built: list[str] = []
    first = settings.language
    for language in (first, "en" if first == "da" else "da"):
        t = Translator(language)
        parts: dict[str, Callable[..., Any]] = {"overview": overview_content, "audit": audits_html,
                                                 "atrisk": atrisk_table}  # the keys the pages share them by
        for page, make in parts.items():
            try:
                experiment.shared((page, language), functools.partial(make, experiment, t))
            except ConfigError:
                continue
            built.append(f"{page}/{language}")
    try:
        experiment.choices  # noqa: B018 -- the simulation model, read for the what-if editor
    except ConfigError:
        pass
    return built


class Pages(dict[str, "PageFactory"]):
    """The pages by route name, and what the server builds in the background when it starts (:func:`warm_up`)."""

    def warm_up(self, settings: AppSettings) -> list[str]:
        return warm_up(settings)


#: Every page's factory, by route name (the server checks the role before calling one).
PAGES: Pages = Pages(overview=_overview, whatif=_whatif, atrisk=_atrisk, audit=_audit)
