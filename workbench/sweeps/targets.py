"""Service targets: what a sweep point must achieve, e.g. ``resolved_within:2d>=0.9``.

A target is ``<measure><op><value>`` with ``op`` one of ``>=`` and ``<=``. The measure is

- ``resolved_within:<N>d`` (or ``<N>h``): the share of the measured cases (those that
  arrived after the warm-up) resolved within ``N`` working days (hours) of their
  arrival, counted on the desk's working calendar (the model's default calendar; a
  working day is its weekly hours divided by its working weekdays). A case still open
  when the run stops counts as not resolved; or
- any key figure of a replication (see :mod:`workbench.simulation.kpis`), e.g.
  ``cycle_time_p90_h<=40`` or ``team_wait_h:IT-infrastruktur<=8``.

:func:`measure_run` turns one simulated replication into the value of every measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from workbench.errors import ConfigError

if TYPE_CHECKING:
    from workbench.simulation.engine import SimulationRun
    from workbench.simulation.model import CalendarSpec, SimulationModel

__all__ = ["ServiceTarget", "hours_per_working_day", "measure_run", "parse_target", "resolved_within"]

_TARGET = re.compile(r"^\s*(?P<measure>[^<>=\s]+)\s*(?P<op>>=|<=)\s*(?P<value>[-+0-9.eE]+)\s*$")
_WITHIN = re.compile(r"^resolved_within:(?P<n>[0-9]*\.?[0-9]+)(?P<unit>[dh])$")
_FIXED_KPIS = (
    "cycle_time_h",
    "waiting_time_h",
    "waiting_on_user_h",
    "work_time_h",
    "cycle_time_median_h",
    "cycle_time_p90_h",
    "throughput_per_week",
    "backlog_mean",
    "backlog_end",
    "unfinished_cases",
)
_TEAM_KPIS = ("team_wait_h", "utilisation")


@dataclass(frozen=True)
class ServiceTarget:
    """A measure and the bound it must meet.

    Attributes
    ----------
    measure : str
        ``resolved_within:2d`` or a key figure such as ``cycle_time_p90_h``.
    op : {">=", "<="}
        Whether the measure must be at least or at most ``value``.
    value : float
        The bound.
    """

    measure: str
    op: Literal[">=", "<="]
    value: float

    def __str__(self) -> str:
        return f"{self.measure}{self.op}{self.value:g}"

    def met_by(self, x: float) -> bool:
        """Whether ``x`` meets the target (``NaN`` never does)."""
        if not np.isfinite(x):
            return False
        return x >= self.value if self.op == ">=" else x <= self.value


def parse_target(text: str) -> ServiceTarget:
    """Parse ``resolved_within:2d>=0.9`` (see the module docstring); bad text raises :class:`ConfigError`."""
    m = _TARGET.match(text)
    if m is None:
        raise ConfigError(
            f"target '{text}' is not <measure>>=<value> or <measure><=<value>; "
            "e.g. 'resolved_within:2d>=0.9' or 'cycle_time_p90_h<=40'"
        )
    measure, op = m["measure"], m["op"]
    try:
        value = float(m["value"])
    except ValueError:
        raise ConfigError(f"target '{text}': '{m['value']}' is not a number") from None
    if measure.startswith("resolved_within"):
        w = _WITHIN.match(measure)
        if w is None or float(w["n"]) <= 0:
            raise ConfigError(
                f"target '{text}': write the period as resolved_within:<N>d (working days) or <N>h "
                "(working hours) with N > 0, e.g. resolved_within:2d"
            )
        if not 0 <= value <= 1:
            raise ConfigError(f"target '{text}': a share must be between 0 and 1, got {value:g}")
    elif measure not in _FIXED_KPIS and measure.split(":", 1)[0] not in _TEAM_KPIS:
        raise ConfigError(
            f"target '{text}': unknown measure '{measure}'; use resolved_within:<N>d or one of "
            f"{', '.join(_FIXED_KPIS)}, team_wait_h:<team>, utilisation:<team>"
        )
    return ServiceTarget(measure=measure, op=op, value=value)  # type: ignore[arg-type]


def check_target(target: ServiceTarget, model: SimulationModel) -> None:
    """Check that a per-team measure names a team of ``model`` (raises :class:`ConfigError`)."""
    head, _, team = target.measure.partition(":")
    if head in _TEAM_KPIS and team not in model.teams:
        raise ConfigError(
            f"target '{target}': team '{team}' is not in the model; teams: {', '.join(sorted(model.teams))}"
        )


def hours_per_working_day(calendar: CalendarSpec) -> float:
    """Working hours in a working day: weekly hours over the weekdays that have any."""
    days = sum(1 for spans in calendar.weekly_intervals() if spans)
    return calendar.weekly_hours() / days if days else 24.0


def resolved_within(run: SimulationRun, calendar: CalendarSpec, hours: float) -> float:
    """Share of the measured cases resolved within ``hours`` working hours of arrival (NaN: no cases)."""
    from workbench.simulation import WorkClock

    c = run.cases
    w0 = (run.window_start - run.start).total_seconds()
    w1 = (run.window_end - run.start).total_seconds()
    inside = c[(c["arrival_s"] >= w0) & (c["arrival_s"] < w1)]
    if inside.empty:
        return float("nan")
    clock = WorkClock(calendar, run.start.to_pydatetime())
    finished = inside["finished"].to_numpy(dtype=bool)
    arrival = inside["arrival_s"].to_numpy(dtype=float)
    end = np.where(finished, inside["end_s"].to_numpy(dtype=float), arrival)
    worked = clock.worked_array(end) - clock.worked_array(arrival)
    return float((finished & (worked <= hours * 3600.0 + 1e-6)).sum() / len(inside))


def measure_run(run: SimulationRun, model: SimulationModel, measures: tuple[str, ...]) -> dict[str, float]:
    """The value of every key figure of ``run`` plus each ``resolved_within:...`` in ``measures``."""
    from workbench.simulation.kpis import run_kpis

    kpis, _ = run_kpis(run)
    values = {str(k): float(v) for k, v in zip(kpis["kpi"], kpis["value"], strict=True)}
    per_day = hours_per_working_day(model.default_calendar)
    for measure in measures:
        w = _WITHIN.match(measure)
        if w is not None:
            hours = float(w["n"]) * (per_day if w["unit"] == "d" else 1.0)
            values[measure] = resolved_within(run, model.default_calendar, hours)
        elif measure not in values:
            values[measure] = float("nan")
    return values
