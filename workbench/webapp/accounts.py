"""Users, roles and who may do what: the users file and the one table the server checks.

The users file is JSON, one entry per user with their roles and a salted scrypt hash of the
password (``hashlib.scrypt``, a fresh 16-byte salt per password); it is written atomically
(temporary file, flush, rename) with mode 0600, so a crash never leaves half a file and other
local users cannot read the hashes. Passwords are compared in constant time, and an unknown
user costs the same scrypt work as a known one, so timing tells nothing about who exists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from workbench.errors import ConfigError, WorkbenchError
from workbench.webapp.settings import ROLES, Role

__all__ = [
    "ACTION_ROLES",
    "PAGE_ROLES",
    "AccessDenied",
    "AccountError",
    "User",
    "UsersFile",
    "allowed",
    "require",
]

_ALL: frozenset[Role] = frozenset(ROLES)

#: Which roles may open each page (checked by the server before the page is built).
PAGE_ROLES: Mapping[str, frozenset[Role]] = {
    "overview": _ALL,
    "whatif": frozenset({"manager", "admin"}),
    "atrisk": frozenset({"analyst", "manager", "admin"}),
    "audit": frozenset({"reviewer", "manager", "admin"}),
}

#: Which roles may take each action (pages call :func:`require` before acting).
ACTION_ROLES: Mapping[str, frozenset[Role]] = {
    "run_scenario": frozenset({"manager", "admin"}),
    "save_scenario": frozenset({"manager", "admin"}),
    "cancel_run": frozenset({"manager", "admin"}),
    "export_atrisk": frozenset({"analyst", "manager", "admin"}),
    "comment": frozenset({"reviewer", "admin"}),
    "sign_off": frozenset({"reviewer"}),
}

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
#: scrypt cost: n=2**14, r=8, p=1 is the interactive-login setting (about 16 MiB, ~50 ms).
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_MIN_PASSWORD = 8


class AccountError(ConfigError):
    """A user name, role, password or the users file is not acceptable; one line says which."""


class AccessDenied(WorkbenchError, PermissionError):
    """The user's roles do not allow the page or action."""


@dataclass(frozen=True)
class User:
    """A logged-in user: a name and the roles the users file (or the identity provider) gives."""

    name: str
    roles: frozenset[Role]

    def can(self, page_or_action: str) -> bool:
        """Whether one of the user's roles allows the page or action (unknown names: no)."""
        return allowed(self.roles, page_or_action)


def allowed(roles: Iterable[str], page_or_action: str) -> bool:
    """Whether any of ``roles`` may open the page or take the action ``page_or_action``."""
    table = PAGE_ROLES.get(page_or_action) or ACTION_ROLES.get(page_or_action)
    return table is not None and not table.isdisjoint(set(roles))


def require(user: User, action: str) -> None:
    """Raise :class:`AccessDenied` unless ``user`` may take ``action`` (or open page ``action``)."""
    if action not in PAGE_ROLES and action not in ACTION_ROLES:
        raise AccessDenied(f"unknown page or action {action!r}; known: {', '.join([*PAGE_ROLES, *ACTION_ROLES])}")
    if not user.can(action):
        needed = sorted(PAGE_ROLES.get(action) or ACTION_ROLES[action])
        raise AccessDenied(f"user {user.name!r} may not {action.replace('_', ' ')}: it needs the role "
                           f"{' or '.join(needed)}, and the user has {', '.join(sorted(user.roles)) or 'none'}")


def check_roles(roles: Iterable[str]) -> frozenset[Role]:
    """The roles as a set, or :class:`AccountError` naming the unknown one."""
    found = frozenset(roles)
    if not found:
        raise AccountError(f"a user needs at least one role; choose from {', '.join(ROLES)}")
    unknown = sorted(found - set(ROLES))
    if unknown:
        raise AccountError(f"unknown role {unknown[0]!r}; choose from {', '.join(ROLES)}")
    return cast(frozenset[Role], found)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise AccountError(f"user name {name!r} is not allowed: use 1 to 64 letters, digits, '.', '_', '@' or '-', "
                           "starting with a letter or digit")
    return name


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 2**20, **_SCRYPT)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


#: A fixed dummy entry, hashed when the user is unknown so the answer takes as long as for a known user.
_DUMMY_SALT = b"workbench-dummy!"


class UsersFile:
    """The users file at ``path`` (JSON): read on every call, so changes apply without a restart."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"UsersFile({str(self.path)!r})"

    # -- reading -----------------------------------------------------------------------------
    def _entries(self) -> dict[str, dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise AccountError(f"users file '{self.path}' cannot be read: {exc.strerror}") from None
        try:
            data = json.loads(text)
            users = data["users"]
            if not isinstance(users, dict):
                raise TypeError("users is not a mapping")
        except (ValueError, KeyError, TypeError):
            raise AccountError(f"users file '{self.path}' is not a workbench users file (JSON with a 'users' "
                               "mapping); create it with 'workbench users add'") from None
        return cast(dict[str, dict[str, Any]], users)

    def users(self) -> list[User]:
        """Every user, sorted by name."""
        return [User(name, check_roles(entry.get("roles", ()))) for name, entry in sorted(self._entries().items())]

    def user(self, name: str) -> User | None:
        """The user called ``name`` (no password check), or None."""
        entry = self._entries().get(name)
        return None if entry is None else User(name, check_roles(entry.get("roles", ())))

    def verify(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None; the same work for unknown users (constant time)."""
        entry = self._entries().get(name)
        if entry is None:
            hmac.compare_digest(_hash(password, _DUMMY_SALT), bytes(32))
            return None
        try:
            salt = base64.b64decode(entry["salt"])
            expected = base64.b64decode(entry["hash"])
        except (KeyError, ValueError, TypeError):
            return None
        if not hmac.compare_digest(_hash(password, salt), expected):
            return None
        return User(name, check_roles(entry.get("roles", ())))

    # -- writing -----------------------------------------------------------------------------
    def add(self, name: str, password: str, roles: Iterable[Role]) -> User:
        """Add ``name`` with ``password`` and ``roles``; an existing user gets the new password and roles."""
        check_name(name)
        found = check_roles(roles)
        if len(password) < _MIN_PASSWORD:
            raise AccountError(f"the password is too short: use at least {_MIN_PASSWORD} characters")
        entries = self._entries()
        salt = secrets.token_bytes(16)
        entries[name] = {"roles": sorted(found), "scheme": "scrypt", **{k: v for k, v in _SCRYPT.items()},
                         "salt": _b64(salt), "hash": _b64(_hash(password, salt))}
        self._write(entries)
        return User(name, found)

    def remove(self, name: str) -> None:
        """Remove ``name``; an unknown name is an :class:`AccountError` (one line)."""
        entries = self._entries()
        if name not in entries:
            known = ", ".join(sorted(entries)) or "none"
            raise AccountError(f"no user {name!r} in '{self.path}' (users: {known})")
        del entries[name]
        self._write(entries)

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"format": "workbench-users/1", "users": entries}, indent=2, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
