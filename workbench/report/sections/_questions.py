"""The desk's five questions, for a team leader: the answer in words, the ids that matter first."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.i18n import N_, Translator
from workbench.report.blocks import Block, Callout, Details, Paragraph, Table
from workbench.report.model import Section
from workbench.report.sections._summary import metric
from workbench.schema import CASE_ID

__all__ = ["questions_sections", "TOP"]

#: Rows shown before the rest is folded away.
TOP = 15

_BUCKETS = {
    "waiting_on_user": N_("Waiting for the user"),
    "first_line": N_("With first line"),
    "partner_teams": N_("With the partner teams"),
    "blocked_other": N_("Blocked, or with no team"),
    "after_resolution": N_("Resolved, before reopening or closing"),
}


def _ids(frame: pd.DataFrame, figure: str) -> list[str]:
    return sorted(frame.loc[frame["figure"] == figure, CASE_ID].astype(str).unique())


def _team_speed(result: Any, t: Translator, tz: str | None) -> list[Block]:
    table = result.table
    table = table[~table["suppressed"].astype(bool)].sort_values("median_hours", ascending=False)
    frame = pd.DataFrame({
        t._("Team"): table["team"].astype(str) + table["is_first_line"].map({True: " (" + t._("first line") + ")",
                                                                             False: ""}),
        t._("Tickets received"): table["tickets_received"],
        t._("Median time with the team"): table["median_hours"],
        t._("Slowest 10% take at least"): table["p90_hours"],
        t._("Sent back"): table["sent_back_share"],
    })
    formats = {t._("Tickets received"): "count", t._("Median time with the team"): "hours",
               t._("Slowest 10% take at least"): "hours", t._("Sent back"): "percent"}
    if "median_working_hours" in table.columns:
        frame.insert(3, t._("Median working time"), table["median_working_hours"].to_numpy())
        formats[t._("Median working time")] = "hours"
    slowest = table[~table["is_first_line"].astype(bool)].head(1)
    blocks: list[Block] = []
    if len(slowest):
        row = slowest.iloc[0]
        blocks.append(Paragraph(
            t._("The partner team that holds tickets longest is %(team)s: half of its %(n)s tickets leave it within "
                "%(median)s; the slowest 10%% take %(p90)s or more.") % {
                "team": row["team"], "n": t.format_number(row["tickets_received"]),
                "median": t.format_duration(row["median_hours"]), "p90": t.format_duration(row["p90_hours"])}))
    blocks.append(Table(frame, caption=t._("Time each team holds a ticket, slowest first"), formats=formats))
    suppressed = int(result.table["suppressed"].astype(bool).sum())
    if suppressed:
        blocks.append(Paragraph(t.ngettext("%(n)s team with too few tickets is not shown.",
                                           "%(n)s teams with too few tickets are not shown.", suppressed)
                                % {"n": suppressed}))
    return blocks


def _routing(result: Any, t: Translator, tz: str | None) -> list[Block]:
    fwd = metric(result_answers(result), "routing", "forwarded_first_time_right_share")
    n_fwd = int(result.value("forwarded_tickets"))
    mis_ids = _ids(result.cases, "misrouted")
    pp_ids = _ids(result.cases, "pingpong")
    both = len(set(mis_ids) & set(pp_ids))
    words = t._("Of the %(n)s tickets first line forwarded, %(share)s went to the right team the first time.") % {
        "n": t.format_number(n_fwd), "share": t.format_percent(fwd)}
    words += " " + t._(
        "%(mis)s tickets went to a wrong team first (misrouted). A wrong team sends the ticket back, and it goes on "
        "to the right one: that back-and-forth between two teams (A → B → A) is what we call ping-pong. "
        "%(pp)s tickets ping-ponged; %(both)s of them are misrouted tickets.") % {
        "mis": t.format_number(len(mis_ids)), "pp": t.format_number(len(pp_ids)), "both": t.format_number(both)}
    all_share = result.value("first_time_right_share")
    words += " " + t._("Counting the tickets first line solved itself, %(share)s of all tickets were solved by "
                       "the first team that got them.") % {"share": t.format_percent(all_share)}
    by_team = result.table.sort_values("first_time_right_share")
    frame = pd.DataFrame({
        t._("First team"): by_team["first_team"].astype(str),
        t._("Tickets"): by_team["tickets"],
        t._("Right team first"): by_team["first_time_right_share"],
        t._("Misrouted"): by_team["misrouted"],
    })
    pairs = result.extra.get("pingpong", pd.DataFrame())
    details: list[Any] = []
    if len(pairs):
        pp = pd.DataFrame({t._("From"): pairs["team_a"].astype(str), t._("To and back"): pairs["team_b"].astype(str),
                           t._("Tickets"): pairs["tickets"]})
        details.append(Table(pp, caption=t._("Ping-pong between two teams, most frequent first"),
                             formats={t._("Tickets"): "count"}))
    details.append(Table(pd.DataFrame({t._("Misrouted tickets"): [mis_ids]}), caption=t._("Misrouted tickets"),
                         case_id_column=t._("Misrouted tickets")))
    return [
        Paragraph(words),
        Table(frame, caption=t._("Right team first time, per first team"),
              formats={t._("Tickets"): "count", t._("Right team first"): "percent", t._("Misrouted"): "count"}),
        Details(t._("Ping-pong pairs and the misrouted ticket ids"), tuple(details)),
    ]


def result_answers(result: Any) -> dict[str, Any]:
    """A one-question stand-in for :class:`~workbench.analysis.Answers` (for :func:`metric`)."""
    return {result.question: result}


def _reopens(result: Any, t: Translator, tz: str | None) -> list[Block]:
    table = result.table
    real = table[table["real"].astype(bool)].copy()
    real["lost"] = (real["next_resolved_at"] - real["resolved_at"]).dt.total_seconds() / 3600
    per_ticket = (real.groupby(CASE_ID, sort=False)
                  .agg(times=("real", "size"), first=("resolved_at", "min"), lost=("lost", "sum"),
                       team=("team", "first")).reset_index()
                  .sort_values(["times", "lost", CASE_ID], ascending=[False, False, True]))
    n_real = int(result.value("real_reopens"))
    n_res = int(result.value("resolutions"))
    words = t._("%(real)s of %(res)s resolutions (%(share)s) were really reopened: the user came back, and the ticket "
                "had to be resolved again. They are listed first, the tickets reopened most often and for longest "
                "on top. %(harmless)s more reopens were harmless: closed again without a new resolution (a thank-you "
                "reply).") % {
        "real": t.format_number(n_real), "res": t.format_number(n_res),
        "share": t.format_percent(result.value("real_reopen_rate_per_resolution")),
        "harmless": t.format_number(result.value("harmless_reopens"))}
    frame = pd.DataFrame({
        t._("Ticket"): per_ticket[CASE_ID].astype(str),
        t._("Really reopened"): per_ticket["times"],
        t._("First resolved"): per_ticket["first"],
        t._("Time until resolved again"): per_ticket["lost"],
        t._("Team at resolution"): per_ticket["team"].astype("object"),
    })
    formats = {t._("Really reopened"): "count", t._("First resolved"): "datetime",
               t._("Time until resolved again"): "hours"}
    blocks: list[Block] = [Paragraph(words)]
    if len(frame):
        blocks.append(Table(frame, caption=t._("Really reopened tickets"), max_rows=TOP, formats=formats, timezone=tz))
        blocks.append(Details(t._("All %(n)s really reopened tickets") % {"n": t.format_number(len(frame))}, (
            Table(pd.DataFrame({t._("Tickets"): [frame[t._("Ticket")].tolist()]}), case_id_column=t._("Tickets"),
                  max_case_ids=5000),)))
    return blocks


def _time_split(result: Any, t: Translator, tz: str | None) -> list[Block]:
    buckets = result.extra["buckets"]
    table = result.table
    longest = table[table["waiting_on_user_hours"] > 0].sort_values(
        ["waiting_on_user_hours", CASE_ID], ascending=[False, True])
    user = float(result.value("waiting_on_user_share"))
    with_us = float(buckets.set_index("bucket").loc[["first_line", "partner_teams"], "share"].sum())
    words = t._("Of all the time tickets were open, %(user)s was spent waiting for the user and %(us)s with us. "
                "The tickets that waited longest for the user come first.") % {
        "user": t.format_percent(user), "us": t.format_percent(with_us)}
    frame = pd.DataFrame({
        t._("Ticket"): longest[CASE_ID].astype(str),
        t._("Waiting for the user"): longest["waiting_on_user_hours"],
        t._("Share of the ticket's time"): longest["waiting_on_user_share"],
        t._("Open in all"): longest["elapsed_hours"],
    })
    where = pd.DataFrame({
        t._("Where the time went"): [t.gettext(_BUCKETS.get(b, b)) for b in buckets["bucket"]],
        t._("Share of the time"): buckets["share"],
        t._("Tickets"): buckets["tickets"],
        t._("Median per ticket"): buckets["median_ticket_hours"],
    })
    formats = {t._("Waiting for the user"): "hours", t._("Share of the ticket's time"): "percent",
               t._("Open in all"): "hours"}
    blocks: list[Block] = [Paragraph(words)]
    if len(frame):
        blocks.append(Table(frame, caption=t._("Tickets that waited longest for the user"), max_rows=TOP,
                            formats=formats))
    blocks.append(Table(where, caption=t._("Where the time went"), formats={
        t._("Share of the time"): "percent", t._("Tickets"): "count", t._("Median per ticket"): "hours"}))
    return blocks


def _communication(result: Any, t: Translator, tz: str | None) -> list[Block]:
    tickets = result.extra.get("tickets", result.table)
    heavy = int(result.value("heavy_tickets"))
    threshold = int(result.value("heavy_threshold"))
    words = t._("%(n)s tickets have %(k)s or more mails between agent and user; those with the most come first.") % {
        "n": t.format_number(heavy), "k": t.format_number(threshold)}
    top = tickets.head(TOP)
    frame = pd.DataFrame({
        t._("Ticket"): top[CASE_ID].astype(str),
        t._("Mails"): top["messages"],
        t._("To the user"): top["to_user"],
        t._("From the user"): top["from_user"],
        t._("Open for"): top["duration_hours"],
    })
    return [Paragraph(words), Table(frame, caption=t._("Tickets with the most mails"), formats={
        t._("Mails"): "count", t._("To the user"): "count", t._("From the user"): "count", t._("Open for"): "hours"})]


_QUESTIONS = {
    "team_speed": (N_("How fast do the partner teams close the tickets they get?"), _team_speed),
    "routing": (N_("Do tickets land with the right team the first time?"), _routing),
    "reopens": (N_("How many tickets are reopened because they were not really solved?"), _reopens),
    "time_split": (N_("How long is a ticket with the user, and how long with us?"), _time_split),
    "communication": (N_("Which tickets have a lot of written back-and-forth between agent and user?"), _communication),
}


def questions_sections(discover: dict[str, Any], t: Translator, *, timezone: str | None) -> tuple[Section, ...]:
    """One section per question: the answer in words, then the tickets behind it (the ones that matter first)."""
    answers = discover["discovery"].answers
    sections: list[Section] = []
    intro = t._("Staff are counted per team, never per person; small groups are not shown. Every list is also in "
                "the CSV files of the discover folder.")
    for question, (title, build) in _QUESTIONS.items():
        sid = question.replace("_", "-")
        if question in answers.unanswered:
            sections.append(Section(sid, t.gettext(title), "", (Callout("warning", t._(
                "Not answered: %(reason)s") % {"reason": answers.unanswered[question]}),)))
            continue
        if question not in answers.results:
            continue
        result = answers.results[question]
        blocks: list[Block] = list(build(result, t, timezone))
        if result.notes:
            blocks.append(Details(t._("How this was counted"), tuple(Paragraph(n) for n in result.notes)))
        sections.append(Section(sid, t.gettext(title), intro if not sections else "", tuple(blocks)))
    return tuple(sections)
