"""End-to-end tests of ``workbench partition`` and ``workbench questions --partitioned`` on a small demo log."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import run

SECRET = "test-secret-key-for-the-workbench-suite-0123456789"


def _demo_config(repo_root: Path, folder: Path, *, days: int = 10) -> Path:
    text = (repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8")
    text = text.replace("days: 365", f"days: {days}")
    assert f"days: {days}" in text
    path = folder / "demo_small.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, Path]:
    """Partition the log, answer on the partitioned copy, and discover on the whole log (shared below)."""
    repo_root = Path(request.config.rootpath)
    folder = tmp_path_factory.mktemp("partitioned")
    config = _demo_config(repo_root, folder)
    paths = {"config": config, "parts": folder / "parts", "questions": folder / "questions",
             "discover": folder / "discover"}
    mp = pytest.MonkeyPatch()
    mp.setenv("WORKBENCH_SECRET", SECRET)
    try:
        assert run(["partition", str(config), "--out", str(paths["parts"]), "--buckets", "4"]) == 0
        assert run(["questions", str(config), "--partitioned", str(paths["parts"]), "--out",
                    str(paths["questions"]), "--per-person"]) == 0
        assert run(["discover", str(config), "--out", str(paths["discover"]), "--per-person"]) == 0
    finally:
        mp.undo()
    return paths


def test_questions_on_the_partitioned_log_are_discovers_tables_byte_for_byte(runs: dict[str, Path]) -> None:
    got = {p.name: p.read_bytes() for p in sorted((runs["questions"] / "tables").glob("*.csv"))}
    want = {p.name: p.read_bytes() for p in sorted((runs["discover"] / "tables").glob("*.csv"))}
    assert set(want) - set(got) == {"variants.csv", "variant_cases.csv"}
    assert set(got) <= set(want) and len(got) >= 15
    for name in ("team_speed_by_person.csv", "reopens_cases.csv", "communication.csv", "time_split_summary.csv"):
        assert name in got, name
    for name, data in got.items():
        assert data == want[name], f"{name} differs from discover's"
    summary = (runs["questions"] / "summary.txt").read_text(encoding="utf-8").splitlines()
    assert summary[:6] == (runs["discover"] / "summary.txt").read_text(encoding="utf-8").splitlines()[:6]
    assert "Not computed for a partitioned log: the process map, variants, filters and rules" in summary[-1]
    assert not (runs["questions"] / "process_map.html").exists()


def test_the_partitioned_log_holds_no_raw_identifier(runs: dict[str, Path]) -> None:
    events = pd.concat([pd.read_parquet(p) for p in sorted(runs["parts"].glob("bucket=*/part-*.parquet"))])
    assert len(events) > 1000
    assert events["resource"].dropna().str.startswith("staff-").all()
    assert events["user"].dropna().str.match(r"^user-[0-9a-f]{16}$").all()
    text = events.to_csv(index=False)
    assert "agent-" not in text, "a raw staff id was stored"


def test_partition_prints_how_to_answer(repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _demo_config(repo_root, tmp_path, days=3)
    assert run(["partition", str(config), "--out", str(tmp_path / "parts"), "--buckets", "2"]) == 0
    printed = capsys.readouterr().out
    assert "Partitioned log (2 buckets," in printed and "workbench questions" in printed
    assert run(["partition", str(config), "--out", str(tmp_path / "parts"), "--buckets", "3"]) == 0
    assert "replaced the partitioned log there" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "parts").glob("bucket=*")) == ["bucket=00", "bucket=01", "bucket=02"]


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "bug" not in err
    return err


def test_a_missing_or_garbage_partitioned_folder_is_one_line_and_exit_2(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(runs["config"])
    assert run(["questions", config, "--partitioned", str(tmp_path / "missing"), "--out", str(tmp_path / "o1")]) == 2
    assert "no such folder" in _one_error_line(capsys)

    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.txt").write_text("not a log", encoding="utf-8")
    assert run(["questions", config, "--partitioned", str(junk), "--out", str(tmp_path / "o2")]) == 2
    assert "not a partitioned log (it has no _log.json); write one with 'workbench partition" in _one_error_line(capsys)

    (junk / "_log.json").write_text("{garbage", encoding="utf-8")
    assert run(["questions", config, "--partitioned", str(junk), "--out", str(tmp_path / "o3")]) == 2
    assert "_log.json cannot be read" in _one_error_line(capsys)

    damaged = tmp_path / "damaged"
    shutil.copytree(runs["parts"], damaged)
    next(damaged.glob("bucket=*/part-*.parquet")).write_bytes(b"PAR1 this is not a parquet file")
    assert run(["questions", config, "--partitioned", str(damaged), "--out", str(tmp_path / "o4")]) == 2
    assert "cannot be read" in _one_error_line(capsys)

    assert run(["questions", config, "--partitioned", str(runs["parts"]), "--out", str(runs["parts"] / "q")]) == 2
    assert "is inside the partitioned log" in _one_error_line(capsys)


def test_partition_refuses_a_folder_the_workbench_did_not_write(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.docx").write_bytes(b"the user's own file")
    assert run(["partition", str(runs["config"]), "--out", str(out)]) == 2
    assert "holds 'report.docx'" in _one_error_line(capsys)
    assert sorted(p.name for p in out.iterdir()) == ["report.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_worker_processes_give_the_same_tables(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "pool"
    assert run(["questions", str(runs["config"]), "--partitioned", str(runs["parts"]), "--out", str(out),
                "--per-person", "--workers", "2"]) == 0
    got = {p.name: p.read_bytes() for p in sorted((out / "tables").glob("*.csv"))}
    want = {p.name: p.read_bytes() for p in sorted((runs["questions"] / "tables").glob("*.csv"))}
    assert got == want


def test_a_bad_scheduler_fails_before_anything_is_written(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert run(["questions", str(runs["config"]), "--partitioned", str(runs["parts"]), "--out", str(out),
                "--scheduler", "127.0.0.1:8786"]) == 2
    assert _one_error_line(capsys) == "error: scheduler address '127.0.0.1:8786' has no protocol; write it as " \
        "tcp://host:8786\n"
    assert not out.exists()
