"""CLI: ``workbench users add|remove|list`` -- who may log in to the web app, with which roles.

Passwords are never command-line arguments (they would land in the shell history and the
process list): ``add`` asks for the password twice without echo, or reads one line from
standard input with ``--password-stdin`` (for scripts). The users file keeps salted scrypt
hashes only and is written atomically with mode 0600.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

users_app = typer.Typer(name="users", help="Manage the web app's users: add, remove, list.", no_args_is_help=True)

#: The users file when ``--users`` is not given (the same default as ``workbench app``).
DEFAULT_USERS_FILE = Path("users.json")

_USERS = typer.Option(DEFAULT_USERS_FILE, "--users", help="The users file (JSON; created when missing).")


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="User name (letters, digits, '.', '_', '@', '-')."),
    role: list[str] = typer.Option(..., "--role", help="manager, analyst, reviewer or admin; repeat for several."),
    users: Path = _USERS,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input "
                                        "(one line) instead of asking."),
) -> None:
    """Add a user, or give an existing user a new password and roles."""
    from workbench.webapp.accounts import UsersFile, check_name, check_roles

    check_name(name)
    roles = check_roles(role)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True)
    existed = UsersFile(users).user(name) is not None
    user = UsersFile(users).add(name, password, roles)
    what = "updated" if existed else "added"
    typer.echo(f"User '{user.name}' {what} with role {', '.join(sorted(user.roles))} in {users}")


@users_app.command("remove")
def remove(
    name: str = typer.Argument(..., help="The user to remove."),
    users: Path = _USERS,
) -> None:
    """Remove a user; their open sessions end at their next request."""
    from workbench.webapp.accounts import UsersFile

    UsersFile(users).remove(name)
    typer.echo(f"User '{name}' removed from {users}")


@users_app.command("list")
def list_users(users: Path = _USERS) -> None:
    """List the users and their roles."""
    from workbench.webapp.accounts import UsersFile

    found = UsersFile(users).users()
    if not found:
        typer.echo(f"No users in {users}; add one with 'workbench users add NAME --role manager'")
    for user in found:
        typer.echo(f"{user.name}\t{', '.join(sorted(user.roles))}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(users_app, name="users")
