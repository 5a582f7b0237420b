"""Discover a :class:`SimulationModel` from a canonical event log.

>>> model = discover_model(loaded.events, config=loaded.config)   # doctest: +SKIP
>>> save_model(model, "model.yaml")                                 # doctest: +SKIP

What is learned, and how (each choice is recorded in the model's ``estimation`` notes):

- steps: activity @ team; in logs with "sent back" statuses, the steps of a team visit
  that ended in a send-back are a variant (``[sent back]``), so misrouting is explicit;
- work and waiting: see :mod:`workbench.simulation._estimation`;
- teams: staff = median number of distinct workers active per week; calendars: the
  hours of the week in which the team's workers record events (at least 10% of the
  busiest hour), in the log config's time zone;
- durations: :func:`~workbench.simulation.distributions.fit_duration` per transition
  (delay, work), with the activity's pooled work time as fallback;
- routing and queue priority: :mod:`workbench.simulation._routing`;
- arrivals: :mod:`workbench.simulation._arrivals`; case mix: the joint empirical mix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench.config import CalendarConfig, LogConfig, StatusMeanings
from workbench.errors import ConfigError, EventLogError
from workbench.schema import ACTIVITY, CASE_ID, RESOURCE, TIMESTAMP
from workbench.simulation._arrivals import fit_arrivals
from workbench.simulation._estimation import build_steps
from workbench.simulation._routing import decisions_frame, fit_routing, infer_queue_priority
from workbench.simulation.distributions import Duration, fit_duration
from workbench.simulation.model import (
    WEEKDAYS,
    ActivitySpec,
    CalendarSpec,
    CaseMix,
    CaseProfile,
    EstimationInfo,
    FitInfo,
    SimulationModel,
    StatusRoles,
    TeamSpec,
    TransitionSpec,
    Weekday,
)

__all__ = ["discover_model"]

_METHODS = {
    "recorded": "start times recorded in the log (missing ones: the later of the case's and the worker's previous end)",
    "status": (
        "one timestamp per status change: a worker who records statuses in a row keeps the case (the time between "
        "is work); a step picked up by a new worker starts when recorded (the time before it is waiting)"
    ),
    "availability": (
        "no start times: a step starts when both the case and its worker are free (the later of the case's and "
        "the worker's previous end)"
    ),
}


def discover_model(
    events: pd.DataFrame,
    *,
    config: LogConfig | None = None,
    name: str | None = None,
    statuses: StatusMeanings | None = None,
    case_attributes: Sequence[str] | None = None,
    group_attributes: Sequence[str] | None = None,
    calendar: CalendarConfig | None = None,
    infer_calendars: bool = True,
    staff: Mapping[str, int] | None = None,
    non_staff: Sequence[str] | None = None,
    key: bytes | None = None,
    detect_non_staff: bool = True,
    min_support: int = 20,
    max_visit: int = 3,
    open_case_days: float = 30.0,
    max_attribute_values: int = 50,
) -> SimulationModel:
    """Learn a simulation model from a canonical event log.

    Parameters
    ----------
    events : pandas.DataFrame
        A canonical event log (see :mod:`workbench.schema`); it is not modified.
    config : LogConfig, optional
        Supplies ``statuses``, case/group attributes and the calendar unless given.
    name : str, optional
        Model name (default: the config's name, or ``"model"``).
    statuses : StatusMeanings, optional
        Which activities mean in progress, waiting on the user, sent back, ...
    case_attributes : sequence of str, optional
        Case attributes to draw new cases from (default: the config's case attributes,
        without person and staff columns); only attributes with at most
        ``max_attribute_values`` values are kept.
    group_attributes : sequence of str, optional
        Attributes that define user groups for per-group KPIs.
    calendar : CalendarConfig, optional
        Time zone, holidays and the fallback working calendar.
    infer_calendars : bool
        Infer each team's weekly working hours from the log (else use ``calendar``).
    staff : mapping of str to int, optional
        Override the inferred number of staff of some teams (default: the config's ``staff``).
    non_staff : sequence of str, optional
        Resources that are not people doing a team's work (default: the config's
        ``non_staff``); more are recognised by behaviour (see :mod:`._workers`).
    key : bytes, optional
        The pseudonymisation key of a pseudonymised log, so that the config's
        ``non_staff`` names (written in clear) match the log's pseudonyms.
    detect_non_staff : bool
        Recognise non-staff resources by behaviour (every team, impossible concurrency);
        hand-over events are always recognised.
    min_support : int
        Least observations for a specific routing rule or a per-transition duration.
    max_visit : int
        Routing tells apart the first ``max_visit - 1`` visits of a step from later ones.
    open_case_days : float
        With ``statuses.closed`` set, a case whose last event is not a closing status and
        lies within this many days of the log's end is open: its end is not a routing end.

    Returns
    -------
    SimulationModel
    """
    _check_events(events)
    if staff is None and config is not None and config.staff:
        staff = dict(config.staff)
    declared = set(non_staff if non_staff is not None else (config.non_staff if config else ()))
    if declared and key is not None:
        from workbench.privacy import pseudonymise_series

        declared |= set(pseudonymise_series(pd.Series(sorted(declared)), key, "staff").tolist())
    statuses = statuses or (config.statuses if config else StatusMeanings())
    cal_cfg = calendar or (config.calendar if config else CalendarConfig())
    default_cal = CalendarSpec.from_config(cal_cfg)
    name = name or (config.name if config else "model")
    attrs = _case_attribute_columns(events, config, case_attributes, max_attribute_values)
    groups = tuple(
        group_attributes if group_attributes is not None else (config.group_attributes if config else ())
    )
    groups = tuple(g for g in groups if g in attrs)
    hard_wait = frozenset(statuses.waiting_on_user) | frozenset(statuses.resolved)
    user_wait = hard_wait | frozenset(statuses.message_to_user)
    tz = cal_cfg.timezone
    closed = _closed_days(events, default_cal) if infer_calendars else ()
    holidays = tuple(sorted(set(default_cal.holidays) | set(closed)))
    default_cal = default_cal.model_copy(update={"holidays": holidays})
    infer = (
        (
            lambda frame, pool, origin: _infer_calendar(
                frame, pool, origin, tz, holidays, default_cal.public_holidays
            )
        )
        if infer_calendars
        else (lambda frame, pool, origin: None)
    )
    steps = build_steps(
        events,
        user_wait_statuses=hard_wait,
        message_statuses=frozenset(statuses.message_to_user),
        in_progress=frozenset(statuses.in_progress),
        sent_back=frozenset(statuses.sent_back),
        calendars=None,
        default_calendar=default_cal,
        infer_calendar=infer,
        staff_override=dict(staff or {}),
        non_staff=frozenset(declared),
        detect_non_staff=detect_non_staff,
    )
    unknown = sorted(set(staff or {}) - set(steps.pools))
    if unknown:
        raise ConfigError(
            f"staff given for team '{unknown[0]}', which does not do any work in the log; "
            f"teams: {', '.join(repr(p) for p in steps.pools)}"
        )
    f = steps.frame
    case_attrs = _case_attribute_table(events, attrs)
    away = steps.away or {}
    teams = {
        p: TeamSpec(
            staff=steps.staff[p],
            calendar=_spec_of(steps.clocks[p]),
            note=steps.staff_note[p],
            away={str((steps.origin + pd.Timedelta(days=d)).date()): n for d, n in sorted(away.get(p, {}).items())},
            away_days=1,
        )
        for p in steps.pools
    }
    activities = _activities(f, user_wait, steps.mode, set(steps.pools))
    transitions = _transitions(f, steps.mode, min_support, max_visit)
    open_cases = _open_cases(events, f, statuses, open_case_days)
    decisions = decisions_frame(f, case_attrs, open_cases, max_visit)
    routing, chosen = fit_routing(decisions, attributes=list(attrs), min_support=min_support)
    acq = f[f["uses"] & ~f["continues"] & (f["contention"] > 0)]
    qw = pd.DataFrame({"pool": acq["pool"].to_numpy(), "wait": acq["contention"].to_numpy()})
    for col in attrs:
        qw[col] = case_attrs[col].to_numpy()[acq["case"].to_numpy()]
    priority = infer_queue_priority(qw, list(attrs))
    first_start = f.groupby("case")["start"].min()
    arrivals = steps.origin + pd.to_timedelta(first_start.to_numpy(), unit="s")
    notes = [
        f"{len(steps.pools)} team(s) as capacity pools"
        + (
            ""
            if steps.team_mode
            else " (no team column: one pool per activity, staffed by the workers doing it)"
        ),
        (
            f"{int(f['continues'].sum())} steps carried on by the same worker; "
            f"{int((f['uses'] & ~f['continues']).sum())} picked up from a queue"
        ),
        "time after these statuses is waiting on the user: " + (", ".join(sorted(user_wait)) or "none"),
    ]
    if chosen:
        notes.append(
            "routing depends on case attributes at: " + "; ".join(f"{k} ({v})" for k, v in chosen.items())
        )
    if priority is not None:
        notes.append(f"queues ordered by '{priority.attribute}' (inferred from waiting times)")
    w = steps.workers
    if w is not None and w.handovers:
        notes.append(
            "hand-over events recorded by the sending team's worker (not counted as the receiving team's work): "
            + ", ".join(f"{t} {n}" for t, n in sorted(w.handovers.items()))
        )
    given = set(non_staff if non_staff is not None else (config.non_staff if config else ()))
    unmatched = sorted(r for r in given if r not in (w.non_staff if w is not None else {})
                       and not (key is not None and _pseudonym(r, key) in (w.non_staff if w is not None else {})))
    if unmatched:
        notes.append(
            "non_staff names not found among the log's resources: " + ", ".join(unmatched)
            + ("" if key is not None else " (in a pseudonymised log they match only with the pseudonymisation key)")
        )
    if 0 < steps.recorded_share < 0.5:
        notes.append(
            f"start times recorded for {steps.recorded_share:.0%} of events: used at the steps that mostly "
            "have them, estimated elsewhere"
        )
    n_open = int(open_cases.sum())
    if n_open:
        notes.append(
            f"{n_open} case(s) still open at the end of the log: their last step is not a routing end"
        )
    return SimulationModel(
        name=name,
        estimation=EstimationInfo(
            start_times="recorded"
            if steps.mode == "recorded"
            else ("partial" if steps.recorded_share > 0 else "estimated"),
            method=_METHODS[steps.mode]
            + ("; recorded start times used where present" if 0 < steps.recorded_share < 0.5 else ""),
            notes=tuple(notes),
        ),
        fitted_on=FitInfo(
            log=name,
            cases=int(f["case"].nunique()),
            events=len(f),
            first_arrival=str(arrivals.min()),
            last_event=str(events[TIMESTAMP].max()),
            days=round(float((events[TIMESTAMP].max() - arrivals.min()) / pd.Timedelta(days=1)), 2),
        ),
        arrivals=fit_arrivals(pd.Series(arrivals), timezone=tz),
        case_mix=_case_mix(case_attrs),
        group_attributes=groups,
        statuses=StatusRoles(
            assigned=tuple(statuses.assigned),
            forwarded=tuple(statuses.forwarded),
            sent_back=tuple(statuses.sent_back),
            waiting_on_user=tuple(sorted(user_wait)),
            resolved=tuple(statuses.resolved),
            first_line_team=statuses.first_line_team,
        ),
        default_calendar=_spec_of(steps.default_clock),
        teams=teams,
        activities=activities,
        transitions=tuple(transitions),
        routing=tuple(routing),
        queue_priority=priority,
        non_staff=dict(w.non_staff) if w is not None else {},
    )


def _check_events(events: pd.DataFrame) -> None:
    missing = [c for c in (CASE_ID, ACTIVITY, TIMESTAMP) if c not in events.columns]
    if missing:
        raise EventLogError(
            f"event log has no column '{missing[0]}'; load it with workbench.io.load_log (canonical schema)"
        )
    if events.empty:
        raise EventLogError("event log is empty: no events to learn a simulation model from")
    if events[TIMESTAMP].isna().any():
        raise EventLogError(
            f"column 'timestamp': {int(events[TIMESTAMP].isna().sum())} events have no timestamp; clean the log first"
        )


def _spec_of(clock) -> CalendarSpec:
    return clock._calendar


def _case_attribute_columns(events, config, explicit, max_values) -> tuple[str, ...]:
    if explicit is not None:
        cols = list(explicit)
        absent = [c for c in cols if c not in events.columns]
        if absent:
            raise EventLogError(
                f"case attribute '{absent[0]}' is not a column of the event log; columns: {list(events.columns)}"
            )
    elif config is not None:
        skip = set(config.person_columns) | set(config.staff_attributes)
        cols = [c for c in config.case_attributes if c not in skip and c in events.columns]
    else:
        cols = []
    keep = []
    for c in cols:
        per_case = events.groupby(CASE_ID, sort=False)[c].first()
        if per_case.nunique() <= max_values:
            keep.append(c)
    return tuple(keep)


def _case_attribute_table(events: pd.DataFrame, attrs: Sequence[str]) -> pd.DataFrame:
    """Case attributes in the order of the steps' case codes (factorised case ids, sorted)."""
    ordered = events.sort_values([CASE_ID, TIMESTAMP], kind="stable")
    codes = pd.factorize(ordered[CASE_ID])[0]
    out = pd.DataFrame(index=pd.RangeIndex(codes.max() + 1 if len(codes) else 0))
    for c in attrs:
        first = ordered.groupby(codes, sort=True)[c].first()
        out[c] = first.astype("string").to_numpy()
    return out


def _case_mix(case_attrs: pd.DataFrame) -> CaseMix:
    if case_attrs.shape[1] == 0:
        return CaseMix()
    filled = case_attrs.fillna("(missing)")
    counts = filled.value_counts(sort=True)
    total = counts.sum()
    profiles = tuple(
        CaseProfile(
            values=dict(
                zip(
                    filled.columns, (str(v) for v in (key if isinstance(key, tuple) else (key,))), strict=True
                )
            ),
            weight=round(float(n / total), 8),
        )
        for key, n in counts.items()
    )
    return CaseMix(attributes=tuple(case_attrs.columns), profiles=profiles)


def _activities(
    f: pd.DataFrame, user_wait: frozenset[str], mode: str, pools: set[str]
) -> dict[str, ActivitySpec]:
    out = {}
    for node, g in f.groupby("node", sort=False):
        uses = bool(g["uses"].iloc[0])
        pool = g["pool"].iloc[0]
        work = fit_duration(g["work"].to_numpy()) if uses or mode == "recorded" else None
        out[str(node)] = ActivitySpec(
            activity=str(g["activity"].iloc[0]),
            team=str(pool) if pool is not None and not pd.isna(pool) and str(pool) in pools else None,
            uses_staff=uses,
            work=work,
            user_wait_after=str(g["activity"].iloc[0]) in user_wait,
            count=len(g),
        )
    return out


def _transitions(f: pd.DataFrame, mode: str, min_support: int, max_visit: int) -> list[TransitionSpec]:
    out = []
    visit = np.minimum(f.groupby(["case", "node"]).cumcount().to_numpy() + 1, max_visit)
    f = f.assign(visit=visit)
    g_all = f[~f["first"]]
    for (src, tgt), g in g_all.groupby(["prev_node", "node"], sort=False):
        same = bool(g["continues"].mean() >= 0.5) and bool(g["uses"].iloc[0])
        waits = g[~g["continues"]]
        delay, clock = _fit_delay(waits)
        work = None
        if bool(g["uses"].iloc[0]):
            kind = g[g["continues"] == same]
            if len(kind) >= min(min_support, 10):
                work = fit_duration(kind["work"].to_numpy())
        if delay is None and work is None and not same:
            continue
        base = TransitionSpec(
            source=str(src),
            target=str(tgt),
            delay=delay,
            clock=clock,
            same_worker=same,
            work=work,
            count=len(g),
        )
        out.append(base)
        if delay is None or waits["visit"].nunique() < 2:
            continue
        # the delay before a repeated step often depends on how many times it was done already: when
        # it does, every visit level is kept (the highest one stands for "that visit or later")
        column = "delay_" + ("work" if clock == "working" else "cal")
        overall = float(waits[column].mean())
        levels = []
        for v in range(1, max_visit + 1):
            gv = waits[waits["visit"] == v]
            if len(gv) < min_support:
                break
            levels.append((v, gv))
        differs = any(
            overall > 0 and abs(float(gv[column].mean()) - overall) / overall > 0.1 for _, gv in levels
        )
        if differs and len(levels) > 1:
            for v, gv in levels:
                d_v, _ = _fit_delay(gv, clock=clock)
                out.append(base.model_copy(update={"visit": int(v), "delay": d_v, "count": len(gv)}))
    return out


def _fit_delay(waits: pd.DataFrame, clock: str | None = None) -> tuple[Duration | None, Literal["working", "calendar"]]:
    """The delay of a transition, on the clock that describes it more tightly (lower CV)."""
    if waits.empty:
        return None, "working"
    fixed = clock or waits["clock_fixed"].mode().iloc[0]
    cal = waits["delay_cal"].to_numpy()
    work = waits["delay_work"].to_numpy()
    if fixed == "working":
        chosen, clock = work, "working"
    elif fixed == "calendar":
        chosen, clock = cal, "calendar"
    else:
        cv_cal = cal.std() / cal.mean() if cal.mean() > 0 else np.inf
        cv_work = work.std() / work.mean() if work.mean() > 0 else np.inf
        chosen, clock = (work, "working") if cv_work < cv_cal else (cal, "calendar")
    which: Literal["working", "calendar"] = "working" if clock == "working" else "calendar"
    if chosen.mean() <= 1.0:
        return None, which
    return fit_duration(chosen), which


def _open_cases(events: pd.DataFrame, f: pd.DataFrame, statuses: StatusMeanings, days: float) -> np.ndarray:
    n = int(f["case"].max()) + 1 if len(f) else 0
    if not statuses.closed:
        return np.zeros(n, dtype=bool)
    last = f.groupby("case").tail(1)
    log_end = f["end"].max()
    is_open = ~last["activity"].isin(statuses.closed).to_numpy() & (
        last["end"].to_numpy() >= log_end - days * 86400.0
    )
    out = np.zeros(n, dtype=bool)
    out[last["case"].to_numpy()] = is_open
    return out


def _closed_days(events: pd.DataFrame, calendar: CalendarSpec, min_per_day: float = 5.0) -> tuple[str, ...]:
    """Working weekdays on which nobody recorded anything while the desk was busy around them (holidays)."""
    if RESOURCE not in events or events[RESOURCE].isna().all():
        return ()
    t = events.loc[events[RESOURCE].notna(), TIMESTAMP]
    days = t.dt.tz_convert(calendar.timezone).dt.date
    counts = days.value_counts()
    all_days = pd.date_range(min(counts.index), max(counts.index), freq="D")
    per_day = counts.reindex([d.date() for d in all_days], fill_value=0)
    working = [bool(calendar.hours.get(WEEKDAYS[d.weekday()])) for d in per_day.index]
    series = pd.Series(per_day.to_numpy(dtype=float), index=per_day.index)
    work_mask = pd.Series(working, index=per_day.index)
    level = series.where(work_mask).rolling(29, center=True, min_periods=5).mean()
    closed = series.eq(0) & work_mask & level.ge(min_per_day)
    return tuple(str(d) for d in series.index[closed.to_numpy()])


def _infer_calendar(
    frame, pool, origin, tz: str, holidays: tuple[str, ...], country: str | None = None
) -> CalendarSpec | None:
    """Weekly working hours of a team: the local hours in which its workers record events."""
    m = frame["has_res"].to_numpy()
    if pool is not None:
        m = m & (frame["pool"].to_numpy() == pool)
    if m.sum() < 200:
        return None
    ends = frame["end"].to_numpy()[m]
    starts = frame["rec_start"].to_numpy()[m]
    t = np.r_[ends, starts[np.isfinite(starts)]]
    local = (origin + pd.to_timedelta(t, unit="s")).tz_convert(tz)
    how = (local.dayofweek * 24 + local.hour).to_numpy()
    counts = np.bincount(how, minlength=168)
    # A cell (weekday, hour) is working when it has at least 10% of the busiest cell's events, or
    # when its weekday is a working day and its hour is a working hour of the team's pooled
    # hour-of-day profile: pooling over the week keeps a small team's quiet last hour from
    # falling out by chance, and the per-cell rule keeps day-specific hours (a Saturday shift).
    by_day = counts.reshape(7, 24)
    day_total, hour_total = by_day.sum(axis=1), by_day.sum(axis=0)
    working_day = day_total >= 0.1 * day_total.max()
    working_hour = hour_total >= 0.1 * hour_total.max()
    working = (counts >= 0.1 * counts.max()) | np.outer(working_day, working_hour).ravel()
    hours: dict[Weekday, tuple[tuple[float, float], ...]] = {}
    for d, day in enumerate(WEEKDAYS):
        spans = []
        h = 0
        while h < 24:
            if working[d * 24 + h]:
                s = h
                while h < 24 and working[d * 24 + h]:
                    h += 1
                spans.append((float(s), float(h)))
            h += 1
        if spans:
            hours[day] = tuple(spans)
    if not hours:
        return None
    return CalendarSpec(timezone=tz, hours=hours, holidays=holidays, public_holidays=country)


def _pseudonym(name: str, key: bytes) -> str:
    from workbench.privacy import pseudonymise_series

    return str(pseudonymise_series(pd.Series([name]), key, "staff").iloc[0])
