"""The real server on a free localhost port: login, pages per session, language, logout, local resources.

``live_server`` (also used by ``test_security.py``) starts :func:`~workbench.webapp.server.make_server`
in a thread with trivial page factories, so these tests need none of the real pages.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import tornado.web

from tests.conftest import free_port
from tests.webapp.conftest import server_in_thread
from workbench.webapp.accounts import User, UsersFile
from workbench.webapp.context import PageContext
from workbench.webapp.runs import JobFn, cpu_job
from workbench.webapp.server import COOKIE, LANG_COOKIE, AppCore, app_core
from workbench.webapp.sessions import hash_token
from workbench.webapp.settings import AppSettings

PASSWORDS = {"mona": "manager-pass-1", "rita": "reviewer-pass-1", "ali": "analyst-pass-1", "ada": "admin-pass-1"}
ROLES = {"mona": "manager", "rita": "reviewer", "ali": "analyst", "ada": "admin"}


@dataclass
class Live:
    base: str
    settings: AppSettings
    core: AppCore
    server: Any
    built: list[tuple[str, PageContext]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _pages(built: list[tuple[str, PageContext]]) -> dict[str, Callable[[PageContext], Any]]:
    def factory(name: str) -> Callable[[PageContext], Any]:
        def page(context: PageContext) -> Any:
            import panel as pn

            built.append((name, context))
            return pn.pane.Markdown(f"# {name}: {context.user.name} ({context.translator.gettext('Log in')})")
        return page

    return {name: factory(name) for name in ("overview", "whatif", "atrisk", "audit")}


@contextmanager
def live_server(tmp: Path, *, job: JobFn = cpu_job, **overrides: Any) -> Iterator[Live]:
    """Start the app on a free port in a thread; stop it (and its runs) afterwards."""
    outputs = tmp / "outputs"
    (outputs / "discover").mkdir(parents=True, exist_ok=True)
    (outputs / "discover" / "process_map.html").write_text("<html><body>map</body></html>", encoding="utf-8")
    users = UsersFile(tmp / "users.json")
    for name, password in PASSWORDS.items():
        users.add(name, password, [ROLES[name]])  # type: ignore[list-item]
    settings = AppSettings(experiment=tmp / "experiment.yaml", outputs=outputs, users_file=users.path,
                           database_url=f"sqlite:///{tmp / 'app.sqlite'}", cookie_secret=secrets.token_hex(32),
                           port=free_port(), **overrides)
    built: list[tuple[str, PageContext]] = []

    def make() -> Any:
        from workbench.webapp.server import make_server

        return make_server(settings, _pages(built), job, users=users)

    with server_in_thread(make) as server:
        yield Live(f"http://127.0.0.1:{settings.port}", settings, app_core(server), server, built)


def login(live: Live, name: str, password: str | None = None, **headers: str) -> requests.Session:
    """A browser-like session logged in as ``name`` (asserts the login worked)."""
    session = requests.Session()
    session.headers.update(headers)
    session.get(live.url("/login"))
    answer = session.post(live.url("/login"), data={"name": name, "password": password or PASSWORDS[name],
                                                     "_xsrf": session.cookies["_xsrf"]}, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return session


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("app")) as found:
        yield found


def test_health_and_the_root(live: Live) -> None:
    answer = requests.get(live.url("/health"))
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    answer = requests.get(live.url("/?lang=en"), allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"] == "/overview?lang=en"


def test_login_page_in_danish_and_english(live: Live) -> None:
    danish = requests.get(live.url("/login"))
    assert danish.status_code == 200 and 'lang="da"' in danish.text
    assert "Brugernavn" in danish.text and "Adgangskode" in danish.text and "Log ind" in danish.text
    english = requests.get(live.url("/login?lang=en"))
    assert "User name" in english.text and "Password" in english.text and 'lang="en"' in english.text
    assert english.cookies.get(LANG_COOKIE) == "en"
    assert "default-src 'none'" in english.headers["Content-Security-Policy"]


def test_login_builds_the_page_for_the_user_in_their_language(live: Live) -> None:
    session = login(live, "mona")
    cookie = next(c for c in session.cookies if c.name == COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.path == "/"
    live.built.clear()
    answer = session.get(live.url("/overview"))
    assert answer.status_code == 200
    assert [(name, ctx.user.name, sorted(ctx.user.roles), ctx.language) for name, ctx in live.built] == [
        ("overview", "mona", ["manager"], "da")]
    context = live.built[0][1]
    assert context.translator.language == "da" and context.settings == live.settings
    assert context.store is live.core.store and context.runs is live.core.runs
    live.built.clear()
    assert session.get(live.url("/whatif?lang=en")).status_code == 200
    assert session.get(live.url("/atrisk")).status_code == 200  # the language cookie remembers English
    assert [(name, ctx.language) for name, ctx in live.built] == [("whatif", "en"), ("atrisk", "en")]
    actions = [(t.user, t.action) for t in live.core.store.trail(limit=20)]
    assert ("mona", "login") in actions


def test_each_role_opens_its_pages_only(live: Live) -> None:
    expected = {"mona": {"overview", "whatif", "atrisk", "audit"}, "rita": {"overview", "audit"},
                "ali": {"overview", "atrisk"}, "ada": {"overview", "whatif", "atrisk", "audit"}}
    for name, pages in expected.items():
        session = login(live, name)
        opened = {page for page in ("overview", "whatif", "atrisk", "audit")
                  if session.get(live.url(f"/{page}"), allow_redirects=False).status_code == 200}
        assert opened == pages, name


def test_the_page_needs_nothing_from_another_host(live: Live) -> None:
    session = login(live, "mona")
    html = session.get(live.url("/overview")).text
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    assert any("bokeh" in r for r in references) and any("panel" in r for r in references)
    for reference in references:
        parts = urlsplit(reference)
        assert parts.scheme in ("", "http", "https") and parts.netloc in ("", urlsplit(live.base).netloc), reference
        if reference and not reference.startswith(("#", "data:")):
            assert session.get(urljoin(live.url("/overview"), reference)).status_code == 200, reference
    absolute = {u for u in re.findall(r"https?://[^\s\"'<>)\\]+", html) if urlsplit(u).hostname not in ("127.0.0.1",
                                                                                                   "localhost")}
    assert absolute == set()
    assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html and "unpkg.com" not in html
    # What the browser gets over the websocket (the document: models, style sheets) names no other host either.
    from bokeh.core.json_encoder import serialize_json

    sessions = live.server._tornado.get_sessions("/overview")
    assert sessions
    for found in sessions:
        document = serialize_json(found.document.to_json())
        hosts = {urlsplit(u).hostname for u in re.findall(r"https?://[^\s\"'<>)\\]+", document)}
        assert hosts <= {"127.0.0.1", "localhost"}, hosts


def test_the_session_cookie_stays_out_of_the_page(live: Live) -> None:
    from bokeh.util.token import get_token_payload

    session = login(live, "mona")
    token = session.cookies[COOKIE]
    html = session.get(live.url("/overview")).text
    assert token not in html
    bokeh_token = re.search(r'"token"\s*:\s*"([^"]+)"', html)
    assert bokeh_token is not None
    payload = get_token_payload(bokeh_token.group(1))
    assert COOKIE not in payload.get("cookies", {}) and "Cookie" not in payload.get("headers", {})
    session_token = tornado.web.decode_signed_value(live.settings.cookie_secret, COOKIE, token.strip('"'))
    assert session_token is not None
    assert payload["workbench"] == {"user": "mona", "roles": ["manager"], "language": "da",
                                    "session": hash_token(session_token.decode())}
    assert live.core.live_user(payload["workbench"]["session"]) is not None


def test_logout_ends_the_session_on_the_server(live: Live) -> None:
    session = login(live, "ali")
    cookie = session.cookies[COOKIE]
    answer = session.get(live.url("/logout"), allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"] == "/login?out=1"
    again = requests.get(live.url("/overview"), cookies={COOKIE: cookie}, allow_redirects=False)
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert "Du er logget ud" in requests.get(live.url("/login?out=1")).text


def test_a_removed_user_loses_the_session_at_once(live: Live) -> None:
    users = UsersFile(live.settings.users_file)
    users.add("temp", "temporary-pass", ["analyst"])
    session = login(live, "temp", "temporary-pass")
    assert session.get(live.url("/atrisk"), allow_redirects=False).status_code == 200
    users.add("temp", "temporary-pass", ["reviewer"])  # roles changed: applies at the next request
    assert session.get(live.url("/atrisk"), allow_redirects=False).status_code == 403
    users.remove("temp")
    assert session.get(live.url("/overview"), allow_redirects=False).status_code == 302


def test_the_outputs_are_served_read_only(live: Live) -> None:
    session = login(live, "rita")
    answer = session.get(live.url("/files/discover/process_map.html"))
    assert answer.status_code == 200 and answer.text == "<html><body>map</body></html>"
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "connect-src 'self'" in answer.headers["Content-Security-Policy"]
    assert session.put(live.url("/files/discover/process_map.html"), data="x").status_code == 405
    assert session.delete(live.url("/files/discover/process_map.html")).status_code == 405


def test_the_server_binds_to_localhost_by_default() -> None:
    assert AppSettings.model_fields["address"].default == "127.0.0.1"


@pytest.mark.slow
def test_in_a_browser_the_page_is_local_and_ends_with_its_session(
    tmp_path: Path, chromium: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Log in with the form, see the page over the websocket, every request stays on this server;
    when the session is ended on the server the open page leaves for the login page."""
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setattr("workbench.webapp.page_access.SESSION_CHECK_MS", 1000)
    with live_server(tmp_path) as live, sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(chromium),
                                                 args=["--no-sandbox", "--disable-gpu",
                                                       "--disable-background-networking"])
        except Exception as exc:
            pytest.skip(f"playwright cannot launch {chromium}: {exc}")
        try:
            page = browser.new_page()
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.on("websocket", lambda socket: requested.append(socket.url))
            page.goto(live.url("/whatif?lang=en"))
            assert "/login" in page.url
            page.fill("#name", "mona")
            page.fill("#password", PASSWORDS["mona"])
            page.click("button[type=submit]")
            page.wait_for_url("**/whatif*")
            page.get_by_text("whatif: mona (Log in)").wait_for(timeout=30_000)
            assert any(url.startswith("ws://127.0.0.1") and "/whatif/ws" in url for url in requested)
            hosts = {urlsplit(url).hostname for url in requested if not url.startswith(("data:", "blob:"))}
            assert hosts == {"127.0.0.1"}, hosts
            cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
            token = tornado.web.decode_signed_value(live.settings.cookie_secret, COOKIE, cookie["value"].strip('"'))
            assert token is not None
            assert live.core.store.revoke_session(hash_token(token.decode()))
            deadline = time.monotonic() + 20
            while urlsplit(page.url).path != "/login" and time.monotonic() < deadline:
                page.wait_for_timeout(200)  # (the page may reload before it lands on the login form)
            assert urlsplit(page.url).path == "/login" and "whatif" in page.url
            assert page.locator("#password").count() == 1
        finally:
            browser.close()


class _FakeIdentityProvider:
    """A tiny OAuth2/OIDC provider on its own port: /authorize sends the code back, /token answers the token."""

    def __init__(self) -> None:
        self.claims: dict[str, Any] = {}
        self.port = free_port()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(30)

    def _run(self) -> None:
        import base64
        import json

        import tornado.ioloop

        provider = self

        class Authorize(tornado.web.RequestHandler):
            def get(self) -> None:
                target = self.get_argument("redirect_uri")
                self.redirect(f"{target}?code=the-code&state={self.get_argument('state')}")

        class Token(tornado.web.RequestHandler):
            def post(self) -> None:
                assert self.get_body_argument("code") == "the-code"

                def part(data: dict[str, Any]) -> str:
                    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

                token = f"{part({'alg': 'none'})}.{part(provider.claims)}.c2ln"
                self.finish({"access_token": "access", "token_type": "bearer", "id_token": token})

        asyncio.set_event_loop(asyncio.new_event_loop())
        app = tornado.web.Application([(r"/authorize", Authorize), (r"/token", Token)])
        app.listen(self.port, address="127.0.0.1")
        self.loop = tornado.ioloop.IOLoop.current()
        self._ready.set()
        self.loop.start()

    def stop(self) -> None:
        self.loop.add_callback(self.loop.stop)
        self._thread.join(10)


def test_single_sign_on_through_panels_oauth_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.webapp.settings import OidcSettings

    idp = _FakeIdentityProvider()
    monkeypatch.setenv("WORKBENCH_OIDC_CLIENT_ID", "workbench")
    monkeypatch.setenv("WORKBENCH_OIDC_CLIENT_SECRET", "client-secret")
    oidc = OidcSettings(provider="generic", extra_params={
        "AUTHORIZE_URL": f"http://127.0.0.1:{idp.port}/authorize", "TOKEN_URL": f"http://127.0.0.1:{idp.port}/token",
        "USER_KEY": "email"})
    try:
        with live_server(tmp_path, oidc=oidc) as live:
            idp.claims = {"email": "rita@kommune.dk", "roles": ["reviewer", "cook"]}
            browser = requests.Session()
            answer = browser.get(live.url("/audit"))
            assert answer.status_code == 200 and answer.url == live.url("/audit")
            assert [(name, ctx.user) for name, ctx in live.built] == [
                ("audit", User("rita@kommune.dk", frozenset({"reviewer"})))]
            assert browser.get(live.url("/whatif"), allow_redirects=False).status_code == 403
            assert ("rita@kommune.dk", "login") in [(t.user, t.action) for t in live.core.store.trail()]
            answer = browser.get(live.url("/logout"), allow_redirects=False)
            assert answer.headers["Location"] == "/logged-out"
            assert browser.get(live.url("/audit"), allow_redirects=False).status_code == 302
            idp.claims = {"email": "guest@kommune.dk"}  # no workbench role: no entry
            refused = requests.get(live.url("/overview"))
            assert refused.status_code == 403 and "ingen rolle" in refused.text
            assert COOKIE not in refused.cookies
    finally:
        idp.stop()
        import panel as pn

        config: Any = pn.config  # leave Panel's process-wide OAuth settings as they were
        config.oauth_key = config.oauth_secret = config.oauth_redirect_uri = None
        config.oauth_extra_params = {}


def test_warm_up_builds_what_the_pages_share_before_anyone_logs_in(tmp_path: Path) -> None:
    from workbench.webapp.server import make_server, warm_up

    calls: list[AppSettings] = []

    class WarmPages(dict[str, Callable[[PageContext], Any]]):
        def warm_up(self, settings: AppSettings) -> None:
            calls.append(settings)

    (tmp_path / "outputs").mkdir()
    users = UsersFile(tmp_path / "users.json")
    users.add("mona", PASSWORDS["mona"], ["manager"])
    settings = AppSettings(experiment=tmp_path / "experiment.yaml", outputs=tmp_path / "outputs",
                           users_file=users.path, database_url=f"sqlite:///{tmp_path / 'app.sqlite'}",
                           cookie_secret=secrets.token_hex(32), port=free_port())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = make_server(settings, WarmPages(_pages([])), cpu_job, users=users)
    try:
        assert calls == []  # building the server does not build the pages' content ...
        assert warm_up(server) >= 0.0
        assert calls == [settings]  # ... warm_up does, once, with the app's settings
    finally:
        core = app_core(server)
        core.runs.shutdown()
        core.store.dispose()
        loop.close()
