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

Where the parts are
-------------------
:mod:`~workbench.webapp.core` (:class:`AppCore`: who is asking, in which language),
:mod:`~workbench.webapp.page_access` (:class:`WorkbenchAuth`, the user in the session token,
the page built for them), :mod:`~workbench.webapp.handlers` (login, logout, files, health);
this module puts them together into one server.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from workbench.errors import WorkbenchError
from workbench.i18n import Translator
from workbench.webapp.accounts import PAGE_ROLES, UsersFile
from workbench.webapp.context import PageFactory
from workbench.webapp.core import COOKIE, LANG_COOKIE, AppCore
from workbench.webapp.handlers import (
    FilesHandler,
    HealthHandler,
    LoggedOutHandler,
    LoginHandler,
    LogoutHandler,
    RootRedirect,
    single_sign_on_handler,
)
from workbench.webapp.page_access import IdentityHandler, WorkbenchAuth, page_app
from workbench.webapp.runs import JobFn, RunManager
from workbench.webapp.sessions import LoginLimiter, Sessions
from workbench.webapp.settings import AppSettings
from workbench.webapp.store import Store

if TYPE_CHECKING:
    from bokeh.server.server import Server

__all__ = ["COOKIE", "LANG_COOKIE", "PAGES_ORDER", "AppCore", "WorkbenchAuth", "app_core", "make_server", "serve"]

#: The pages, in menu order.
PAGES_ORDER: tuple[str, ...] = ("overview", "whatif", "atrisk", "audit")


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
    apps = build_applications({f"/{name}": page_app(core, name, factory) for name, factory in pages.items()},
                              title=titles)
    for app in apps.values():
        app.add(IdentityHandler(core))
    login: tuple[Any, ...] = (r"/login", LoginHandler, {"core": core})
    if settings.oidc is not None:
        login = (r"/login", single_sign_on_handler(core, settings))
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

