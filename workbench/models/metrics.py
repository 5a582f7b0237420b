"""Evaluation metrics: MAE overall and per prefix length; AUC, AP, Brier and calibration error."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

__all__ = ["classification_metrics", "expected_calibration_error", "mae_by_prefix_length", "regression_metrics"]


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray, *, prefix: str = "") -> dict[str, float]:
    """MAE, median absolute error and RMSE (in the target's unit, days)."""
    err = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return {
        f"{prefix}mae": float(np.mean(np.abs(err))),
        f"{prefix}median_ae": float(np.median(np.abs(err))),
        f"{prefix}rmse": float(np.sqrt(np.mean(err**2))),
        f"{prefix}mean_error": float(np.mean(err)),
        f"{prefix}n": float(len(err)),
    }


def mae_by_prefix_length(
    prefix_length: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, baseline: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per prefix length: number of prefixes, MAE (and the baseline's MAE)."""
    frame = pd.DataFrame({
        "prefix_length": np.asarray(prefix_length, dtype=int),
        "abs_error": np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)),
    })
    if baseline is not None:
        frame["baseline_abs_error"] = np.abs(np.asarray(baseline, dtype=float) - np.asarray(y_true, dtype=float))
    agg = {"n": ("abs_error", "size"), "mae": ("abs_error", "mean")}
    if baseline is not None:
        agg["baseline_mae"] = ("baseline_abs_error", "mean")
    return frame.groupby("prefix_length").agg(**agg).reset_index()


def expected_calibration_error(y_true: np.ndarray, proba: np.ndarray, *, bins: int = 10) -> float:
    """Expected calibration error: the size-weighted mean |observed rate - mean probability| over equal-width bins."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(proba, dtype=float)
    if len(y) == 0:
        return float("nan")
    which = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() * abs(y[inside].mean() - p[inside].mean())
    return float(total / len(y))


def classification_metrics(y_true: np.ndarray, proba: np.ndarray, *, prefix: str = "") -> dict[str, float]:
    """AUC, average precision, Brier score, log loss, calibration error, and the base rate."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(proba, dtype=float)
    out = {
        f"{prefix}brier": float(brier_score_loss(y, p)),
        f"{prefix}calibration_error": expected_calibration_error(y, p),
        f"{prefix}base_rate": float(y.mean()),
        f"{prefix}mean_proba": float(p.mean()),
        f"{prefix}n": float(len(y)),
    }
    if len(np.unique(y)) == 2:
        out[f"{prefix}auc"] = float(roc_auc_score(y, p))
        out[f"{prefix}average_precision"] = float(average_precision_score(y, p))
        out[f"{prefix}log_loss"] = float(log_loss(y, np.clip(p, 1e-6, 1 - 1e-6)))
    return out
