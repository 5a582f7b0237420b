"""Many desks at once: the same analysis per log, run as independent tasks, compared side by side.

Each desk (one log config per municipality or desk) is one task: the worker reads,
validates and cleans that desk's log, answers the desk's five questions and measures
cycle times and reopen rates, and returns **only aggregate figures** -- never an event,
a case id or a person identifier. So person identifiers are never merged across desks
(nor pseudonymised with a shared key: they never leave the task), and the comparison
is the same whichever executor ran the tasks.

A desk with fewer cases than its config's ``privacy.min_group_size`` is suppressed: it
is listed, but its figures are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from workbench.errors import ConfigError

if TYPE_CHECKING:
    from workbench.compute import Executor, Progress
    from workbench.config import LogConfig

__all__ = ["DeskComparison", "DeskFigures", "compare_desks", "desk_figures"]

_COLUMNS = ["desk", "question", "metric", "value", "unit"]


@dataclass(frozen=True)
class DeskFigures:
    """One desk's aggregate figures.

    Attributes
    ----------
    desk : str
        The log config's name.
    cases, events : int
        Size of the log after cleaning.
    figures : pandas.DataFrame
        Tidy: ``desk, question, metric, value, unit`` (``question`` ``"desk"`` for the
        desk-wide figures: cases, cycle time median and mean, reopen rate).
    unanswered : dict
        Question -> why it could not be answered on this log.
    """

    desk: str
    cases: int
    events: int
    figures: pd.DataFrame
    unanswered: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeskComparison:
    """The desks side by side.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per ``question, metric, unit``; one column per desk (suppressed desks left out).
    figures : pandas.DataFrame
        The same, tidy (``desk, question, metric, value, unit``).
    suppressed : tuple of str
        Desks with fewer cases than their minimum group size.
    unanswered : pandas.DataFrame
        ``desk, question, reason`` for questions a desk's log cannot answer.
    """

    table: pd.DataFrame
    figures: pd.DataFrame
    suppressed: tuple[str, ...]
    unanswered: pd.DataFrame


def desk_figures(config: LogConfig) -> DeskFigures:
    """Read one desk's log and compute its aggregate figures (a module-level task for any executor)."""
    from workbench.analysis import answer_questions
    from workbench.calendar import WorkingCalendar
    from workbench.io import load_log
    from workbench.schema import ACTIVITY, CASE_ID, TIMESTAMP

    # No identifier leaves this function, so none needs a pseudonym here.
    events = load_log(config, pseudonymise=False).events
    calendar = WorkingCalendar.from_config(config.calendar)
    answers = answer_questions(
        events,
        statuses=config.statuses,
        calendar=calendar,
        min_group_size=config.privacy.min_group_size,
    )
    span = events.groupby(CASE_ID, sort=False)[TIMESTAMP].agg(["min", "max"])
    cycle_h = (span["max"] - span["min"]).dt.total_seconds() / 3600.0
    rows = [
        (config.name, "desk", "cases", float(len(span)), "cases"),
        (config.name, "desk", "events", float(len(events)), "events"),
        (config.name, "desk", "cycle_time_median_h", float(cycle_h.median()), "hours"),
        (config.name, "desk", "cycle_time_mean_h", float(cycle_h.mean()), "hours"),
    ]
    reopened = config.statuses.reopened
    if reopened:
        cases_reopened = events.loc[events[ACTIVITY].isin(reopened), CASE_ID].nunique()
        rows.append((config.name, "desk", "reopen_rate", cases_reopened / max(len(span), 1), "share"))
    for result in answers:
        for _, r in result.summary.iterrows():
            value = pd.to_numeric(pd.Series([r["value"]]), errors="coerce").iloc[0]
            rows.append(
                (config.name, result.question, str(r["metric"]), float(value), str(r.get("unit", "")))
            )
    return DeskFigures(
        desk=config.name,
        cases=len(span),
        events=len(events),
        figures=pd.DataFrame(rows, columns=_COLUMNS),
        unanswered=dict(answers.unanswered),
    )


def compare_desks(
    configs: Sequence[LogConfig],
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> DeskComparison:
    """Run :func:`desk_figures` for every desk through ``executor`` and put the desks side by side.

    Parameters
    ----------
    configs : sequence of LogConfig
        One per desk; the names must differ (they head the columns).
    executor : Executor, optional
        Where the desks are analysed (default: in process). Every worker must be able to
        read every desk's source.
    progress : callable, optional
        ``progress(done, total)`` over the desks.
    """
    from workbench.compute import InProcessExecutor

    if not configs:
        raise ConfigError("name at least one log config to compare")
    names = [c.name for c in configs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"two log configs are both named '{twice[0]}'; give every desk its own name")
    results = (executor or InProcessExecutor()).map(desk_figures, [(c,) for c in configs], progress=progress)
    limits = {c.name: c.privacy.min_group_size for c in configs}
    suppressed = tuple(r.desk for r in results if r.cases < limits[r.desk])
    shown = [r.figures for r in results if r.desk not in suppressed]
    figures = pd.concat(shown, ignore_index=True) if shown else pd.DataFrame(columns=_COLUMNS)
    order = [n for n in names if n not in suppressed]
    table = figures.pivot_table(
        index=["question", "metric", "unit"], columns="desk", values="value", aggfunc="first", sort=False
    ).reindex(columns=order)
    table.columns.name = None
    unanswered = pd.DataFrame(
        [(r.desk, q, why) for r in results for q, why in r.unanswered.items()],
        columns=["desk", "question", "reason"],
    )
    return DeskComparison(
        table=table.reset_index(),
        figures=figures,
        suppressed=suppressed,
        unanswered=unanswered,
    )
