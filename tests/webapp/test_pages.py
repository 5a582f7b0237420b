"""The pages build for every role (with an in-memory store and run manager), and every action checks the role
on the server: a user without it is refused even when the button is reached."""

from __future__ import annotations

import pytest

from workbench.webapp.accounts import PAGE_ROLES, AccessDenied
from workbench.webapp.pages import PAGES
from workbench.webapp.pages.atrisk import AtRiskPage
from workbench.webapp.pages.audit import AuditPage
from workbench.webapp.pages.whatif import WhatIfPage

pytestmark = pytest.mark.slow  # the session's experiment runs the pipeline once

ROLES = ("manager", "analyst", "reviewer", "admin")


def _names(viewable) -> set[str]:  # type: ignore[no-untyped-def]
    found = set()
    for obj in viewable.select():
        found.add(obj.name)
    return found


def test_every_page_builds_for_every_role_that_may_open_it(make_context) -> None:
    assert set(PAGES) == set(PAGE_ROLES)
    for page, factory in PAGES.items():
        for role in ROLES:
            if role in PAGE_ROLES[page]:
                for language in ("da", "en"):
                    assert factory(make_context(role, language)) is not None


def test_the_overview_shows_the_questions_the_map_and_the_rules_in_danish(make_context) -> None:
    view = PAGES["overview"](make_context("analyst", "da"))
    html = "".join(str(getattr(o, "object", "")) for o in view.select())
    for part in ("figures", "team-speed", "routing", "reopens", "time-split", "communication", "process-map",
                 "rules"):
        assert f'id="{part}"' in html, part
    assert html.count("<details class=\"card\" id=\"team-speed\" open>") == 1  # the first question is open
    assert "<details class=\"card\" id=\"routing\">" in html  # the others folded
    assert "Data pr." in html and "De fem spørgsmål" in html
    assert 'src="/files/discover/process_map.html"' in html
    assert "<details><summary>" in html and "T2023-" in html  # the case ids behind a figure, folded away
    assert "analytiker" in html
    assert "Alle sager, der brød en regel" in html  # every ticket behind each rule's count


def test_a_manager_edits_checks_runs_saves_and_compares(make_context) -> None:
    ctx = make_context("manager", "en")
    page = WhatIfPage(ctx)
    page.view()
    assert set(page.editor.staff) == set(page.experiment.choices.teams)
    page.editor.staff["IT-infrastruktur"].value = page.experiment.choices.teams["IT-infrastruktur"] + 1
    page.editor.add(page.editor.priority_change())
    page.replications.value = 2
    assert page.check() is not None and "valid: 2 changes" in page.alert.object
    run_id = page.run()
    assert run_id is not None and ctx.store.run(run_id).status == "done"
    result = "".join(str(o.object) for o in page.results.select() if hasattr(o, "object"))
    assert "95% interval" in result and "IT-infrastruktur" in result and "Fairness" in result
    assert "the model was learned again from 2 resamples of the tickets" in result
    record = page.save()
    assert record.version == 1 and record.spec["scenario"]["changes"][0] == {
        "type": "staff", "team": "IT-infrastruktur", "set": page.experiment.choices.teams["IT-infrastruktur"] + 1}
    assert page.save().version == 2  # the same name: the next version
    page.run()
    page.refresh_lists()
    page.compare_choice.value = list(page.compare_choice.options.values())[:2]
    page.compare()
    assert "scenario by scenario" in page.compare_view.objects[0].object
    actions = [r.action for r in ctx.store.trail()]
    assert actions.count("save_scenario") == 2


def test_the_editor_gives_the_command_lines_message_for_a_bad_scenario(make_context) -> None:
    page = WhatIfPage(make_context("manager", "da"))
    assert page.check() is None  # nothing changed yet
    assert "Scenariet kan ikke køres" in page.alert.object and "at least 1 item" in page.alert.object
    page.editor.add({"type": "staff", "team": "Nope", "add": 1})
    assert page.check() is None
    assert "team &#x27;Nope&#x27; does not exist in the model; teams: &#x27;BI-teamet&#x27;" in page.alert.object


def test_a_saved_scenario_opens_in_the_editor(make_context) -> None:
    ctx = make_context("manager", "en")
    page = WhatIfPage(ctx)
    page.editor.name.value = "volume up"
    page.editor.volume.value = 1.2
    page.editor.add(page.editor.calendar_change())
    page.save()
    other = WhatIfPage(make_context("admin", "en"))
    other.saved.value = next(v for k, v in other.saved.options.items() if k.startswith("volume up"))
    other.load_saved()
    assert other.editor.to_dict() == page.editor.to_dict()


@pytest.mark.parametrize("role", ["analyst", "reviewer"])
def test_the_what_if_actions_are_refused_on_the_server_for_other_roles(make_context, role: str) -> None:
    ctx = make_context(role, "en")
    page = WhatIfPage(ctx)  # built directly: the server would refuse the page with 403 before this
    assert page.run_button.disabled and page.save_button.disabled
    page.editor.volume.value = 1.1
    assert page.run() is None and page.save() is None and page.cancel() is False
    assert "do not have the role" in page.alert.object
    assert ctx.store.runs() == [] or all(r.created_by != ctx.user.name for r in ctx.store.runs())
    assert [r.action for r in ctx.store.trail()][-3:] == ["denied"] * 3


def test_the_at_risk_list_filters_and_exports_for_analysts_only(make_context) -> None:
    ctx = make_context("analyst", "da")
    page = AtRiskPage(ctx)
    page.view()
    total = len(page.frame)
    assert len(page.table.value) == total and "Forventet resterende tid" in page.table.value.columns
    team = page.teams.options[0]
    page.teams.value = [team]
    kept = page.filtered()
    assert 0 < len(kept) <= total and set(kept["team"]) == {team}
    days = kept["predicted_remaining_days"].to_numpy()
    assert (days[:-1] >= days[1:]).all()  # longest expected first
    csv = page.export().read()
    assert csv.splitlines()[0].startswith("rank,case_id") and len(csv.splitlines()) == len(kept) + 1
    assert ctx.store.trail()[-1].action == "export_atrisk"
    with pytest.raises(AccessDenied, match=r"may not export atrisk"):
        AtRiskPage(make_context("reviewer", "da")).export()


def test_a_reviewer_comments_and_signs_off_an_admin_only_comments(make_context) -> None:
    manager = WhatIfPage(make_context("manager", "en"))
    manager.editor.name.value = "to review"
    manager.editor.volume.value = 0.9
    manager.replications.value = 2
    manager.save()
    manager.run()
    ctx = make_context("reviewer", "en")
    page = AuditPage(ctx)
    view = page.view()
    assert {"comment-form", "scenario-view"} <= _names(view)
    page.scenario.value = next(v for k, v in page.scenario.options.items() if k.startswith("to review"))
    shown = "".join(str(getattr(o, "object", "")) for o in page.scenario_view.select())
    assert "95% interval" in shown
    page.text.value = "Checked the intervals."
    page.sign_off.value = True
    record = page.add_comment()
    assert record.signed_off and "signed off" in page.comments.objects[0].object
    admin = AuditPage(make_context("admin", "en"))
    admin.scenario.value = page.scenario.value
    admin.text.value, admin.sign_off.value = "ok", True
    assert admin.add_comment() is None and "do not have the role" in admin.alert.object  # only reviewers sign off
    manager_audit = AuditPage(make_context("manager", "en"))
    manager_audit.scenario.value = page.scenario.value
    manager_audit.text.value = "mine"
    assert manager_audit.add_comment() is None  # managers read the audits but do not comment


def test_the_audits_are_in_plain_words_with_intervals(make_context) -> None:
    view = PAGES["audit"](make_context("reviewer", "da"))
    html = "".join(str(getattr(o, "object", "")) for o in view.select())
    assert "Loggen som den er" in html and "Forudsigelsesmodellerne" in html
    assert "95" in html and " til " in html  # intervals, in Danish


def test_a_page_whose_stage_has_not_run_says_so(make_context, app_experiment, tmp_path) -> None:
    import dataclasses
    import shutil

    _, outputs = app_experiment
    partial = tmp_path / "partial"
    shutil.copytree(outputs / "load", partial / "load")
    ctx = make_context("manager", "da")
    ctx = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, outputs=partial))
    shown = PAGES["whatif"](ctx)
    assert "Siden kan ikke vises endnu" in shown.object and "the &#x27;simulate&#x27; stage has not run" in shown.object
    assert "the &#x27;predict&#x27; stage has not run" in PAGES["atrisk"](ctx).object


def test_a_scenario_name_is_shown_as_text_never_as_markup(make_context) -> None:
    page = WhatIfPage(make_context("manager", "en"))
    page.editor.name.value = "<img src=x onerror=alert(1)> [link](javascript:alert(2))"
    page.editor.volume.value = 1.1
    page.save()
    assert "<img" not in page.alert.object and "&lt;img src=x" in page.alert.object
    assert "<a " not in page.alert.object


def test_every_text_of_the_pages_has_a_danish_translation() -> None:
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2] / "workbench" / "webapp"
    found = extract_from_dir(str(root), method_map=[("pages/**.py", "python"), ("jobs.py", "python"),
                                                    ("experiment.py", "python")],
                             keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None})
    ids = {m[0] if isinstance(m, tuple) else m for _f, _l, m, _c, _x in found}
    with (root.parent / "i18n" / "locale" / "da" / "LC_MESSAGES" / "workbench.po").open("rb") as handle:
        danish = read_po(handle, locale="da")
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in danish
                  if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    assert len(ids) > 100
    assert sorted(ids - translated) == []


@pytest.mark.parametrize(("page", "module", "builder"), [
    ("overview", "overview", "overview_content"), ("audit", "audit", "audits_html"), ("atrisk", "atrisk", "atrisk_table")])
def test_a_second_session_reuses_the_content_the_first_one_built(make_context, monkeypatch, page, module,
                                                                 builder) -> None:
    import importlib

    from workbench.webapp.experiment import Experiment

    pages = importlib.import_module(f"workbench.webapp.pages.{module}")
    first = make_context("manager", "da", name="mette")
    experiment = Experiment(first.settings.experiment, first.settings.outputs)  # nothing built yet
    monkeypatch.setattr(pages, "experiment_of", lambda _ctx: experiment)
    calls: list[str] = []
    original = getattr(pages, builder)

    def counted(exp, t):  # type: ignore[no-untyped-def]
        calls.append(t.language)
        return original(exp, t)

    monkeypatch.setattr(pages, builder, counted)
    views = [PAGES[page](make_context(roles, "da", name=name))
             for roles, name in ((("manager",), "mette"), (("admin",), "ali"))]
    assert calls == ["da"]  # built for the first session, reused by the second
    shown = ["".join(str(getattr(o, "object", "")) for o in v.select()) for v in views]
    assert "mette" in shown[0] and "ali" not in shown[0] and "ali" in shown[1]  # the header stays the user's own
    PAGES[page](make_context("manager", "en"))
    assert calls == ["da", "en"]  # each language once


def test_the_warm_up_builds_the_shared_content_so_no_session_waits_for_it(make_context, monkeypatch) -> None:
    import workbench.webapp.experiment as experiment_module
    from workbench.webapp.pages import overview, warm_up

    ctx = make_context("manager", "da")
    experiment = experiment_module.Experiment(ctx.settings.experiment, ctx.settings.outputs)
    monkeypatch.setattr(experiment_module, "open_experiment", lambda *_a: experiment)
    monkeypatch.setattr(overview, "experiment_of", lambda _ctx: experiment)
    built = warm_up(ctx.settings)
    assert set(built) == {f"{p}/{lang}" for p in ("overview", "audit", "atrisk") for lang in ("da", "en")}
    calls: list[str] = []
    monkeypatch.setattr(overview, "overview_content", lambda *_a: calls.append("built") or "")
    assert "De fem spørgsmål" in PAGES["overview"](ctx).object and calls == []
