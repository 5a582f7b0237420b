from __future__ import annotations

import numpy as np
import pytest

from workbench.compute import InProcessExecutor, ProcessPoolExecutor, make_executor
from workbench.errors import ConfigError


def _draw(i: int, seed: np.random.SeedSequence) -> tuple[int, float]:
    return i, float(np.random.default_rng(seed).normal())


def _tasks(n: int = 6) -> list[tuple[int, np.random.SeedSequence]]:
    return list(enumerate(np.random.SeedSequence(7).spawn(n)))


def test_results_come_back_in_task_order_and_do_not_depend_on_the_executor():
    seen: list[tuple[int, int]] = []
    local = InProcessExecutor().map(_draw, _tasks(), progress=lambda d, t: seen.append((d, t)))
    pooled = ProcessPoolExecutor(2).map(_draw, _tasks())
    assert [i for i, _ in local] == list(range(6))
    assert local == pooled
    assert seen[-1] == (6, 6)


def test_make_executor_chooses_once_and_checks_its_arguments():
    assert make_executor(workers=1).name == "in-process"
    assert make_executor(workers=2).name == "process-pool"
    with pytest.raises(ConfigError, match="unknown executor 'gpu'"):
        make_executor("gpu")
    with pytest.raises(ConfigError, match="workers must be at least 1"):
        make_executor(workers=0)
