"""Input checks shared by the estimators: a numeric feature frame and one finite target per row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import EventLogError

__all__ = ["check_X", "check_y"]


def check_X(X: Any, what: str) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise EventLogError(f"{what} must be a pandas DataFrame of features, got {type(X).__name__}")
    if len(X) == 0:
        raise EventLogError(f"{what} is empty: no prefix to learn from; check the split and the target")
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        raise EventLogError(f"{what}: feature columns must be numeric, got non-numeric {bad[:5]}")
    return X


def check_y(y: Any, n: int, what: str) -> np.ndarray:
    arr = np.asarray(y, dtype=float)
    if arr.ndim != 1 or len(arr) != n:
        raise EventLogError(f"{what} must be one value per row of X ({n}), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise EventLogError(f"{what} has {int((~np.isfinite(arr)).sum())} missing or infinite values; drop them first")
    return arr
