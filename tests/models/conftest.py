"""A small demo log and its config for the model tests (generated once per session)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.config import LogConfig, load_log_config
from workbench.io import load_log

SECRET = "test-secret-key-for-the-workbench-suite-0123456789"


@pytest.fixture(scope="session")
def demo_config(repo_root: Path) -> LogConfig:
    config = load_log_config(repo_root / "configs" / "logs" / "demo.yaml")
    return config.model_copy(update={"source": config.source.model_copy(update={"days": 90, "seed": 3})})


@pytest.fixture(scope="session")
def demo_events(demo_config: LogConfig) -> pd.DataFrame:
    return load_log(demo_config, secret=SECRET).events


@pytest.fixture(scope="session")
def duration_result(demo_events: pd.DataFrame, demo_config: LogConfig, repo_root: Path):  # type: ignore[no-untyped-def]
    """A remaining-time model trained with 2 tuning trials (shared by the tracking and scoring tests)."""
    from workbench.models import load_training_config, train_model

    config = load_training_config(repo_root / "configs" / "training" / "demo_duration.yaml")
    config = config.model_validate({**config.model_dump(), "name": "test-duration", "budget": {"trials": 2}})
    return train_model(demo_events, config=config, log_config=demo_config)


@pytest.fixture(scope="session")
def reopen_result(demo_events: pd.DataFrame, demo_config: LogConfig, repo_root: Path):  # type: ignore[no-untyped-def]
    from workbench.models import load_training_config, train_model

    config = load_training_config(repo_root / "configs" / "training" / "demo_reopen.yaml")
    config = config.model_validate({**config.model_dump(), "name": "test-reopen", "budget": {"trials": 2}})
    return train_model(demo_events, config=config, log_config=demo_config)
