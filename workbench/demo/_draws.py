"""Arrivals and per-ticket draws, each from its own random stream.

Common random numbers: the streams are spawned from one :class:`numpy.random.SeedSequence`
by purpose (arrivals, attributes, routing, work, user behaviour, reopens), and every
per-ticket quantity is drawn up front as uniforms or standard normals and only then
transformed with the parameters. Two worlds that differ in one parameter (staff,
misrouting rate, effort, ...) therefore see the same tickets at the same times with
the same attributes and the same luck.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from workbench.demo._calendar import WorkCalendar
from workbench.demo._params import (
    CATEGORIES,
    CHANNELS,
    DEPARTMENTS,
    PARTNER_TEAMS,
    PRIORITIES,
    TEAMS,
    DemoParams,
)

__all__ = ["STREAMS", "TicketDraws", "draw_arrivals", "draw_tickets", "MAX_ROUNDS"]

#: Names of the independent random streams, in spawn order (never reorder: it changes every log).
STREAMS: tuple[str, ...] = ("arrivals", "attributes", "routing", "work", "user", "reopen")
#: Upper bound of waiting rounds per ticket (pre-drawn columns).
MAX_ROUNDS = 30


def _arrival_weights(params: DemoParams, origin: dt.datetime, n_hours: int, holidays: frozenset[dt.date]) -> np.ndarray:
    """Relative arrival intensity of each hour after ``origin`` (local-time pattern)."""
    utc = pd.date_range(origin.astimezone(dt.UTC), periods=n_hours, freq="h")
    local = utc.tz_convert(ZoneInfo(params.timezone))
    hour = local.hour.to_numpy()
    weekday = local.weekday.to_numpy()
    month = local.month.to_numpy()
    day = local.day.to_numpy()
    week = local.isocalendar().week.to_numpy().astype(int)
    w = np.asarray(params.hour_profile)[hour] * np.asarray(params.weekday_factors)[weekday]
    w = w * np.asarray(params.month_factors)[month - 1]
    w = np.where(np.isin(week, params.summer_weeks), w * params.summer_factor, w)
    xmas = ((month == 12) & (day >= 22)) | ((month == 1) & (day == 1))
    w = np.where(xmas, w * params.christmas_factor, w)
    dates = local.normalize().tz_localize(None).date
    is_holiday = np.fromiter((d in holidays for d in dates), dtype=bool, count=n_hours)
    return np.where(is_holiday, w * params.holiday_factor, w)


def draw_arrivals(
    params: DemoParams, origin: dt.datetime, holidays: frozenset[dt.date], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate arrival times (hours after ``origin``, sorted) and which of them are tickets.

    A non-homogeneous Poisson process by thinning: candidates arrive with a Poisson
    count per hour at the intensity of that local hour, scaled so that 365 days from
    ``start`` expect ``volume_ceiling`` candidates, at uniform times inside the hour;
    each is a ticket with probability ``yearly_volume / volume_ceiling``. A higher
    ``yearly_volume`` therefore keeps every ticket of a lower one and adds others.
    Covers the horizon plus the run-out.
    """
    n_hours = (params.days + params.runout_days) * 24 + 2  # +2: daylight-saving slack
    year_hours = 365 * 24
    weights = _arrival_weights(params, origin, max(n_hours, year_hours), holidays)
    scale = params.volume_ceiling / weights[:year_hours].sum()
    counts = rng.poisson(weights[:n_hours] * scale)
    hours = np.repeat(np.arange(n_hours, dtype=float), counts)
    times = hours + rng.random(hours.size)
    u_keep = rng.random(hours.size)
    order = np.argsort(times, kind="stable")
    return times[order], u_keep[order] < params.yearly_volume / params.volume_ceiling


@dataclass(frozen=True)
class TicketDraws:
    """Everything random about each ticket, already transformed with the parameters.

    Arrays have one row per ticket (arrival order). Durations are in working hours,
    user reply times in the users' working hours (or calendar hours when after hours).
    """

    department: np.ndarray  # index into DEPARTMENTS
    user: np.ndarray  # global user number
    category: np.ndarray  # index into CATEGORIES
    priority: np.ndarray  # index into PRIORITIES
    channel: np.ndarray  # index into CHANNELS
    registrar: np.ndarray  # index of the first-line agent who registers a phone ticket
    right_team: np.ndarray  # index into TEAMS (0 = first line)
    first_team: np.ndarray  # index into TEAMS: where first line first sends it (0 = keeps it)
    queue_rank: np.ndarray  # float: the priority used in queues (lower first)
    effort: np.ndarray  # main work at the resolving team
    triage: np.ndarray  # (n, 2) first-line work before each forward
    sent_back_effort: np.ndarray  # work of the wrong team before sending back
    n_rounds: np.ndarray  # waiting-on-user rounds
    info_mail: np.ndarray  # bool: an extra mail to the user while working
    reply: np.ndarray  # (n, MAX_ROUNDS) user reply times
    reply_after_hours: np.ndarray  # (n, MAX_ROUNDS) bool: the reply is written outside user hours
    followup: np.ndarray  # (n, MAX_ROUNDS) work after each reply
    reopen_kind: np.ndarray  # (n, max_reopens + 1): 0 none, 1 real, 2 harmless, per resolution
    reopen_frac: np.ndarray  # (n, max_reopens + 1) when in the auto-close window the reopen comes
    reopen_mail: np.ndarray  # (n, max_reopens + 1) bool: the real reopen comes with a mail
    rework: np.ndarray  # (n, max_reopens + 1) work after a real reopen
    close_effort: np.ndarray  # work to close a harmless reopen


def _lognormal(z: np.ndarray, mean: float | np.ndarray, cv: float, floor: float) -> np.ndarray:
    sigma2 = np.log1p(cv * cv)
    mu = np.log(mean) - sigma2 / 2.0
    return np.maximum(np.exp(mu + np.sqrt(sigma2) * z), floor)


def _pick(u: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Inverse-CDF choice: index of the share each uniform falls in."""
    cdf = np.cumsum(shares) / shares.sum()
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(shares) - 1)


def draw_tickets(
    params: DemoParams,
    candidates: np.ndarray,
    is_ticket: np.ndarray,
    calendar: WorkCalendar,
    rngs: dict[str, np.random.Generator],
) -> TicketDraws:
    """Pre-draw every per-ticket quantity (common random numbers across parameter changes).

    Draws are made for every arrival candidate (see :func:`draw_arrivals`) and then
    kept for the tickets, so a ticket's draws do not depend on how many others there are.
    """
    n = candidates.size
    arrivals = candidates
    p = params
    # --- raw draws, fixed shapes and order -------------------------------------------------
    u_attr = rngs["attributes"].random((n, 6))
    u_route = rngs["routing"].random((n, 4))
    r_work = rngs["work"]
    z_effort = r_work.standard_normal(n)
    z_triage = r_work.standard_normal((n, 2))
    z_sent_back = r_work.standard_normal(n)
    z_followup = r_work.standard_normal((n, MAX_ROUNDS))
    z_close = r_work.standard_normal(n)
    r_user = rngs["user"]
    u_rounds = r_user.random((n, 5))
    z_reply = r_user.standard_normal((n, MAX_ROUNDS))
    u_after = r_user.random((n, MAX_ROUNDS))
    k = p.max_reopens + 1
    r_reopen = rngs["reopen"]
    u_reopen = r_reopen.random((n, k, 3))
    z_rework = r_reopen.standard_normal((n, k))

    # --- attributes --------------------------------------------------------------------------
    dep_shares = np.array([p.departments.get(d, 0.0) for d in DEPARTMENTS])
    department = _pick(u_attr[:, 0], dep_shares)
    user = np.zeros(n, dtype=np.int64)
    category = np.zeros(n, dtype=np.int64)
    base_cat = np.array([p.categories.get(c, 0.0) for c in CATEGORIES])
    first_user = 1
    for d, name in enumerate(DEPARTMENTS):
        n_users = int(p.department_users.get(name, 0))
        mask = department == d
        if n_users > 0 and mask.any():
            activity = 1.0 / np.arange(1, n_users + 1) ** 0.7  # some employees raise many tickets
            user[mask] = first_user + _pick(u_attr[mask, 1], activity)
        first_user += max(n_users, 0)
        boost = p.department_category_boost.get(name, {})
        shares = base_cat * np.array([boost.get(c, 1.0) for c in CATEGORIES])
        if mask.any():
            category[mask] = _pick(u_attr[mask, 2], shares)
    priority = _pick(u_attr[:, 3], np.array([p.priorities.get(x, 0.0) for x in PRIORITIES]))
    in_hours = np.fromiter((calendar.is_open(t) for t in arrivals), dtype=bool, count=n)
    ch_open = np.array([p.channels.get(c, 0.0) for c in CHANNELS])
    ch_closed = ch_open.copy()
    ch_closed[CHANNELS.index("Telefon")] = 0.0
    if ch_closed.sum() <= 0:
        ch_closed[CHANNELS.index("Mail")] = 1.0
    channel = np.where(in_hours, _pick(u_attr[:, 4], ch_open), _pick(u_attr[:, 4], ch_closed))
    registrar = np.floor(u_attr[:, 5] * p.staff[TEAMS[0]]).astype(np.int64)

    # --- routing -----------------------------------------------------------------------------
    right_team = np.zeros(n, dtype=np.int64)
    for c, cat in enumerate(CATEGORIES):
        shares = p.forward_share.get(cat, {})
        mask = category == c
        if not shares or not mask.any():
            continue
        fwd = np.array([shares.get(t, 0.0) for t in PARTNER_TEAMS])
        cdf = np.cumsum(fwd)
        pick = np.searchsorted(cdf, u_route[mask, 0], side="right")  # == len: stays with first line
        right_team[mask] = np.where(pick < len(PARTNER_TEAMS), pick + 1, 0)
    dis = (
        department == DEPARTMENTS.index(p.disadvantaged_department)
        if p.disadvantaged_department is not None
        else np.zeros(n, dtype=bool)
    )
    factor = np.where(dis, 1.0 + p.disadvantage_strength, 1.0)
    mis_by_cat = np.array([p.misrouting_by_category.get(c, p.misrouting_rate) for c in CATEGORIES])
    rate = np.where(right_team > 0, mis_by_cat[category], p.first_line_misforward_rate) * factor
    misrouted = u_route[:, 1] < np.minimum(rate, 1.0)
    # a wrong partner: uniform among the partner teams other than the right one
    n_p = len(PARTNER_TEAMS)
    right_p = right_team - 1  # -1 for first-line tickets
    choices = np.where(right_p >= 0, n_p - 1, n_p)
    wrong = np.floor(u_route[:, 2] * choices).astype(np.int64)
    wrong = np.where((right_p >= 0) & (wrong >= right_p), wrong + 1, wrong)
    first_team = np.where(misrouted, wrong + 1, right_team)
    queue_rank = priority.astype(float) + np.where(dis, p.disadvantage_strength, 0.0)

    # --- work --------------------------------------------------------------------------------
    floor = p.min_effort_minutes / 60.0
    cv = p.effort_cv
    team_mean = np.array([p.effort_hours[t] for t in TEAMS])
    effort = _lognormal(z_effort, team_mean[right_team], cv, floor)
    triage = _lognormal(z_triage, p.triage_hours, cv, floor)
    sent_back_effort = _lognormal(z_sent_back, p.sent_back_hours, cv, floor)
    followup = _lognormal(z_followup, p.followup_hours, cv, floor)
    close_effort = _lognormal(z_close, p.close_hours, cv, floor)
    rework = _lognormal(z_rework, (team_mean[right_team] * p.rework_factor)[:, None], cv, floor)

    # --- the user ----------------------------------------------------------------------------
    waits = u_rounds[:, 0] < p.waiting_prob
    q = p.extra_round_prob
    extra = np.floor(np.log1p(-u_rounds[:, 1]) / np.log(q)).astype(np.int64) if q > 0 else np.zeros(n, np.int64)
    lo, hi = p.chatty_rounds
    chatty = u_rounds[:, 2] < p.chatty_prob
    chatty_extra = lo + np.floor(u_rounds[:, 3] * (hi - lo + 1)).astype(np.int64)
    n_rounds = np.where(waits, 1 + extra, 0) + np.where(chatty, chatty_extra, 0)
    n_rounds = np.minimum(n_rounds, MAX_ROUNDS)
    info_mail = u_rounds[:, 4] < p.info_mail_prob
    reply = p.user_reply_median_hours * np.exp(p.user_reply_sigma * z_reply)
    reply = np.maximum(reply, 5.0 / 60.0)
    reply_after_hours = u_after < p.user_after_hours_prob

    # --- reopens -----------------------------------------------------------------------------
    # A real reopen is likelier for some categories, after a hurried fix (the fastest third of
    # work), and when the user was never asked to confirm; these relative risks are normalised
    # to ``real_reopen_rate`` on average. Misrouting multiplies on top (a true what-if effect).
    cat_risk = np.array([p.reopen_category_risk.get(c, 1.0) for c in CATEGORIES])[category]
    quick = z_effort < np.quantile(z_effort, 1 / 3) if n else np.zeros(0, dtype=bool)
    static = cat_risk * np.where(quick, p.reopen_quick_fix_risk, 1.0) * np.where(
        n_rounds == 0, p.reopen_unconfirmed_risk, 1.0)
    real_rate = p.real_reopen_rate * static / (static.mean() if n else 1.0)
    real_rate = np.minimum(real_rate * np.where(misrouted, p.reopen_misrouted_risk, 1.0), 1.0 - p.harmless_reopen_rate)
    u = u_reopen[:, :, 0]
    real = real_rate[:, None]
    reopen_kind = np.where(u < real, 1, np.where(u < real + p.harmless_reopen_rate, 2, 0))
    reopen_kind[:, -1] = np.where(reopen_kind[:, -1] == 1, 0, reopen_kind[:, -1])  # at most max_reopens real
    reopen_frac = u_reopen[:, :, 1] ** 2  # users answer early in the auto-close window
    reopen_mail = u_reopen[:, :, 2] < p.reopen_mail_prob

    draws = TicketDraws(
        department=department,
        user=user,
        category=category,
        priority=priority,
        channel=channel,
        registrar=registrar,
        right_team=right_team,
        first_team=first_team,
        queue_rank=queue_rank,
        effort=effort,
        triage=triage,
        sent_back_effort=sent_back_effort,
        n_rounds=n_rounds,
        info_mail=info_mail,
        reply=reply,
        reply_after_hours=reply_after_hours,
        followup=followup,
        reopen_kind=reopen_kind,
        reopen_frac=reopen_frac,
        reopen_mail=reopen_mail,
        rework=rework,
        close_effort=close_effort,
    )
    return TicketDraws(**{f.name: getattr(draws, f.name)[is_ticket] for f in fields(TicketDraws)})
