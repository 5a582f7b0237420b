"""``workbench train`` and ``workbench predict`` end to end on a small demo log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from workbench.cli import run


def _configs(tmp_path: Path, repo_root: Path) -> tuple[Path, Path, Path]:
    log = yaml.safe_load((repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8"))
    log["name"] = "demo_small"
    log["source"].update(days=60, seed=5)
    log_path = tmp_path / "demo_small.yaml"
    log_path.write_text(yaml.safe_dump(log, allow_unicode=True), encoding="utf-8")
    common = {"log": "demo_small.yaml", "budget": {"trials": 2}, "seed": 1}
    duration = tmp_path / "duration.yaml"
    duration.write_text(yaml.safe_dump({"name": "cli-duration", "target": "remaining_time", "until": "resolution",
                                        **common}), encoding="utf-8")
    reopen = tmp_path / "reopen.yaml"
    reopen.write_text(yaml.safe_dump({"name": "cli-reopen", "target": "reopen",
                                      "split": {"test_fraction": 0.3, "validation_fraction": 0.3}, **common}),
                      encoding="utf-8")
    return log_path, duration, reopen


@pytest.mark.slow
def test_train_then_predict_writes_a_ranked_at_risk_list(tmp_path: Path, repo_root: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    log_path, duration, reopen = _configs(tmp_path, repo_root)
    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    assert run(["train", str(duration), "--tracking-uri", uri]) == 0
    out = capsys.readouterr().out
    assert "Test MAE" in out and "registered as 'cli-duration' version 1" in out
    assert run(["train", str(reopen), "--tracking-uri", uri, "--trials", "1"]) == 0
    assert "Test AUC" in capsys.readouterr().out

    target = tmp_path / "out" / "at_risk.csv"
    code = run(["predict", str(log_path), "--model", "cli-duration", "--model", "cli-reopen",
                "--out", str(target), "--tracking-uri", uri, "--show", "3"])
    assert code == 0
    out = capsys.readouterr().out
    assert "scored with cli-duration v1, cli-reopen v1" in out
    table = pd.read_csv(target)
    assert len(table) > 0 and list(table["rank"]) == list(range(1, len(table) + 1))
    assert {"case_id", "predicted_remaining_days", "reopen_probability", "remaining_reasons"} <= set(table.columns)
    assert table["predicted_remaining_days"].is_monotonic_decreasing
    assert not any("staff-" in str(v) or "user-" in str(v) for v in table.to_numpy().ravel())  # no person ids


def test_predict_with_an_unknown_model_is_one_clear_error(tmp_path: Path, repo_root: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    log_path, _, _ = _configs(tmp_path, repo_root)
    code = run(["predict", str(log_path), "--model", "nope", "--tracking-uri", f"sqlite:///{tmp_path}/m/mlflow.db"])
    assert code == 2
    err = capsys.readouterr().err
    assert "error: no model named 'nope' is registered" in err and "Traceback" not in err


def test_train_with_a_missing_config_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["train", str(tmp_path / "missing.yaml")]) == 2
    assert "does not exist; check the path" in capsys.readouterr().err
