"""Write a desks comparison: the side-by-side table, the tidy figures, what could not be answered."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.desks.compare import DeskComparison
    from workbench.io.outputs import OutputFolder

__all__ = ["write_desk_comparison"]


def write_desk_comparison(result: DeskComparison, folder: OutputFolder, *, prefix: str = "") -> dict[str, Path]:
    """``desks_comparison.csv`` (one row per figure, one column per desk), ``desks_figures.csv``
    (tidy), ``desks_unanswered.csv`` and ``desks_suppressed.txt`` (one suppressed desk a line)."""

    def at(name: str) -> str:
        return f"{prefix}/{name}" if prefix else name

    return {
        "comparison": folder.write_table(at("desks_comparison.csv"), result.table),
        "figures": folder.write_table(at("desks_figures.csv"), result.figures),
        "unanswered": folder.write_table(at("desks_unanswered.csv"), result.unanswered),
        "suppressed": folder.write_text(at("desks_suppressed.txt"), "".join(f"{d}\n" for d in result.suppressed)),
    }
