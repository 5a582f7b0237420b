"""``workbench app``: the settings are read once, and bad input is one line with exit code 2 (nothing served)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.conftest import write_experiment
from workbench.cli import run

SECRET = "0123456789abcdef" * 4  # fixed: it is part of parametrised test ids, which must match on every worker


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An experiment (configs only), its output folder, a users file, and ``serve`` replaced by a recorder."""
    from workbench.webapp.accounts import UsersFile

    experiment = write_experiment(tmp_path, days=5)
    outputs = tmp_path / "out"
    outputs.mkdir()
    users = tmp_path / "users.json"
    UsersFile(users).add("mona", "manager-pass-1", ["manager"])
    served: dict[str, Any] = {}

    def serve(settings: Any, pages: Any, job: Any, *, users: Any) -> None:
        served.update(settings=settings, pages=pages, job=job, users=users)

    monkeypatch.setattr("workbench.webapp.server.serve", serve)
    monkeypatch.setenv("WORKBENCH_APP_SECRET", SECRET)
    return {"experiment": experiment, "outputs": outputs, "users": users, "served": served, "tmp": tmp_path}


def _args(s: dict[str, Any], *extra: str) -> list[str]:
    return ["app", str(s["experiment"]), "--outputs", str(s["outputs"]), "--users", str(s["users"]), *extra]


def test_the_settings_are_built_once_and_the_pages_and_job_handed_to_the_server(setup) -> None:
    from workbench.webapp.jobs import run_scenario_job
    from workbench.webapp.pages import PAGES

    assert run(_args(setup, "--port", "5099", "--language", "en", "--public-host", "wb.kommune.dk",
                     "--behind-proxy")) == 0
    settings = setup["served"]["settings"]
    assert settings.port == 5099 and settings.address == "127.0.0.1" and settings.language == "en"
    assert settings.cookie_secret == SECRET and SECRET not in repr(settings)
    assert settings.database_url == f"sqlite:///{setup['tmp'] / 'tiny.app.sqlite'}"
    assert settings.behind_proxy and settings.public_hosts == ("wb.kommune.dk",)
    assert setup["served"]["pages"] is PAGES and setup["served"]["job"] is run_scenario_job


@pytest.mark.parametrize(("env", "extra", "message"), [
    (None, (), r"the web app needs a secret to sign its login cookies and none is set; set WORKBENCH_APP_SECRET"),
    ("short", (), r"the secret in WORKBENCH_APP_SECRET is too weak \(it needs at least 32 characters"),
    ("a" * 40, (), r"is too weak"),
    (SECRET, ("--language", "sv"), r"language 'sv' is not available; choose one of da, en"),
    (SECRET, ("--oidc-provider", "generic", "--oidc-param", "x"), r"--oidc-param 'x' is not KEY=VALUE"),
])
def test_bad_input_is_one_line_and_exit_code_2(setup, monkeypatch, capsys, env, extra, message) -> None:
    if env is None:
        monkeypatch.delenv("WORKBENCH_APP_SECRET")
    else:
        monkeypatch.setenv("WORKBENCH_APP_SECRET", env)
    assert run(_args(setup, *extra)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert re.search(message, err), err
    assert setup["served"] == {}


def test_a_missing_experiment_folder_or_user_is_one_line(setup, capsys) -> None:
    assert run(["app", str(setup["tmp"] / "nope.yaml")]) == 2
    assert "experiment '" in capsys.readouterr().err
    assert run([*_args(setup)[:2], "--outputs", str(setup["tmp"] / "missing"), "--users", str(setup["users"])]) == 2
    assert "output folder" in capsys.readouterr().err
    assert run([*_args(setup)[:4], "--users", str(setup["tmp"] / "none.json")]) == 2
    assert "has no users, so nobody could log in; add one with 'workbench users add" in capsys.readouterr().err
    assert setup["served"] == {}
