"""Analysis: filters, variants, the desk's five questions, and rule checks.

Every function here is pure: a canonical event log (see :mod:`workbench.schema`) in,
a tidy DataFrame or a frozen result object out; the caller's frame is never modified.
"""

from __future__ import annotations

from workbench.analysis._result import QuestionResult
from workbench.analysis.reopens import reopen_events, reopens

__all__ = [
    "QuestionResult",
    "reopen_events",
    "reopens",
]
