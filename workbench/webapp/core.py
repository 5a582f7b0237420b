"""What every handler and page of one app server shares (:class:`AppCore`): who is asking, in which language.

A request's user comes from the signed session cookie, which names a live server-side session;
a local user's roles are read from the users file on every request. The language is ``?lang=``,
else the language cookie, else the app's. :meth:`AppCore.render` fills the app's own small
pages (login, logged out, access denied) in that language.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal, cast

import tornado.web

from workbench.errors import WorkbenchError
from workbench.i18n import Translator
from workbench.webapp.accounts import User, UsersFile, check_roles
from workbench.webapp.runs import RunManager
from workbench.webapp.sessions import LoginLimiter, Sessions, hash_token
from workbench.webapp.settings import AppSettings
from workbench.webapp.store import Store

__all__ = ["COOKIE", "LANG_COOKIE", "AppCore", "Language"]

Language = Literal["da", "en"]

#: The signed cookie holding the session token.
COOKIE = "workbench_session"
#: The cookie remembering the language chosen with ``?lang=``.
LANG_COOKIE = "workbench_lang"
_REQUEST_CACHE = "_workbench_identity"
_MISSING = object()


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
