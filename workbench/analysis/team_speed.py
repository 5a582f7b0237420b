"""Question 1: how fast do the (partner) teams close the tickets they get?

Per team: tickets received, the median, mean and 90th percentile time from the
ticket's arrival at the team to its leaving (handed to another team, or resolved),
in calendar hours and -- with a calendar -- in working hours, and the share of
received tickets the team sent back. See :mod:`workbench.analysis._segments` for
how visits are cut.

Staff are reported per team. Per-person figures are produced only with
``per_person=True``, keyed by the (pseudonymised) ``resource`` column, and groups
smaller than ``min_group_size`` tickets are suppressed and marked.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis._common import check_events, require_teams
from workbench.analysis._privacy import suppress
from workbench.analysis._result import (
    CaseTables,
    QuestionResult,
    case_links,
    combine_case_tables,
    concat_links,
    question_result,
)
from workbench.analysis._segments import visits
from workbench.calendar import WorkingCalendar
from workbench.config import StatusMeanings
from workbench.schema import CASE_ID, RESOURCE, TEAM

__all__ = ["team_speed", "team_speed_tables", "team_speed_from_tables"]

_TITLE = "How fast do the partner teams close the tickets they get?"
_FIGURES = ["tickets_received", "visits", "median_hours", "mean_hours", "p90_hours"]


def team_speed(
    events: pd.DataFrame,
    *,
    statuses: StatusMeanings,
    calendar: WorkingCalendar | None = None,
    per_person: bool = False,
    min_group_size: int = 10,
) -> QuestionResult:
    """Per team: tickets received, time from arrival to leaving, share sent back.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical event log with a ``team`` column.
    statuses : StatusMeanings
        Uses ``resolved`` (ends a visit), ``closed``, ``sent_back`` and ``first_line_team``.
    calendar : WorkingCalendar, optional
        Adds ``median_working_hours`` and ``p90_working_hours``.
    per_person : bool
        Also report per person (``extra["by_person"]``), on the ``resource`` column, which
        must hold pseudonyms (``workbench.io.load_log`` pseudonymises by default).
    min_group_size : int
        Teams and persons with fewer received tickets are suppressed (figures blanked,
        ``suppressed = True``).

    Returns
    -------
    QuestionResult
        ``table``: one row per team. Figures with case ids, grouped by team:
        ``received``, ``sent_back``, ``over_p90`` (visits longer than the team's p90).
    """
    ev = check_events(events, columns=(TEAM,), what="the team-speed question")
    require_teams(ev, what="the team-speed question")
    tables = team_speed_tables(ev, statuses=statuses, calendar=calendar, per_person=per_person)
    return team_speed_from_tables(combine_case_tables([tables]), statuses=statuses, min_group_size=min_group_size)


def team_speed_tables(
    events: pd.DataFrame,
    *,
    statuses: StatusMeanings,
    calendar: WorkingCalendar | None = None,
    per_person: bool = False,
) -> CaseTables:
    """The per-case tables of :func:`team_speed` for a set of whole cases.

    ``visits`` (one row per team visit, with ``working_hours`` when a calendar is given),
    ``person_visits`` (with ``per_person``) and the count of ``tickets``. The caller checks
    that the whole log has teams.
    """
    ev = check_events(events, columns=(TEAM,), what="the team-speed question")
    frames = {"visits": _holder_visits(ev, statuses, TEAM, calendar)}
    if per_person:
        if RESOURCE not in ev.columns:
            raise_missing_resource()
        frames["person_visits"] = _holder_visits(ev, statuses, RESOURCE, calendar)
    return CaseTables(frames=frames, counts={"tickets": int(ev[CASE_ID].nunique())})


def team_speed_from_tables(tables: CaseTables, *, statuses: StatusMeanings, min_group_size: int = 10
                           ) -> QuestionResult:
    """Answer :func:`team_speed` from the per-case tables of the whole log (see :func:`team_speed_tables`)."""
    vis = tables.frames["visits"]
    with_working = "working_hours" in vis.columns
    table, links = _per_holder(vis, with_working=with_working)
    table.insert(1, "is_first_line", table["holder"] == statuses.first_line_team)
    table = table.rename(columns={"holder": TEAM})
    table = suppress(table, "tickets_received", min_group_size, keep=(TEAM, "is_first_line"))
    extra: dict[str, pd.DataFrame] = {
        "visits": vis.rename(columns={"holder": TEAM, "prev_holder": "prev_team", "next_holder": "next_team"})
    }
    if "person_visits" in tables.frames:
        ptable, plinks = _per_holder(tables.frames["person_visits"], with_working=with_working)
        ptable = suppress(ptable.rename(columns={"holder": RESOURCE}), "tickets_received", min_group_size,
                          keep=(RESOURCE,))
        small = set(ptable.loc[ptable["suppressed"], RESOURCE])
        plinks = plinks[~plinks["group"].isin(small)].assign(figure=lambda d: "person_" + d["figure"])
        extra["by_person"] = ptable
        links = concat_links([links, plinks])

    partners = table[~table["is_first_line"] & ~table["suppressed"]]
    rows = [
        ("teams", len(table), "teams"),
        ("tickets", int(tables.counts["tickets"]), "tickets"),
        ("partner_tickets_received", _sum(partners["tickets_received"]), "tickets"),
        ("partner_median_hours", _median_of(vis, statuses, "hours"), "hours"),
        ("partner_sent_back_share", _share(partners["sent_back_tickets"], partners["tickets_received"]), "share"),
    ]
    return question_result("team_speed", _TITLE, _headline(partners, statuses), rows, table, [links], extra=extra,
                           notes=_notes(statuses))


def _holder_visits(ev: pd.DataFrame, statuses: StatusMeanings, column: str, calendar: WorkingCalendar | None
                   ) -> pd.DataFrame:
    vis = visits(ev, statuses=statuses, column=column)
    vis = vis[vis["holder"].notna()].drop(columns=["first_row"])
    if calendar is not None:
        vis = vis.assign(working_hours=calendar.working_hours_between(vis["arrived_at"], vis["left_at"]).to_numpy())
    return vis


def _per_holder(vis: pd.DataFrame, *, with_working: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    g = vis.groupby("holder", sort=True)
    table = pd.DataFrame(
        {
            "tickets_received": g[CASE_ID].nunique(),
            "visits": g.size(),
            "open_visits": g.size() - g["hours"].count(),
            "median_hours": g["hours"].median(),
            "mean_hours": g["hours"].mean(),
            "p90_hours": g["hours"].quantile(0.9),
        }
    )
    if with_working:
        table["median_working_hours"] = g["working_hours"].median()
        table["p90_working_hours"] = g["working_hours"].quantile(0.9)
    sent = vis[vis["sent_back"]]
    table["sent_back_tickets"] = sent.groupby("holder")[CASE_ID].nunique().reindex(table.index).fillna(0).astype("int64")
    table["sent_back_share"] = table["sent_back_tickets"] / table["tickets_received"]
    resolved = vis[vis["left_by"] == "resolved"]
    table["resolved_tickets"] = resolved.groupby("holder")[CASE_ID].nunique().reindex(table.index).fillna(0).astype(
        "int64"
    )
    table = table.reset_index()
    p90 = vis["holder"].map(table.set_index("holder")["p90_hours"])
    slow = vis[vis["hours"] > p90]
    links = concat_links(
        [
            case_links("received", vis[CASE_ID], vis["holder"]),
            case_links("sent_back", sent[CASE_ID], sent["holder"]),
            case_links("over_p90", slow[CASE_ID], slow["holder"]),
        ]
    )
    return table, links


def _median_of(vis: pd.DataFrame, statuses: StatusMeanings, column: str) -> float:
    part = vis[vis["holder"] != statuses.first_line_team] if statuses.first_line_team else vis
    return float(part[column].median()) if len(part) else float("nan")


def _sum(s: pd.Series) -> int:
    return int(pd.to_numeric(s, errors="coerce").fillna(0).sum())


def _share(num: pd.Series, den: pd.Series) -> float:
    d = _sum(den)
    return _sum(num) / d if d else float("nan")


def _headline(partners: pd.DataFrame, statuses: StatusMeanings) -> str:
    who = "partner teams" if statuses.first_line_team else "teams"
    if partners.empty:
        return f"No {who} with enough tickets to report."
    rows = partners.sort_values(["tickets_received", TEAM], ascending=[False, True])
    parts = [_team_line(r) for _, r in rows.head(6).iterrows()]
    more = f" (+{len(rows) - 6} more)" if len(rows) > 6 else ""
    return f"Time from arrival at the {who} to leaving, largest first -- " + "; ".join(parts) + more + "."


def _team_line(r: pd.Series) -> str:
    n = int(r["tickets_received"])
    if pd.isna(r["median_hours"]):  # every visit still open: no time to leaving yet
        return f"{r[TEAM]}: {n} tickets, none has left the team yet"
    return (f"{r[TEAM]}: {n} tickets, median {r['median_hours']:.1f} h, p90 {r['p90_hours']:.1f} h, "
            f"{100 * r['sent_back_share']:.0f}% sent back")


def _notes(statuses: StatusMeanings) -> tuple[str, ...]:
    notes = []
    if not statuses.sent_back:
        notes.append("no 'statuses.sent_back' mapped: a visit counts as sent back when the ticket next returns "
                     "to the team it came from")
    if statuses.first_line_team is None:
        notes.append("no 'statuses.first_line_team' mapped: every team is reported; none is treated as first line")
    if not statuses.resolved:
        notes.append("no 'statuses.resolved' mapped: a visit ends only when the ticket moves to another team")
    if not statuses.resolved and not statuses.closed:
        notes.append("no 'statuses.closed' mapped either: a ticket's last visit never ends, so it counts as open "
                     "and has no time to leaving")
    return tuple(notes)


def raise_missing_resource() -> None:
    from workbench.errors import EventLogError

    raise EventLogError("per-person output needs the 'resource' column; the log has none")

