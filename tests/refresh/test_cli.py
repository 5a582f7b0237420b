"""``workbench refresh``: outputs and the data's "as of" stamp; schema drift is one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.refresh._scenario import insert, split_history
from tests.refresh.conftest import write_configs
from workbench.cli import run
from workbench.refresh.example import replace_view


@pytest.mark.slow
def test_refresh_command_writes_tables_alerts_and_the_stamp(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_configs(tmp_path, sqlite_url)
    parts = split_history(history)
    insert(sqlite_url, parts["first"])
    assert run(["refresh", str(config)]) == 0
    out = tmp_path / "outputs"
    status = json.loads((out / "refresh_status.json").read_text())
    first_as_of = status["data_as_of"]
    assert pd.Timestamp(first_as_of) == pd.Timestamp(parts["first"]["changed_at"].max(), tz="UTC")
    for name in ("alerts_deadlines.csv", "alerts_reopens.csv", "discover/tables/rule_violations.csv",
                 "discover/tables/reopens.csv", "load/data_quality.csv", "discover/tables/variants.csv",
                 "discover/process_map.html", "discover/summary.txt", "report/report.html", "as_of.json"):
        assert (out / name).exists(), name
    as_of = json.loads((out / "as_of.json").read_text())
    assert as_of["data_as_of"] == first_as_of and as_of["store_generation"] == status["store_generation"]
    assert as_of["store_watermark"]["value"] and as_of["events"] > 0 and as_of["cases"] > 0
    assert "alerts" in as_of and "refreshed_at" in as_of
    insert(sqlite_url, parts["second"])
    assert run(["refresh", str(config)]) == 0
    status = json.loads((out / "refresh_status.json").read_text())
    assert status["inserted"] == len(parts["second"]) and status["store_changed"]
    assert pd.Timestamp(status["data_as_of"]) > pd.Timestamp(first_as_of)
    reopens = pd.read_csv(out / "alerts_reopens.csv")
    assert (pd.to_datetime(reopens["resolved_again_at"], utc=True) > pd.Timestamp(first_as_of)).all()
    printed = capsys.readouterr().out
    assert "Data as of" in printed and "Alerts:" in printed


def test_schema_drift_is_one_line_and_exit_2(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_configs(tmp_path, sqlite_url, rules=None)
    insert(sqlite_url, history.head(300))
    replace_view(sa.create_engine(sqlite_url), timestamp_name="haendelse_tid")
    assert run(["refresh", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("error: schema drift: column 'tidspunkt' (columns.timestamp) is missing")
    assert not (tmp_path / "store" / "manifest.json").exists()


def test_a_non_sql_log_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "refresh.yaml").write_text(
        f"log: {Path(__file__).resolve().parents[2] / 'configs/logs/demo.yaml'}\nstore: s\noutputs: o\n")
    assert run(["refresh", str(tmp_path / "refresh.yaml")]) == 2
    assert "use a log config with source.kind: sql" in capsys.readouterr().err


def test_an_empty_source_is_one_line(tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["refresh", str(write_configs(tmp_path, sqlite_url))]) == 2
    assert "has no rows yet, so there is nothing to refresh" in capsys.readouterr().err


def test_an_outputs_folder_with_foreign_files_stops_before_the_merge_unless_forced(
    tmp_path: Path, sqlite_url: str, history: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_configs(tmp_path, sqlite_url, rules=None)
    insert(sqlite_url, history.head(300))
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs" / "notes.txt").write_text("mine")
    assert run(["refresh", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "notes.txt" in err and "--force" in err
    assert not (tmp_path / "store" / "manifest.json").exists()
    assert run(["refresh", str(config), "--force"]) == 0
    assert (tmp_path / "outputs" / "notes.txt").read_text() == "mine"
    assert json.loads((tmp_path / "outputs" / "as_of.json").read_text())["events"] > 0
