"""Probability calibration of the reopen model: isotonic or sigmoid, stored as plain numbers."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.errors import EventLogError

__all__ = ["ISOTONIC_MIN_CLASS", "fit_calibrator", "apply_calibrator"]

ISOTONIC_MIN_CLASS = 200


def fit_calibrator(method: str, raw: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Fit ``"isotonic"``, ``"sigmoid"`` or ``"auto"`` calibration of raw probabilities to 0/1 labels."""
    if len(np.unique(y)) < 2:
        raise EventLogError(
            "the calibration rows hold only one class; use a longer log or a larger validation part"
        )
    if method == "auto":
        smallest = min(int((y == 1).sum()), int((y == 0).sum()))
        method = "isotonic" if smallest >= ISOTONIC_MIN_CLASS else "sigmoid"
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, y)
        return {"method": "isotonic", "x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()}
    from sklearn.linear_model import LogisticRegression

    z = _logit(raw).reshape(-1, 1)
    lr = LogisticRegression(C=1e6).fit(z, y)
    return {"method": "sigmoid", "coef": float(lr.coef_[0, 0]), "intercept": float(lr.intercept_[0])}


def apply_calibrator(cal: dict[str, Any] | None, raw: np.ndarray) -> np.ndarray:
    """Calibrated probabilities from raw ones (``cal=None``: unchanged)."""
    if cal is None:
        return raw
    if cal["method"] == "isotonic":
        return np.interp(raw, np.asarray(cal["x"]), np.asarray(cal["y"]))
    z = _logit(raw)
    return 1.0 / (1.0 + np.exp(-(cal["coef"] * z + cal["intercept"])))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))
