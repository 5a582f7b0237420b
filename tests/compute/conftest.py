"""A real Dask cluster on localhost: ``dask scheduler`` and ``dask worker`` as subprocesses.

Free ports, bounded start-up, and every process is stopped when the fixture ends, also
when a test fails. Workers run without a nanny, so a test can SIGKILL one outright.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port
from workbench.simulation.distributions import Exponential, Gamma
from workbench.simulation.model import (
    END,
    START,
    ActivitySpec,
    ArrivalSpec,
    CalendarSpec,
    EstimationInfo,
    FitInfo,
    RoutingRule,
    SimulationModel,
    TeamSpec,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]


def _dask_command() -> list[str]:
    script = Path(sys.executable).parent / "dask"
    if script.exists():
        return [str(script)]
    found = shutil.which("dask")
    if found is None:
        pytest.skip("the 'dask' command is not installed (pip install 'dask[distributed]')")
    return [found]


def _wait_for_port(port: int, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {proc.returncode} before it listened")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise TimeoutError(f"dask scheduler did not listen on port {port} within {START_TIMEOUT:g} s")


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=15)


@contextlib.contextmanager
def local_dask_cluster(n_workers: int, log_dir: Path) -> Iterator[Cluster]:
    """Start a scheduler and ``n_workers`` single-threaded workers; wait until all are connected."""
    from distributed import Client

    dask = _dask_command()
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs: list[subprocess.Popen] = []

    def spawn(args: list[str], name: str) -> subprocess.Popen:
        log = open(log_dir / f"{name}.log", "wb")
        proc = subprocess.Popen(
            [*dask, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
        log.close()
        procs.append(proc)
        return proc

    deadline = time.monotonic() + START_TIMEOUT
    try:
        scheduler = spawn(
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard", "--no-show"],
            "scheduler",
        )
        _wait_for_port(port, scheduler, deadline)
        workers = [
            spawn(
                [
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--name",
                    f"w{i}",
                    "--local-directory",
                    str(log_dir / f"w{i}"),
                ],
                f"worker{i}",
            )
            for i in range(n_workers)
        ]
        with Client(address, timeout=START_TIMEOUT) as client:
            client.wait_for_workers(n_workers, timeout=max(1.0, deadline - time.monotonic()))
        yield Cluster(address=address, scheduler=scheduler, workers=workers)
    finally:
        _stop(procs[::-1])


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A scheduler and two workers, shared by the tests that do not kill a worker."""
    with local_dask_cluster(2, tmp_path_factory.mktemp("dask")) as cluster:
        yield cluster


def small_desk(staff: int = 2, per_hour: float = 2.0) -> SimulationModel:
    """A one-team desk (triage, then a fix at 'IT') whose service level depends on IT's staff."""
    cal = CalendarSpec(timezone="Europe/Copenhagen")
    rate = tuple(per_hour if (h % 24) in range(8, 16) and h < 120 else 0.0 for h in range(168))
    return SimulationModel(
        name="small desk",
        estimation=EstimationInfo(start_times="recorded", method="written by hand"),
        fitted_on=FitInfo(first_arrival="2024-01-01 00:00:00+00:00", days=28),
        arrivals=ArrivalSpec(timezone="Europe/Copenhagen", weekly_rate=rate),
        default_calendar=cal,
        teams={"front": TeamSpec(staff=1, calendar=cal), "IT": TeamSpec(staff=staff, calendar=cal)},
        activities={
            "Triage": ActivitySpec(
                activity="Triage", team="front", uses_staff=True, work=Exponential(scale=300)
            ),
            "Fix": ActivitySpec(activity="Fix", team="IT", uses_staff=True, work=Gamma(a=2.0, scale=1800)),
        },
        routing=(
            RoutingRule(at=START, next={"Triage": 1.0}),
            RoutingRule(at="Triage", next={"Fix": 0.9, END: 0.1}),
            RoutingRule(at="Fix", next={END: 1.0}),
        ),
    )


@pytest.fixture
def desk() -> SimulationModel:
    return small_desk()
