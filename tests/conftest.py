"""Shared fixtures: a test pseudonymisation key, the shared-data folder, small logs, config writers, a throw-away
PostgreSQL server (the refresh and the web app's store are tested against it)."""

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

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT.parent / "shared" / "data").resolve()
CHROMIUM = Path("/usr/bin/chromium")
#: Chromium as the browser tests start it: no sandbox (root in CI), no GPU, and none of its own network
#: traffic (this machine's network is closed, and a page must not need anything outside it).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

TEST_SECRET = "test-secret-key-for-the-workbench-suite-0123456789"


@pytest.fixture(autouse=True)
def _test_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with a pseudonymisation key, unless it removes it on purpose."""
    monkeypatch.setenv("WORKBENCH_SECRET", TEST_SECRET)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real public logs (../shared/data); the test is skipped when it is missing."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is not here")
    return SHARED_DATA


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium binary; the test is skipped when it is missing."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium"))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    """One headless Chromium per test module, driven by Playwright (skipped when it cannot start); closed with
    the module, so the next module can start its own Playwright."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        except Exception as exc:
            pytest.skip(f"playwright cannot launch {chromium}: {exc}")
        yield launched
        launched.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "shared_data" in item.fixturenames:
            item.add_marker(pytest.mark.shared_data)
        if "chromium" in item.fixturenames:
            item.add_marker(pytest.mark.browser)


PG_ROOT = Path("/usr/lib/postgresql")


def free_port() -> int:
    """A TCP port nobody listens on right now, on 127.0.0.1."""
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
    data, port = folder / "data", free_port()
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
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the test server (its URL), dropped afterwards even while still in use."""
    import sqlalchemy as sa

    name = f"wb_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield f"{postgres_server}/{name}"
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


@pytest.fixture(scope="session")
def demo_config(repo_root: Path) -> Any:
    """The demo desk's log config."""
    from workbench.config import load_log_config

    return load_log_config(repo_root / "configs" / "logs" / "demo.yaml")


@pytest.fixture(scope="session")
def demo_events(demo_config: Any) -> Any:
    """Seven weeks of the demo desk in the canonical schema (no pseudonyms needed here)."""
    from workbench.demo import DemoParams, generate_demo_log
    from workbench.io import prepare_log

    raw = generate_demo_log(DemoParams(days=49, runout_days=14), seed=11).events
    return prepare_log(raw, demo_config, pseudonymise=False).events
