"""At risk (analysts): the open cases ranked by predicted time left or chance of a reopen, with reasons in words,
filters and a CSV export (role checked on the server)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import panel as pn

from workbench.webapp.pages._common import allowed, experiment_of, header
from workbench.webapp.pages._render import blocks_pane, escape

if TYPE_CHECKING:
    from workbench.i18n import Translator
    from workbench.webapp.context import PageContext
    from workbench.webapp.experiment import Experiment

__all__ = ["AtRiskPage", "AtRiskTable", "atrisk_page", "atrisk_table"]


@dataclass(frozen=True)
class AtRiskTable:
    """The at-risk list prepared for display in one language: the same for every user (do not modify).

    ``frame`` holds the pipeline's columns plus the reasons in words; ``display`` the same rows (same
    index) in the reader's language and formats.
    """

    frame: pd.DataFrame
    display: pd.DataFrame
    has_reopen: bool
    teams: tuple[str, ...]
    steps: tuple[str, ...]


def atrisk_table(experiment: Experiment, t: Translator) -> AtRiskTable:
    """Read the list, say the reasons in words and format every row, once (per process and language)."""
    from workbench.report.sections import reason_words

    frame = experiment.at_risk.copy()
    waiting = tuple(experiment.inputs.log.statuses.waiting_on_user)
    acts = experiment.activities

    def words(texts: pd.Series) -> list[str]:
        return [reason_words(str(x), t, waiting=waiting, activities=acts) if isinstance(x, str) and x else ""
                for x in texts]

    if "predicted_end" in frame.columns:  # the desk resolves tickets in its working hours, as the report says
        from workbench.calendar import WorkingCalendar

        calendar = WorkingCalendar.from_config(experiment.inputs.log.calendar)
        frame["predicted_end"] = calendar.add_working_hours(frame["predicted_end"], 0.0)
    frame["remaining_words"] = words(frame.get("remaining_reasons", pd.Series([""] * len(frame))))
    frame["reopen_words"] = words(frame.get("reopen_reasons", pd.Series([""] * len(frame))))
    has_reopen = "reopen_probability" in frame.columns and bool(frame["reopen_probability"].notna().any())
    tz = experiment.timezone
    display = pd.DataFrame({
        t._("Ticket"): frame["case_id"].astype(str),
        t._("Team"): frame["team"].astype(str),
        t._("Last step"): frame["last_activity"].astype(str),
        t._("Open for"): [t.format_duration(d * 24) for d in frame["elapsed_days"]],
        t._("Predicted time left"): [t.format_duration(d * 24) for d in frame["predicted_remaining_days"]],
        t._("Expected resolved"): [t.format_datetime(x, timezone=tz) for x in frame["predicted_end"]],
        t._("Why"): frame["remaining_words"],
    }, index=frame.index)
    if has_reopen:
        display[t._("Chance of a reopen")] = [t.format_percent(p) for p in frame["reopen_probability"]]
        display[t._("Why a reopen")] = frame["reopen_words"]
    return AtRiskTable(frame=frame, display=display, has_reopen=has_reopen,
                       teams=tuple(sorted(frame["team"].dropna().astype(str).unique())),
                       steps=tuple(sorted(frame["last_activity"].dropna().astype(str).unique())))


class AtRiskPage:
    """The at-risk list of one session: filters, the table and the export."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.t = t = ctx.translator
        self.experiment = experiment_of(ctx)
        prepared = self.experiment.shared(("atrisk", ctx.language), lambda: atrisk_table(self.experiment, t))
        self.prepared = prepared
        self.frame = prepared.frame
        self.has_reopen = prepared.has_reopen
        teams, steps = list(prepared.teams), list(prepared.steps)
        self.teams = pn.widgets.MultiChoice(label=t._("Teams"), options=teams, value=[], width=360)
        self.steps = pn.widgets.MultiChoice(label=t._("Last step"), options=steps, value=[], width=360)
        self.min_days = pn.widgets.FloatInput(label=t._("At least this many days left"), value=0.0, start=0.0,
                                              step=0.5, width=220)
        self.search = pn.widgets.TextInput(label=t._("Ticket id contains"), value="", width=220)
        orders = {t._("Predicted time left"): "predicted_remaining_days"}
        if self.has_reopen:
            orders[t._("Chance of a reopen")] = "reopen_probability"
        self.order = pn.widgets.RadioButtonGroup(label=t._("Rank by"), options=orders,
                                                 value="predicted_remaining_days")
        self.table = pn.widgets.Tabulator(pd.DataFrame(), disabled=True, show_index=False, pagination="local",
                                          page_size=25, sizing_mode="stretch_width",
                                          header_filters=False, layout="fit_data_stretch")
        self.count = pn.pane.Str("", name="count")
        self.download = pn.widgets.FileDownload(
            callback=self.export, filename="at_risk.csv", label=t._("Download the list (CSV)"),
            color="primary", disabled=not allowed(ctx, "export_atrisk"))
        for widget in (self.teams, self.steps, self.min_days, self.search, self.order):
            widget.param.watch(lambda _e: self.update(), "value")
        self.update()

    def filtered(self) -> pd.DataFrame:
        """The rows the filters keep, in the chosen order."""
        f = self.frame
        keep = pd.Series(True, index=f.index)
        if self.teams.value:
            keep &= f["team"].astype(str).isin(self.teams.value)
        if self.steps.value:
            keep &= f["last_activity"].astype(str).isin(self.steps.value)
        if self.min_days.value:
            keep &= f["predicted_remaining_days"].fillna(0) >= float(self.min_days.value)
        if self.search.value:
            keep &= f["case_id"].astype(str).str.contains(str(self.search.value), case=False, regex=False)
        return f[keep].sort_values([self.order.value, "case_id"], ascending=[False, True], na_position="last")

    def shown(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The rows in the reader's language and formats."""
        return self.prepared.display.loc[rows.index].reset_index(drop=True)

    def update(self) -> None:
        rows = self.filtered()
        self.table.value = self.shown(rows)
        self.count.object = self.t._("%(n)s of %(total)s open tickets") % {
            "n": self.t.format_number(len(rows)), "total": self.t.format_number(len(self.frame))}

    def export(self) -> io.StringIO:
        """The filtered list as CSV (the reasons in words too); the role is checked on the server first."""
        from workbench.webapp.accounts import require

        require(self.ctx.user, "export_atrisk")
        rows = self.filtered().drop(columns=["remaining_words", "reopen_words"]).assign(
            remaining_in_words=self.filtered()["remaining_words"].to_numpy())
        self.ctx.store.record(user=self.ctx.user.name, action="export_atrisk", detail=f"{len(rows)} rows")
        buffer = io.StringIO()
        rows.to_csv(buffer, index=False)
        buffer.seek(0)
        return buffer

    def view(self) -> pn.Column:
        t = self.t
        as_of = self.frame["as_of"].max() if "as_of" in self.frame.columns and len(self.frame) else None
        intro = t._("The open tickets expected to take longest, with the reasons the model gives, as of %(date)s. "
                    "Filter the list and download it for your own follow-up.") % {
            "date": t.format_datetime(as_of, timezone=self.experiment.timezone)}
        return pn.Column(
            header(self.ctx, t._("Open tickets at risk"), self.experiment),
            blocks_pane(f"<p>{escape(intro)}</p>", t),
            pn.Row(self.teams, self.steps), pn.Row(self.min_days, self.search, self.order),
            pn.Row(self.count, self.download), self.table,
            sizing_mode="stretch_width", name="atrisk",
        )


def atrisk_page(ctx: PageContext) -> pn.viewable.Viewable:
    """Open cases ranked by predicted time left (or chance of a reopen), filters and CSV export."""
    return AtRiskPage(ctx).view()
