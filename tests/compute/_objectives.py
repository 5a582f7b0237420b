"""A tiny tuning objective for the executor tests (imported by name on the Dask workers)."""

from __future__ import annotations

from typing import Any

import numpy as np


def synthetic_data(seed: int, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """A seeded regression problem: y depends on two of four features, with noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = 3 * X[:, 0] - 2 * np.abs(X[:, 1]) + rng.normal(scale=0.5, size=n)
    return X, y


def lightgbm_l1(params: dict[str, Any], trial_number: int, seed: int) -> float:
    """Validation MAE of a small LightGBM regressor with ``params`` (deterministic, one thread)."""
    import lightgbm

    X, y = synthetic_data(seed)
    model = lightgbm.LGBMRegressor(
        n_estimators=60,
        n_jobs=1,
        deterministic=True,
        force_row_wise=True,
        random_state=seed,
        verbose=-1,
        **params,
    )
    model.fit(X[:300], y[:300])
    return float(np.mean(np.abs(model.predict(X[300:]) - y[300:])))


def suggest(trial: Any) -> dict[str, Any]:
    """The parameters the tests' study tries."""
    return {
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 4, 31, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 40),
    }
