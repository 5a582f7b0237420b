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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.webapp.context import PageContext, PageFactory

__all__ = ["PAGES"]


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


#: Every page's factory, by route name (the server checks the role before calling one).
PAGES: dict[str, PageFactory] = {"overview": _overview, "whatif": _whatif, "atrisk": _atrisk, "audit": _audit}
