"""Baselines printed beside every model: the mean remaining time per prefix length."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin

from workbench.errors import EventLogError
from workbench.features import check_is_fitted
from workbench.models._checks import check_X, check_y

__all__ = ["MeanByPrefixLength"]


class MeanByPrefixLength(RegressorMixin, BaseEstimator):
    """Baseline: the mean remaining time of training prefixes of the same length.

    Lengths unseen in training fall back to the overall mean. Reads the ``prefix_length`` column of ``X``.
    """

    def fit(self, X: pd.DataFrame, y: Any) -> MeanByPrefixLength:
        X = check_X(X, "X")
        if "prefix_length" not in X.columns:
            raise EventLogError("X needs a 'prefix_length' column for the per-length baseline")
        yv = check_y(y, len(X), "y")
        means = pd.Series(yv).groupby(X["prefix_length"].to_numpy()).mean()
        self.means_ = {float(k): float(v) for k, v in means.items()}
        self.overall_ = float(yv.mean())
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, ("means_",))
        X = check_X(X, "X")
        lengths = X["prefix_length"].astype(float)
        return lengths.map(self.means_).fillna(self.overall_).to_numpy(dtype=float)
