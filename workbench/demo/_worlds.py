"""Other worlds than the demo desk: team structures, sizes and loads the simulator was not tuned on.

:func:`hardened_world` draws, from a seed, a desk with another headcount per team
(e.g. 9/4/2/2/2/1), another volume, period, misrouting rate and work per team, and
with every unkind habit of real ticket systems switched on: pseudo-resources
``system`` and ``user``, a dispatcher logging ``"Tildelt <team>"`` under the
destination team, start events for only part of the work, short Fridays, Danish
public holidays and staff on leave (and, in the export, mixed ``+01:00``/``+02:00``
offsets: :func:`~workbench.demo.export_events`).

Work per team is set so that each team's expected utilisation lands on a target
drawn between ``utilisation`` bounds: queues form, as on a real desk, but no team is
overloaded, so one more agent or 20% more tickets has an effect a manager can see.

Examples
--------
>>> p = hardened_world(3)
>>> p.pseudo_resources, p.dispatcher, p.friday_end_hour
(True, True, 15.5)
>>> hardened_world(3) == p
True
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from workbench.demo._params import CATEGORIES, PARTNER_TEAMS, TEAMS, DemoParams
from workbench.errors import ConfigError

__all__ = ["STRUCTURES", "hardened_world", "team_utilisation"]

#: Headcounts per team (first line first, then the partner teams in ``PARTNER_TEAMS`` order).
STRUCTURES: tuple[tuple[int, ...], ...] = (
    (9, 4, 2, 2, 2, 1),
    (6, 3, 1, 2, 1, 1),
    (4, 2, 2, 1, 1, 1),
    (7, 2, 3, 1, 2, 1),
    (5, 4, 1, 2, 1, 2),
    (8, 3, 2, 2, 1, 1),
    (3, 2, 1, 1, 1, 1),
    (10, 5, 3, 2, 2, 2),
)
_SIZES = {"small": (90, 150), "medium": (150, 240), "large": (240, 365)}
_MAX_EFFORT = 8.0  # hours; a team with very few tickets gets lower utilisation rather than day-long work


def _working_hours_per_year(p: DemoParams) -> float:
    days = 52 * len(p.workdays) - 11  # about 11 public holidays fall on a weekday
    fridays = 52 - 2 if 4 in p.workdays else 0
    short = (p.work_end_hour - p.friday_end_hour) if p.friday_end_hour is not None else 0.0
    day = p.work_end_hour - p.work_start_hour
    leave = p.leave_weeks * len(p.workdays) * day
    return days * day - fridays * short - leave


def _team_shares(p: DemoParams) -> np.ndarray:
    """Expected share of tickets resolved by each team (first line first), department mix ignored."""
    cat = np.array([p.categories.get(c, 0.0) for c in CATEGORIES])
    cat = cat / cat.sum()
    partner = np.array(
        [sum(cat[i] * p.forward_share.get(c, {}).get(t, 0.0) for i, c in enumerate(CATEGORIES)) for t in PARTNER_TEAMS]
    )
    return np.r_[1.0 - partner.sum(), partner]


def team_utilisation(p: DemoParams) -> dict[str, float]:
    """Expected share of each team's working time spent on tickets (a first-order estimate).

    Counts main work, follow-ups, rework, triage and send-backs at the expected rates;
    ignores the department mix and seasonal changes in volume.
    """
    shares = _team_shares(p)
    hours = _working_hours_per_year(p)
    rounds = p.waiting_prob * (1 + p.extra_round_prob / (1 - p.extra_round_prob)) + p.chatty_prob * np.mean(
        p.chatty_rounds
    )
    forwarded = 1.0 - shares[0]
    out = {}
    for k, team in enumerate(TEAMS):
        load = shares[k] * (p.effort_hours[team] * (1 + p.real_reopen_rate * p.rework_factor) + rounds * p.followup_hours)
        if k == 0:
            load += forwarded * p.triage_hours * (1 + p.misrouting_rate) + shares[0] * p.first_line_misforward_rate * (
                p.triage_hours
            )
        else:
            load += (forwarded * p.misrouting_rate / len(PARTNER_TEAMS)) * p.sent_back_hours
        out[team] = float(p.yearly_volume * load / (p.staff[team] * hours))
    return out


def hardened_world(
    seed: int,
    *,
    size: str = "small",
    utilisation: tuple[float, float] = (0.45, 0.75),
    volume_headroom: float = 1.25,
) -> DemoParams:
    """A desk unlike the demo's, drawn from ``seed`` (same seed, same world).

    Parameters
    ----------
    seed : int
        Draws the team structure (:data:`STRUCTURES`), volume, period, misrouting and
        target utilisations. Generate its log with another (or the same) seed.
    size : {"small", "medium", "large"}
        Range of the observed period in days (90-150, 150-240, 240-365).
    utilisation : (float, float)
        Range of each team's target utilisation (work per team is set to reach it,
        up to 8 hours a ticket).
    volume_headroom : float
        ``volume_ceiling`` as a multiple of the volume, so a volume what-if up to that
        factor keeps every ticket of the world (see ``DemoParams.volume_ceiling``).

    Returns
    -------
    DemoParams
    """
    if size not in _SIZES:
        raise ConfigError(f"hardened_world: size must be one of {list(_SIZES)}, got {size!r}")
    lo_u, hi_u = utilisation
    if not 0 < lo_u <= hi_u < 1:
        raise ConfigError(f"hardened_world: utilisation needs 0 < low <= high < 1, got {utilisation}")
    if volume_headroom < 1:
        raise ConfigError(f"hardened_world: volume_headroom must be at least 1, got {volume_headroom}")
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(7,)))
    staff = STRUCTURES[int(rng.integers(len(STRUCTURES)))]
    lo_d, hi_d = _SIZES[size]
    days = int(rng.integers(lo_d, hi_d + 1))
    volume = float(np.round(rng.uniform(900.0, 1500.0) * staff[0], -1))  # tickets a year per first-line agent
    start = dt.date(2023, 1, 2) + dt.timedelta(weeks=int(rng.integers(0, 40)))
    p = DemoParams(
        start=start,
        days=days,
        runout_days=60,
        yearly_volume=volume,
        volume_ceiling=volume * volume_headroom,
        staff=dict(zip(TEAMS, staff, strict=True)),
        misrouting_rate=float(rng.uniform(0.08, 0.25)),
        effort_cv=float(rng.uniform(0.7, 1.2)),
        friday_end_hour=15.5,
        leave_weeks=float(rng.uniform(3.0, 6.0)),
        pseudo_resources=True,
        dispatcher=True,
        start_event_share=float(rng.uniform(0.2, 0.3)),
    )
    # work per team for its target utilisation: utilisation is linear in the main work
    targets = rng.uniform(lo_u, hi_u, len(TEAMS))
    unit = p.with_changes(effort_hours={t: 1.0 for t in TEAMS})
    zero = p.with_changes(effort_hours={t: 1e-9 for t in TEAMS})
    u1, u0 = team_utilisation(unit), team_utilisation(zero)
    effort = {}
    for k, team in enumerate(TEAMS):
        per_hour = u1[team] - u0[team]
        effort[team] = float(np.clip((targets[k] - u0[team]) / per_hour, 0.1, _MAX_EFFORT))
    return p.with_changes(effort_hours=effort)
