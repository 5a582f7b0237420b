"""`workbench validate` and `workbench demo-log`: output, one-line errors, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import run


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("validate", "demo-log"):
        assert command in out


def test_validate_prints_the_quality_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.io.test_readers import log_config, write_csv

    write_csv(tmp_path / "log.csv")
    log_config(tmp_path, {"path": "log.csv"})
    assert run(["validate", str(tmp_path / "log.yaml"), "--out", str(tmp_path / "q.csv")]) == 0
    out = capsys.readouterr().out
    assert "5 events read; 5 events in 2 cases kept" in out
    assert (tmp_path / "q.csv").exists()


def test_validate_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    from tests.io.test_readers import log_config

    (tmp_path / "log.csv").write_text("ticket,status\nc1,a\n")
    log_config(tmp_path, {"path": "log.csv"})
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "validate", str(tmp_path / "log.yaml")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: columns 'time' (for timestamp), 'agent' (for resource)")


def test_validate_refuses_to_overwrite_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.io.test_readers import log_config, write_csv

    write_csv(tmp_path / "log.csv")
    log_config(tmp_path, {"path": "log.csv"})
    before = (tmp_path / "log.csv").read_bytes()
    assert run(["validate", str(tmp_path / "log.yaml"), "--out", str(tmp_path / "log.csv")]) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert (tmp_path / "log.csv").read_bytes() == before


def test_demo_log_writes_the_log(tmp_path: Path) -> None:
    pytest.importorskip("workbench.demo")
    assert run(["demo-log", "--out", str(tmp_path / "demo.csv"), "--days", "14", "--seed", "3"]) == 0
    text = (tmp_path / "demo.csv").read_text(encoding="utf-8")
    assert text.startswith("ticket_id,status,timestamp")
    assert run(["demo-log", "--out", str(tmp_path / "demo.txt")]) == 2
