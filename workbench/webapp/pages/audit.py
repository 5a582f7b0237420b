"""Audit (reviewers): the historical, model and process-change audits in plain words with intervals, and the
saved scenarios a reviewer comments on and signs off (roles checked on the server)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import panel as pn

from workbench.i18n import N_
from workbench.webapp.experiment import audit_from_records
from workbench.webapp.pages._common import allowed, experiment_of, guarded, header_html
from workbench.webapp.pages._render import (
    CSS,
    block_html,
    blocks_pane,
    card_html,
    escape,
    message_pane,
    show_message,
)
from workbench.webapp.pages._results import result_blocks

if TYPE_CHECKING:
    from workbench.i18n import Translator
    from workbench.webapp.context import PageContext
    from workbench.webapp.experiment import Experiment

__all__ = ["AuditPage", "audit_page", "audits_html", "KINDS"]

#: The audit kinds, in order, with their titles (message ids).
KINDS = {"historical": N_("The log as it is: is any group of users worse off today?"),
         "model": N_("The prediction models: do they treat any group worse?"),
         "process": N_("The simulated changes: would any group be worse off?")}


def audits_html(experiment: Experiment, t: Translator) -> str:
    """The pipeline's audits, one folding card per kind it ran (the same for every user in one language)."""
    from workbench.report.sections import fairness_section

    result = experiment.audit
    if result is None or not len(result.table):
        none = t._("No audit was run.")
        return f"<p>{escape(none)}</p>"
    cards: list[str] = []
    for kind, title in KINDS.items():
        part = result.table[result.table["audit"] == kind]
        if not len(part):
            continue
        section = fairness_section({"result": audit_from_records(part.to_dict("records"))}, t)
        intro = f"<p>{escape(section.intro)}</p>" if section.intro else ""
        body = intro + "".join(block_html(b, t) for b in section.blocks)
        cards.append(card_html(t.gettext(title), body, collapsed=kind != "historical", name=f"audit-{kind}"))
    if result.notes:
        cards.append(card_html(t._("How the audits were made"), "".join(f"<p>{escape(n)}</p>" for n in result.notes),
                               collapsed=True, name="audit-notes"))
    return "".join(cards)


class AuditPage:
    """The audit page of one session."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.t = t = ctx.translator
        self.experiment = experiment_of(ctx)
        self.scenario = pn.widgets.Select(label=t._("Saved scenario"), options={}, width=420)
        self.scenario_view = pn.Column(name="scenario-view", sizing_mode="stretch_width")
        self.comments = pn.Column(name="comments", sizing_mode="stretch_width")
        may_comment = allowed(ctx, "comment")
        self.text = pn.widgets.TextAreaInput(label=t._("Comment"), value="", height=90, width=520,
                                             disabled=not may_comment)
        self.sign_off = pn.widgets.Checkbox(label=t._("I sign off this scenario"), value=False,
                                            disabled=not allowed(ctx, "sign_off"))
        self.add_button = pn.widgets.Button(label=t._("Add the comment"), color="primary",
                                            disabled=not may_comment)
        self.alert = message_pane()
        self.scenario.param.watch(lambda _e: self.show_scenario(), "value")
        self.add_button.on_click(lambda _e: self.add_comment())
        self.refresh()

    def audits(self) -> str:
        """One folding card per audit kind the pipeline ran, as HTML (built once per process and language)."""
        return self.experiment.shared(("audit", self.ctx.language), lambda: audits_html(self.experiment, self.t))

    def refresh(self) -> None:
        """Reload the saved scenarios."""
        saved = self.ctx.store.scenarios(user=self.ctx.user.name)
        options = {f"{s.name} (v{s.version}, {s.created_by})": s.id for s in saved}
        self.scenario.options = options
        if self.scenario.value not in options.values():
            self.scenario.value = next(iter(options.values()), None)
        self.show_scenario()

    def _latest_run(self, record: Any) -> Any:
        for run in self.ctx.store.runs(limit=200):
            name = (run.spec.get("scenario") or {}).get("name")
            if run.status == "done" and run.result and (run.scenario_id == record.id or name == record.name):
                return run
        return None

    def show_scenario(self) -> None:
        """The chosen scenario's latest result (fairness verdict with intervals) and its comments."""
        t = self.t
        if self.scenario.value is None:
            self.scenario_view.objects = [pn.pane.Str(t._("No scenario has been saved yet."))]
            self.comments.objects = []
            return
        record = self.ctx.store.scenario(int(self.scenario.value))
        run = self._latest_run(record)
        if run is None:
            body: list[Any] = [pn.pane.Str(t._("This scenario has not been run yet."))]
        else:
            blocks = result_blocks(run.result, t, min_group_size=self.experiment.min_group_size,
                                   threshold=self.experiment.config.report.practical_difference)
            body = [blocks_pane(blocks, t, name="scenario-result")]
        self.scenario_view.objects = body
        self.show_comments(record.id)

    def show_comments(self, scenario_id: int) -> None:
        t = self.t
        rows = []
        for c in self.ctx.store.comments(scenario_id):
            mark = " ✔ " + t._("signed off") if c.signed_off else ""
            when = t.format_datetime(c.created_at, timezone=self.experiment.timezone)
            rows.append(f"<p><strong>{escape(c.author)}</strong>, {escape(when)}{escape(mark)}: {escape(c.text)}</p>")
        none = t._("No comments yet.")
        html = "".join(rows) or f"<p>{escape(none)}</p>"
        self.comments.objects = [blocks_pane(html, t, name="comment-list")]

    def add_comment(self) -> Any:
        """Attach the comment (and a sign-off, for a reviewer) to the chosen scenario; roles checked on the server."""
        from workbench.webapp.accounts import require

        def go() -> Any:
            if self.scenario.value is None:
                show_message(self.alert, self.t._("Choose a saved scenario first."), "warning")
                return None
            if self.sign_off.value:
                require(self.ctx.user, "sign_off")
            scenario_id = int(self.scenario.value)
            record = self.ctx.store.add_comment(scenario_id=scenario_id, user=self.ctx.user.name,
                                                text=str(self.text.value), sign_off=bool(self.sign_off.value))
            self.ctx.store.record(user=self.ctx.user.name, action="sign_off" if record.signed_off else "comment",
                                  detail=f"scenario {scenario_id}")
            self.text.value, self.sign_off.value = "", False
            show_message(self.alert, self.t._("The comment was added."), "success")
            self.show_comments(scenario_id)
            return record

        return guarded(self.ctx, "comment", go, self.alert)

    def view(self) -> pn.Column:
        t = self.t
        review = t._("Saved scenarios: review and sign off")
        top = header_html(self.ctx, t._("Audit"), self.experiment) + self.audits() + f"<h2>{escape(review)}</h2>"
        return pn.Column(
            pn.pane.HTML(top, stylesheets=[CSS], sizing_mode="stretch_width", name="audits"),
            self.scenario, self.scenario_view, self.comments,
            pn.Column(self.text, self.sign_off, self.add_button, self.alert, name="comment-form"),
            sizing_mode="stretch_width", name="audit",
        )


def audit_page(ctx: PageContext) -> pn.viewable.Viewable:
    """The audits in plain words, and comments with sign-off on saved scenarios."""
    return AuditPage(ctx).view()
