"""The Dask executor on a real cluster: the same numbers as in process, also when a worker dies."""

from __future__ import annotations

import os
import signal
import threading
import time

import optuna
import pandas as pd
import pytest

from tests.compute import _objectives
from tests.compute.conftest import Cluster, local_dask_cluster, small_desk
from workbench.compute import ComputeError, DaskExecutor, InProcessExecutor, make_executor
from workbench.compute.studies import optimize
from workbench.errors import ConfigError
from workbench.simulation.experiment import run_experiment
from workbench.simulation.scenarios import Scenario
from workbench.sweeps import SweepGrid, parse_target, run_sweep

TARGET = parse_target("resolved_within:1d>=0.8")


def _sweep(executor, progress=None, staff=(1, 2, 3), replications=3, days=21.0):
    return run_sweep(
        small_desk(),
        SweepGrid(team="IT", staff=staff, volume=(1.0, 1.3)),
        target=TARGET,
        replications=replications,
        seed=5,
        days=days,
        warmup_days=7,
        executor=executor,
        progress=progress,
    )


def _study(executor) -> optuna.Study:
    sampler = optuna.samplers.TPESampler(seed=3, n_startup_trials=4)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    return optimize(
        study,
        _objectives.lightgbm_l1,
        _objectives.suggest,
        n_trials=8,
        batch_size=4,
        executor=executor,
        extra_args=(11,),
    )


def test_make_executor_builds_a_dask_executor_lazily_and_checks_the_address():
    ex = make_executor("dask", address="tcp://127.0.0.1:1", retries=1)
    assert isinstance(ex, DaskExecutor) and ex.name == "dask" and ex.retries == 1
    assert make_executor(address="tcp://10.0.0.5:8786").name == "dask"  # an address means Dask
    with pytest.raises(ConfigError, match="scheduler address 'host:8786' has no protocol"):
        make_executor("dask", address="host:8786")
    with pytest.raises(ConfigError, match="only works with the dask executor"):
        make_executor("process-pool", address="tcp://host:8786")


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_clear_error():
    ex = DaskExecutor("tcp://127.0.0.1:9", connect_timeout=2)
    with pytest.raises(
        ConfigError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9 .*dask scheduler"
    ):
        ex.map(len, [("a",)])


@pytest.mark.slow
def test_sweep_and_study_on_a_real_cluster_give_the_in_process_numbers(dask_cluster: Cluster):
    local_sweep = _sweep(InProcessExecutor())
    local_study = _study(InProcessExecutor())
    seen: list[tuple[int, int]] = []
    with DaskExecutor(dask_cluster.address) as ex:
        remote_sweep = _sweep(ex, progress=lambda d, t: seen.append((d, t)))
        remote_study = _study(ex)
        workers = ex.client.scheduler_info()["workers"]
    assert len(workers) == 2
    with DaskExecutor(dask_cluster.address, retries=1) as ex:
        with pytest.raises(ConfigError, match="target 'fast' is not <measure>"):
            ex.map(parse_target, [("resolved_within:1d>=0.5",), ("fast",)])  # a worker's error, raised here
        with pytest.raises(ComputeError, match=r"Dask worker tcp://\S+ runs different workbench code"):
            ex._check_workers(ex.client, expected="0" * 64)
    pd.testing.assert_frame_equal(remote_sweep.runs, local_sweep.runs)
    pd.testing.assert_frame_equal(remote_sweep.curve, local_sweep.curve)
    # progress follows the remote work batch by batch (18 tasks on 2 workers: batches of 2)
    assert [d for d, _ in seen] == list(range(2, 19, 2)) and {t for _, t in seen} == {18}
    assert [t.params for t in remote_study.trials] == [t.params for t in local_study.trials]
    assert [t.value for t in remote_study.trials] == [t.value for t in local_study.trials]
    assert remote_study.best_value == local_study.best_value
    # the numbers are a real curve: more IT staff, more tickets resolved within a working day
    share = local_sweep.curve[
        (local_sweep.curve["measure"] == TARGET.measure) & (local_sweep.curve["volume"] == 1.0)
    ]
    assert share["mean"].is_monotonic_increasing and share["mean"].iloc[-1] > share["mean"].iloc[0] + 0.1


@pytest.mark.slow
def test_run_experiment_on_the_embedded_local_cluster_gives_the_in_process_numbers():
    scenario = Scenario(name="more IT", changes=[{"type": "staff", "team": "IT", "add": 1}])
    local = run_experiment(small_desk(), scenario, replications=4, seed=2, days=14, warmup_days=0, n_jobs=1)
    with make_executor("dask", workers=2) as ex:
        remote = run_experiment(
            small_desk(), scenario, replications=4, seed=2, days=14, warmup_days=0, executor=ex
        )
        assert len(ex.client.scheduler_info()["workers"]) == 2
    pd.testing.assert_frame_equal(remote.kpis, local.kpis)
    pd.testing.assert_frame_equal(remote.comparison, local.comparison)


@pytest.mark.slow
def test_a_worker_killed_mid_run_is_replaced_and_the_numbers_stay_the_same(tmp_path):
    local = _sweep(InProcessExecutor(), staff=(1, 2, 3, 4), replications=4, days=28.0)
    total = 4 * 2 * 4
    killed = threading.Event()
    with local_dask_cluster(2, tmp_path) as cluster:
        victim = cluster.workers[0]

        def kill_after_some(done: int, _total: int) -> None:
            if done >= 4 and not killed.is_set():
                os.kill(victim.pid, signal.SIGKILL)
                killed.set()

        with DaskExecutor(cluster.address, retries=1) as ex:
            started = time.monotonic()
            remote = _sweep(ex, progress=kill_after_some, staff=(1, 2, 3, 4), replications=4, days=28.0)
            elapsed = time.monotonic() - started
            left = len(ex.client.scheduler_info()["workers"])
        assert victim.wait(timeout=10) == -signal.SIGKILL
    assert killed.is_set() and left == 1, f"kill happened: {killed.is_set()}, workers left: {left}"
    assert remote.settings["points"] * remote.settings["replications"] == total
    pd.testing.assert_frame_equal(remote.runs, local.runs)
    pd.testing.assert_frame_equal(remote.curve, local.curve)
    assert elapsed < 300


@pytest.mark.slow
def test_batches_on_a_real_cluster_give_the_in_process_numbers(dask_cluster: Cluster):
    from tests.compute.test_executors import _shared, _sweep_like

    tasks = _sweep_like()
    local = InProcessExecutor().map(_shared, tasks)
    seen: list[int] = []
    for size in (None, 1, 4, 100):
        with DaskExecutor(dask_cluster.address, batch_size=size) as ex:
            assert ex.map(_shared, tasks, progress=lambda d, _t: seen.append(d)) == local
    assert seen[-1] == len(tasks)
    with pytest.raises(ConfigError, match="batch_size must be at least 1, got 0"):
        DaskExecutor(dask_cluster.address, batch_size=0)
