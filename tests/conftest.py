"""Shared fixtures: a test pseudonymisation key, the shared-data folder, small logs, config writers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT.parent / "shared" / "data").resolve()
CHROMIUM = Path("/usr/bin/chromium")

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "shared_data" in item.fixturenames:
            item.add_marker(pytest.mark.shared_data)
        if "chromium" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
