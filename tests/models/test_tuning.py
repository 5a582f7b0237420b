"""Optuna tuning: seeded, budgeted, on the validation part only."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.models import tune


def _parts(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=800), "b": rng.integers(0, 5, 800).astype(float)})
    y = 3 + 2 * X["a"].to_numpy() + X["b"].to_numpy() + rng.normal(scale=0.5, size=800)
    return X[:600], y[:600], X[600:], y[600:]


def test_three_trials_are_reproducible_with_the_same_seed() -> None:
    Xt, yt, Xv, yv = _parts()
    first = tune(Xt, yt, Xv, yv, task="regression", n_trials=3, seed=11, max_rounds=150)
    again = tune(Xt, yt, Xv, yv, task="regression", n_trials=3, seed=11, max_rounds=150)
    other = tune(Xt, yt, Xv, yv, task="regression", n_trials=3, seed=12, max_rounds=150)
    assert first.n_trials == 3 and first.n_complete + first.n_pruned == 3
    assert first.best_params == again.best_params and first.best_value == again.best_value
    assert first.best_params != other.best_params
    assert set(first.best_params) >= {"learning_rate", "num_leaves", "objective"}
    assert first.metric == "l1" and 0 < first.best_iteration <= 150
    frame = first.trials_frame()
    assert len(frame) == 3 and "params_learning_rate" in frame.columns
    assert isinstance(first.study.sampler, optuna.samplers.TPESampler)
    assert isinstance(first.study.pruner, optuna.pruners.MedianPruner)


def test_classification_tunes_log_loss_and_budget_is_required() -> None:
    Xt, yt, Xv, yv = _parts()
    result = tune(Xt, (yt > 4).astype(float), Xv, (yv > 4).astype(float), task="classification", n_trials=2,
                  seed=0, max_rounds=80)
    assert result.metric == "binary_logloss" and "is_unbalance" in result.best_params
    with pytest.raises(ConfigError, match="the tuning budget needs trials and/or seconds"):
        tune(Xt, yt, Xv, yv, task="regression", n_trials=None, timeout=None)
    with pytest.raises(ConfigError, match="task must be 'regression' or 'classification', got 'ranking'"):
        tune(Xt, yt, Xv, yv, task="ranking", n_trials=1)  # type: ignore[arg-type]
