"""The web app in a real browser (Debian's chromium via Playwright) against the real server on a free port.

A manager edits a scenario, runs it in the background and saves it; an analyst downloads the at-risk list;
a reviewer is refused the scenario editor by the server (HTTP 403); no page asks for anything outside the
machine; the Danish pages read Danish. With ``WORKBENCH_SCREENSHOTS=1`` the test also writes
``docs/img/app_<page>.png`` (for the README), so the suite does not rewrite tracked files by default.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO_ROOT, free_port
from tests.webapp.conftest import server_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS = {"mona": "manager-pass-1", "ali": "analyst-pass-1", "rita": "reviewer-pass-1"}
ROLES = {"mona": "manager", "ali": "analyst", "rita": "reviewer"}
SHOTS = os.environ.get("WORKBENCH_SCREENSHOTS") == "1"
#: Bokeh and Panel load their scripts from the app's own server; give the first page time.
TIMEOUT = 60_000


@dataclass
class Server:
    base: str
    host: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def app_server(app_experiment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real app (real pages, real background job) for the session's experiment, in a thread."""
    from workbench.webapp.accounts import UsersFile
    from workbench.webapp.jobs import run_scenario_job
    from workbench.webapp.pages import PAGES
    from workbench.webapp.server import make_server
    from workbench.webapp.settings import AppSettings

    experiment, outputs = app_experiment
    tmp = tmp_path_factory.mktemp("app-server")
    users = UsersFile(tmp / "users.json")
    for name, password in PASSWORDS.items():
        users.add(name, password, [ROLES[name]])  # type: ignore[list-item]
    settings = AppSettings(experiment=experiment, outputs=outputs, users_file=users.path,
                           database_url=f"sqlite:///{tmp / 'app.sqlite'}", cookie_secret=secrets.token_hex(32),
                           port=free_port(), language="da")
    host = f"127.0.0.1:{settings.port}"
    with server_in_thread(lambda: make_server(settings, PAGES, run_scenario_job, users=users)):
        yield Server(base=f"http://{host}", host=host)



@pytest.fixture
def signed_in(browser, app_server: Server):  # type: ignore[no-untyped-def]
    """``signed_in(name, language)``: a page logged in as ``name``; every request it makes is recorded."""
    contexts = []

    def open_as(name: str, language: str = "da") -> Any:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.on("request", lambda request: app_server.requests.append(request.url))
        page.goto(f"{app_server.base}/login?lang={language}")
        page.fill("#name", name)
        page.fill("#password", PASSWORDS[name])
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/overview.*"))
        return page

    yield open_as
    for context in contexts:
        context.close()


def _open(page: Any, server: Server, path: str) -> Any:
    response = page.goto(f"{server.base}{path}")
    page.wait_for_load_state("networkidle")
    return response


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.wait_for_timeout(1500)  # let the last layout settle
        page.screenshot(path=str(REPO_ROOT / "docs" / "img" / f"app_{name}.png"), full_page=True)


def test_a_manager_edits_runs_compares_and_saves_a_scenario(signed_in, app_server: Server) -> None:
    page = signed_in("mona", "da")
    _open(page, app_server, "/whatif")
    staff = page.get_by_label(re.compile(r"^IT-infrastruktur \(i dag: \d+\)$"))
    today = int(re.search(r"\d+", staff.get_attribute("value") or staff.input_value()).group())  # type: ignore[union-attr]
    staff.fill(str(today + 1))
    staff.press("Tab")
    replications = page.get_by_label("Replikationer (flere: smallere intervaller, langsommere)")
    replications.fill("2")
    replications.press("Tab")
    name = page.get_by_label("Scenariets navn")
    name.fill("En mere i IT-infrastruktur")
    name.press("Tab")
    page.get_by_role("button", name="Kør", exact=True).click()
    page.get_by_text("Resultat: En mere i IT-infrastruktur").wait_for(timeout=180_000)
    assert page.get_by_text("95 %-interval").count() >= 1  # the comparison with its intervals
    assert page.get_by_text(re.compile(r"Før nogen hvad-nu-hvis blev simuleringsmodellen kontrolleret")).count() == 1
    assert page.get_by_text("Ændringen pr. gruppe af brugere").count() == 1
    assert page.get_by_text(re.compile(r"^[+−]?\d+(\.\d{3})*,\d\stimer$")).count() >= 1  # 3,7 timer: Danish
    assert page.get_by_text(re.compile(r"^[+−]?\d.*\stimer til [+−]?\d")).count() >= 1  # an interval, in Danish
    page.get_by_role("button", name="Gem scenariet").click()
    page.get_by_text("Gemt som 'En mere i IT-infrastruktur', version 1.").wait_for()
    _shot(page, "whatif")
    replications.fill("50")  # a long run, cancelled
    replications.press("Tab")
    page.get_by_role("button", name="Kør", exact=True).click()
    cancel = page.get_by_role("button", name="Annuller kørslen")
    cancel.click()
    page.get_by_text("Kørslen blev annulleret.").wait_for(timeout=30_000)


def test_an_analyst_downloads_the_at_risk_list(signed_in, app_server: Server, tmp_path: Path) -> None:
    page = signed_in("ali", "da")
    _open(page, app_server, "/atrisk")
    page.get_by_text(re.compile(r"^\d+ af \d+ åbne sager$")).wait_for()
    with page.expect_download() as download:
        page.get_by_text("Hent listen (CSV)").click()
    target = tmp_path / "at_risk.csv"
    download.value.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("rank,case_id") and len(lines) > 1
    _shot(page, "atrisk")


def test_a_reviewer_cannot_open_the_scenario_editor_but_reads_the_audits(signed_in, app_server: Server) -> None:
    page = signed_in("rita", "en")
    refused = _open(page, app_server, "/whatif")
    assert refused.status == 403
    assert page.get_by_role("button", name="Run").count() == 0
    answer = _open(page, app_server, "/audit")
    assert answer.status == 200
    page.get_by_text("The log as it is: is any group of users worse off today?").wait_for()
    page.get_by_text("I sign off this scenario").wait_for()
    _shot(page, "audit")


def test_the_danish_overview_reads_danish_and_asks_nothing_outside_the_machine(signed_in,
                                                                              app_server: Server) -> None:
    page = signed_in("ali", "da")
    _open(page, app_server, "/overview")
    page.get_by_text("De fem spørgsmål").wait_for()
    assert page.get_by_text(re.compile(r"^Data pr\. ")).count() == 1
    assert page.get_by_text("Overblik", exact=True).count() >= 1
    assert page.get_by_text(re.compile(r"^\d+,\d\u00a0%$")).count() >= 1  # 84,1 % (Danish decimal comma)
    page.frame_locator("iframe").get_by_text("Fit").wait_for()  # the interactive map, from the app's /files/
    _shot(page, "overview")
    english = signed_in("ali", "en")
    _open(english, app_server, "/overview")
    english.get_by_text("The five questions").wait_for()
    outside = sorted({urlsplit(url).netloc for url in app_server.requests
                      if urlsplit(url).scheme in ("http", "https", "ws", "wss")} - {app_server.host})
    assert outside == [], f"requests outside the machine: {outside}"
    assert all(urlsplit(url).scheme in ("http", "ws", "data", "blob", "about") for url in app_server.requests)
