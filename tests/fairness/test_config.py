from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import ConfigError
from workbench.fairness import load_audit_config


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_resolve_against_the_config_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg").mkdir()
    cfg = _write(tmp_path / "cfg" / "a.yaml", "name: a\nlog: ../logs/x.yaml\naudits: [historical, model]\n"
                 "model: {scores: scores.csv}\nhistorical:\n  outcome_activities:\n"
                 "    - {name: offer, activities: Make Job Offer}\n")
    config = load_audit_config(cfg)
    assert config.log == (tmp_path / "logs" / "x.yaml").resolve()
    assert config.model.scores == (tmp_path / "cfg" / "scores.csv").resolve()
    assert config.out == Path("outputs/audits/a")
    assert config.historical.outcome_activities[0].activities == ("Make Job Offer",)
    assert config.flag.rule().reference == "overall"


def test_invalid_configs_get_one_clear_line(tmp_path):
    with pytest.raises(ConfigError, match="'thresholds': unknown key"):
        load_audit_config(_write(tmp_path / "b.yaml", "name: b\nlog: x.yaml\nthresholds: {relative: 0.1}\n"))
    with pytest.raises(ConfigError, match="the model audit needs a 'model' section"):
        load_audit_config(_write(tmp_path / "c.yaml", "name: c\nlog: x.yaml\naudits: [model]\n"))
    with pytest.raises(ConfigError, match=r"'audits\.0': Input should be 'historical', 'model' or 'process'"):
        load_audit_config(_write(tmp_path / "d.yaml", "name: d\nlog: x.yaml\naudits: [fairness]\n"))
    with pytest.raises(ConfigError, match="exactly one of 'results'"):
        load_audit_config(_write(tmp_path / "e.yaml", "name: e\nlog: x.yaml\naudits: [process]\nprocess: {}\n"))


def test_shipped_audit_configs_load(repo_root):
    from workbench.config import load_log_config

    paths = sorted((repo_root / "configs" / "audits").glob("*.yaml"))
    assert len(paths) >= 7
    for path in paths:
        config = load_audit_config(path)
        log = load_log_config(config.log)
        attrs = config.group_attributes or log.group_attributes
        assert set(attrs) <= set(log.case_attributes), path
        if config.process is not None and config.process.scenario is not None:
            from workbench.simulation.scenarios import load_scenario

            assert load_scenario(config.process.scenario).changes
