"""Fixtures: the example ticket database on SQLite (quick) and on a real PostgreSQL server (started here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml


@pytest.fixture(scope="session")
def history() -> pd.DataFrame:
    """Forty days of the demo desk as ticket-system history rows (about 1,300 tickets)."""
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.refresh.example import ticket_history

    return ticket_history(generate_demo_log(DemoParams(days=40), seed=7).events)


def write_configs(folder: Path, url: str, **refresh: Any) -> Path:
    """A log config for the example view and a refresh config next to it; return the refresh config."""
    from workbench.refresh.example import log_config_data

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "log.yaml").write_text(yaml.safe_dump(log_config_data(url=url)), encoding="utf-8")
    rules = {"rules": [{"name": "resolved within 5 working days", "type": "resolved_within", "working_days": 5},
                       {"name": "first response within 4 working hours", "type": "first_response_within",
                        "working_hours": 4, "response": ["In progress"]}]}
    (folder / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    data = {"log": "log.yaml", "store": "store", "outputs": "outputs", "watermark": "opdateret",
            "key": ["historik_id"], "look_back_hours": 48, "rules": "rules.yaml", **refresh}
    path = folder / "refresh.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    import sqlalchemy as sa

    from workbench.refresh.example import create_schema

    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    engine = sa.create_engine(url)
    create_schema(engine)
    engine.dispose()
    return url


@pytest.fixture()
def postgres_url(postgres_database: str) -> str:
    """A fresh database with the example ticket schema on the test server."""
    import sqlalchemy as sa

    from workbench.refresh.example import create_schema

    engine = sa.create_engine(postgres_database)
    create_schema(engine)
    engine.dispose()
    return postgres_database
