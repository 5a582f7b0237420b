"""Per command: ``--out`` pointing at a folder holding the inputs and foreign files leaves all of them unchanged.

Each test builds a work folder as a user would have it: the input log (named like one of
the command's outputs, as in the reports that found the bug), its log config, other
inputs and a file of the user's. The command is pointed at that folder; afterwards
every one of those files must be byte-identical and no traceback may have been printed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from workbench.cli import run


@pytest.fixture(scope="module")
def demo_events() -> pd.DataFrame:
    from workbench.demo import DemoParams, generate_demo_log

    return generate_demo_log(DemoParams(days=35), seed=3).events


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_unchanged(folder: Path, before: dict[str, bytes]) -> None:
    for name, data in before.items():
        path = folder / name
        assert path.is_file(), f"{name} was removed"
        assert path.read_bytes() == data, f"{name} was changed"


def _work(tmp_path: Path, events: pd.DataFrame, repo_root: Path, log_name: str) -> Path:
    """A work folder with the log saved as ``log_name``, its config ``log.yaml`` and a user's notes."""
    work = tmp_path / "work"
    (work / log_name).parent.mkdir(parents=True, exist_ok=True)
    events.to_csv(work / log_name, index=False)
    config = yaml.safe_load((repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8"))
    config["name"] = "demo_small"
    config["source"] = {"path": log_name}
    (work / "log.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (work / "notes.txt").write_text("my notes, not the workbench's\n", encoding="utf-8")
    (work / "notes.csv").write_text("my,table\n1,2\n", encoding="utf-8")
    return work


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run([str(a) for a in args])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, captured.err


def _refused(code: int, err: str) -> None:
    """Exit 2 and one error line, the last (progress lines before it are fine)."""
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], err


def _scenario(work: Path) -> Path:
    path = work / "scenario.yaml"
    path.write_text("name: more_infra\nchanges:\n  - {type: staff, team: IT-infrastruktur, add: 1}\n",
                    encoding="utf-8")
    return path


# -- validate-sim -----------------------------------------------------------------------------


def test_validate_sim_refuses_a_folder_holding_its_input_named_scores_csv(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = _work(tmp_path, demo_events, repo_root, "scores.csv")
    before = _snapshot(work)
    code, err = _run(["validate-sim", work / "log.yaml", "-n", "1", "--jobs", "1", "--out", work], capsys)
    _refused(code, err)
    assert "--force" in err
    _assert_unchanged(work, before)


@pytest.mark.slow
def test_validate_sim_with_force_still_never_writes_its_input(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = _work(tmp_path, demo_events, repo_root, "scores.csv")
    before = _snapshot(work)
    code, err = _run(["validate-sim", work / "log.yaml", "-n", "1", "--jobs", "1", "--out", work, "--force"], capsys)
    _refused(code, err)
    assert "input" in err
    _assert_unchanged(work, before)


# -- simulate ---------------------------------------------------------------------------------


def test_simulate_refuses_a_folder_holding_its_input_named_kpis_csv(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = _work(tmp_path, demo_events, repo_root, "kpis.csv")
    scenario = _scenario(work)
    (work / "model.yaml").write_text("# an unrelated model of the user's\n", encoding="utf-8")
    before = _snapshot(work)
    code, err = _run(["simulate", work / "log.yaml", "--scenario", scenario, "-n", "1", "--jobs", "1",
                      "--warmup-days", "3", "--out", work], capsys)
    _refused(code, err)
    assert "--force" in err
    _assert_unchanged(work, before)


@pytest.mark.slow
@pytest.mark.parametrize("log_name", ["kpis.csv", "logs/baseline_rep01.csv"])
def test_simulate_with_force_never_writes_its_input(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str], log_name: str
) -> None:
    work = _work(tmp_path, demo_events, repo_root, log_name)
    scenario = _scenario(work)
    before = _snapshot(work)
    code, err = _run(["simulate", work / "log.yaml", "--scenario", scenario, "-n", "1", "--jobs", "1",
                      "--warmup-days", "3", "--log-format", "csv", "--logs", "first", "--out", work, "--force"],
                     capsys)
    _refused(code, err)
    assert "input" in err
    _assert_unchanged(work, before)


@pytest.mark.slow
def test_simulate_with_the_users_edited_model_in_the_out_folder_keeps_it(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.config import load_log_config
    from workbench.io import load_log
    from workbench.simulation import discover_model, model_to_yaml

    work = _work(tmp_path, demo_events, repo_root, "tickets.csv")
    scenario = _scenario(work)
    model = discover_model(load_log(load_log_config(work / "log.yaml")).events, config=load_log_config(work / "log.yaml"))
    (work / "model.yaml").write_text("# my edits: checked with the desk\n" + model_to_yaml(model), encoding="utf-8")
    before = _snapshot(work)
    code, err = _run(["simulate", work / "log.yaml", "--scenario", scenario, "--model", work / "model.yaml",
                      "-n", "1", "--jobs", "1", "--warmup-days", "3", "--days", "20", "--out", work, "--force"],
                     capsys)
    assert code == 0, err
    _assert_unchanged(work, before)
    assert (work / "comparison.csv").is_file()
    learned = [p.name for p in work.glob("model-*.yaml")]
    assert learned == ["model-2.yaml"]


# -- audit ------------------------------------------------------------------------------------


def _audit_config(work: Path) -> Path:
    path = work / "audit.yaml"
    path.write_text(yaml.safe_dump({
        "name": "small", "log": "log.yaml", "audits": ["historical"], "group_attributes": ["department"],
        "seed": 7, "replicates": 20, "historical": {"outcomes": ["cycle_time"]},
    }), encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("force", [False, True])
def test_audit_never_writes_its_input_named_audit_csv(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str], force: bool
) -> None:
    work = _work(tmp_path, demo_events, repo_root, "audit.csv")
    config = _audit_config(work)
    before = _snapshot(work)
    code, err = _run(["audit", config, "--out", work, *(["--force"] if force else [])], capsys)
    _refused(code, err)
    assert ("input" in err) if force else ("--force" in err)
    _assert_unchanged(work, before)


# -- validate ---------------------------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True])
def test_validate_never_writes_its_input(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str], force: bool
) -> None:
    work = _work(tmp_path, demo_events, repo_root, "quality.csv")
    before = _snapshot(work)
    code, err = _run(["validate", work / "log.yaml", "--out", work / "quality.csv",
                      *(["--force"] if force else [])], capsys)
    _refused(code, err)
    _assert_unchanged(work, before)


def test_validate_refuses_to_replace_a_file_it_did_not_write(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = _work(tmp_path, demo_events, repo_root, "tickets.csv")
    before = _snapshot(work)
    code, err = _run(["validate", work / "log.yaml", "--out", work / "notes.csv"], capsys)
    _refused(code, err)
    assert "--force" in err
    _assert_unchanged(work, before)
    # a new file beside the user's files is fine: --out names that one file
    code, err = _run(["validate", work / "log.yaml", "--out", work / "quality.csv"], capsys)
    assert code == 0, err
    _assert_unchanged(work, before)


# -- discover ---------------------------------------------------------------------------------


@pytest.mark.parametrize("log_name", ["summary.txt", "tables/variants.csv"])
def test_discover_refuses_a_folder_holding_its_inputs(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str], log_name: str
) -> None:
    work = _work(tmp_path, demo_events, repo_root, log_name)
    before = _snapshot(work)
    code, err = _run(["discover", work / "log.yaml", "--out", work], capsys)
    _refused(code, err)
    assert "--force" in err or "input" in err
    _assert_unchanged(work, before)


# -- predict ----------------------------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True])
def test_predict_never_writes_its_input(
    tmp_path: Path, demo_events: pd.DataFrame, repo_root: Path, capsys: pytest.CaptureFixture[str], force: bool
) -> None:
    work = _work(tmp_path, demo_events, repo_root, "at_risk.csv")
    before = _snapshot(work)
    code, err = _run(["predict", work / "log.yaml", "--model", "not-trained", "--tracking-uri",
                      f"sqlite:///{tmp_path}/m/mlflow.db", "--out", work / "at_risk.csv",
                      *(["--force"] if force else [])], capsys)
    _refused(code, err)
    assert "not-trained" not in err, "the output must be checked before the models are loaded"
    _assert_unchanged(work, before)


# -- demo-log ---------------------------------------------------------------------------------


def test_demo_log_refuses_to_replace_a_file_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "tickets.csv").write_text("the user's own export\n", encoding="utf-8")
    before = _snapshot(work)
    code, err = _run(["demo-log", "--days", "3", "--out", work / "tickets.csv"], capsys)
    _refused(code, err)
    assert "--force" in err
    _assert_unchanged(work, before)
    code, err = _run(["demo-log", "--days", "3", "--out", work / "demo.csv"], capsys)
    assert code == 0, err
    code, err = _run(["demo-log", "--days", "3", "--seed", "5", "--out", work / "demo.csv"], capsys)
    assert code == 0, err  # its own file: rewritten
    _assert_unchanged(work, before)
