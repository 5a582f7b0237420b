"""One rule for paths in configs: relative to the config file that names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.fairness.config import load_audit_config


def test_audit_out_is_relative_to_the_audit_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "configs" / "audits"
    folder.mkdir(parents=True)
    path = folder / "a.yaml"
    path.write_text("name: a\nlog: ../logs/x.yaml\naudits: [historical]\ngroup_attributes: [g]\n"
                    "out: ../../results/a\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "configs")  # another folder: the result must not depend on it
    config = load_audit_config(path)
    assert config.out == tmp_path / "results" / "a"
    assert config.log == (tmp_path / "configs" / "logs" / "x.yaml").resolve()


def test_audit_out_default_is_in_the_current_folder(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("name: a\nlog: x.yaml\naudits: [historical]\ngroup_attributes: [g]\n", encoding="utf-8")
    assert load_audit_config(path).out == Path("outputs/audits/a")


def test_experiment_as_of_reads_a_date_or_a_moment() -> None:
    import datetime as dt

    from workbench.models import parse_as_of
    from workbench.pipeline.config import ExperimentConfig

    config = ExperimentConfig.model_validate({"name": "x", "log": "log.yaml", "as_of": dt.date(2024, 3, 1)})
    assert parse_as_of(str(config.as_of), timezone="Europe/Copenhagen").isoformat() == "2024-02-29T23:00:00+00:00"
    assert ExperimentConfig.model_validate({"name": "x", "log": "log.yaml"}).as_of is None
    with pytest.raises(ValueError, match="as_of"):
        ExperimentConfig.model_validate({"name": "x", "log": "log.yaml", "as_of": "soon"})
