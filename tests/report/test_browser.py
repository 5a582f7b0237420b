"""The report in a real browser (Debian's chromium via Playwright) and as a PDF."""

from __future__ import annotations

import pytest

from workbench.report import Html, Paragraph, Section, write_report

pytestmark = pytest.mark.browser

#: A trusted fragment that (by mistake) names outside resources: the page's policy must stop them.
LEAKY = Section(
    "leaky",
    "A fragment naming outside resources",
    "",
    (
        Html(
            '<img id="leak-img" alt="x" src="http://127.0.0.1:9/probe.png">'
            '<link rel="stylesheet" href="https://example.invalid/x.css">'
            "<script>fetch('http://127.0.0.1:9/probe.json').catch(function () {});</script>"
        ),
        Paragraph("end"),
    ),
)



@pytest.fixture
def opened(browser, report, tmp_path):
    """The sample report written to disk and opened via file://, with its requests and errors."""

    def open_report(report=report):
        files = write_report(report, tmp_path / "out", pdf=False)
        context = browser.new_context(viewport={"width": 1366, "height": 800})
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(files["html"].as_uri())
        page.wait_for_load_state("load")
        return page, files["html"].as_uri(), requests, errors

    return open_report


def test_sections_visible_drill_down_opens_and_no_request(opened, report):
    page, url, requests, errors = opened()
    assert page.locator("#summary h2").is_visible()
    assert page.locator("#summary .wbr-card").count() == 2
    for section in [*report.sections, "settings"]:
        section_id = getattr(section, "id", section)
        heading = page.locator(f"section#{section_id} > h2")
        heading.scroll_into_view_if_needed()
        assert heading.is_visible(), section_id
    assert page.locator("#contents a").count() == len(report.sections) + 1

    details = page.locator("#questions details.wbr-drill").first
    last_id = details.locator("code", has_text="T-0039")
    assert details.get_attribute("open") is None
    assert not last_id.is_visible()
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    assert last_id.is_visible()

    assert page.evaluate("typeof window.__pwned") == "undefined"  # the hostile cell stayed text
    assert errors == []
    assert requests == [url]


def test_outside_resources_in_a_fragment_are_blocked(browser, report_factory, tmp_path):
    files = write_report(report_factory(extra_sections=(LEAKY,)), tmp_path, pdf=False)
    page = browser.new_page()
    finished: list[str] = []
    failed: dict[str, str | None] = {}
    page.on("requestfinished", lambda request: finished.append(request.url))
    page.on("requestfailed", lambda request: failed.update({request.url: request.failure}))
    page.goto(files["html"].as_uri())
    page.wait_for_timeout(500)
    assert page.locator("#leaky > h2").is_visible()
    assert page.evaluate("document.getElementById('leak-img').naturalWidth") == 0
    assert finished == [files["html"].as_uri()]  # nothing else was loaded ...
    assert failed == {  # ... because the page's Content-Security-Policy stopped it
        "http://127.0.0.1:9/probe.png": "csp",
        "https://example.invalid/x.css": "csp",
    }
    page.close()


def test_sorting_expand_all_and_print_view(opened):
    page, _, _, errors = opened()
    table = page.locator("#questions table.wbr-sortable").first
    tickets = table.locator("thead th", has_text="Tickets")
    tickets.click()
    assert table.locator("tbody tr td:nth-child(3)").all_inner_texts() == ["121", "455", "912", "1,830"]
    assert tickets.get_attribute("aria-sort") == "ascending"
    tickets.click()
    assert table.locator("tbody tr td:nth-child(3)").all_inner_texts() == ["1,830", "912", "455", "121"]

    page.click("button[data-wbr-action='expand']")
    assert page.locator("main details:not([open])").count() == 0
    page.click("button[data-wbr-action='collapse']")
    assert page.locator("main details[open]").count() == 0

    page.emulate_media(media="print")
    assert not page.locator(".wbr-bar").is_visible()
    assert not page.locator("#process-map button").is_visible()
    # the printed report leaves the long id lists out (they are in the HTML and the CSV files)
    assert not page.locator("#questions details.wbr-drill").first.is_visible()
    assert errors == []


@pytest.mark.slow
def test_pdf_is_written_when_chromium_is_there(report, chromium, tmp_path):
    files = write_report(report, tmp_path, chromium=chromium, pdf_timeout=180)
    assert files.pdf_note == ""
    assert files["pdf"] == tmp_path / "report.pdf"
    data = files["pdf"].read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2  # the summary, then the sections
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.pdf"]
