"""The app's own routes: log in (password form or single sign-on), log out, files, health, the root.

Each handler gets the server's :class:`~workbench.webapp.core.AppCore`; every answer carries
``nosniff``, ``SAMEORIGIN`` and ``no-referrer`` headers.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any, cast
from urllib.parse import quote, urlencode

import tornado.ioloop
import tornado.web

from workbench.errors import ConfigError
from workbench.webapp.accounts import User, check_roles
from workbench.webapp.core import COOKIE, LANG_COOKIE, AppCore
from workbench.webapp.security import FileRefused, oidc_login_handler, safe_output_file
from workbench.webapp.settings import AppSettings

__all__ = ["FilesHandler", "HealthHandler", "LoggedOutHandler", "LoginHandler", "LogoutHandler", "RootRedirect",
           "single_sign_on_handler"]

_SAFE_NEXT = re.compile(r"^/(?![/\\])[A-Za-z0-9/_.~%?=&+-]*$")
_PANEL_OAUTH_COOKIES = ("user", "id_token", "access_token", "refresh_token", "oauth_expiry")


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


def single_sign_on_handler(core: AppCore, settings: AppSettings) -> type:
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
