"""The simulation front end: capacity calibrated as in estimate_effect, and where the replications run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workbench.cli import run


@pytest.fixture
def small_demo_config(repo_root: Path, tmp_path: Path) -> Path:
    """The demo log config, shortened to five weeks so the CLI runs in seconds."""
    data = yaml.safe_load((repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8"))
    data["source"]["days"] = 35
    path = tmp_path / "demo_small.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["simulate", "validate-sim"])
def test_an_unreachable_scheduler_is_one_line_and_exit_code_2(
    command: str, small_demo_config: Path, repo_root: Path, tmp_path: Path, capsys, monkeypatch
):
    monkeypatch.setenv("WORKBENCH_DASK_SCHEDULER", "127.0.0.1:8786")  # no protocol: refused before any work
    args = [command, str(small_demo_config)]
    if command == "simulate":
        scenario = repo_root / "configs" / "scenarios" / "demo_add_infra_staff.yaml"
        args += ["--scenario", str(scenario), "--out", str(tmp_path / "o")]
    assert run(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "error: scheduler address '127.0.0.1:8786' has no protocol; write it as tcp://host:8786"
    assert not any("Traceback" in line for line in err)


@pytest.mark.slow
def test_validate_sim_judges_the_calibrated_model_and_says_so(small_demo_config: Path, capsys):
    assert run(["validate-sim", str(small_demo_config), "-n", "1", "--jobs", "1"]) == 0
    verdict = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Verdict:"))
    assert "capacity " in verdict and "(on the training cases)" in verdict
    assert run(["validate-sim", str(small_demo_config), "-n", "1", "--jobs", "1", "--no-calibrate"]) == 0
    out = capsys.readouterr().out
    assert "capacity not calibrated: --no-calibrate" in out
