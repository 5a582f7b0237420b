"""End-to-end tests of ``workbench discover`` on a small demo log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import run

SECRET = "test-secret-key-for-the-workbench-suite-0123456789"


def _demo_config(repo_root: Path, folder: Path, *, days: int = 10, pseudonymise: bool = True) -> Path:
    text = (repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8")
    text = text.replace("days: 365", f"days: {days}")
    if not pseudonymise:
        text = text.replace("pseudonymise: true", "pseudonymise: false")
    assert f"days: {days}" in text
    path = folder / "demo_small.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def discovered(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    """One full run (filters, rules, per-person, CSV and Parquet), shared by the tests below."""
    repo_root = Path(request.config.rootpath)
    folder = tmp_path_factory.mktemp("discover")
    config = _demo_config(repo_root, folder)
    out = folder / "out"
    mp = pytest.MonkeyPatch()
    mp.setenv("WORKBENCH_SECRET", SECRET)
    try:
        code = run([
            "discover", str(config), "--out", str(out),
            "--filters", str(repo_root / "configs" / "filters" / "mainstream.yaml"),
            "--rules", str(repo_root / "configs" / "rules" / "service_levels.yaml"),
            "--format", "both", "--per-person",
        ])
    finally:
        mp.undo()
    return code, out


def test_discover_writes_maps_tables_and_summary(discovered) -> None:
    code, out = discovered
    assert code == 0
    for name in ("process_map.svg", "process_map.html", "process_model.bpmn", "process_model.pnml", "summary.txt"):
        assert (out / name).stat().st_size > 0, name
    tables = out / "tables"
    for stem in ("filter_report", "variants", "variant_cases", "team_speed", "routing", "reopens", "time_split",
                 "communication", "rule_summary", "rule_violations", "reopens_cases", "routing_tickets"):
        assert (tables / f"{stem}.csv").exists(), stem
        assert (tables / f"{stem}.parquet").exists(), stem
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert "real reopens" in summary and "waiting on the user" in summary and "Rule 'resolved within" in summary
    report = pd.read_csv(tables / "filter_report.csv")
    assert report["step"].tolist() == [0, 1, 2]
    reopens = pd.read_parquet(tables / "reopens_summary.parquet").set_index("metric")["value"]
    cases = pd.read_csv(tables / "reopens_cases.csv")
    assert (cases["figure"] == "real_reopen").sum() == reopens["real_reopen_tickets"]


def test_discover_person_output_only_pseudonymised(discovered) -> None:
    _, out = discovered
    people = pd.read_csv(out / "tables" / "team_speed_by_person.csv")
    assert people["resource"].str.startswith("staff-").all()
    for path in out.rglob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert "agent-" not in text, f"a real staff id leaked into {path.name}"
        assert "user-0" not in text, f"a real user id leaked into {path.name}"


def test_discover_without_per_person_writes_no_person_ids(repo_root: Path, tmp_path: Path, capsys) -> None:
    config = _demo_config(repo_root, tmp_path, days=5)
    out = tmp_path / "out"
    assert run(["discover", str(config), "--out", str(out), "--format", "parquet"]) == 0
    printed = capsys.readouterr().out
    assert "1. How fast do the partner teams" in printed and "Process map:" in printed
    assert not list(out.glob("tables/*.csv"))
    assert not (out / "tables" / "team_speed_by_person.parquet").exists()
    for path in (out / "tables").glob("*.parquet"):
        frame = pd.read_parquet(path)
        for column in frame.columns:
            if frame[column].dtype == object:
                assert not frame[column].astype(str).str.startswith("staff-").any(), (path.name, column)


def test_discover_refuses_to_overwrite_its_input(repo_root: Path, tmp_path: Path, capsys) -> None:
    config = _demo_config(repo_root, tmp_path, days=2)
    before = config.read_bytes()
    assert run(["discover", str(config), "--out", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is a file" in err and len(err.strip().splitlines()) == 1
    assert config.read_bytes() == before


def test_discover_bad_filter_is_one_line(repo_root: Path, tmp_path: Path, capsys) -> None:
    config = _demo_config(repo_root, tmp_path, days=2)
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - type: activities\n    activities: [Closd]\n", encoding="utf-8")
    assert run(["discover", str(config), "--out", str(tmp_path / "o"), "--filters", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: filter step 1 (activities): activities ['Closd'] not in the log")
    assert "'Closed'" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o" / "tables").exists()


def test_discover_per_person_needs_pseudonymisation(repo_root: Path, tmp_path: Path, capsys) -> None:
    config = _demo_config(repo_root, tmp_path, days=2, pseudonymise=False)
    assert run(["discover", str(config), "--out", str(tmp_path / "o"), "--per-person"]) == 2
    assert "per-person output needs pseudonymised identifiers" in capsys.readouterr().err


def test_discover_writes_only_where_the_workbench_wrote_before(repo_root: Path, tmp_path: Path, capsys,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder holding someone else's file is refused (one line naming it and --force); a rerun is not."""
    monkeypatch.setenv("WORKBENCH_SECRET", SECRET)
    config = _demo_config(repo_root, tmp_path, days=3)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert run(["discover", str(config), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'notes.txt'" in err and "--force" in err and err.count("\n") == 1
    assert not (out / "summary.txt").exists()
    assert run(["discover", str(config), "--out", str(out), "--force"]) == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine" and (out / "summary.txt").exists()
    assert run(["discover", str(config), "--out", str(tmp_path / "again")]) == 0
    assert run(["discover", str(config), "--out", str(tmp_path / "again")]) == 0  # its own files: no --force
