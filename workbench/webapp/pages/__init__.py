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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.webapp.context import PageContext, PageFactory

__all__ = ["PAGES"]


def _overview(ctx: PageContext) -> Any:
    from workbench.webapp.pages.overview import overview_page

    return overview_page(ctx)


def _whatif(ctx: PageContext) -> Any:
    from workbench.webapp.pages.whatif import whatif_page

    return whatif_page(ctx)


def _atrisk(ctx: PageContext) -> Any:
    from workbench.webapp.pages.atrisk import atrisk_page

    return atrisk_page(ctx)


def _audit(ctx: PageContext) -> Any:
    from workbench.webapp.pages.audit import audit_page

    return audit_page(ctx)


#: Every page's factory, by route name (the server checks the role before calling one).
PAGES: dict[str, PageFactory] = {"overview": _overview, "whatif": _whatif, "atrisk": _atrisk, "audit": _audit}
