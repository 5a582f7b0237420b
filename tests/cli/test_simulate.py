from __future__ import annotations

from pathlib import Path

import pandas as pd
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


@pytest.mark.slow
def test_simulate_writes_comparison_plots_logs_and_model(
    small_demo_config: Path, repo_root: Path, tmp_path: Path, capsys
):
    out = tmp_path / "out"
    scenario = repo_root / "configs" / "scenarios" / "demo_add_infra_staff.yaml"
    code = run(
        [
            "simulate",
            str(small_demo_config),
            "--scenario",
            str(scenario),
            "-n",
            "2",
            "--jobs",
            "1",
            "--replay",
            "--warmup-days",
            "3",
            "--seed",
            "5",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    for name in (
        "comparison.csv",
        "group_comparison.csv",
        "kpis.csv",
        "group_kpis.csv",
        "model.yaml",
        "kpi_distributions.png",
        "kpi_distributions.svg",
        "logs/baseline_rep01.parquet",
        "logs/scenario_rep01.parquet",
    ):
        assert (out / name).is_file(), name
    comparison = pd.read_csv(out / "comparison.csv")
    row = comparison.set_index("kpi").loc["utilisation:IT-infrastruktur"]
    assert row["scenario"] < row["baseline"]
    log = pd.read_parquet(out / "logs" / "scenario_rep01.parquet")
    assert {"case_id", "activity", "timestamp", "start_timestamp", "team", "department"} <= set(log.columns)
    assert "user" not in log.columns  # no person identifiers in simulated logs
    printed = capsys.readouterr()
    assert "cycle_time_h" in printed.out and "replication 2/2" in printed.err
    assert "95% intervals: simulation noise only" in printed.out  # --replay runs without refits
    assert "refits" not in comparison and "noise_low" not in comparison


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--refits", "1"], "error: --refits must be 0 (simulation noise only) or at least 2 for an interval, got 1"),
        (["--refits", "2", "--replay"], "error: --refits relearns the model from resamples of the log, which --replay "
                                        "does not allow: leave --refits out (the interval is then simulation noise only)"),
    ],
)
def test_refits_that_cannot_make_an_interval_are_one_line_before_any_work(
    extra: list[str], says: str, small_demo_config: Path, repo_root: Path, tmp_path: Path, capsys
):
    scenario = repo_root / "configs" / "scenarios" / "demo_add_infra_staff.yaml"
    code = run(["simulate", str(small_demo_config), "--scenario", str(scenario), "--out", str(tmp_path / "o"), *extra])
    assert code == 2
    assert capsys.readouterr().err.strip() == says
    assert not (tmp_path / "o").exists()


def test_simulate_with_a_bad_team_fails_with_one_line(small_demo_config: Path, tmp_path: Path, capsys):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("name: bad\nchanges:\n  - {type: staff, team: IT-infra, add: 1}\n", encoding="utf-8")
    code = run(
        [
            "simulate",
            str(small_demo_config),
            "--scenario",
            str(scenario),
            "-n",
            "2",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert (
        "error: scenario 'bad', change 1 (staff): team 'IT-infra' does not exist in the model; teams:" in err
    )
    assert "'IT-infrastruktur'" in err and not (tmp_path / "o" / "comparison.csv").exists()


@pytest.mark.slow
def test_validate_sim_prints_the_metrics(small_demo_config: Path, tmp_path: Path, capsys):
    out = tmp_path / "val"
    code = run(["validate-sim", str(small_demo_config), "-n", "1", "--jobs", "1", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    for metric in (
        "ngram_3_distance",
        "cycle_time_distance_h",
        "absolute_event_distance_h",
        "circadian_event_distance_h",
    ):
        assert metric in printed
    assert (out / "scores.csv").is_file() and (out / "model.yaml").is_file()


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
