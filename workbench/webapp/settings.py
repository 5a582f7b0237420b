"""The web app's settings: one frozen object, built once at the edge (``workbench app``).

Nothing here reads the environment or a file: the command line decides the database URL, reads
``WORKBENCH_APP_SECRET`` for the cookie secret and passes plain values in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from workbench.config import FrozenModel

__all__ = ["ROLES", "AppSettings", "OidcSettings", "Role"]

Role = Literal["manager", "analyst", "reviewer", "admin"]

#: Every role, in the order the app lists them.
ROLES: tuple[Role, ...] = ("manager", "analyst", "reviewer", "admin")


class OidcSettings(FrozenModel):
    """Log in through the organisation's identity provider with one of Panel's OAuth providers.

    ``provider`` is a Panel OAuth provider name (``generic``, ``azure``, ``okta``, ``github``,
    ...); the client id and secret are read from the environment variables named here (never
    written in a file). ``roles_claim`` names the claim of the identity token that lists the user's
    roles (values outside manager/analyst/reviewer/admin are ignored); ``extra_params`` are passed
    to the provider as Panel's ``oauth_extra_params`` (e.g. ``{"TENANT_ID": ...}`` for Azure, or
    the ``AUTHORIZE_URL``/``TOKEN_URL``/``USER_URL`` of a generic provider).
    """

    provider: str
    client_id_env: str = "WORKBENCH_OIDC_CLIENT_ID"
    client_secret_env: str = "WORKBENCH_OIDC_CLIENT_SECRET"
    roles_claim: str = "roles"
    redirect_uri: str | None = None
    extra_params: dict[str, str] = Field(default_factory=dict)


class AppSettings(FrozenModel):
    """Everything ``workbench app`` needs, read once; the cookie secret is never shown in a repr."""

    experiment: Path
    outputs: Path
    users_file: Path
    database_url: str
    cookie_secret: str = Field(repr=False, min_length=32)
    address: str = "127.0.0.1"
    port: int = Field(default=5006, ge=0, le=65535)
    session_minutes: int = Field(default=480, ge=1)
    language: Literal["da", "en"] = "da"
    max_parallel_runs: int = Field(default=2, ge=1)
    oidc: OidcSettings | None = None
    per_person: bool = False
    #: Behind a reverse proxy: trust its X-Forwarded-For/-Proto headers (client address for the login
    #: limit, https for the Secure cookie flag). Leave off when browsers reach the app directly.
    behind_proxy: bool = False
    #: Host names (with port when not 80/443) browsers use to reach the app through a proxy, e.g.
    #: ``("workbench.kommune.dk",)``; the websocket accepts pages from these origins besides the local ones.
    public_hosts: tuple[str, ...] = ()
    #: Failed logins allowed per user and address within ``login_window_seconds`` before HTTP 429.
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
