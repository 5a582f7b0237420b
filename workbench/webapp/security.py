"""Guards at the app's edge: which file under the outputs a ``/files`` path may name, and single sign-on.

A path is refused when it is empty, absolute, holds an empty, ``..`` or ``.`` segment, a backslash, a
NUL or a drive letter, names a hidden file (``.workbench-manifest.json``), or resolves (through
symlinks) to anything outside the outputs folder or to something other than a regular file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from workbench.errors import ConfigError, WorkbenchError
from workbench.webapp.settings import ROLES

__all__ = ["FileRefused", "oidc_login_handler", "roles_from_claims", "safe_output_file"]


class FileRefused(WorkbenchError, PermissionError):
    """A ``/files`` path that does not name a regular file inside the outputs folder."""


def safe_output_file(outputs: Path, requested: str) -> Path:
    """The file under ``outputs`` that ``requested`` (URL-decoded, relative) names, or :class:`FileRefused`."""
    if not requested or "\x00" in requested or "\\" in requested or requested.startswith("/"):
        raise FileRefused("not a relative path")
    parts = requested.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") or ":" in part for part in parts):
        raise FileRefused("the path may not hold empty, '.' or '..' segments, hidden names or drive letters")
    root = outputs.resolve(strict=True)
    try:
        target = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        raise FileRefused("no such file") from None
    if not target.is_relative_to(root) or target == root:
        raise FileRefused("the path leads outside the outputs folder")
    if not target.is_file():
        raise FileRefused("not a file")
    return target


# -- single sign-on (OIDC) through Panel's OAuth providers -------------------------------------------------
def roles_from_claims(claims: Mapping[str, Any], claim: str) -> frozenset[str]:
    """The app roles listed in the identity token's ``claim`` (a list or a space/comma separated string)."""
    value = claims.get(claim, ())
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, (list, tuple, set, frozenset)):
        return frozenset()
    return frozenset(str(v) for v in value) & set(ROLES)


def oidc_login_handler(provider: str, *, roles_claim: str,
                       on_login: Callable[[Any, str, frozenset[str]], None]) -> type:
    """Panel's login handler for ``provider``, which also opens the app's own session after a login.

    Panel's handler runs the OAuth/OIDC flow and stores the user and the identity token in its
    cookies (through ``set_secure_cookie``); this subclass reads them as they are set, and before
    the final redirect calls ``on_login(handler, user, roles)``, which opens the app's session
    exactly as the password login does. Roles come from the token's claims; none means no entry.
    """
    from panel.auth import AUTH_PROVIDERS
    from panel.util import decode_token

    if provider not in AUTH_PROVIDERS:
        raise ConfigError(f"oidc.provider {provider!r} is not one of Panel's OAuth providers: "
                          f"{', '.join(sorted(AUTH_PROVIDERS))}")
    base = AUTH_PROVIDERS[provider]

    class WorkbenchOidcLogin(base):  # type: ignore[valid-type,misc]
        _workbench_user: str | None = None
        _workbench_claims: dict[str, Any] | None = None

        def set_secure_cookie(self, name: str, value: Any, *args: Any, **kwargs: Any) -> None:
            if name == "user":
                self._workbench_user = value.decode() if isinstance(value, bytes) else str(value)
            elif name == "id_token":
                text = value.decode() if isinstance(value, bytes) else str(value)
                try:
                    self._workbench_claims = decode_token(text)
                except ValueError:
                    self._workbench_claims = None
            super().set_secure_cookie(name, value, *args, **kwargs)

        def redirect(self, url: str, *args: Any, **kwargs: Any) -> None:
            if self._workbench_user is not None:
                user, self._workbench_user = self._workbench_user, None
                on_login(self, user, roles_from_claims(self._workbench_claims or {}, roles_claim))
            super().redirect(url, *args, **kwargs)

    WorkbenchOidcLogin.__name__ = f"WorkbenchOidcLogin_{provider}"
    return WorkbenchOidcLogin
