"""The interactive HTML map in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.discovery import build_process_map, render_html

pytestmark = pytest.mark.browser  # about 5 s; deliberately not "slow", so the default test run keeps it



@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    yield context.new_page()
    context.close()


def _midpoint(page, selector: str) -> tuple[float, float]:
    """Screen coordinates of the middle of an edge's path."""
    return page.eval_on_selector(
        selector,
        """path => {
            const p = path.getPointAtLength(path.getTotalLength() / 2);
            const m = path.getScreenCTM();
            return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
        }""",
    )


def test_drag_click_slider_and_download_without_network(page, wide_log, tiny_log, tmp_path):
    log = pd.concat([wide_log, tiny_log.assign(case_id="z" + tiny_log["case_id"])])
    pmap = build_process_map(log)
    html_file = tmp_path / "map.html"
    html_file.write_text(render_html(pmap, title="Browser test"), encoding="utf-8")

    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(html_file.as_uri())
    page.wait_for_selector(".wbpm-node[data-name='B']")

    # Drag activity B: it moves, its paths follow, other paths stay.
    node = page.locator(".wbpm-node[data-name='B']")
    before = node.bounding_box()
    incident = ".wbpm-edge[data-source='A'][data-target='B'] .wbpm-line"
    other = ".wbpm-edge[data-source='A'][data-target='C'] .wbpm-line"
    incident_d, other_d = page.get_attribute(incident, "d"), page.get_attribute(other, "d")
    x, y = before["x"] + before["width"] / 2, before["y"] + before["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=5)
    page.mouse.move(x + 120, y + 80, steps=5)
    page.mouse.up()
    after = node.bounding_box()
    assert after["x"] - before["x"] == pytest.approx(120, abs=2)
    assert after["y"] - before["y"] == pytest.approx(80, abs=2)
    assert page.get_attribute(incident, "d") != incident_d
    assert page.get_attribute(other, "d") == other_d

    # Click the path B -> C: the panel lists the cases behind it, capped with "+N more".
    page.mouse.click(*_midpoint(page, ".wbpm-edge[data-source='B'][data-target='C'] .wbpm-line"))
    assert page.inner_text(".wbpm-panel-title") == "B → C"
    expected = pmap.edge_case_ids("B", "C")
    assert len(expected) == 153
    shown = page.locator(".wbpm-panel .wbpm-cases li").all_inner_texts()
    assert shown == expected[:100]
    assert "+53 more" in page.inner_text(".wbpm-panel .wbpm-more")

    # The full list downloads as CSV.
    with page.expect_download() as info:
        page.click(".wbpm-panel .wbpm-download")
    rows = info.value.path().read_text(encoding="utf-8").splitlines()
    assert rows == ["case_id", *expected]

    # Click an activity: the panel lists its cases.
    page.mouse.click(after["x"] + after["width"] / 2, after["y"] + after["height"] / 2)
    assert page.inner_text(".wbpm-panel-title") == "B"

    # The slider hides rare paths (A -> C: 13 of 166 cases; z-cases only on B -> B).
    visible = ".wbpm-edge[data-visible='1']"
    count_before = page.locator(visible).count()
    assert count_before == len(pmap.edges)
    page.focus(".wbpm-slider")
    page.keyboard.press("End")
    count_after = page.locator(visible).count()
    assert 0 < count_after < count_before
    assert page.locator(".wbpm-edge[data-source='A'][data-target='C']").get_attribute("data-visible") == "0"
    assert "of cases" in page.inner_text(".wbpm-readout")

    # Label modes switch what the labels say.
    page.click("button[data-mode='frequency']")
    assert "cases" in page.text_content(".wbpm-node[data-name='A'] text")
    assert "med" not in page.text_content(".wbpm-node[data-name='A'] text")

    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []
    assert requests == [html_file.as_uri()]
