"""The data-quality report: what was found in the log, and what was fixed, dropped or only flagged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

__all__ = ["Finding", "DataQualityReport"]

Action = Literal["fixed", "dropped", "flagged", "info"]


@dataclass(frozen=True)
class Finding:
    """One data-quality check's outcome.

    ``count`` is how many rows (events) or cases it concerns (``unit``); ``action``
    says what cleaning did about it.
    """

    check: str
    count: int
    unit: Literal["events", "cases", "values"]
    action: Action
    detail: str = ""


@dataclass(frozen=True)
class DataQualityReport:
    """Counts before and after cleaning, and every finding, in the order the checks ran."""

    source: str
    events_read: int
    events_kept: int
    cases_kept: int
    activities: int
    first_event: pd.Timestamp | None
    last_event: pd.Timestamp | None
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def problems(self) -> tuple[Finding, ...]:
        """Findings with a non-zero count other than plain information."""
        return tuple(f for f in self.findings if f.count and f.action != "info")

    def to_frame(self) -> pd.DataFrame:
        """A tidy table: one row per check."""
        return pd.DataFrame(
            [(f.check, f.count, f.unit, f.action, f.detail) for f in self.findings],
            columns=["check", "count", "unit", "action", "detail"],
        )

    def to_text(self) -> str:
        """A plain-language summary for the terminal."""
        span = ""
        if self.first_event is not None and self.last_event is not None:
            span = f", {self.first_event:%Y-%m-%d} to {self.last_event:%Y-%m-%d} (UTC)"
        lines = [
            f"Data quality of {self.source}",
            f"  {self.events_read:,} events read; {self.events_kept:,} events in {self.cases_kept:,} cases kept, "
            f"{self.activities:,} activities{span}",
        ]
        problems = self.problems
        if not problems:
            lines.append("  No problems found.")
        for f in self.findings:
            if f.action == "info" or not f.count:
                continue
            lines.append(f"  - {f.check}: {f.count:,} {f.unit} {f.action}" + (f" ({f.detail})" if f.detail else ""))
        for f in self.findings:
            if f.action == "info" and f.detail:
                lines.append(f"  * {f.check}: {f.detail}")
        return "\n".join(lines)
