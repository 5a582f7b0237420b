"""The rendered page: complete, ordered, escaped, self-contained and reproducible."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

from workbench.report import Html, Paragraph, Section, render_html
from workbench.report.html import CONTENT_SECURITY_POLICY


class _Collector(HTMLParser):
    """Element ids, resource-bearing attributes, and the text of <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self._in_script = False
        self.scripts: list[str] = []
        self.csp = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_script = tag == "script"
        if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy":
            self.csp = dict(attrs).get("content") or ""
        for name, value in attrs:
            if name == "id":
                self.ids.append(value)
            if name in ("src", "href", "srcset", "poster", "data", "action", "formaction", "xlink:href"):
                self.refs.append((tag, name, value or ""))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def test_every_section_and_the_summary_are_there_in_order(report, section_ids):
    page = render_html(report)
    ids = _parse(page).ids
    expected = ["top", "summary", "contents", *section_ids, "settings", "footer"]
    assert [i for i in ids if i in expected] == expected
    for section in report.sections:
        assert f'href="#{section.id}"' in page  # listed in the contents
        assert section.title.replace("'", "&#39;") in page
    assert "What the scenarios would change" in page
    assert "one more person in IT-infrastruktur would save 4 h" in page
    assert "\u22125.1\xa0hours to \u22122.9\xa0hours" in page


def test_text_is_escaped_and_html_blocks_are_not(report, hostile):
    page = render_html(report)
    assert hostile not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert not any("__pwned" in script for script in _parse(page).scripts)
    assert '<div id="map-fragment" class="dummy-map">' in page


def test_title_and_settings_are_escaped(report_factory):
    page = render_html(report_factory(title='Desk "<b>bold</b>"'))
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_images_are_embedded_as_data_uris(report):
    refs = _parse(render_html(report)).refs
    images = [value for tag, name, value in refs if tag == "img"]
    assert len(images) == 2
    assert images[0].startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(images[0].split(",", 1)[1]).startswith(b"<svg")
    assert images[1].startswith("data:image/png;base64,")
    assert base64.b64decode(images[1].split(",", 1)[1]).startswith(b"\x89PNG")


def test_nothing_is_loaded_from_elsewhere(report):
    page = render_html(report)
    refs = _parse(page).refs
    for tag, name, value in refs:
        assert value.startswith(("#", "data:")), f"<{tag} {name}={value!r}> points outside the page"
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", page):
        assert url.startswith(("data:", "#")), f"CSS url({url}) points outside the page"
    assert "@import" not in page
    assert "<link" not in page
    assert not re.search(r"https?://|\s//[a-z]", page), "the page names an external URL"
    assert _parse(page).csp == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY


def test_case_ids_are_all_in_the_page_behind_a_show_all_expander(report):
    page = render_html(report)
    assert page.count('<details class="wbr-drill">') == 1  # 40 ids; 2 and 1 fit in the preview
    assert "show all 40" in page
    assert all(f"<code>T-{i:04d}</code>" in page for i in range(40))
    assert "<code>T-9002</code>" in page and "<code>T-7000</code>" in page
    assert "40 cases" in page and "1 case<" in page


def test_long_tables_say_how_many_rows_are_left_out(report):
    page = render_html(report)
    assert "The first 10 of 80 rows; all of them are in the CSV files." in page
    assert "R-009" in page and "R-010" not in page


def test_paragraphs_split_on_blank_lines(report):
    page = render_html(report)
    assert '<p class="wbr-intro">Answered from the log.</p>' in page
    assert '<p class="wbr-intro">With the tickets behind each figure.</p>' in page


def test_print_rules_put_the_summary_alone_and_leave_details_out(report):
    page = render_html(report)
    css = page[page.index("<style>") : page.index("</style>")]
    assert "@media print" in css
    assert ".wbr-toc { break-before: page; }" in css
    assert "main.wbr details.wbr-details { display: none; }" in css
    assert "beforeprint" not in page  # printing no longer unfolds every list


def test_same_report_same_page(report_factory):
    assert render_html(report_factory()) == render_html(report_factory())


def test_no_settings_no_settings_section(report):
    from dataclasses import replace

    page = render_html(replace(report, settings={}))
    assert 'id="settings"' not in page


def test_extra_sections_keep_their_order(report_factory):
    extra = (Section("appendix", "Appendix", "", (Paragraph("x"), Html("<hr>"))),)
    ids = _parse(render_html(report_factory(extra_sections=extra))).ids
    assert ids.index("fairness") < ids.index("appendix") < ids.index("settings")


def test_render_html_wants_a_report():
    with pytest.raises(TypeError, match="render_html expects a Report, got dict"):
        render_html({})  # type: ignore[arg-type]
