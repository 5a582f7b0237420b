"""Fixtures: the example ticket database on SQLite (quick) and on a real PostgreSQL server (started here)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

PG_ROOT = Path("/usr/lib/postgresql")


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    if not PG_ROOT.is_dir():
        return None
    versions = sorted((p for p in PG_ROOT.iterdir() if (p / "bin" / "initdb").exists()),
                      key=lambda p: int(p.name) if p.name.isdigit() else 0)
    return versions[-1] / "bin" if versions else None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throw-away PostgreSQL server on a free local port; yields its admin URL (skips without the binaries)."""
    pytest.importorskip("psycopg", reason="the PostgreSQL driver is missing: pip install -e '.[postgres]'")
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are missing (apt-get install -y postgresql)")
    run_as: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="wb-pg-", dir="/tmp"))
    if os.geteuid() == 0:  # initdb refuses to run as root: use the package's postgres user
        if shutil.which("runuser") is None:
            pytest.skip("running as root and runuser is missing, so PostgreSQL cannot be started")
        try:
            shutil.chown(folder, user="postgres", group="postgres")
        except LookupError:
            pytest.skip("running as root and there is no 'postgres' user to start PostgreSQL as")
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                    "-w", "-t", "60", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database with the example ticket schema on the test server."""
    import sqlalchemy as sa

    from workbench.refresh.example import create_schema

    name = f"tickets_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = f"{postgres_server}/{name}"
    engine = sa.create_engine(url)
    create_schema(engine)
    engine.dispose()
    try:
        yield url
    finally:
        deadline = time.monotonic() + 10
        with admin.connect() as conn:
            while True:
                try:
                    conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    break
                except sa.exc.OperationalError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.2)
        admin.dispose()
