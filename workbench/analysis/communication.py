"""Question 5: which tickets have a lot of written back-and-forth between agent and user?

Messages are events with a ``statuses.message_to_user`` or
``statuses.message_from_user`` label. Tickets are ranked by their number of
messages; the communication-heavy ones are those with at least ``min_messages``
messages, or, when no threshold is given, the ``top_n`` highest ranked (ties at the
cut are all kept).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis._common import MissingStatusError, check_events, optional_statuses
from workbench.analysis._result import (
    CaseTables,
    QuestionResult,
    case_links,
    combine_case_tables,
    question_result,
)
from workbench.config import StatusMeanings
from workbench.errors import ConfigError
from workbench.schema import ACTIVITY, CASE_ID

__all__ = ["communication", "communication_tables", "communication_from_tables"]

_TITLE = "Which tickets have a lot of written back-and-forth between agent and user?"


def communication(
    events: pd.DataFrame,
    *,
    statuses: StatusMeanings,
    min_messages: int | None = None,
    top_n: int = 20,
) -> QuestionResult:
    """Rank tickets by the number of messages between agent and user.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical event log.
    statuses : StatusMeanings
        Needs ``message_to_user`` or ``message_from_user`` (or both).
    min_messages : int, optional
        Tickets with at least this many messages are communication-heavy.
    top_n : int
        Without ``min_messages``: the ``top_n`` tickets with most messages (and any tied
        with the last of them) are communication-heavy.

    Returns
    -------
    QuestionResult
        ``table``: the communication-heavy tickets, ranked (``rank``, ``messages``,
        ``to_user``, ``from_user``, ``events``, ``duration_hours``).
        ``extra["tickets"]``: every ticket, ranked. Figures with case ids: ``heavy``,
        ``with_messages``.
    """
    _require_messages(statuses)
    _check_cut(min_messages, top_n)
    ev = check_events(events, what="the communication question")
    tables = communication_tables(ev, statuses=statuses)
    return communication_from_tables(combine_case_tables([tables]), min_messages=min_messages, top_n=top_n)


def communication_tables(events: pd.DataFrame, *, statuses: StatusMeanings) -> CaseTables:
    """The per-case table of :func:`communication` for a set of whole cases: ``tickets`` (messages
    to and from the user, events and duration per ticket), not yet ranked."""
    _require_messages(statuses)
    ev = check_events(events, what="the communication question")
    act = ev[ACTIVITY]
    to_user = act.isin(optional_statuses(statuses, "message_to_user")).to_numpy()
    from_user = act.isin(optional_statuses(statuses, "message_from_user")).to_numpy()
    case = ev[CASE_ID].to_numpy()
    g = pd.DataFrame({CASE_ID: case, "to_user": to_user.astype("int64"), "from_user": from_user.astype("int64"),
                      "ts": ev["timestamp"]}).groupby(CASE_ID, sort=False)
    tickets = pd.DataFrame(
        {
            "messages": g["to_user"].sum() + g["from_user"].sum(),
            "to_user": g["to_user"].sum(),
            "from_user": g["from_user"].sum(),
            "events": g.size(),
            "duration_hours": (g["ts"].max() - g["ts"].min()).dt.total_seconds() / 3600,
        }
    ).rename_axis(CASE_ID).reset_index()
    return CaseTables(frames={"tickets": tickets})


def communication_from_tables(tables: CaseTables, *, min_messages: int | None = None, top_n: int = 20
                              ) -> QuestionResult:
    """Answer :func:`communication` from the per-case table of the whole log (see
    :func:`communication_tables`)."""
    _check_cut(min_messages, top_n)
    tickets = tables.frames["tickets"]
    tickets = tickets.sort_values(["messages", CASE_ID], ascending=[False, True], ignore_index=True)
    tickets.insert(1, "rank", tickets["messages"].rank(method="min", ascending=False).astype("int64"))

    if min_messages is not None:
        threshold = int(min_messages)
    else:
        cut = tickets["messages"].iloc[min(top_n, len(tickets)) - 1] if len(tickets) else 1
        threshold = max(int(cut), 1)
    heavy = tickets[tickets["messages"] >= threshold].reset_index(drop=True)
    with_msgs = tickets[tickets["messages"] > 0]
    per_ticket = tickets["messages"]
    rows = [
        ("tickets", len(tickets), "tickets"),
        ("messages", int(per_ticket.sum()), "messages"),
        ("tickets_with_messages", len(with_msgs), "tickets"),
        ("mean_messages_per_ticket", float(per_ticket.mean()) if len(tickets) else np.nan, "messages"),
        ("p90_messages_per_ticket", float(per_ticket.quantile(0.9)) if len(tickets) else np.nan, "messages"),
        ("heavy_threshold", threshold, "messages"),
        ("heavy_tickets", len(heavy), "tickets"),
        ("heavy_message_share", float(heavy["messages"].sum() / per_ticket.sum()) if per_ticket.sum() else
         np.nan, "share"),
    ]
    links = [case_links("heavy", heavy[CASE_ID]), case_links("with_messages", with_msgs[CASE_ID])]
    top = ", ".join(f"{r[CASE_ID]} ({r['messages']})" for _, r in heavy.head(5).iterrows())
    headline = (
        f"{len(heavy)} tickets have {threshold} or more messages between agent and user "
        f"({int(heavy['messages'].sum())} of {int(per_ticket.sum())} messages); most: {top or 'none'}."
    )
    return question_result("communication", _TITLE, headline, rows, heavy, links, extra={"tickets": tickets})


def _check_cut(min_messages: int | None, top_n: int) -> None:
    if min_messages is not None and min_messages < 1:
        raise ConfigError(f"min_messages must be at least 1, got {min_messages}")
    if top_n < 1:
        raise ConfigError(f"top_n must be at least 1, got {top_n}")


def _require_messages(statuses: StatusMeanings) -> None:
    if not statuses.message_to_user and not statuses.message_from_user:
        raise MissingStatusError(
            "the communication question needs 'statuses.message_to_user' and/or 'statuses.message_from_user' "
            "in the log config (which activity labels are mails to and from the user); both are empty, "
            "so this question cannot be answered for this log",
            key="message_to_user",
        )
