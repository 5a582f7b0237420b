"""Who may open a page: Bokeh's auth hook, the user in the session token, the page built for them.

:class:`WorkbenchAuth` answers "who is this?" for every page, websocket, autoload and metadata
request and refuses a user whose roles do not allow the page (HTTP 403, a short page in their
language). :class:`IdentityHandler` puts the user, roles and language in Bokeh's signed session
token; :func:`page_app` reads them back when Panel builds the page, checks the role a second
time and hands the page factory a :class:`~workbench.webapp.context.PageContext`. An open page
checks every :data:`SESSION_CHECK_MS` that its login session is still live.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

import tornado.web
from bokeh.application.handlers.handler import Handler
from bokeh.server.auth_provider import AuthProvider
from tornado.websocket import WebSocketHandler

from workbench.webapp.accounts import AccessDenied, User, check_roles
from workbench.webapp.context import PageContext, PageFactory
from workbench.webapp.core import LANG_COOKIE, AppCore, Language

__all__ = ["SESSION_CHECK_MS", "IdentityHandler", "WorkbenchAuth", "page_app"]

_PAGE_PATH = re.compile(r"^/(overview|whatif|atrisk|audit)(?:/.*)?$")
_TOKEN_KEY = "workbench"
#: How often an open page checks that its login session is still live (expired, logged out, user removed).
SESSION_CHECK_MS = 30_000


def _page_of(path: str) -> str | None:
    found = _PAGE_PATH.match(path)
    return found.group(1) if found else None


class WorkbenchAuth(AuthProvider):
    """Bokeh's auth hook: the session cookie's user, and the page's role check (HTTP 403)."""

    def __init__(self, core: AppCore) -> None:
        self.core = core
        super().__init__()

    @property
    def get_user(self) -> Callable[[Any], Any]:
        return self._user

    @property
    def login_url(self) -> str:
        return "/login"

    @property
    def logout_url(self) -> str:
        return "/logout"

    def _user(self, handler: tornado.web.RequestHandler) -> User | None:
        request = handler.request
        language = self.core.language(request)
        websocket = isinstance(handler, WebSocketHandler)
        if not websocket and "lang" in request.arguments:
            handler.set_cookie(LANG_COOKIE, language, httponly=True, samesite="Lax", expires_days=365)
        user = self.core.identify(request)
        if user is None:
            return None
        page = _page_of(request.path)
        if page is not None and not user.can(page):
            _deny(handler, self.core, user, page, language, websocket=websocket)
        return user


def _deny(handler: tornado.web.RequestHandler, core: AppCore, user: User, page: str, language: Language, *,
          websocket: bool) -> None:
    """Answer HTTP 403 with a short page in the user's language and end the request."""
    _ = core.translators[language].gettext
    core.store.record(user=user.name, action="denied", detail=f"page {page}")
    handler.set_status(403)
    handler.set_header("Cache-Control", "no-store")
    if websocket:
        raise tornado.web.Finish()
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    raise tornado.web.Finish(core.render(
        language, title=_("Access denied"), kind="error",
        message=_("Your role does not give access to this page."), back_text=_("Back to the overview")))


class IdentityHandler(Handler):
    """Adds the user, roles and language to the session token, where the page factory finds them."""

    def __init__(self, core: AppCore) -> None:
        super().__init__()
        self.core = core

    def modify_document(self, doc: Any) -> None:  # the page is built by the Panel handler
        return None

    def process_request(self, request: Any) -> dict[str, Any]:
        found = self.core.identity(request)
        if found is None:
            return {}
        user, token_hash = found
        # The token hash is no secret (it opens nothing); the page uses it to notice the session ending.
        return {_TOKEN_KEY: {"user": user.name, "roles": sorted(user.roles), "language": self.core.language(request),
                             "session": token_hash}}


def page_app(core: AppCore, name: str, factory: PageFactory) -> Callable[[], Any]:
    def build() -> Any:
        import panel as pn

        context = pn.state.curdoc.session_context if pn.state.curdoc is not None else None
        found = (context.token_payload.get(_TOKEN_KEY) if context is not None else None) or {}  # type: ignore[attr-defined]
        if not found:
            raise AccessDenied("the session carries no user; log in again")
        user = User(str(found["user"]), check_roles(found["roles"]))
        if not user.can(name):  # the server refused before; this is the second lock
            raise AccessDenied(f"user {user.name!r} may not open the page {name!r}")
        language = cast(Language, found["language"])
        page = factory(PageContext(user=user, language=language, translator=core.translators[language],
                                   store=core.store, runs=core.runs, settings=core.settings))
        _watch_session(core, name, str(found.get("session", "")))
        return page

    build.__name__ = f"{name}_page"
    return build


def _watch_session(core: AppCore, name: str, token_hash: str) -> None:
    """End an open page when its login session ends (expiry, logout, user removed or role taken away)."""
    import panel as pn

    document = pn.state.curdoc

    def check() -> None:
        found = core.live_user(token_hash) if token_hash else None
        if found is not None and found[0].can(name):
            return
        location = pn.state.location
        if location is not None:
            location.reload = True
            location.param.update(pathname="/login", search=f"?next=/{name}")
        if document is not None:  # whatever the browser does, the page's content is gone
            document.add_timeout_callback(document.clear, 1000)

    pn.state.add_periodic_callback(check, period=SESSION_CHECK_MS)
