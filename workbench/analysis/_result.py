"""The result of one of the desk's questions: headline figures, a table, and the case ids behind them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from workbench.schema import CASE_ID

__all__ = ["QuestionResult", "CaseTables", "case_links", "combine_case_tables", "question_result"]

#: Columns of :attr:`QuestionResult.cases`.
CASE_LINK_COLUMNS = ("figure", "group", CASE_ID)


@dataclass(frozen=True)
class QuestionResult:
    """The answer to one question.

    Attributes
    ----------
    question : str
        Short machine name (``"team_speed"``, ``"routing"``, ``"reopens"``, ``"time_split"``,
        ``"communication"``); also the stem of the files the CLI writes.
    title : str
        The question in plain language.
    headline : str
        One or two sentences answering it, for the command line summary.
    summary : pandas.DataFrame
        Tidy headline figures: columns ``metric``, ``value``, ``unit``.
    table : pandas.DataFrame
        The main table (per team, per ticket, ...), tidy, one row per unit.
    cases : pandas.DataFrame
        The case ids behind every figure: columns ``figure``, ``group``, ``case_id``
        (``group`` is the team, pair or ``""`` for whole-log figures).
    extra : Mapping[str, pandas.DataFrame]
        Further named tables (e.g. per-ticket details, per-person output when asked for).
    notes : tuple of str
        How figures were defined for this log (e.g. a fallback definition).
    """

    question: str
    title: str
    headline: str
    summary: pd.DataFrame
    table: pd.DataFrame
    cases: pd.DataFrame
    extra: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def value(self, metric: str) -> float:
        """The value of one headline metric."""
        rows = self.summary.loc[self.summary["metric"] == metric, "value"]
        if rows.empty:
            raise KeyError(f"no metric {metric!r}; metrics: {self.summary['metric'].tolist()}")
        return rows.iloc[0]

    def case_ids(self, figure: str, group: str | None = None) -> list[str]:
        """The case ids behind ``figure`` (optionally for one ``group``), sorted."""
        mask = self.cases["figure"] == figure
        if group is not None:
            mask &= self.cases["group"] == group
        if not mask.any() and figure not in set(self.cases["figure"]):
            known = sorted(set(self.cases["figure"]))
            raise KeyError(f"no figure {figure!r}; figures with case ids: {known}")
        return sorted(self.cases.loc[mask, CASE_ID].unique().tolist())


def summary_frame(rows: Iterable[tuple[str, float, str]]) -> pd.DataFrame:
    """Build the tidy ``metric, value, unit`` summary."""
    return pd.DataFrame(list(rows), columns=["metric", "value", "unit"])


def case_links(figure: str, case_ids: Iterable[object] | pd.Series, group: pd.Series | str = "") -> pd.DataFrame:
    """Long table of ``figure, group, case_id`` rows."""
    ids = pd.Series(case_ids, dtype="object") if not isinstance(case_ids, pd.Series) else case_ids.astype("object")
    ids = ids.reset_index(drop=True)
    grp = group.astype("object").reset_index(drop=True) if isinstance(group, pd.Series) else group
    return pd.DataFrame({"figure": figure, "group": grp, CASE_ID: ids}, columns=list(CASE_LINK_COLUMNS))


def concat_links(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in CASE_LINK_COLUMNS})
    return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)


def percent(share: float) -> str:
    """A share as a headline percentage with one decimal, ``"n/a"`` when it is undefined."""
    return "n/a" if math.isnan(share) else f"{100 * share:.1f}%"


@dataclass(frozen=True)
class CaseTables:
    """The per-case tables one question builds from a case-complete set of events.

    Every row of every frame belongs to one case (a ticket, a visit, a resolution, ...),
    so the tables of case-disjoint chunks of a log, concatenated with
    :func:`combine_case_tables`, are the tables of the whole log; each question's summary,
    headline and main table are then built from them alone.

    Attributes
    ----------
    frames : Mapping[str, pandas.DataFrame]
        Named tables, each with a ``case_id`` column, in case order.
    counts : Mapping[str, int]
        Counts over cases (e.g. ``tickets``), summed when chunks are combined.
    """

    frames: Mapping[str, pd.DataFrame]
    counts: Mapping[str, int] = field(default_factory=dict)


def combine_case_tables(parts: Sequence[CaseTables]) -> CaseTables:
    """Concatenate the tables of case-disjoint chunks, in case order.

    Each frame is stably sorted by ``case_id``, so the rows of one case keep their order
    and the result does not depend on how the cases were split into chunks; one part
    alone gives its own tables (already in case order) with a fresh index.
    """
    if not parts:
        raise ValueError("no per-case tables to combine")
    frames: dict[str, pd.DataFrame] = {}
    for name in parts[0].frames:
        pieces = [p.frames[name] for p in parts]
        non_empty = [f for f in pieces if len(f)] or pieces[:1]
        frame = non_empty[0] if len(non_empty) == 1 else pd.concat(non_empty, ignore_index=True)
        frames[name] = frame.sort_values(CASE_ID, kind="stable", ignore_index=True)
    counts = {key: sum(int(p.counts[key]) for p in parts) for key in parts[0].counts}
    return CaseTables(frames=frames, counts=counts)


def question_result(
    question: str,
    title: str,
    headline: str,
    rows: Iterable[tuple[str, float, str]],
    table: pd.DataFrame,
    links: Iterable[pd.DataFrame],
    *,
    extra: Mapping[str, pd.DataFrame] | None = None,
    notes: tuple[str, ...] = (),
) -> QuestionResult:
    """Assemble a :class:`QuestionResult` from its headline, summary rows, table and case links."""
    return QuestionResult(question=question, title=title, headline=headline, summary=summary_frame(rows),
                          table=table, cases=concat_links(links), extra=dict(extra or {}), notes=notes)
