"""Discover a :class:`SimulationModel` from a canonical event log.

>>> model = discover_model(loaded.events, config=loaded.config)   # doctest: +SKIP
>>> save_model(model, "model.yaml")                                 # doctest: +SKIP

What is learned, and how (each choice is recorded in the model's ``estimation`` notes):

- steps: activity @ team; in logs with "sent back" statuses, the steps of a team visit
  that ended in a send-back are a variant (``[sent back]``), so misrouting is explicit;
- work and waiting: see :mod:`workbench.simulation._estimation`;
- teams: headcount and absences from who does each team's work
  (:mod:`workbench.simulation._workers`); calendars: the hours of the week in which the
  team's workers record events (at least 10% of the busiest hour), in the log config's
  time zone (:mod:`workbench.simulation._calendar_fit`);
- durations: :func:`~workbench.simulation.distributions.fit_duration` per transition
  (delay, work), with the activity's pooled work time as fallback;
- routing and queue priority: :mod:`workbench.simulation._routing`;
- arrivals: :mod:`workbench.simulation._arrivals`; case mix: the joint empirical mix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from workbench.config import CalendarConfig, LogConfig, StatusMeanings
from workbench.errors import ConfigError, EventLogError
from workbench.schema import ACTIVITY, CASE_ID, TIMESTAMP
from workbench.simulation._arrivals import fit_arrivals
from workbench.simulation._calendar_fit import closed_days, infer_calendar, spec_of
from workbench.simulation._estimation import build_steps
from workbench.simulation._flow_fit import (
    case_attribute_columns,
    case_attribute_table,
    case_mix,
    find_open_cases,
    fit_activities,
    fit_transitions,
)
from workbench.simulation._routing import decisions_frame, fit_routing, infer_queue_priority
from workbench.simulation.model import (
    CalendarSpec,
    EstimationInfo,
    FitInfo,
    SimulationModel,
    StatusRoles,
    TeamSpec,
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
    unknown_staff: Literal["error", "ignore"] = "error",
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
    unknown_staff : {"error", "ignore"}
        A team in ``staff`` that does no work in ``events``: one clear error (a misspelt team
        in the log config), or left out (a bootstrap resample without that team's cases).
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
    attrs = case_attribute_columns(events, config, case_attributes, max_attribute_values)
    groups = tuple(
        group_attributes if group_attributes is not None else (config.group_attributes if config else ())
    )
    groups = tuple(g for g in groups if g in attrs)
    hard_wait = frozenset(statuses.waiting_on_user) | frozenset(statuses.resolved)
    user_wait = hard_wait | frozenset(statuses.message_to_user)
    tz = cal_cfg.timezone
    closed = closed_days(events, default_cal, non_staff=declared) if infer_calendars else ()
    holidays = tuple(sorted(set(default_cal.holidays) | set(closed)))
    default_cal = default_cal.model_copy(update={"holidays": holidays})
    infer = (
        (
            lambda frame, pool, origin: infer_calendar(
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
    if unknown and unknown_staff == "error":
        raise ConfigError(
            f"staff given for team '{unknown[0]}', which does not do any work in the log; "
            f"teams: {', '.join(repr(p) for p in steps.pools)}"
        )
    f = steps.frame
    case_attrs = case_attribute_table(events, attrs)
    away = steps.away or {}
    teams = {
        p: TeamSpec(
            staff=steps.staff[p],
            calendar=spec_of(steps.clocks[p]),
            note=steps.staff_note[p],
            away={str((steps.origin + pd.Timedelta(days=d)).date()): n for d, n in sorted(away.get(p, {}).items())},
            away_days=1,
        )
        for p in steps.pools
    }
    activities = fit_activities(f, user_wait, steps.mode, set(steps.pools))
    transitions = fit_transitions(f, steps.mode, min_support, max_visit)
    open_cases = find_open_cases(events, f, statuses, open_case_days)
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
            f"start times recorded for {steps.recorded_share:.0%} of events: used where a worker picks a case "
            "up and at the steps that mostly have them, estimated for the other events"
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
            + ("; recorded start times used where a worker picks a case up" if 0 < steps.recorded_share < 0.5 else ""),
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
        arrivals=fit_arrivals(
            pd.Series(arrivals), timezone=tz, holidays=holidays, public_holidays=default_cal.public_holidays
        ),
        case_mix=case_mix(case_attrs),
        group_attributes=groups,
        statuses=StatusRoles(
            assigned=tuple(statuses.assigned),
            forwarded=tuple(statuses.forwarded),
            sent_back=tuple(statuses.sent_back),
            waiting_on_user=tuple(sorted(user_wait)),
            resolved=tuple(statuses.resolved),
            first_line_team=statuses.first_line_team,
        ),
        default_calendar=spec_of(steps.default_clock),
        users_calendar=spec_of(steps.users_clock) if steps.users_clock is not None else None,
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


def _pseudonym(name: str, key: bytes) -> str:
    from workbench.privacy import pseudonymise_series

    return str(pseudonymise_series(pd.Series([name]), key, "staff").iloc[0])
