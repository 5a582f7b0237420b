"""The report's sections moved to :mod:`workbench.report.sections` (with their wording, in Danish and English).

Kept so ``from workbench.pipeline.sections import build_report`` keeps working.
"""

from __future__ import annotations

from workbench.report.sections import (
    KPI_NAMES,
    build_report,
    scenario_changes,
    skill_callout,
    summary_figures,
)

__all__ = ["build_report", "summary_figures", "scenario_changes", "skill_callout", "KPI_NAMES"]
