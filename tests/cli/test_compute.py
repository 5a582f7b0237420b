"""Where a command's work runs: ``--scheduler`` is checked before any work, on every command that has it."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import run

ROOT = Path(__file__).resolve().parents[2]


def test_run_refuses_a_scheduler_address_without_protocol_before_any_work(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SECRET", "a" * 16 + "b" * 16 + "c" * 16)
    out = tmp_path / "out"
    code = run(["run", str(ROOT / "experiments" / "demo.yaml"), "--out", str(out), "--scheduler", "127.0.0.1:8786"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == "error: scheduler address '127.0.0.1:8786' has no protocol; write it as tcp://host:8786"
    assert not out.exists()
