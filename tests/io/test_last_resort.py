"""The command line's last-resort handler: a bug is one line naming the file and a crash log, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import run
from workbench.errors import file_being_read, reading


def test_reading_marks_an_unexpected_exception_with_the_innermost_file() -> None:
    with pytest.raises(TypeError) as info, reading("outer.yaml"), reading("inner.csv"):
        raise TypeError("unhashable type: 'numpy.ndarray'")
    assert file_being_read(info.value) == "inner.csv"


def test_a_bug_while_reading_is_one_line_naming_the_file_and_the_crash_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import workbench.config as config_module

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("WORKBENCH_TRACEBACK", raising=False)
    log_config = tmp_path / "log.yaml"
    log_config.write_text("name: x\n", encoding="utf-8")

    def broken(path: object) -> object:
        with reading(path):  # type: ignore[arg-type]
            raise TypeError("unhashable type: 'numpy.ndarray'")

    monkeypatch.setattr(config_module, "load_log_config", broken)
    code = run(["validate", str(log_config)])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"reading '{log_config}'" in lines[0] and "this is a bug, please report it" in lines[0]
    crash = Path(lines[0].rsplit("the full trace is in ", 1)[1])
    assert crash.is_file() and crash.is_relative_to(tmp_path / "state")
    assert "Traceback" in crash.read_text() and "unhashable type" in crash.read_text()


def test_a_usage_error_is_click_usage_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert "No such option" in err and "Traceback" not in err


def test_a_workbench_error_stays_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "missing.yaml" in err[0]
