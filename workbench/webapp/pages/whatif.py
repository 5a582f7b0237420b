"""What-if (managers): edit a scenario, check it, run it in the background against the baseline, compare, save.

Every action checks the user's role on the server (:func:`~workbench.webapp.accounts.require`)
before it happens; a button shown to a user who may not use it is disabled, but the check
does not rely on that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import panel as pn

from workbench.errors import WorkbenchError
from workbench.i18n import N_
from workbench.simulation import apply_scenario
from workbench.webapp.jobs import MAX_REPLICATIONS, job_spec, scenario_from_spec
from workbench.webapp.pages._common import allowed, error_line, experiment_of, guarded, header_html
from workbench.webapp.pages._editor import ScenarioEditor
from workbench.webapp.pages._render import CSS, blocks_pane, escape, message_pane, show_message
from workbench.webapp.pages._results import result_blocks, side_by_side

if TYPE_CHECKING:
    from workbench.webapp.context import PageContext

__all__ = ["WhatIfPage", "whatif_page"]

FINISHED = ("done", "failed", "cancelled")
#: A run's status in words (message ids).
STATUS = {"queued": N_("Queued"), "running": N_("Running"), "done": N_("Done"), "failed": N_("Failed"),
          "cancelled": N_("Cancelled")}


def _ignore(_value: object) -> None:
    """Drop a method's return value (a button's callback returns nothing)."""


class WhatIfPage:
    """The what-if page of one session (its widgets and what they do)."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.t = t = ctx.translator
        self.experiment = experiment_of(ctx)
        self.editor = ScenarioEditor(self.experiment.choices, t)
        sim = self.experiment.config.simulation
        self.replications = pn.widgets.IntInput(label=t._("Replications (more: narrower intervals, slower)"),
                                                value=min(max(sim.replications, 2), MAX_REPLICATIONS), start=2,
                                                end=MAX_REPLICATIONS, width=300)
        self.shared = pn.widgets.Checkbox(label=t._("Share with the other users"), value=True)
        may_run, may_save = allowed(ctx, "run_scenario"), allowed(ctx, "save_scenario")
        self.check_button = pn.widgets.Button(label=t._("Check the scenario"), color="default")
        self.run_button = pn.widgets.Button(label=t._("Run"), color="primary", disabled=not may_run)
        self.cancel_button = pn.widgets.Button(label=t._("Cancel the run"), color="warning", disabled=True)
        self.save_button = pn.widgets.Button(label=t._("Save the scenario"), color="success",
                                             disabled=not may_save)
        self.alert = message_pane()
        self.progress = pn.indicators.Progress(value=0, max=100, visible=False, width=360)
        self.status = pn.pane.Str("", name="status")
        self.results = pn.Column(name="results", sizing_mode="stretch_width")
        self.saved = pn.widgets.Select(label=t._("Saved scenarios"), options={}, width=360)
        self.load_button = pn.widgets.Button(label=t._("Open in the editor"), color="default")
        self.versions = pn.pane.Str("", name="versions")
        self.compare_choice = pn.widgets.MultiChoice(label=t._("Finished runs to compare"), options={}, width=520)
        self.compare_button = pn.widgets.Button(label=t._("Compare side by side"), color="default")
        self.compare_view = pn.Column(name="side-by-side", sizing_mode="stretch_width")
        self.run_id: int | None = None
        self.scenario_id: int | None = None
        self._saved: dict[str, Any] | None = None
        self._callback: Any = None
        self.check_button.on_click(lambda _e: _ignore(self.check()))
        self.run_button.on_click(lambda _e: _ignore(self.run()))
        self.cancel_button.on_click(lambda _e: _ignore(self.cancel()))
        self.save_button.on_click(lambda _e: _ignore(self.save()))
        self.load_button.on_click(lambda _e: self.load_saved())
        self.saved.param.watch(lambda _e: self._show_versions(), "value")
        self.compare_button.on_click(lambda _e: self.compare())
        self.refresh_lists()

    # -- messages ---------------------------------------------------------------------------------------------------
    def _say(self, text: str, kind: str = "info") -> None:
        show_message(self.alert, text, kind)

    # -- check, run, cancel, save -----------------------------------------------------------------------------------
    def check(self) -> dict[str, Any] | None:
        """Validate the editor's scenario against the schema and the model; the command line's message if not."""
        data = self.editor.to_dict()
        try:
            apply_scenario(self.experiment.model, scenario_from_spec(data))
        except WorkbenchError as exc:
            self._say(self.t._("The scenario cannot be run: %(error)s") % {"error": error_line(exc)}, "danger")
            return None
        n = len(data["changes"])
        self._say(self.t.ngettext("The scenario is valid: %(n)s change.", "The scenario is valid: %(n)s changes.", n)
                  % {"n": n}, "success")
        return data

    def run(self) -> int | None:
        """Queue a run of the scenario (role checked on the server) and follow its progress."""
        def go() -> int | None:
            data = self.check()
            if data is None:
                return None
            spec = job_spec(experiment=self.experiment.path, outputs=self.experiment.outputs, scenario=data,
                            replications=int(self.replications.value or 2), seed=self.experiment.config.seed,
                            language=self.ctx.language)
            # a run belongs to a saved scenario only when it runs that scenario as saved
            scenario_id = self.scenario_id if data == self._saved else None
            run_id = self.ctx.runs.submit(spec=spec, user=self.ctx.user.name, scenario_id=scenario_id)
            self.run_id = run_id
            self.cancel_button.disabled = not allowed(self.ctx, "cancel_run")
            self.progress.visible = True
            self.progress.value = 0
            self.status.object = self.t._("Queued")
            self.poll()
            if self.run_id is not None and pn.state.curdoc is not None and self._callback is None:
                self._callback = pn.state.add_periodic_callback(self.poll, period=1000)
            return run_id

        result: int | None = guarded(self.ctx, "run_scenario", go, self.alert)
        return result

    def poll(self) -> None:
        """Show the run's progress; when it has finished, its result."""
        if self.run_id is None:
            return
        record = self.ctx.store.run(self.run_id)
        self.progress.value = round(100 * float(record.progress or 0))
        status = self.t.gettext(STATUS.get(record.status, record.status))
        self.status.object = f"{status}: {record.message}" if record.message else status
        if record.status not in FINISHED:
            return
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
        self.cancel_button.disabled = True
        self.run_id = None
        if record.status == "done" and record.result is not None:
            self.progress.value = 100
            self.show_result(record.result, title=str(record.spec.get("scenario", {}).get("name", "")))
            self.refresh_lists()
        elif record.status == "failed":
            self._say(self.t._("The run failed: %(error)s") % {"error": record.error or ""}, "danger")
        else:
            self._say(self.t._("The run was cancelled."), "warning")

    def show_result(self, result: dict[str, Any], *, title: str) -> None:
        """The run's result against the baseline, the model's verdict beside the figures."""
        t = self.t
        blocks = result_blocks(result, t, min_group_size=self.experiment.min_group_size,
                               threshold=self.experiment.config.report.practical_difference)
        heading = t._("Result: %(name)s") % {"name": title}
        self.results.objects = [pn.pane.HTML(f"<h2>{escape(heading)}</h2>"),
                                blocks_pane(blocks, t, name="result")]

    def cancel(self) -> bool:
        """Cancel the running run (role checked on the server)."""
        def go() -> bool:
            if self.run_id is None:
                return False
            done = bool(self.ctx.runs.cancel(self.run_id, user=self.ctx.user.name))
            self.poll()
            return done

        return bool(guarded(self.ctx, "cancel_run", go, self.alert))

    def save(self) -> Any:
        """Save the scenario under its name (the next version when the name exists; role checked)."""
        def go() -> Any:
            data = self.check()
            if data is None:
                return None
            record = self.ctx.store.save_scenario(
                name=data["name"], spec={"scenario": data, "replications": int(self.replications.value or 2)},
                user=self.ctx.user.name, shared=bool(self.shared.value))
            self.ctx.store.record(user=self.ctx.user.name, action="save_scenario",
                                  detail=f"scenario {record.id} '{record.name}' version {record.version}")
            self.scenario_id, self._saved = record.id, data
            self._say(self.t._("Saved as '%(name)s', version %(version)s.") % {
                "name": record.name, "version": record.version}, "success")
            self.refresh_lists()
            return record

        return guarded(self.ctx, "save_scenario", go, self.alert)

    # -- saved scenarios and side by side ---------------------------------------------------------------------------
    def refresh_lists(self) -> None:
        """Reload the saved scenarios and the finished runs."""
        t = self.t
        saved = self.ctx.store.scenarios(user=self.ctx.user.name)
        options = {f"{s.name} (v{s.version}, {s.created_by})": s.id for s in saved}
        self.saved.options = options
        if self.saved.value not in options.values():
            self.saved.value = next(iter(options.values()), None)
        runs = [r for r in self.ctx.store.runs(limit=50) if r.status == "done" and r.result]
        run_word = t._("run")
        self.compare_choice.options = {
            f"{r.spec.get('scenario', {}).get('name', '?')} · {run_word} {r.id} · "
            f"{t.format_datetime(r.created_at, timezone=self.experiment.timezone)}": r.id for r in runs}
        self._show_versions()

    def _show_versions(self) -> None:
        if self.saved.value is None:
            self.versions.object = ""
            return
        record = self.ctx.store.scenario(int(self.saved.value))
        versions = self.ctx.store.versions(record.name)
        self.versions.object = self.t._("Versions: %(list)s") % {"list": ", ".join(
            f"v{v.version} ({v.created_by}, {self.t.format_date(v.created_at)})" for v in versions)}

    def load_saved(self) -> None:
        """Open the chosen saved scenario in the editor."""
        if self.saved.value is None:
            return
        record = self.ctx.store.scenario(int(self.saved.value))
        self.editor.load(record.spec.get("scenario", record.spec))
        self.replications.value = int(record.spec.get("replications", self.replications.value or 2))
        self.scenario_id, self._saved = record.id, self.editor.to_dict()
        self._say(self.t._("Opened '%(name)s', version %(version)s.") % {"name": record.name,
                                                                       "version": record.version})

    def compare(self) -> None:
        """Two or more finished runs side by side."""
        chosen = [self.ctx.store.run(int(i)) for i in self.compare_choice.value or []]
        if len(chosen) < 2:
            self._say(self.t._("Choose two or more runs to compare."), "warning")
            return
        run_word = self.t._("run")
        label = {r.id: f"{r.spec.get('scenario', {}).get('name', '?')} ({run_word} {r.id})" for r in chosen}
        table = side_by_side([(label[r.id], r.result or {}) for r in chosen], self.t)
        self.compare_view.objects = [blocks_pane([table], self.t, name="comparison")]

    # -- the page ---------------------------------------------------------------------------------------------------
    def view(self) -> pn.Column:
        t = self.t
        actions = pn.Row(self.check_button, self.run_button, self.cancel_button, name="actions")
        save = pn.Row(self.save_button, self.shared)
        intro = t._("Change the desk below, check the scenario, and run it: it is simulated against today's desk with "
                    "the same arriving tickets, and every difference comes with a 95%% interval.") % {}
        others = t._("Other changes")
        return pn.Column(
            pn.pane.HTML(header_html(self.ctx, t._("What-if"), self.experiment) + f"<p>{escape(intro)}</p>",
                         stylesheets=[CSS], sizing_mode="stretch_width", name="header"),
            pn.Row(pn.Column(self.editor.name, self.editor.description), pn.Column(self.replications)),
            self.editor.tabs(),
            pn.pane.HTML(f"<strong>{escape(others)}</strong>"), self.editor.extra_list,
            actions, save, self.alert, pn.Row(self.progress, self.status), self.results,
            pn.Card(pn.Row(self.saved, self.load_button), self.versions, title=t._("Saved scenarios"),
                    collapsed=False, sizing_mode="stretch_width"),
            pn.Card(pn.Row(self.compare_choice, self.compare_button), self.compare_view,
                    title=t._("Scenarios side by side"), collapsed=False, sizing_mode="stretch_width"),
            sizing_mode="stretch_width", name="whatif",
        )


def whatif_page(ctx: PageContext) -> pn.viewable.Viewable:
    """The scenario editor with runs, results, saved scenarios and side-by-side comparison."""
    return WhatIfPage(ctx).view()
