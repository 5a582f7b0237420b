"""The audit warns when a control variable (stratum) itself differs strongly between groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.fairness.historical import control_warnings


def groups(shift: float, n: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dept = np.where(np.arange(n) % 2 == 0, "A", "B")
    p_high = np.where(dept == "A", 0.5 + shift / 2, 0.5 - shift / 2)
    priority = np.where(rng.random(n) < p_high, "high", "low")
    return pd.DataFrame({"department": dept, "priority": priority}, index=[f"c{i}" for i in range(n)])


def test_a_control_that_differs_between_groups_is_warned_about() -> None:
    notes = control_warnings(groups(0.6), ["department"], ["priority"])
    assert len(notes) == 1
    assert notes[0].startswith("the control variable 'priority' differs strongly between groups of 'department'")
    assert "controlling for it hides it" in notes[0]


def test_no_warning_when_the_control_is_balanced_or_absent() -> None:
    assert control_warnings(groups(0.0), ["department"], ["priority"]) == []
    assert control_warnings(groups(0.6), ["department"], []) == []


def test_small_groups_do_not_count() -> None:
    frame = groups(0.6, n=12)
    assert control_warnings(frame, ["department"], ["priority"], min_group_size=10) == []
