"""``generate_demo_log``: run the desk and turn its record into the source-style log and the truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from workbench.demo._calendar import WorkCalendar, danish_holidays
from workbench.demo._draws import STREAMS, TicketDraws, draw_arrivals, draw_tickets
from workbench.demo._engine import KIND_HARMLESS, KIND_REAL, EventRecord, run_desk
from workbench.demo._observe import add_start_events, draw_leave, relabel
from workbench.demo._params import CATEGORIES, CHANNELS, DEPARTMENTS, PRIORITIES, STATUSES, TEAMS, DemoParams
from workbench.errors import ConfigError

__all__ = ["DemoLog", "generate_demo_log", "EVENT_COLUMNS"]

#: Columns of :attr:`DemoLog.events`, in order.
EVENT_COLUMNS: tuple[str, ...] = (
    "ticket_id",
    "status",
    "timestamp",
    "agent",
    "team",
    "user_id",
    "department",
    "category",
    "priority",
    "channel",
)
_S = {name: code for code, name in enumerate(STATUSES)}
#: Random streams of the observation, spawned after the desk's (adding them changed no log).
_OBSERVATION_STREAMS: tuple[str, ...] = ("leave", "observation")
_CALENDAR_SLACK_DAYS = 1100  # the calendar outlives the slowest ticket


@dataclass(frozen=True, eq=False)
class DemoLog:
    """A generated demo log.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per status change or message, as the ticket system's database view
        exports it: ``ticket_id, status, timestamp (UTC), agent, team, user_id,
        department, category, priority, channel``; sorted by ticket and time.
    truth : pandas.DataFrame
        One row per ticket with the known answers (see :func:`generate_demo_log`).
    params : DemoParams
        The parameters the log was generated with.
    seed : int
        The seed it was generated with.
    """

    events: pd.DataFrame
    truth: pd.DataFrame
    params: DemoParams
    seed: int

    @property
    def horizon(self) -> pd.Timestamp:
        """The end of the observed period (UTC); later events are cut off (unless ``events_to_end``)."""
        zone = ZoneInfo(self.params.timezone)
        end = dt.datetime.combine(self.params.start + dt.timedelta(days=self.params.days), dt.time(0), tzinfo=zone)
        return pd.Timestamp(end).tz_convert("UTC")


def generate_demo_log(params: DemoParams | None = None, *, seed: int = 42, events_to_end: bool = False) -> DemoLog:
    """Generate the municipal IT-support demo log.

    Parameters
    ----------
    params : DemoParams, optional
        The desk's parameters; ``None`` uses the defaults (one year from 2023-01-02).
    seed : int
        Seed of the :class:`numpy.random.SeedSequence` from which one stream per
        purpose (arrivals, attributes, routing, work, user, reopen) is spawned.
    events_to_end : bool
        Keep the events of the observed tickets after the horizon too, to each
        ticket's end in the run-out, instead of cutting the log at the end of the
        period as a ticket system's export is cut. For truths the end of the period
        must not cut short (the waits of the period's last tickets, as a simulator
        that runs every case of its window to its end reports them). ``truth`` and the
        events up to the horizon are the same either way (with ``start_event_share``,
        which pieces of work carry a start event is drawn over more events).

    Returns
    -------
    DemoLog
        ``events`` (the log) and ``truth``: one row per ticket that arrived in the
        observed period, with ``ticket_id, user_id, department, category, priority,
        channel, disadvantaged, queue_rank, arrival, first_team, right_team,
        resolving_team, misrouted, effort_hours, n_forwards, n_sent_back, n_resolutions,
        n_real_reopens, n_harmless_reopens, n_mail_to_user, n_mail_from_user,
        n_messages, first_response_at, resolved_at, closed_at, is_open,
        hours_waiting_on_user, hours_with_first_line, hours_with_partners,
        hours_resolved_before_reopen, work_hours_waiting_on_user,
        work_hours_with_first_line, work_hours_with_partners,
        work_hours_resolved_before_reopen, queue_hours_first_line,
        queue_hours_partners, cycle_hours, final_resolved_at, final_closed_at,
        final_n_real_reopens, final_cycle_hours``.

        Counts and times without the ``final_`` prefix are what the log shows up
        to the horizon: a real reopen counts once it is resolved again, a harmless
        one once it is closed again; ``is_open`` means not closed. The four
        ``hours_*`` columns split the time from arrival to the last resolution (or
        to the horizon) in calendar hours: waiting on the user ("Waiting for user"
        to the user's reply), with first line, with partner teams (by the team
        holding the ticket), and resolved until a reopen; they add up to
        ``cycle_hours`` for resolved tickets. ``work_hours_*`` are the same in the
        desk's working hours (``work_start_hour`` to ``work_end_hour`` on working
        days, holidays excluded). ``queue_hours_*`` are the calendar
        hours between a ticket becoming ready and an agent taking it ("In
        progress"). ``final_*`` are the ticket's real future, simulated beyond the
        horizon (for scoring predictions on open tickets). ``effort_hours`` is the main
        work the ticket needs at its right team (drawn; follow-ups, rework and the work of a
        wrong team come on top).
    """
    if params is None:
        params = DemoParams()
    if not isinstance(params, DemoParams):
        raise ConfigError(f"generate_demo_log: params must be a DemoParams, got {type(params).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"generate_demo_log: seed must be a non-negative integer, got {seed!r}")
    if not isinstance(events_to_end, (bool, np.bool_)):
        raise ConfigError(f"generate_demo_log: events_to_end must be true or false, got {events_to_end!r}")
    zone = ZoneInfo(params.timezone)
    origin = dt.datetime.combine(params.start, dt.time(0), tzinfo=zone)
    n_days = params.days + params.runout_days + _CALENDAR_SLACK_DAYS
    years = range(params.start.year, (params.start + dt.timedelta(days=n_days)).year + 1)
    holidays = (
        danish_holidays(years)
        if params.holidays is None
        else frozenset(dt.date.fromisoformat(d) for d in params.holidays)
    )
    calendar = WorkCalendar(
        origin=origin,
        first_day=params.start,
        n_days=n_days,
        timezone=params.timezone,
        start_hour=params.work_start_hour,
        end_hour=params.work_end_hour,
        workdays=params.workdays,
        holidays=holidays,
        end_hours=None if params.friday_end_hour is None else {4: params.friday_end_hour},
    )
    user_calendar = WorkCalendar(
        origin=origin,
        first_day=params.start,
        n_days=n_days,
        timezone=params.timezone,
        start_hour=params.user_hours[0],
        end_hour=params.user_hours[1],
        workdays=params.workdays,
        holidays=holidays,
    )
    children = np.random.SeedSequence(int(seed)).spawn(len(STREAMS) + len(_OBSERVATION_STREAMS))
    rngs = {name: np.random.default_rng(child) for name, child in zip(STREAMS + _OBSERVATION_STREAMS, children, strict=True)}
    candidates, is_ticket = draw_arrivals(params, origin, holidays, rngs["arrivals"])
    draws = draw_tickets(params, candidates, is_ticket, calendar, rngs)
    arrivals = candidates[is_ticket]
    leave = draw_leave(params, origin, params.days + params.runout_days, rngs["leave"])
    record = run_desk(params, calendar, user_calendar, arrivals, draws, leave)
    end = dt.datetime.combine(params.start + dt.timedelta(days=params.days), dt.time(0), tzinfo=zone)
    horizon_s = round((end.astimezone(dt.UTC) - origin.astimezone(dt.UTC)).total_seconds())
    events, truth = _tables(params, origin, horizon_s, arrivals, draws, record, calendar, events_to_end)
    if params.start_event_share > 0:
        events = add_start_events(events, params.start_event_share, rngs["observation"])
    return DemoLog(events=events, truth=truth, params=params, seed=int(seed))


def _labels(names: Sequence[str | None]) -> np.ndarray:
    return np.array(names, dtype=object)


def _tables(
    params: DemoParams,
    origin: dt.datetime,
    horizon_s: int,
    arrivals: np.ndarray,
    draws: TicketDraws,
    record: EventRecord,
    calendar: WorkCalendar,
    events_to_end: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rec = record.arrays()
    order = np.argsort(rec["ticket"], kind="stable")  # per ticket the record is already chronological
    rec = {k: v[order] for k, v in rec.items()}
    ticket = rec["ticket"]
    # whole seconds, strictly increasing within a ticket
    sec = np.rint(rec["time"] * 3600.0).astype(np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(ticket)) + 1]
    pos = np.arange(ticket.size) - np.repeat(starts, np.diff(np.r_[starts, ticket.size]))
    sec = pd.Series(sec - pos).groupby(ticket).cummax().to_numpy() + pos
    origin_ns = pd.Timestamp(origin).tz_convert("UTC").value
    arrival_s = np.rint(arrivals * 3600.0).astype(np.int64)

    # ticket ids: year of arrival (local) and a running number within the year
    n_all = arrivals.size
    arrival_ts = pd.to_datetime(origin_ns + arrival_s * 1_000_000_000, utc=True)
    year = arrival_ts.tz_convert(params.timezone).year.to_numpy()
    counter = pd.Series(np.ones(n_all, dtype=np.int64)).groupby(year).cumsum().to_numpy()
    ids = np.array([f"T{y}-{c:06d}" for y, c in zip(year, counter, strict=True)], dtype=object)
    user_ids = np.array([f"user-{u:05d}" for u in draws.user], dtype=object)

    observed_ticket = arrival_s < horizon_s
    keep = observed_ticket[ticket] & (sec < horizon_s)  # what the log shows at the horizon: the truth's view
    shown = observed_ticket[ticket] if events_to_end else keep
    status = rec["status"]
    kind = rec["kind"]
    team = rec["team"]
    agent = rec["agent"]

    # ---- events -----------------------------------------------------------------------------
    k_ticket = ticket[shown]
    uniq_agents, agent_inv = np.unique(agent[shown], return_inverse=True)
    agent_labels = _labels([None if a < 0 else f"agent-{a:03d}" for a in uniq_agents])
    agent_col, status_col = agent_labels[agent_inv], _labels(STATUSES)[status[shown]]
    if params.pseudo_resources or params.dispatcher:
        agent_col, status_col = relabel(params, agent_col, status_col, status[shown], agent[shown], team[shown])
    events = pd.DataFrame(
        {
            "ticket_id": ids[k_ticket],
            "status": status_col,
            "timestamp": pd.to_datetime(origin_ns + sec[shown] * 1_000_000_000, utc=True).as_unit("ns"),
            "agent": agent_col,
            "team": _labels(TEAMS)[team[shown]],
            "user_id": user_ids[k_ticket],
            "department": _labels(DEPARTMENTS)[draws.department[k_ticket]],
            "category": _labels(CATEGORIES)[draws.category[k_ticket]],
            "priority": _labels(PRIORITIES)[draws.priority[k_ticket]],
            "channel": _labels(CHANNELS)[draws.channel[k_ticket]],
        }
    )

    # ---- truth ------------------------------------------------------------------------------
    n = int(observed_ticket.sum())  # observed tickets are the first n (arrival order)
    truth = _truth(n, ticket, status, kind, team, sec, keep, horizon_s, calendar)
    to_ts = lambda s: pd.to_datetime(origin_ns + s * 1_000_000_000, utc=True).as_unit("ns")  # noqa: E731

    def ts_or_nat(values: np.ndarray) -> pd.DatetimeIndex:
        out = to_ts(np.where(values >= 0, values, 0))
        return out.where(values >= 0)

    dis = (
        draws.department[:n] == DEPARTMENTS.index(params.disadvantaged_department)
        if params.disadvantaged_department is not None
        else np.zeros(n, dtype=bool)
    )
    table = pd.DataFrame(
        {
            "ticket_id": ids[:n],
            "user_id": user_ids[:n],
            "department": _labels(DEPARTMENTS)[draws.department[:n]],
            "category": _labels(CATEGORIES)[draws.category[:n]],
            "priority": _labels(PRIORITIES)[draws.priority[:n]],
            "channel": _labels(CHANNELS)[draws.channel[:n]],
            "disadvantaged": dis,
            "queue_rank": draws.queue_rank[:n],
            "arrival": to_ts(arrival_s[:n]),
            "first_team": _labels(TEAMS)[draws.first_team[:n]],
            "right_team": _labels(TEAMS)[draws.right_team[:n]],
            "resolving_team": _labels([*TEAMS, None])[truth.pop("resolving_team")],
            "misrouted": draws.first_team[:n] != draws.right_team[:n],
            "effort_hours": draws.effort[:n],
        }
    )
    for name in (
        "n_forwards",
        "n_sent_back",
        "n_resolutions",
        "n_real_reopens",
        "n_harmless_reopens",
        "n_mail_to_user",
        "n_mail_from_user",
    ):
        table[name] = truth[name]
    table["n_messages"] = truth["n_mail_to_user"] + truth["n_mail_from_user"]
    table["first_response_at"] = ts_or_nat(truth["first_response_s"])
    table["resolved_at"] = ts_or_nat(truth["resolved_s"])
    table["closed_at"] = ts_or_nat(truth["closed_s"])
    table["is_open"] = truth["closed_s"] < 0
    table["hours_waiting_on_user"] = truth["waiting_s"] / 3600.0
    table["hours_with_first_line"] = truth["first_line_s"] / 3600.0
    table["hours_with_partners"] = truth["partners_s"] / 3600.0
    table["hours_resolved_before_reopen"] = truth["resolved_gap_s"] / 3600.0
    table["work_hours_waiting_on_user"] = truth["waiting_wh"]
    table["work_hours_with_first_line"] = truth["first_line_wh"]
    table["work_hours_with_partners"] = truth["partners_wh"]
    table["work_hours_resolved_before_reopen"] = truth["resolved_gap_wh"]
    table["queue_hours_first_line"] = truth["queue_fl_s"] / 3600.0
    table["queue_hours_partners"] = truth["queue_partner_s"] / 3600.0
    table["cycle_hours"] = np.where(truth["resolved_s"] >= 0, (truth["resolved_s"] - arrival_s[:n]) / 3600.0, np.nan)
    table["final_resolved_at"] = ts_or_nat(truth["final_resolved_s"])
    table["final_closed_at"] = ts_or_nat(truth["final_closed_s"])
    table["final_n_real_reopens"] = truth["final_n_real_reopens"]
    table["final_cycle_hours"] = (truth["final_resolved_s"] - arrival_s[:n]) / 3600.0
    return events, table


def _per_ticket(n: int, ticket: np.ndarray, mask: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """Sum (or count) of ``values`` over the events in ``mask``, per ticket 0..n-1."""
    sel = mask & (ticket < n)
    weights = None if values is None else values[sel]
    return np.bincount(ticket[sel], weights=weights, minlength=n)[:n]


def _last(n: int, ticket: np.ndarray, mask: np.ndarray, sec: np.ndarray, *, first: bool = False) -> np.ndarray:
    """Time of the last (or first) event in ``mask`` per ticket; -1 where none."""
    out = np.full(n, -1, dtype=np.int64)
    sel = np.flatnonzero(mask & (ticket < n))
    if first:
        sel = sel[::-1]  # assignment keeps the last write, so reverse to keep the first
    out[ticket[sel]] = sec[sel]
    return out


def _truth(
    n: int,
    ticket: np.ndarray,
    status: np.ndarray,
    kind: np.ndarray,
    team: np.ndarray,
    sec: np.ndarray,
    keep: np.ndarray,
    horizon_s: int,
    calendar: WorkCalendar,
) -> dict[str, np.ndarray]:
    s = _S
    is_ = lambda name: status == s[name]  # noqa: E731
    out: dict[str, np.ndarray] = {}
    resolved = is_("Resolved with mail")
    out["n_forwards"] = _per_ticket(n, ticket, keep & is_("Forwarded")).astype(np.int64)
    out["n_sent_back"] = _per_ticket(n, ticket, keep & is_("Sent back")).astype(np.int64)
    out["n_resolutions"] = _per_ticket(n, ticket, keep & resolved).astype(np.int64)
    out["n_mail_to_user"] = _per_ticket(n, ticket, keep & is_("Mail to user")).astype(np.int64)
    out["n_mail_from_user"] = _per_ticket(n, ticket, keep & is_("Mail from user")).astype(np.int64)
    out["resolved_s"] = _last(n, ticket, keep & resolved, sec)
    out["closed_s"] = _last(n, ticket, keep & is_("Closed"), sec)
    out["first_response_s"] = _last(n, ticket, keep & is_("In progress"), sec, first=True)
    last_team = np.full(n, len(TEAMS), dtype=np.int64)
    sel = np.flatnonzero(keep & resolved & (ticket < n))
    last_team[ticket[sel]] = team[sel]
    out["resolving_team"] = last_team
    # a real reopen counts once the ticket is resolved again; a harmless one once it is closed
    reopen = is_("Reopened")
    t_ok = ticket < n
    real = keep & reopen & (kind == KIND_REAL) & t_ok
    safe_t = np.where(t_ok, ticket, 0)
    real &= sec < out["resolved_s"][safe_t]
    out["n_real_reopens"] = _per_ticket(n, ticket, real).astype(np.int64)
    harmless = keep & reopen & (kind == KIND_HARMLESS) & t_ok
    harmless &= out["closed_s"][safe_t] >= 0
    out["n_harmless_reopens"] = _per_ticket(n, ticket, harmless).astype(np.int64)
    # time with the user: each "Waiting for user" to the next "Mail from user" (or the horizon)
    prev_sec = np.r_[0, sec[:-1]]
    same = np.r_[False, ticket[1:] == ticket[:-1]]
    waiting = status == s["Waiting for user"]
    reply_idx = np.flatnonzero(waiting) + 1  # the user's reply always follows the wait directly
    reply_s = np.where(reply_idx < sec.size, sec[np.minimum(reply_idx, sec.size - 1)], horizon_s)
    reply_s = np.minimum(reply_s, horizon_s)
    w_mask = np.zeros(sec.size, dtype=bool)
    w_mask[np.flatnonzero(waiting)] = True
    w_values = np.zeros(sec.size)
    w_values[np.flatnonzero(waiting)] = reply_s - sec[waiting]
    out["waiting_s"] = _per_ticket(n, ticket, keep & w_mask, w_values)
    worked = calendar.worked_array(sec / 3600.0)  # working hours since the origin, per event
    w_values[np.flatnonzero(waiting)] = calendar.worked_array(reply_s / 3600.0) - worked[waiting]
    out["waiting_wh"] = _per_ticket(n, ticket, keep & w_mask, w_values)
    # queue time: "In progress" minus the event that made the ticket ready
    in_prog = keep & is_("In progress") & same
    q = (sec - prev_sec).astype(float)
    out["queue_fl_s"] = _per_ticket(n, ticket, in_prog & (team == 0), q)
    out["queue_partner_s"] = _per_ticket(n, ticket, in_prog & (team > 0), q)
    # where the ticket is, from arrival to its last resolution (or the horizon): with first line,
    # with partner teams, with the user, or resolved until a reopen
    has_next = np.r_[ticket[1:] == ticket[:-1], False]
    end_point = np.where(out["resolved_s"] >= 0, out["resolved_s"], horizon_s)[safe_t]
    seg_end = np.minimum(np.where(has_next, np.r_[sec[1:], 0], horizon_s), end_point)
    seg = np.maximum(seg_end - sec, 0).astype(float)
    counted = keep & t_ok
    seg_wh = np.where(seg > 0, calendar.worked_array(seg_end / 3600.0) - worked, 0.0)
    at_fl = counted & ~waiting & ~resolved & (team == 0)
    at_partner = counted & ~waiting & ~resolved & (team > 0)
    for name, mask in (("first_line", at_fl), ("partners", at_partner), ("resolved_gap", counted & resolved)):
        out[f"{name}_s"] = _per_ticket(n, ticket, mask, seg)
        out[f"{name}_wh"] = _per_ticket(n, ticket, mask, seg_wh)
    # the real future
    out["final_resolved_s"] = _last(n, ticket, resolved, sec)
    out["final_closed_s"] = _last(n, ticket, is_("Closed"), sec)
    out["final_n_real_reopens"] = _per_ticket(n, ticket, reopen & (kind == KIND_REAL)).astype(np.int64)
    return out
