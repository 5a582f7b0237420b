"""Security against the real server: no route without a login, forged and expired sessions refused,
no file outside the outputs, HTTP 403 for a page the role does not allow, the login rate limit."""

from __future__ import annotations

import http.client
import secrets
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import tornado.web

from tests.webapp.test_server import Live, live_server, login
from workbench.webapp.security import FileRefused, safe_output_file
from workbench.webapp.server import COOKIE
from workbench.webapp.sessions import hash_token

PAGES = ("overview", "whatif", "atrisk", "audit")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("app")
    with live_server(folder, login_max_failures=5, login_window_seconds=300) as found:
        (folder / "secret.txt").write_text("not for the web", encoding="utf-8")
        outputs = found.settings.outputs
        (outputs / "escape").symlink_to(folder / "secret.txt")
        (outputs / "escape_dir").symlink_to(folder)
        (outputs / "inside").symlink_to(outputs / "discover" / "process_map.html")
        (outputs / ".workbench-manifest.json").write_text("{}", encoding="utf-8")
        yield found


def _raw(live: Live, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (no client-side normalisation of '..')."""
    host, port = live.base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    for key, value in (headers or {}).items():
        conn.putheader(key, value)
    conn.endheaders()
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, body


def _websocket_status(live: Live, path: str, cookie: str = "") -> int:
    """The status of a websocket handshake on ``path`` (101 = accepted)."""
    host, port = live.base.removeprefix("http://").split(":")
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Protocol: bokeh, x\r\nOrigin: {live.base}\r\n"
               + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request.encode("ascii"))
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def _refused(answer: requests.Response) -> bool:
    """Refused: an error status, or a redirect to the login page; never the content."""
    if answer.status_code in (301, 302, 303, 307):
        return "/login" in answer.headers.get("Location", "")
    return answer.status_code in (401, 403, 404)


def _unauthenticated_routes() -> list[str]:
    routes = ["/files/discover/process_map.html", "/files/inside"]
    for page in PAGES:
        routes += [f"/{page}", f"/{page}/", f"/{page}?lang=en", f"/{page}/metadata",
                   f"/{page}/autoload.js?bokeh-autoload-element=x&bokeh-app-path=/{page}"]
    return routes


@pytest.mark.parametrize("route", _unauthenticated_routes())
def test_every_route_is_refused_without_a_login(live: Live, route: str) -> None:
    answer = requests.get(live.url(route), allow_redirects=False)
    assert _refused(answer), (answer.status_code, answer.text[:200])
    assert "map</body>" not in answer.text
    assert requests.post(live.url(route), data={"x": 1}, allow_redirects=False).status_code in (403, 405)


@pytest.mark.parametrize("page", PAGES)
def test_the_websocket_is_refused_without_a_login(live: Live, page: str) -> None:
    assert _websocket_status(live, f"/{page}/ws") == 403


def test_a_forged_cookie_is_refused(live: Live) -> None:
    secret = live.settings.cookie_secret
    token = secrets.token_urlsafe(32)
    live.core.store.create_session(token_hash=hash_token(token), user="mona", roles=frozenset({"manager"}),
                                   source="local", expires_at=datetime.now(UTC) + timedelta(hours=1))
    good = tornado.web.create_signed_value(secret, COOKIE, token).decode()
    assert requests.get(live.url("/overview"), cookies={COOKIE: good}, allow_redirects=False).status_code == 200
    forged = [
        token,                                                                     # unsigned
        tornado.web.create_signed_value("x" * 64, COOKIE, token).decode(),        # signed with another secret
        tornado.web.create_signed_value(secret, COOKIE, secrets.token_urlsafe(32)).decode(),  # unknown session
        tornado.web.create_signed_value(secret, "other", token).decode(),          # signed for another cookie
        good[:-2] + ("00" if not good.endswith("00") else "11"),                   # tampered signature
    ]
    for value in forged:
        answer = requests.get(live.url("/whatif"), cookies={COOKIE: value}, allow_redirects=False)
        assert _refused(answer) and answer.status_code == 302, value
        assert _websocket_status(live, "/whatif/ws", f"{COOKIE}={value}") == 403


def test_an_expired_or_revoked_session_is_refused(live: Live) -> None:
    secret = live.settings.cookie_secret
    token = secrets.token_urlsafe(32)
    live.core.store.create_session(token_hash=hash_token(token), user="mona", roles=frozenset({"manager"}),
                                   source="local", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    cookie = tornado.web.create_signed_value(secret, COOKIE, token).decode()
    answer = requests.get(live.url("/overview"), cookies={COOKIE: cookie}, allow_redirects=False)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert _websocket_status(live, "/overview/ws", f"{COOKIE}={cookie}") == 403
    session = login(live, "mona")
    kept = session.cookies[COOKIE]
    kept_token = tornado.web.decode_signed_value(secret, COOKIE, kept.strip('"'))
    assert kept_token is not None
    assert live.core.store.revoke_session(hash_token(kept_token.decode()))  # e.g. ended by an administrator
    assert requests.get(live.url("/overview"), cookies={COOKIE: kept}, allow_redirects=False).status_code == 302


@pytest.mark.parametrize("path", [
    "/files/../users.json",
    "/files/../secret.txt",
    "/files/%2e%2e/secret.txt",
    "/files/%2E%2E%2Fsecret.txt",
    "/files/discover/../../secret.txt",
    "/files/discover/%2e%2e/%2e%2e/secret.txt",
    "/files/..%5csecret.txt",
    "/files//etc/passwd",
    "/files/%2fetc%2fpasswd",
    "/files/escape",
    "/files/escape_dir/secret.txt",
    "/files/.workbench-manifest.json",
    "/files/",
    "/files/discover",
    "/files/nothing.html",
    "/files/discover/process_map.html%00.txt",
])
def test_no_file_outside_the_outputs(live: Live, path: str) -> None:
    session = login(live, "ada")
    status, body = _raw(live, path, {"Cookie": f"{COOKIE}={session.cookies[COOKIE]}"})
    assert status in (400, 403, 404), (status, body[:100])
    assert b"not for the web" not in body and b"root:" not in body
    assert _raw(live, "/files/inside", {"Cookie": f"{COOKIE}={session.cookies[COOKIE]}"})[0] == 200


def test_safe_output_file_on_its_own(tmp_path: Path) -> None:
    outputs = tmp_path / "out"
    (outputs / "a").mkdir(parents=True)
    (outputs / "a" / "b.csv").write_text("x", encoding="utf-8")
    (tmp_path / "secret").write_text("s", encoding="utf-8")
    (outputs / "link").symlink_to(tmp_path / "secret")
    assert safe_output_file(outputs, "a/b.csv") == (outputs / "a" / "b.csv").resolve()
    for bad in ("../secret", "a/../../secret", "/etc/passwd", "link", "a", "", "a\\b.csv", "C:/x", "./a/b.csv", "a//b.csv", "a/"):
        with pytest.raises(FileRefused):
            safe_output_file(outputs, bad)


@pytest.mark.parametrize(("name", "page"), [("rita", "whatif"), ("rita", "atrisk"), ("ali", "whatif"),
                                            ("ali", "audit")])
def test_a_role_that_may_not_open_a_page_gets_403(live: Live, name: str, page: str) -> None:
    session = login(live, name)
    live.built.clear()
    answer = session.get(live.url(f"/{page}"), allow_redirects=False)
    assert answer.status_code == 403
    assert "Ingen adgang" in answer.text and "Din rolle giver ikke adgang" in answer.text
    assert session.get(live.url(f"/{page}?lang=en")).text.count("Access denied") >= 1
    assert live.built == []  # the page was never built
    assert _websocket_status(live, f"/{page}/ws", f"{COOKIE}={session.cookies[COOKIE]}") == 403
    auto = session.get(live.url(f"/{page}/autoload.js?bokeh-autoload-element=x"), allow_redirects=False)
    assert auto.status_code == 403
    assert ("denied" in [t.action for t in live.core.store.trail(limit=5)])


def test_login_needs_the_form_token(live: Live) -> None:
    answer = requests.post(live.url("/login"), data={"name": "mona", "password": "manager-pass-1"},
                           allow_redirects=False)
    assert answer.status_code == 403 and COOKIE not in answer.cookies


def test_the_next_parameter_cannot_leave_the_site(live: Live) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        session = requests.Session()
        session.get(live.url("/login"))
        answer = session.post(live.url("/login"), data={"name": "mona", "password": "manager-pass-1",
                                                         "_xsrf": session.cookies["_xsrf"], "next": target},
                              allow_redirects=False)
        assert answer.status_code == 302 and answer.headers["Location"] == "/overview", target


def test_login_attempts_are_rate_limited(live: Live) -> None:
    session = requests.Session()
    session.get(live.url("/login"))
    xsrf = session.cookies["_xsrf"]
    for _ in range(5):
        answer = session.post(live.url("/login"), data={"name": "ali", "password": "guess", "_xsrf": xsrf},
                              allow_redirects=False)
        assert answer.status_code == 401 and "Forkert brugernavn eller adgangskode" in answer.text
    blocked = session.post(live.url("/login"), data={"name": "ali", "password": "analyst-pass-1", "_xsrf": xsrf},
                           allow_redirects=False)
    assert blocked.status_code == 429 and COOKIE not in blocked.cookies
    assert "For mange mislykkede logins. Prøv igen om 5 minutter." in blocked.text
    assert 0 < int(blocked.headers["Retry-After"]) <= 300
    spoofed = session.post(live.url("/login"), data={"name": "ali", "password": "analyst-pass-1", "_xsrf": xsrf},
                           headers={"X-Forwarded-For": "10.9.9.9", "X-Real-Ip": "10.9.9.9"}, allow_redirects=False)
    assert spoofed.status_code == 429  # not behind a proxy: forwarded-for headers are not believed
    login(live, "rita")  # another user from the same address is not blocked
