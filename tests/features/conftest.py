"""A small demo log (45 days) for the feature tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.config import load_log_config
from workbench.io import load_log

SECRET = "test-secret-key-for-the-workbench-suite-0123456789"


@pytest.fixture(scope="session")
def demo_events(repo_root: Path) -> pd.DataFrame:
    config = load_log_config(repo_root / "configs" / "logs" / "demo.yaml")
    config = config.model_copy(update={"source": config.source.model_copy(update={"days": 45, "seed": 3})})
    return load_log(config, secret=SECRET).events
