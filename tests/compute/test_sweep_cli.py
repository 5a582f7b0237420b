"""``workbench sweep``: the curve, the plot, the answer line, and one clear line on bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.compute.conftest import small_desk
from workbench.cli import run
from workbench.simulation import model_to_yaml


@pytest.fixture
def saved_desk(tmp_path: Path) -> Path:
    path = tmp_path / "desk.yaml"
    path.write_text(model_to_yaml(small_desk()), encoding="utf-8")
    return path


def _args(repo_root: Path, model: Path, out: Path, *extra: str) -> list[str]:
    return [
        "sweep",
        str(repo_root / "configs" / "logs" / "demo.yaml"),
        "--model",
        str(model),
        "--out",
        str(out),
        "-n",
        "2",
        "--days",
        "14",
        "--warmup-days",
        "7",
        *extra,
    ]


@pytest.mark.slow
def test_sweep_writes_the_curve_and_plot_and_says_the_smallest_staffing(
    tmp_path, repo_root, saved_desk, capsys
):
    out = tmp_path / "out"
    code = run(
        _args(
            repo_root,
            saved_desk,
            out,
            "--team",
            "IT",
            "--staff",
            "1..4",
            "--target",
            "resolved_within:1d>=0.8",
        )
    )
    printed = capsys.readouterr().out
    assert code == 0
    curve = pd.read_csv(out / "sweep_curve.csv")
    rows = curve[curve["measure"] == "resolved_within:1d"]
    assert list(rows["staff"]) == [1, 2, 3, 4] and {"mean", "ci_low", "ci_high", "meets"} <= set(
        curve.columns
    )
    smallest = int(rows[rows["meets"].astype(bool)]["staff"].min())
    assert f"Smallest staffing of IT that meets resolved_within:1d>=0.8 at volume 1: {smallest}" in printed
    assert (out / "sweep_curve.png").stat().st_size > 1000 and (out / "sweep_curve.svg").exists()
    assert len(pd.read_csv(out / "sweep_runs.csv")) == len(curve) * 2

    bisect = tmp_path / "bisect"
    args = _args(repo_root, saved_desk, bisect, "--team", "IT", "--staff", "1..4", "--search", "bisect")
    assert run([*args, "--target", "resolved_within:1d>=0.8"]) == 0
    assert (
        f"Smallest staffing of IT that meets resolved_within:1d>=0.8: {smallest} (mean"
        in capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--team", "IT", "--staff", "6..1"], "--staff 6..1: the range must go up"),
        (["--staff", "1..3"], "--staff needs --team"),
        (["--target", "fast>=1"], "unknown measure 'fast'"),
        (["--team", "HR", "--staff", "1..2"], "team 'HR' does not exist in the model"),
        (["--volume", "1,x"], "--volume '1,x' is not a comma-separated list"),
        (["--search", "bisect", "--team", "IT", "--staff", "1..3"], "--search bisect needs --target"),
        (["--route-at", "Triage"], "needs all of --route-at, --route-to and --shares"),
        (["--scheduler", "localhost:8786"], "scheduler address 'localhost:8786' has no protocol"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, repo_root, saved_desk, capsys, extra, message):
    code = run(_args(repo_root, saved_desk, tmp_path / "out", *extra))
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: ") and message in err and "\n" not in err, err
    assert not (tmp_path / "out" / "sweep_curve.csv").exists()


@pytest.mark.slow
def test_sweep_learns_the_demo_desk_and_sweeps_it_infrastructure(tmp_path, repo_root, capsys):
    text = (repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8")
    assert "days: 365" in text
    config = tmp_path / "demo_small.yaml"
    config.write_text(text.replace("days: 365", "days: 42"), encoding="utf-8")
    out = tmp_path / "out"
    code = run(
        [
            "sweep",
            str(config),
            "--team",
            "IT-infrastruktur",
            "--staff",
            "1..3",
            "--target",
            "resolved_within:2d>=0.9",
            "--out",
            str(out),
            "-n",
            "2",
            "--days",
            "28",
            "--warmup-days",
            "7",
        ]
    )
    assert code == 0, capsys.readouterr().err
    rows = pd.read_csv(out / "sweep_curve.csv").query("measure == 'resolved_within:2d'")
    assert list(rows["staff"]) == [1, 2, 3]
    assert rows["mean"].iloc[-1] >= rows["mean"].iloc[0]
    assert (
        "Smallest staffing of IT-infrastruktur that meets resolved_within:2d>=0.9" in capsys.readouterr().out
    )


@pytest.mark.slow
def test_sweep_on_a_scheduler_writes_the_in_process_numbers(tmp_path, repo_root, saved_desk, dask_cluster):
    extra = ("--team", "IT", "--staff", "1..3", "--target", "resolved_within:1d>=0.8")
    assert run(_args(repo_root, saved_desk, tmp_path / "local", *extra)) == 0
    assert (
        run([*_args(repo_root, saved_desk, tmp_path / "remote", *extra), "--scheduler", dask_cluster.address])
        == 0
    )
    local = pd.read_csv(tmp_path / "local" / "sweep_runs.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "remote" / "sweep_runs.csv"), local)


def test_a_folder_holding_someone_elses_file_is_refused(tmp_path, repo_root, saved_desk, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("my own notes", encoding="utf-8")
    code = run(_args(repo_root, saved_desk, out, "--team", "IT", "--staff", "1..2"))
    err = capsys.readouterr().err.strip()
    assert code == 2 and "report.html" in err and "--force" in err and "\n" not in err, err
    assert (out / "report.html").read_text(encoding="utf-8") == "my own notes"
    assert not (out / "sweep_curve.csv").exists()


@pytest.mark.slow
def test_a_model_judged_not_usable_is_refused_unless_allowed_and_then_marked(tmp_path, repo_root, capsys,
                                                                          monkeypatch):
    """The sweep learns and judges the model as ``workbench simulate`` does (here the verdict is forced)."""
    import workbench.usecases
    from workbench.simulation.verdict import UNUSABLE_MARK, Check, verdict_from_checks

    def not_usable(*args, **kwargs):
        return verdict_from_checks((Check("cycle_time", -1.2, "not usable", "mean 30 h simulated vs 99 h real"),)), None

    monkeypatch.setattr(workbench.usecases, "judge_model", not_usable)
    text = (repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8")
    config = tmp_path / "demo_small.yaml"
    config.write_text(text.replace("days: 365", "days: 35"), encoding="utf-8")
    args = ["sweep", str(config), "--team", "IT-infrastruktur", "--staff", "1..2", "-n", "1", "--days", "21",
            "--warmup-days", "7", "--no-calibrate"]
    assert run([*args, "--out", str(tmp_path / "refused")]) == 2
    err = capsys.readouterr().err
    assert "scenario refused: the model not usable" in err and "--allow-unusable" in err
    assert not (tmp_path / "refused" / "sweep_curve.csv").exists()
    assert run([*args, "--out", str(tmp_path / "marked"), "--allow-unusable"]) == 0
    assert f"{UNUSABLE_MARK} the model does not reproduce the log" in capsys.readouterr().out
    assert UNUSABLE_MARK in (tmp_path / "marked" / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_sweep_on_capacity_the_log_could_not_check_says_so(tmp_path, repo_root, capsys, monkeypatch):
    """A verdict from the cycle time alone (a log with no team's waiting to compare): the staffing curve's
    size is the model's assumption, and the command and the report say so."""
    import workbench.usecases
    from workbench.simulation.verdict import Check, verdict_from_checks

    def cycle_time_alone(*args, **kwargs):
        return verdict_from_checks((Check("cycle_time", 0.05, "good", "mean 52 h simulated vs 50 h real"),
                                    Check("waiting", float("nan"), None, "no team with 20 pick-ups"))), None

    monkeypatch.setattr(workbench.usecases, "judge_model", cycle_time_alone)
    text = (repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8")
    config = tmp_path / "demo_small.yaml"
    config.write_text(text.replace("days: 365", "days: 35"), encoding="utf-8")
    out = tmp_path / "out"
    assert run(["sweep", str(config), "--team", "IT-infrastruktur", "--staff", "1..2", "--volume", "1,1.2",
                "-n", "1", "--days", "21", "--warmup-days", "7", "--no-calibrate", "--language", "en",
                "--out", str(out)]) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if line.startswith("caution: ")]
    assert len(said) == 1 and "nothing to check the model's capacity against" in said[0], said  # once, not per axis
    assert "nothing to check the model&#39;s capacity against" in (out / "report.html").read_text(encoding="utf-8")
