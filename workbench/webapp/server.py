"""The web app's server: one Panel app per page on a Bokeh/Tornado server, behind our own login.

Routes
------
``/login`` (GET: the form in Danish or English; POST: check the password), ``/logout``,
``/logged-out`` (after a single sign-on logout),
``/`` (to ``/overview``), ``/overview``, ``/whatif``, ``/atrisk``, ``/audit`` (one Panel app
each), ``/files/<path>`` (read-only files under the outputs folder) and ``/health``.

How a request is checked
------------------------
A Bokeh :class:`~bokeh.server.auth_provider.AuthProvider` (:class:`WorkbenchAuth`) answers
"who is this?" for every page, websocket, autoload and metadata request: the signed session
cookie names a server-side session (its SHA-256 is in the database), which must be live (not
expired, not revoked); a local user must still be in the users file (their roles are read from
it on every request, so a change applies at once). Without one, page requests are redirected
to ``/login`` and everything else is refused. The same check refuses a user whose roles do not
allow the page with HTTP 403 and a short page in their language, before any session or page is
built. The user, roles and language then travel in Bokeh's signed session token (the session
cookie itself is kept out of it), and the page factory gets them in a
:class:`~workbench.webapp.context.PageContext`.

Every script and style sheet comes from this server (Bokeh's and Panel's bundled resources);
the pages request nothing from other hosts.

Behind the organisation's reverse proxy
---------------------------------------
Keep the app on 127.0.0.1 and let the proxy (nginx, Apache, IIS) terminate TLS and forward both
plain HTTP and websocket upgrades (``/<page>/ws``) to it, setting ``X-Forwarded-For`` and
``X-Forwarded-Proto``. Set ``behind_proxy`` (so the login limit counts the real client address
and the session cookie is marked Secure under https) and ``public_hosts`` (the host name users
type, so the websocket accepts their pages). Serve the app at the root of its host name.

Single sign-on
--------------
With ``settings.oidc`` the password form is replaced by Panel's OAuth login for the named
provider (``generic`` for any OpenID Connect provider, or ``azure``, ``okta``, ...). The client id
and secret are read from the environment variables ``oidc`` names; the roles from the claim
``oidc.roles_claim`` of the identity token (a user without a workbench role is refused). After
the provider's login the app opens its own server-side session, so expiry, logout and the role
checks work exactly as with passwords.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import mimetypes
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import quote, urlencode

import tornado.ioloop
import tornado.web
from bokeh.application.handlers.handler import Handler
from bokeh.server.auth_provider import AuthProvider
from tornado.websocket import WebSocketHandler

from workbench.errors import ConfigError, WorkbenchError
from workbench.i18n import Translator
from workbench.webapp.accounts import PAGE_ROLES, AccessDenied, User, UsersFile, check_roles
from workbench.webapp.context import PageContext, PageFactory
from workbench.webapp.runs import JobFn, RunManager
from workbench.webapp.security import FileRefused, oidc_login_handler, safe_output_file
from workbench.webapp.sessions import LoginLimiter, Sessions, hash_token
from workbench.webapp.settings import AppSettings
from workbench.webapp.store import Store

if TYPE_CHECKING:
    from bokeh.server.server import Server

__all__ = ["COOKIE", "LANG_COOKIE", "PAGES_ORDER", "AppCore", "WorkbenchAuth", "app_core", "make_server", "serve"]

Language = Literal["da", "en"]

#: The signed cookie holding the session token.
COOKIE = "workbench_session"
#: The cookie remembering the language chosen with ``?lang=``.
LANG_COOKIE = "workbench_lang"
#: The pages, in menu order.
PAGES_ORDER: tuple[str, ...] = ("overview", "whatif", "atrisk", "audit")
_PAGE_PATH = re.compile(r"^/(overview|whatif|atrisk|audit)(?:/.*)?$")
_SAFE_NEXT = re.compile(r"^/(?![/\\])[A-Za-z0-9/_.~%?=&+-]*$")
_TOKEN_KEY = "workbench"
_PANEL_OAUTH_COOKIES = ("user", "id_token", "access_token", "refresh_token", "oauth_expiry")
_REQUEST_CACHE = "_workbench_identity"
_MISSING = object()
#: How often an open page checks that its login session is still live (expired, logged out, user removed).
SESSION_CHECK_MS = 30_000


def _page_of(path: str) -> str | None:
    found = _PAGE_PATH.match(path)
    return found.group(1) if found else None


@dataclass
class AppCore:
    """What every handler and page of one server shares."""

    settings: AppSettings
    users: UsersFile
    store: Store
    sessions: Sessions
    limiter: LoginLimiter
    runs: RunManager
    translators: Mapping[str, Translator]

    # -- who and which language -----------------------------------------------------------------
    def language(self, request: Any) -> Language:
        """``?lang=``, else the language cookie, else the app's language."""
        for value in (request.arguments.get("lang", [b""])[-1].decode("ascii", "replace"),
                      request.cookies[LANG_COOKIE].value if LANG_COOKIE in request.cookies else ""):
            if value in ("da", "en"):
                return cast(Language, value)
        return self.settings.language

    def session_token(self, request: Any) -> str | None:
        """The session token of the request's signed cookie; None when missing or forged."""
        morsel = request.cookies.get(COOKIE)
        if morsel is None:
            return None
        value = tornado.web.decode_signed_value(self.settings.cookie_secret, COOKIE, morsel.value,
                                                max_age_days=self.settings.session_minutes / 1440 + 1)
        return value.decode("ascii", "replace") if value else None

    def identify(self, request: Any) -> User | None:
        """The user of the request's live session, with their current roles; None otherwise."""
        found = self.identity(request)
        return None if found is None else found[0]

    def identity(self, request: Any) -> tuple[User, str] | None:
        """The user of the request's live session and the session's token hash (looked up once per request)."""
        cached = getattr(request, _REQUEST_CACHE, _MISSING)
        if cached is not _MISSING:
            return cast("tuple[User, str] | None", cached)
        token = self.session_token(request)
        found = None if token is None else self.live_user(hash_token(token))
        setattr(request, _REQUEST_CACHE, found)
        return found

    def live_user(self, token_hash: str) -> tuple[User, str] | None:
        """The user of the live session ``token_hash``, with current roles; None when it is over."""
        record = self.store.session(token_hash)
        if record is None:
            return None
        if record.source == "local":
            current = self.users.user(record.user)  # removed users lose their sessions at once
            return None if current is None else (current, token_hash)
        try:
            return User(record.user, check_roles(record.roles)), token_hash
        except WorkbenchError:
            return None

    # -- pages of our own -----------------------------------------------------------------------
    @functools.cached_property
    def _templates(self) -> dict[str, Any]:
        import jinja2

        source = resources.files("workbench.webapp").joinpath("templates", "login.html").read_text(encoding="utf-8")
        found = {}
        for language, translator in self.translators.items():
            env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
            env.install_gettext_translations(translator.translations, newstyle=True)  # type: ignore[attr-defined]
            found[language] = env.from_string(source)
        return found

    def render(self, language: Language, **values: Any) -> str:
        defaults = {"language": language, "message": "", "kind": "info", "form": False, "name": "", "xsrf": "",
                    "next_url": "", "action": "/login", "back_url": "/overview", "back_text": "", "lang_query": ""}
        return str(self._templates[language].render(**{**defaults, **values}))


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


class _IdentityHandler(Handler):
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


def _page_app(core: AppCore, name: str, factory: PageFactory) -> Callable[[], Any]:
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


class _Base(tornado.web.RequestHandler):
    core: AppCore

    def initialize(self, core: AppCore) -> None:
        self.core = core

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("X-Frame-Options", "SAMEORIGIN")
        self.set_header("Referrer-Policy", "no-referrer")

    def _address(self) -> str:
        return str(self.request.remote_ip or "")


class LoginHandler(_Base):
    """``GET /login``: the form; ``POST /login``: check the password, open a session, go on."""

    def _next(self) -> str:
        value = self.get_argument("next", "/overview")
        return value if _SAFE_NEXT.match(value) and not value.startswith("/login") else "/overview"

    def _form(self, status: int = 200, message: str = "", kind: str = "info", name: str = "") -> None:
        language = self.core.language(self.request)
        _ = self.core.translators[language].gettext
        next_url = self._next()
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                                   "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        query = "&" + urlencode({"next": next_url}) if next_url != "/overview" else ""
        self.finish(self.core.render(language, title=_("Log in"), form=True, message=message, kind=kind, name=name,
                                     xsrf=self.xsrf_token.decode("ascii"), next_url=next_url, lang_query=query))

    def get(self) -> None:
        if "lang" in self.request.arguments:
            self.set_cookie(LANG_COOKIE, self.core.language(self.request), httponly=True, samesite="Lax",
                            expires_days=365)
        message = ""
        if self.get_argument("out", ""):
            message = self.core.translators[self.core.language(self.request)].gettext("You are logged out.")
        self._form(message=message)

    async def post(self) -> None:
        language = self.core.language(self.request)
        _ = self.core.translators[language].gettext
        try:
            self.check_xsrf_cookie()
        except tornado.web.HTTPError:
            self._form(403, _("The login form expired; please try again."), "error")
            return
        name = self.get_body_argument("name", "").strip()[:100]
        password = self.get_body_argument("password", "")
        address = self._address()
        wait = self.core.limiter.retry_after(name, address)
        if wait > 0:
            minutes = max(1, round(wait / 60))
            self.set_header("Retry-After", str(int(wait)))
            self._form(429, _("Too many failed logins. Try again in %(minutes)s minutes.") % {"minutes": minutes},
                       "error", name)
            return
        loop = tornado.ioloop.IOLoop.current()
        user = await loop.run_in_executor(None, self.core.users.verify, name, password) if name else None
        if user is None:
            self.core.limiter.failed(name, address)
            self.core.store.record(user=name or "-", action="login_failed", detail=f"from {address}")
            self._form(401, _("Wrong user name or password."), "error", name)
            return
        self.core.limiter.succeeded(name, address)
        token = self.core.sessions.open(user)
        self.set_signed_cookie(COOKIE, token, expires_days=None, httponly=True, samesite="Lax",
                               secure=self.request.protocol == "https", path="/")
        self.core.store.record(user=user.name, action="login", detail=f"from {address}")
        self.redirect(self._next())


class LogoutHandler(_Base):
    """``/logout``: end the session on the server, drop the cookie, back to the login page."""

    def _logout(self) -> None:
        user = self.core.identify(self.request)
        if self.core.sessions.close(self.core.session_token(self.request)) and user is not None:
            self.core.store.record(user=user.name, action="logout")
        self.clear_cookie(COOKIE, path="/")
        if self.core.settings.oidc is None:
            self.redirect("/login?out=1")
            return
        for name in _PANEL_OAUTH_COOKIES:  # single sign-on: also forget what Panel's login kept
            self.clear_cookie(name, path="/")
        self.redirect("/logged-out")

    def get(self) -> None:
        self._logout()

    def post(self) -> None:
        self._logout()


class LoggedOutHandler(_Base):
    """``/logged-out`` (single sign-on): a page saying so, with a link to log in again."""

    def get(self) -> None:
        language = self.core.language(self.request)
        _ = self.core.translators[language].gettext
        self.set_header("Cache-Control", "no-store")
        self.finish(self.core.render(language, title=_("Log in"), message=_("You are logged out."),
                                     back_url="/login", back_text=_("Log in")))


class RootRedirect(_Base):
    def get(self) -> None:
        query = f"?{self.request.query}" if self.request.query else ""
        self.redirect(f"/overview{query}")


class HealthHandler(_Base):
    """``/health``: 200 and ``{"status": "ok"}`` while the database answers (no login needed)."""

    def get(self) -> None:
        try:
            self.core.store.revision()
            status, code = "ok", 200
        except Exception:
            status, code = "database unavailable", 503
        self.set_status(code)
        self.set_header("Cache-Control", "no-store")
        self.finish({"status": status})


class FilesHandler(_Base):
    """``/files/<path>``: a file under the outputs folder, read-only, for logged-in users only."""

    def get(self, path: str) -> None:
        user = self.core.identify(self.request)
        if user is None:
            self.redirect("/login?" + urlencode({"next": self.request.uri or "/overview"}))
            return
        try:
            target = safe_output_file(self.core.settings.outputs, path)
        except FileRefused:
            raise tornado.web.HTTPError(404) from None
        except OSError:
            raise tornado.web.HTTPError(404) from None
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self.set_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
        self.set_header("Cache-Control", "private, no-cache")
        # A file may run its own scripts (the process map), but may reach no other host.
        self.set_header("Content-Security-Policy", "default-src 'self' 'unsafe-inline' data: blob:; "
                                                   "connect-src 'self'; frame-ancestors 'self'")
        self.set_header("Content-Disposition", f"inline; filename*=UTF-8''{quote(target.name)}")
        with target.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                self.write(chunk)
        self.finish()


def _single_sign_on(core: AppCore, settings: AppSettings) -> type:
    """The ``/login`` handler for single sign-on: Panel's OAuth provider, then the app's own session.

    Panel's login handlers read their client id, secret and endpoints from ``panel.config``; they
    are set here from the environment variables ``settings.oidc`` names (one server per process).
    """
    import os

    import panel as pn

    oidc = settings.oidc
    assert oidc is not None
    key, secret = os.environ.get(oidc.client_id_env), os.environ.get(oidc.client_secret_env)
    if not key or not secret:
        raise ConfigError(f"single sign-on needs the client id and secret in the environment variables "
                          f"{oidc.client_id_env} and {oidc.client_secret_env}")
    config = cast(Any, pn.config)  # the same settings panel.serve(oauth_...) makes
    config.oauth_key, config.oauth_secret = key, secret
    config.oauth_extra_params = dict(oidc.extra_params)
    config.oauth_redirect_uri = oidc.redirect_uri or f"http://{settings.address}:{settings.port}/login"

    def on_login(handler: tornado.web.RequestHandler, name: str, roles: frozenset[str]) -> None:
        language = core.language(handler.request)
        _ = core.translators[language].gettext
        if not roles:
            core.store.record(user=name, action="login_refused", detail="single sign-on: no workbench role")
            handler.set_status(403)
            handler.set_header("Content-Type", "text/html; charset=utf-8")
            raise tornado.web.Finish(core.render(
                language, title=_("Access denied"), kind="error",
                message=_("Your account has no role in the workbench; ask an administrator."),
                back_url="/logged-out", back_text=_("Log in")))
        token = core.sessions.open(User(name, check_roles(roles)), source="oidc")
        handler.set_signed_cookie(COOKIE, token, expires_days=None, httponly=True, samesite="Lax",
                                  secure=handler.request.protocol == "https", path="/")
        core.store.record(user=name, action="login", detail=f"single sign-on ({oidc.provider})")

    return oidc_login_handler(oidc.provider, roles_claim=oidc.roles_claim, on_login=on_login)


def _bokeh_secret(cookie_secret: str) -> str:
    """Bokeh's session-signing key, derived from the cookie secret (different use, different key)."""
    return hmac.new(cookie_secret.encode("utf-8"), b"workbench bokeh session tokens", hashlib.sha256).hexdigest()


def _core(server: Any) -> AppCore:
    return cast(AppCore, server._workbench_core)


def app_core(server: Server) -> AppCore:
    """The shared parts (store, runs, sessions) of a server made by :func:`make_server`."""
    return _core(server)


def make_server(settings: AppSettings, pages: Mapping[str, PageFactory], job: JobFn, *, users: UsersFile) -> Server:
    """Build (not start) the server for ``pages``: every route, the login and the run manager.

    :func:`warm_up` then builds what the pages share, before ``server.start()``.

    Interrupted runs of an earlier start are marked failed first. Call ``server.start()`` and
    run its IO loop (or use :func:`serve`); :func:`app_core` gives the store and run manager.
    """
    from panel.io.application import build_applications
    from panel.io.server import get_server

    unknown = sorted(set(pages) - set(PAGE_ROLES))
    if unknown:
        raise WorkbenchError(f"unknown page {unknown[0]!r}; the app's pages are {', '.join(PAGES_ORDER)}")
    store = Store(settings.database_url)
    store.fail_interrupted_runs()
    store.purge_sessions()
    runs = RunManager(store, job, max_parallel=settings.max_parallel_runs)
    core = AppCore(settings=settings, users=users, store=store,
                   sessions=Sessions(store, minutes=settings.session_minutes),
                   limiter=LoginLimiter(max_failures=settings.login_max_failures,
                                        window_seconds=settings.login_window_seconds),
                   runs=runs, translators={language: Translator(language) for language in ("da", "en")})
    titles = {f"/{name}": core.translators[settings.language].gettext("Process-mining workbench")
              for name in pages}
    apps = build_applications({f"/{name}": _page_app(core, name, factory) for name, factory in pages.items()},
                              title=titles)
    for app in apps.values():
        app.add(_IdentityHandler(core))
    login: tuple[Any, ...] = (r"/login", LoginHandler, {"core": core})
    if settings.oidc is not None:
        login = (r"/login", _single_sign_on(core, settings))
    extra = [login, (r"/logout", LogoutHandler, {"core": core}), (r"/logged-out", LoggedOutHandler, {"core": core}),
             (r"/files/(.*)", FilesHandler, {"core": core}), (r"/health", HealthHandler, {"core": core}),
             (r"/", RootRedirect, {"core": core})]
    hosts = {settings.address, "localhost", "127.0.0.1"}
    origins = [f"{host}:{settings.port}" for host in sorted(hosts)] + list(settings.public_hosts)
    server = get_server(
        cast(Any, apps), port=settings.port, address=settings.address, start=False, show=False,
        cookie_secret=settings.cookie_secret, websocket_origin=origins,
        auth_provider=WorkbenchAuth(core), extra_patterns=extra,
        secret_key=_bokeh_secret(settings.cookie_secret), sign_sessions=True, generate_session_ids=True,
        exclude_cookies=[COOKIE, "_xsrf"], exclude_headers=["Cookie"],
        unused_session_lifetime_milliseconds=30_000, check_unused_sessions_milliseconds=10_000,
        num_procs=1, use_xheaders=settings.behind_proxy,
    )
    server._workbench_core = core  # type: ignore[attr-defined]
    server._workbench_pages = pages  # type: ignore[attr-defined]
    return server


def warm_up(server: Server) -> float:
    """Build the pages' shared content before the server accepts anyone; returns the seconds it took.

    Runs the pages mapping's ``warm_up(settings)`` when it has one (:class:`workbench.webapp.pages.Pages`
    does), so no session waits for a first build and no first build stalls the event loop for
    the others. A part whose pipeline stage has not run is left out: its page says so when opened.
    """
    import time

    core = _core(server)
    warm = getattr(getattr(server, "_workbench_pages", None), "warm_up", None)
    started = time.perf_counter()
    if callable(warm):
        warm(core.settings)
    return time.perf_counter() - started


def serve(settings: AppSettings, pages: Mapping[str, PageFactory], job: JobFn, *, users: UsersFile) -> None:
    """Serve the app until Ctrl-C; then stop the runs (marked failed) and close the database."""
    server = make_server(settings, pages, job, users=users)
    core = _core(server)
    warm_up(server)
    server.start()
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        core.runs.shutdown()
        core.store.dispose()

