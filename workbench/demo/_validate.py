"""Validation of :class:`~workbench.demo.DemoParams`: one clear error per bad value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench.demo._vocabulary import CATEGORIES, CHANNELS, DEPARTMENTS, PARTNER_TEAMS, PRIORITIES, TEAMS
from workbench.errors import ConfigError

if TYPE_CHECKING:
    from workbench.demo._params import DemoParams

__all__ = ["validate_params"]


def _check_keys(name: str, mapping: Mapping[str, Any], allowed: tuple[str, ...], *, complete: bool) -> None:
    unknown = [k for k in mapping if k not in allowed]
    if unknown:
        raise ConfigError(
            f"DemoParams.{name}: {unknown[0]!r} is not one of the demo desk's names; use one of {list(allowed)}"
        )
    if complete:
        missing = [k for k in allowed if k not in mapping]
        if missing:
            raise ConfigError(f"DemoParams.{name}: {missing[0]!r} is missing; give a value for each of {list(allowed)}")


def _check_prob(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"DemoParams.{name}: must be a probability between 0 and 1, got {value}")


def _check_shares(name: str, mapping: Mapping[str, float]) -> None:
    if any(v < 0 for v in mapping.values()) or sum(mapping.values()) <= 0:
        raise ConfigError(f"DemoParams.{name}: shares must be non-negative with a positive sum, got {dict(mapping)}")


def validate_params(p: DemoParams) -> None:
    """Raise :class:`~workbench.errors.ConfigError` naming the first invalid parameter."""
    if not isinstance(p.start, dt.date):
        raise ConfigError(f"DemoParams.start: must be a datetime.date, got {p.start!r}")
    if p.days < 1:
        raise ConfigError(f"DemoParams.days: must be at least 1, got {p.days}")
    if p.runout_days < 0:
        raise ConfigError(f"DemoParams.runout_days: must be 0 or more, got {p.runout_days}")
    if p.yearly_volume < 0:
        raise ConfigError(f"DemoParams.yearly_volume: must be 0 or more, got {p.yearly_volume}")
    if p.yearly_volume > p.volume_ceiling:
        raise ConfigError(
            f"DemoParams.yearly_volume: {p.yearly_volume} is above volume_ceiling ({p.volume_ceiling}); "
            "raise volume_ceiling (this changes the random arrivals)"
        )
    for name, length in (("weekday_factors", 7), ("hour_profile", 24), ("month_factors", 12)):
        values = getattr(p, name)
        if len(values) != length or any(v < 0 for v in values):
            raise ConfigError(f"DemoParams.{name}: needs {length} non-negative numbers, got {list(values)}")
    if not 0 <= p.work_start_hour < p.work_end_hour <= 24:
        raise ConfigError(
            f"DemoParams.work_start_hour/work_end_hour: need 0 <= start < end <= 24, "
            f"got {p.work_start_hour} and {p.work_end_hour}"
        )
    if len(p.user_hours) != 2 or not 0 <= p.user_hours[0] < p.user_hours[1] <= 24:
        raise ConfigError(f"DemoParams.user_hours: need (start, end) with 0 <= start < end <= 24, got {p.user_hours}")
    if not p.workdays or any(d not in range(7) for d in p.workdays):
        raise ConfigError(f"DemoParams.workdays: need weekday numbers 0 (Monday) to 6, got {list(p.workdays)}")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(p.timezone)
    except Exception:
        raise ConfigError(f"DemoParams.timezone: unknown time zone {p.timezone!r}; use e.g. 'Europe/Copenhagen'") from None
    if p.holidays is not None:
        for d in p.holidays:
            try:
                dt.date.fromisoformat(d)
            except ValueError:
                raise ConfigError(f"DemoParams.holidays: {d!r} is not an ISO date (YYYY-MM-DD)") from None
    _check_keys("departments", p.departments, DEPARTMENTS, complete=False)
    _check_shares("departments", p.departments)
    _check_keys("department_users", p.department_users, DEPARTMENTS, complete=False)
    for dep in p.departments:
        if p.departments[dep] > 0 and p.department_users.get(dep, 0) < 1:
            raise ConfigError(f"DemoParams.department_users: department {dep!r} needs at least 1 user")
    _check_keys("categories", p.categories, CATEGORIES, complete=False)
    _check_shares("categories", p.categories)
    _check_keys("department_category_boost", p.department_category_boost, DEPARTMENTS, complete=False)
    for dep, boost in p.department_category_boost.items():
        _check_keys(f"department_category_boost[{dep!r}]", boost, CATEGORIES, complete=False)
    _check_keys("priorities", p.priorities, PRIORITIES, complete=False)
    _check_shares("priorities", p.priorities)
    _check_keys("channels", p.channels, CHANNELS, complete=False)
    _check_shares("channels", p.channels)
    _check_keys("staff", p.staff, TEAMS, complete=True)
    for team, n in p.staff.items():
        if int(n) != n or n < 1:
            raise ConfigError(f"DemoParams.staff: team {team!r} needs a whole number of agents >= 1, got {n}")
    _check_keys("forward_share", p.forward_share, CATEGORIES, complete=False)
    for cat, shares in p.forward_share.items():
        _check_keys(f"forward_share[{cat!r}]", shares, PARTNER_TEAMS, complete=False)
        if any(v < 0 for v in shares.values()) or sum(shares.values()) > 1:
            raise ConfigError(
                f"DemoParams.forward_share[{cat!r}]: shares must be non-negative and sum to at most 1, got {dict(shares)}"
            )
    _check_keys("misrouting_by_category", p.misrouting_by_category, CATEGORIES, complete=False)
    for cat, rate in p.misrouting_by_category.items():
        _check_prob(f"misrouting_by_category[{cat!r}]", rate)
    _check_keys("effort_hours", p.effort_hours, TEAMS, complete=True)
    for name in ("effort_cv", "triage_hours", "sent_back_hours", "followup_hours", "close_hours", "rework_factor",
                 "min_effort_minutes", "user_reply_median_hours", "user_reply_sigma", "auto_close_working_days",
                 "disadvantage_strength"):  # fmt: skip
        if getattr(p, name) < 0:
            raise ConfigError(f"DemoParams.{name}: must be 0 or more, got {getattr(p, name)}")
    if any(v <= 0 for v in p.effort_hours.values()):
        raise ConfigError(f"DemoParams.effort_hours: every team's mean must be positive, got {dict(p.effort_hours)}")
    for name in ("misrouting_rate", "first_line_misforward_rate", "waiting_prob", "extra_round_prob", "chatty_prob",
                 "info_mail_prob", "reopen_mail_prob", "user_after_hours_prob"):  # fmt: skip
        _check_prob(name, getattr(p, name))
    if p.extra_round_prob >= 1:
        raise ConfigError(f"DemoParams.extra_round_prob: must be below 1, got {p.extra_round_prob}")
    if p.real_reopen_rate < 0 or p.harmless_reopen_rate < 0 or p.real_reopen_rate + p.harmless_reopen_rate > 1:
        raise ConfigError(
            "DemoParams.real_reopen_rate + harmless_reopen_rate: must be non-negative and sum to at most 1, "
            f"got {p.real_reopen_rate} and {p.harmless_reopen_rate}"
        )
    lo, hi = p.chatty_rounds if len(p.chatty_rounds) == 2 else (-1, -1)
    if not 0 <= lo <= hi:
        raise ConfigError(f"DemoParams.chatty_rounds: need (low, high) with 0 <= low <= high, got {p.chatty_rounds}")
    if p.max_reopens < 0:
        raise ConfigError(f"DemoParams.max_reopens: must be 0 or more, got {p.max_reopens}")
    if p.disadvantaged_department is not None and p.disadvantaged_department not in DEPARTMENTS:
        raise ConfigError(
            f"DemoParams.disadvantaged_department: {p.disadvantaged_department!r} is not a department; "
            f"use one of {list(DEPARTMENTS)} or None"
        )
    if p.friday_end_hour is not None and not p.work_start_hour < p.friday_end_hour <= 24:
        raise ConfigError(
            f"DemoParams.friday_end_hour: must be after work_start_hour ({p.work_start_hour}) and at most 24, "
            f"got {p.friday_end_hour}"
        )
    if not 0 <= p.leave_weeks <= 26:
        raise ConfigError(f"DemoParams.leave_weeks: must be between 0 and 26 weeks a year, got {p.leave_weeks}")
    _check_prob("start_event_share", p.start_event_share)
