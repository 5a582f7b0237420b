"""Suppression of small groups in per-team and per-person tables."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from workbench.privacy import suppress_small_groups

__all__ = ["suppress"]


def suppress(table: pd.DataFrame, count_column: str, min_size: int, *, keep: Sequence[str]) -> pd.DataFrame:
    """Blank every figure of rows with fewer than ``min_size`` in ``count_column``.

    Thin wrapper over :func:`workbench.privacy.suppress_small_groups` that blanks every
    column except the ``keep`` (label) columns, and adds ``suppressed``.
    """
    values = [c for c in table.columns if c not in keep and c != count_column and c != "suppressed"]
    return suppress_small_groups(table, count_column, min_size, value_columns=values)
