"""The refresh lock: a live holder stops a second refresh; a stale lock is taken over and said so."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.refresh import LockedError, refresh_lock
from workbench.refresh.lock import LOCK, _start_time


def test_a_live_holder_stops_a_second_refresh(tmp_path: Path) -> None:
    with refresh_lock(tmp_path) as note:
        assert note is None
        owner = json.loads((tmp_path / LOCK).read_text())
        assert owner["pid"] == os.getpid()
        with pytest.raises(LockedError, match=rf"another refresh of '.*' is running \(PID {os.getpid()} "):
            with refresh_lock(tmp_path):
                pass
    assert not (tmp_path / LOCK).exists()


def test_a_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(child.stdout)
    (tmp_path / LOCK).write_text(json.dumps({"pid": dead, "host": socket.gethostname(), "started": "1"}))
    with refresh_lock(tmp_path) as note:
        assert note == f"took over a stale lock (PID {dead} is gone)"
        assert json.loads((tmp_path / LOCK).read_text())["pid"] == os.getpid()


def test_a_reused_pid_is_seen_as_stale(tmp_path: Path) -> None:
    me = os.getpid()
    assert _start_time(me) is not None
    (tmp_path / LOCK).write_text(json.dumps({"pid": me, "host": socket.gethostname(), "started": "-1"}))
    with refresh_lock(tmp_path) as note:
        assert note is not None and "stale" in note


def test_the_lock_is_released_on_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), refresh_lock(tmp_path):
        raise RuntimeError("boom")
    assert not (tmp_path / LOCK).exists()


def test_a_second_refresh_command_stops_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlalchemy as sa

    from tests.refresh.conftest import write_configs
    from workbench.cli import run
    from workbench.refresh.example import create_schema

    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    create_schema(sa.create_engine(url))
    config = write_configs(tmp_path, url)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as holder:
        try:
            (tmp_path / "store").mkdir()
            (tmp_path / "store" / LOCK).write_text(json.dumps(
                {"pid": holder.pid, "host": socket.gethostname(), "started": _start_time(holder.pid)}))
            assert run(["refresh", str(config)]) == 2
        finally:
            holder.kill()
    err = capsys.readouterr().err
    assert err.startswith(f"error: another refresh of '{tmp_path / 'store'}' is running (PID {holder.pid} ")
    assert err.count("\n") == 1
