"""Many desks at once: the same analysis on every desk's log, compared side by side.

:func:`compare_desks` runs :func:`desk_figures` (read, clean, the five questions, cycle
times, reopen rates) for every log config through an executor (:mod:`workbench.compute`)
and returns the desks side by side; only aggregate figures leave a desk's task.
"""

from __future__ import annotations

from workbench.desks.compare import DeskComparison, DeskFigures, compare_desks, desk_figures
from workbench.desks.write import write_desk_comparison

__all__ = ["DeskComparison", "DeskFigures", "compare_desks", "desk_figures", "write_desk_comparison"]
