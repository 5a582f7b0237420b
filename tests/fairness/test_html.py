from __future__ import annotations

from workbench.fairness import audit_history, combine_results, render_audit_html, render_audit_page
from workbench.fairness.process import audit_process_change

from .conftest import STATUSES, make_group_kpis, make_log


def test_html_section_is_self_contained_with_charts_verdicts_and_settings():
    events = make_log(sizes={"A": 80, "B<script>": 80, "Tiny": 4}, slow_department="A", slow_factor=3.0)
    hist = audit_history(events, group_attributes=["department"], statuses=STATUSES, outcomes=["cycle_time"],
                         replicates=50)
    proc = audit_process_change(*make_group_kpis(worse_group="A", worse_factor=1.05))
    html = render_audit_html(combine_results(hist, proc))
    assert html.startswith("<section class=\"wb-fairness\">") and html.endswith("</section>")
    assert html.count("<img") >= 4 and "data:image/png;base64," in html
    assert "src=\"http" not in html and "<link" not in html  # nothing external
    assert "B&lt;script&gt;" in html and "B<script>" not in html  # labels are escaped
    assert "Department &#x27;Tiny&#x27;: suppressed (fewer than 10 cases)." in html
    assert "groups flagged" in html and "Settings used" in html and "bootstrap_replicates" in html
    assert "Process-change audit" in html
    page = render_audit_page(hist, title="Audit")
    assert page.startswith("<!DOCTYPE html>") and "<section" in page


def test_same_result_same_html():
    events = make_log(seed=9)
    a = audit_history(events, group_attributes=["department"], statuses=STATUSES, replicates=50, seed=3)
    b = audit_history(events, group_attributes=["department"], statuses=STATUSES, replicates=50, seed=3)
    assert render_audit_html(a) == render_audit_html(b)
