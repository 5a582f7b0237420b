"""Users file (salted scrypt, atomic, 0600), the role table, and ``workbench users``."""

from __future__ import annotations

import hashlib
import io
import json
import stat
from pathlib import Path

import pytest

from workbench.cli import run
from workbench.webapp.accounts import (
    ACTION_ROLES,
    PAGE_ROLES,
    AccessDenied,
    AccountError,
    User,
    UsersFile,
    require,
)


@pytest.fixture()
def users(tmp_path: Path) -> UsersFile:
    found = UsersFile(tmp_path / "users.json")
    found.add("mona", "correct horse", ["manager"])
    return found


def test_verify_accepts_the_password_and_nothing_else(users: UsersFile) -> None:
    assert users.verify("mona", "correct horse") == User("mona", frozenset({"manager"}))
    assert users.verify("mona", "correct horse ") is None
    assert users.verify("mona", "") is None
    assert users.verify("nobody", "correct horse") is None


def test_hashes_are_salted_and_the_file_is_private(users: UsersFile) -> None:
    users.add("rita", "correct horse", ["reviewer"])
    text = users.path.read_text(encoding="utf-8")
    assert "correct horse" not in text
    entries = json.loads(text)["users"]
    assert entries["mona"]["salt"] != entries["rita"]["salt"]
    assert entries["mona"]["hash"] != entries["rita"]["hash"]
    assert stat.S_IMODE(users.path.stat().st_mode) == 0o600
    assert [p.name for p in users.path.parent.iterdir()] == ["users.json"]  # no temporary file left


def test_an_unknown_user_costs_one_scrypt_like_a_known_one(users: UsersFile, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    real = hashlib.scrypt

    def counting(password: bytes, **kwargs: object) -> bytes:
        calls.append(password)
        return real(password, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hashlib, "scrypt", counting)
    users.verify("mona", "wrong")
    users.verify("nobody", "wrong")
    assert len(calls) == 2


def test_add_again_replaces_password_and_roles(users: UsersFile) -> None:
    users.add("mona", "another secret", ["analyst", "reviewer"])
    assert users.verify("mona", "correct horse") is None
    assert users.verify("mona", "another secret") == User("mona", frozenset({"analyst", "reviewer"}))
    assert [u.name for u in users.users()] == ["mona"]


def test_remove_and_remove_unknown(users: UsersFile) -> None:
    users.add("rita", "correct horse", ["reviewer"])
    users.remove("rita")
    assert [u.name for u in users.users()] == ["mona"]
    with pytest.raises(AccountError, match=r"^no user 'rita' in '.*users.json' \(users: mona\)$"):
        users.remove("rita")


@pytest.mark.parametrize(("name", "password", "roles", "message"), [
    ("mona", "correct horse", ["boss"], r"unknown role 'boss'; choose from manager, analyst, reviewer, admin"),
    ("mona", "correct horse", [], r"at least one role"),
    ("../etc", "correct horse", ["admin"], r"user name '../etc' is not allowed"),
    ("mona", "short", ["admin"], r"password is too short: use at least 8 characters"),
])
def test_bad_accounts_are_refused_with_one_line(tmp_path: Path, name: str, password: str, roles: list[str],
                                                message: str) -> None:
    with pytest.raises(AccountError, match=message):
        UsersFile(tmp_path / "users.json").add(name, password, roles)  # type: ignore[arg-type]
    assert not (tmp_path / "users.json").exists()


def test_a_file_that_is_not_a_users_file(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(AccountError, match="is not a workbench users file"):
        UsersFile(tmp_path / "users.json").users()


def test_the_role_table() -> None:
    reviewer, manager = User("r", frozenset({"reviewer"})), User("m", frozenset({"manager"}))
    assert set(PAGE_ROLES) == {"overview", "whatif", "atrisk", "audit"}
    assert not reviewer.can("whatif") and manager.can("whatif") and reviewer.can("audit")
    assert reviewer.can("sign_off") and not manager.can("sign_off") and not User("a", frozenset({"admin"})).can("sign_off")
    assert all(roles for roles in ACTION_ROLES.values())
    assert not manager.can("no_such_action")
    require(manager, "run_scenario")
    with pytest.raises(AccessDenied, match=r"^user 'r' may not run scenario: it needs the role admin or manager, "
                                           r"and the user has reviewer$"):
        require(reviewer, "run_scenario")
    with pytest.raises(AccessDenied, match="unknown page or action 'delete_all'"):
        require(manager, "delete_all")


def test_users_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "users.json"
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-password\n"))
    assert run(["users", "add", "ann", "--role", "analyst", "--role", "reviewer", "--users", str(path),
                "--password-stdin"]) == 0
    assert UsersFile(path).verify("ann", "s3cret-password") == User("ann", frozenset({"analyst", "reviewer"}))
    assert run(["users", "list", "--users", str(path)]) == 0
    assert "ann\tanalyst, reviewer" in capsys.readouterr().out
    assert run(["users", "remove", "bob", "--users", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no user 'bob'") and err.count("\n") == 1
    assert run(["users", "remove", "ann", "--users", str(path)]) == 0
    assert UsersFile(path).users() == []


def test_the_password_is_not_an_argument(tmp_path: Path) -> None:
    assert run(["users", "add", "ann", "--role", "analyst", "--password", "x", "--users", str(tmp_path / "u")]) != 0
    assert not (tmp_path / "u").exists()
