"""Several replications per task: fewer tasks, the same numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.compute.conftest import small_desk
from workbench.errors import ConfigError, ScenarioError
from workbench.sweeps import SweepGrid, parse_target, run_sweep

SETTINGS = {"replications": 5, "seed": 3, "days": 10.0, "warmup_days": 3.0,
            "target": parse_target("resolved_within:1d>=0.8")}


def test_replications_per_task_do_not_change_the_numbers() -> None:
    grid = SweepGrid(team="IT", staff=(1, 2), volume=(1.0,))
    one = run_sweep(small_desk(), grid, **SETTINGS)
    seen: list[tuple[int, int]] = []
    batched = run_sweep(small_desk(), grid, per_task=2, progress=lambda d, t: seen.append((d, t)), **SETTINGS)
    pd.testing.assert_frame_equal(one.runs, batched.runs)
    pd.testing.assert_frame_equal(one.curve, batched.curve)
    assert seen[-1] == (10, 10) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    whole = run_sweep(small_desk(), grid, per_task=50, **SETTINGS)
    pd.testing.assert_frame_equal(one.runs, whole.runs)


def test_per_task_must_be_positive() -> None:
    with pytest.raises(ConfigError, match=r"per_task .* must be at least 1, got 0"):
        run_sweep(small_desk(), SweepGrid(team="IT", staff=(1,)), per_task=0, **SETTINGS)


def test_a_warmup_longer_than_the_period_is_refused_as_in_an_experiment() -> None:
    with pytest.raises(ScenarioError, match=r"got 14 with days=5: .* shorten the warm-up \(--warmup-days\)"):
        run_sweep(small_desk(), SweepGrid(team="IT", staff=(1,)), replications=1, days=5.0, warmup_days=14.0)
