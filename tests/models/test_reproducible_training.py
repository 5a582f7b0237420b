"""Training end to end is reproducible: the same seed gives the same model, another seed another."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import load_log_config
from workbench.io import load_log
from workbench.models import load_training_config, train_model

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_same_seed_same_model_other_seed_other_model(tmp_path: Path) -> None:
    import yaml

    log = yaml.safe_load((REPO / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8"))
    log["source"]["days"] = 60
    (tmp_path / "log.yaml").write_text(yaml.safe_dump(log, allow_unicode=True), encoding="utf-8")
    config = load_log_config(tmp_path / "log.yaml")
    events = load_log(config).events
    training = load_training_config(REPO / "configs" / "training" / "demo_duration.yaml")
    training = training.model_copy(update={"budget": training.budget.model_copy(update={"trials": 3, "seconds": None})})
    first = train_model(events, config=training, log_config=config)
    second = train_model(events, config=training, log_config=config)
    other = train_model(events, config=training.model_copy(update={"seed": 7}), log_config=config)
    timings = {"tuning_seconds"}
    same = {k: v for k, v in first.metrics.items() if k not in timings}
    assert same == {k: v for k, v in second.metrics.items() if k not in timings}
    assert first.params == second.params
    assert first.params != other.params
