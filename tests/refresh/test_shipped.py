"""The README's refresh walk-through, with the shipped configs, on an example SQLite database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workbench.cli import run
from workbench.refresh import load_refresh_config


@pytest.mark.slow
def test_readme_walk_through(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    for part in ("refresh/ticket_system.yaml", "logs/ticket_system_sql.yaml", "rules/ticket_system.yaml"):
        (tmp_path / "configs" / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo_root / "configs" / part, tmp_path / "configs" / part)
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    monkeypatch.setenv("TICKETS_DB", url)
    config = str(tmp_path / "configs" / "refresh" / "ticket_system.yaml")
    assert run(["refresh-example-db", url, "--days", "30", "--until-day", "20"]) == 0
    assert run(["refresh", config]) == 0
    assert run(["refresh-example-db", url, "--days", "30", "--from-day", "20"]) == 0
    assert run(["refresh", config]) == 0
    status = json.loads((tmp_path / "outputs" / "ticket_system" / "daily" / "refresh_status.json").read_text())
    assert status["store_generation"] == 2 and status["inserted"] > 0 and status["alerts"]["alerts_deadlines"] >= 0
    assert run(["refresh-example-db", url, "--days", "30", "--from-day", "20"]) == 2
    assert "already in" in capsys.readouterr().err


def test_shipped_refresh_config_reads(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICKETS_DB", "sqlite:///unused.db")
    plan = load_refresh_config(repo_root / "configs" / "refresh" / "ticket_system.yaml")
    assert plan.key == ("historik_id",) and plan.watermark == "opdateret"
    assert plan.config.store == (repo_root / "outputs" / "ticket_system" / "store").resolve()
