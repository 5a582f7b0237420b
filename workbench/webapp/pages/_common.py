"""What every page shares: its experiment, the header with the data's date, and the server-side role check."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import panel as pn

from workbench.errors import WorkbenchError
from workbench.i18n import N_
from workbench.webapp.experiment import Experiment, open_experiment
from workbench.webapp.pages._render import CSS, escape, show_message

if TYPE_CHECKING:
    from workbench.webapp.context import PageContext

__all__ = ["experiment_of", "header", "header_html", "allowed", "guarded", "error_line", "NAV"]

#: The pages in the menu (route, message id), in order.
NAV = (("overview", N_("Overview")), ("whatif", N_("What-if")), ("atrisk", N_("At risk")), ("audit", N_("Audit")))
#: The roles in words (message ids).
ROLE_NAMES = {"manager": N_("manager"), "analyst": N_("analyst"), "reviewer": N_("reviewer"), "admin": N_("admin")}


def experiment_of(ctx: PageContext) -> Experiment:
    """The app's experiment, opened once per process."""
    return open_experiment(ctx.settings.experiment, ctx.settings.outputs)


def allowed(ctx: PageContext, action: str) -> bool:
    """Whether the user's roles allow ``action`` (to show a button as disabled; the server checks again)."""
    return bool(ctx.user.can(action))


def header_html(ctx: PageContext, title: str, experiment: Experiment) -> str:
    """The page's title, the menu (the pages this user may open), the data's date and the user, as HTML."""
    t = ctx.translator
    links = " · ".join(
        f'<a href="/{page}?lang={ctx.language}">{escape(t.gettext(label))}</a>'
        for page, label in NAV if ctx.user.can(page))
    other = "en" if ctx.language == "da" else "da"
    language = f'<a href="?lang={other}">{"English" if other == "en" else "Dansk"}</a>'
    as_of = experiment.shared(("as-of", ctx.language), lambda: t._("Data as of %(date)s (last event in the log)") % {
        "date": t.format_datetime(experiment.as_of, timezone=experiment.timezone)})
    computed = experiment.computed_at
    if computed is not None:
        as_of += "; " + t._("results computed %(date)s") % {
            "date": t.format_datetime(computed, timezone=experiment.timezone)}
    who = t._("Signed in as %(user)s (%(roles)s)") % {
        "user": ctx.user.name, "roles": ", ".join(t.gettext(ROLE_NAMES.get(r, r)) for r in sorted(ctx.user.roles))}
    name = experiment.config.description or experiment.config.name
    sign_out = t._("Sign out")
    return (f'<nav class="menu">{links} · {language} · <a href="/logout">{escape(sign_out)}</a></nav>'
            f"<h1>{escape(title)}</h1><p>{escape(name)}</p>"
            f'<p class="note asof">{escape(as_of)}. {escape(who)}.</p>')


def header(ctx: PageContext, title: str, experiment: Experiment) -> pn.pane.HTML:
    """The page's header (:func:`header_html`) as its own pane."""
    return pn.pane.HTML(header_html(ctx, title, experiment), stylesheets=[CSS], sizing_mode="stretch_width",
                        name="header")


def error_line(exc: BaseException) -> str:
    """The one line the command line would print for ``exc`` (without its ``error:`` prefix)."""
    return " ".join(str(exc).split())


def guarded(ctx: PageContext, action: str, do: Callable[[], Any], alert: pn.pane.HTML) -> Any:
    """Check the user's role for ``action`` on the server, then ``do()``; show a refusal or an error in ``alert``.

    Returns what ``do`` returned, or None when it was refused or failed with a user error.
    """
    from workbench.webapp.accounts import AccessDenied, require

    t = ctx.translator

    def refuse() -> None:
        show_message(alert, t._("You do not have the role needed for this."), "danger")
        ctx.store.record(user=ctx.user.name, action="denied", detail=action)

    try:
        require(ctx.user, action)
        return do()
    except AccessDenied:
        refuse()
        return None
    except WorkbenchError as exc:
        show_message(alert, error_line(exc), "danger")
        return None
