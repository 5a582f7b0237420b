"""The outcome of an audit: the tidy table, notes on what was skipped, and the settings used."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.fairness.compare import COLUMNS, empty_table

__all__ = ["AuditResult", "combine_results"]


@dataclass(frozen=True)
class AuditResult:
    """What an audit found.

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy table (columns :data:`workbench.fairness.compare.COLUMNS`): one row
        per audit, attribute, group and metric, with the verdict in plain words.
    notes : tuple of str
        What was skipped or estimated, and why (e.g. "reopen rate skipped: ...").
    settings : mapping
        The settings used (shown in the HTML section and logged with the result).
    """

    table: pd.DataFrame = field(default_factory=empty_table)
    notes: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        """Whether any group is flagged on any metric."""
        return bool(len(self.table)) and bool(self.table["flagged"].astype(bool).any())

    @property
    def flagged_rows(self) -> pd.DataFrame:
        """The rows that are flagged."""
        return self.table[self.table["flagged"].astype(bool)].reset_index(drop=True)

    def verdicts(self, *, flagged_only: bool = False) -> list[str]:
        """The verdicts, in table order."""
        table = self.flagged_rows if flagged_only else self.table
        return [str(v) for v in table["verdict"]]

    def summary(self) -> str:
        """One line: how many groups were audited, flagged and suppressed, per audit kind."""
        if not len(self.table):
            return "nothing was audited"
        parts = []
        for audit, part in self.table.groupby("audit", sort=False):
            groups = part.drop_duplicates(["attribute", "group"])
            flagged = part[part["flagged"].astype(bool)].drop_duplicates(["attribute", "group"])
            suppressed = int(groups["suppressed"].astype(bool).sum())
            parts.append(
                f"{audit}: {len(flagged)} of {len(groups)} groups flagged"
                + (f", {suppressed} suppressed" if suppressed else "")
            )
        return "; ".join(parts)


def combine_results(*results: AuditResult) -> AuditResult:
    """One result holding the rows, notes and settings of several audits."""
    tables = [r.table for r in results if len(r.table)]
    table = pd.concat(tables, ignore_index=True)[list(COLUMNS)] if tables else empty_table()
    notes = tuple(n for r in results for n in r.notes)
    settings: dict[str, Any] = {}
    for r in results:
        settings.update(r.settings)
    return AuditResult(table=table, notes=notes, settings=settings)
