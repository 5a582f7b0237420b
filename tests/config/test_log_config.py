"""Log configs: strict, typed, and every shipped one loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from workbench.config import load_log_config
from workbench.errors import ConfigError

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs" / "logs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_every_shipped_log_config_validates(path: Path) -> None:
    config = load_log_config(path)
    assert config.name == path.stem
    assert config.source.resolved_kind in ("xes", "csv", "parquet", "sql", "demo")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = "name: t\nsource: {path: x.csv}\ncolumns: {case_id: c, activity: a, timestamp: t}\n"


def test_misspelled_key_is_an_error_not_a_default(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'privacy.pseudonymize': unknown key \(check the spelling\)"):
        load_log_config(write(tmp_path, MINIMAL + "privacy: {pseudonymize: false}\n"))


def test_missing_required_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'columns.timestamp': required key is missing"):
        load_log_config(write(tmp_path, "name: t\nsource: {path: x.csv}\ncolumns: {case_id: c, activity: a}\n"))


def test_group_attribute_must_be_a_case_attribute(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"group attribute 'department' is not a case attribute"):
        load_log_config(write(tmp_path, MINIMAL + "group_attributes: [department]\n"))


def test_a_lifecycle_mode_without_a_lifecycle_column_is_an_error_not_ignored(tmp_path: Path) -> None:
    """``lifecycle: {mode: append}`` with no ``columns.lifecycle`` used to leave every activity as it was."""
    for mode in ("append", "pair"):
        with pytest.raises(ConfigError, match=f"lifecycle.mode is '{mode}' but no lifecycle column is mapped; "
                                              "add columns.lifecycle"):
            load_log_config(write(tmp_path, MINIMAL + f"lifecycle: {{mode: {mode}}}\n"))
    mapped = MINIMAL.replace("timestamp: t}", "timestamp: t, lifecycle: l}") + "lifecycle: {mode: append}\n"
    assert load_log_config(write(tmp_path, mapped)).lifecycle.mode == "append"


def test_unknown_time_zone(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown time zone 'Europe/Aarhus'"):
        load_log_config(write(tmp_path, MINIMAL + "time: {timezone: Europe/Aarhus}\n"))


def test_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"is not valid YAML at line 3, column 8: expected ',' or '}'"):
        load_log_config(write(tmp_path, "name: t\nsource: {path: x.csv\ncolumns: x\n"))
    with pytest.raises(ConfigError, match=r"config file '.*nope.yaml' does not exist"):
        load_log_config(tmp_path / "nope.yaml")


def test_source_kind_from_extension_or_error(tmp_path: Path) -> None:
    assert load_log_config(write(tmp_path, MINIMAL)).source.resolved_kind == "csv"
    with pytest.raises(ConfigError, match=r"cannot tell the source kind from the file name"):
        load_log_config(write(tmp_path, MINIMAL.replace("x.csv", "x.dat")))


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("c,a,t\n")
    config = load_log_config(write(tmp_path, MINIMAL))
    assert config.source.path == (tmp_path / "x.csv").resolve()


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_log_config(write(tmp_path, MINIMAL))
    with pytest.raises(ValidationError, match="frozen"):
        config.name = "other"  # type: ignore[misc]


def test_unknown_calendar_time_zone(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'calendar.timezone': Value error, unknown time zone 'Europe/Odense'"):
        load_log_config(write(tmp_path, MINIMAL + "calendar: {timezone: Europe/Odense}\n"))
