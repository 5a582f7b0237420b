"""CLI: ``workbench app EXPERIMENT`` -- serve the web app for one experiment and its pipeline outputs.

The cookie secret comes from the environment (``WORKBENCH_APP_SECRET``), never from an argument;
the settings are read once here and passed to the server. Bad input is one line and exit code 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from workbench.errors import ConfigError

__all__ = ["app_command", "register", "SECRET_ENV", "MIN_APP_SECRET", "check_app_secret"]

#: The environment variable holding the key that signs the login cookie and the page sessions.
SECRET_ENV = "WORKBENCH_APP_SECRET"
MIN_APP_SECRET = 32
_HOW = (f"set {SECRET_ENV} to a long random string, e.g. "
        "export WORKBENCH_APP_SECRET=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\", "
        "and keep it: a new one logs everyone out")


def check_app_secret(value: str | None) -> str:
    """The cookie secret, or a :class:`ConfigError` in one line when it is missing or weak."""
    if not value:
        raise ConfigError(f"the web app needs a secret to sign its login cookies and none is set; {_HOW}")
    if len(value) < MIN_APP_SECRET or len(set(value)) < 8:
        raise ConfigError(f"the secret in {SECRET_ENV} is too weak (it needs at least {MIN_APP_SECRET} characters "
                          f"and some variety); {_HOW}")
    return value


def app_command(
    experiment: Path = typer.Argument(..., help="The experiment YAML, e.g. experiments/demo.yaml."),
    outputs: Path | None = typer.Option(None, "--outputs", help="The experiment's pipeline output folder "
                                        "(default: the experiment's output, e.g. outputs/<name>)."),
    users: Path = typer.Option(Path("users.json"), "--users", help="The users file (workbench users add)."),
    db: str | None = typer.Option(None, "--db", help="Database URL for scenarios, runs, comments and the audit "
                                  "trail (default: sqlite:///<outputs>/../<name>.app.sqlite; PostgreSQL: "
                                  "postgresql+psycopg://user@host/db)."),
    address: str = typer.Option("127.0.0.1", "--address", help="The address to listen on (only this machine by "
                                "default; put a reverse proxy in front to serve others)."),
    port: int = typer.Option(5006, "--port", min=1, max=65535, help="The port to listen on."),
    language: str | None = typer.Option(None, "--language", help="da or en (default: the experiment's); each user "
                                        "can switch on the page."),
    behind_proxy: bool = typer.Option(False, "--behind-proxy", help="Trust the reverse proxy's X-Forwarded-For and "
                                      "-Proto headers (only when browsers reach the app through it)."),
    public_host: list[str] = typer.Option([], "--public-host", help="A host name users reach the app by through "
                                          "the proxy, e.g. workbench.kommune.dk (repeat for several)."),
    oidc_provider: str | None = typer.Option(None, "--oidc-provider", help="Log in through the organisation's "
                                             "identity provider instead of the users file (a Panel OAuth provider: "
                                             "generic, azure, okta, ...); client id and secret from "
                                             "WORKBENCH_OIDC_CLIENT_ID and WORKBENCH_OIDC_CLIENT_SECRET."),
    oidc_param: list[str] = typer.Option([], "--oidc-param", help="KEY=VALUE passed to the provider (e.g. "
                                         "TENANT_ID=..., or AUTHORIZE_URL/TOKEN_URL/USER_URL of a generic one)."),
    oidc_redirect_uri: str | None = typer.Option(None, "--oidc-redirect-uri", help="The login URL users come back "
                                                 "to (default: http://<address>:<port>/login)."),
    session_minutes: int = typer.Option(480, "--session-minutes", min=1, help="A login lasts this long."),
    max_parallel_runs: int = typer.Option(2, "--max-parallel-runs", min=1, help="Simulations run at once; more "
                                          "wait in a queue."),
    per_person: bool = typer.Option(False, "--per-person", help="Allow pseudonymised per-person staff figures "
                                    "(off: staff per team only)."),
) -> None:
    """Serve the web app: overview, what-if, open tickets at risk and audit pages, with login and roles."""
    from workbench.i18n import check_language
    from workbench.webapp.accounts import UsersFile
    from workbench.webapp.experiment import EVENTS, open_experiment
    from workbench.webapp.jobs import run_scenario_job
    from workbench.webapp.pages import PAGES
    from workbench.webapp.server import serve
    from workbench.webapp.settings import AppSettings, OidcSettings

    secret = check_app_secret(os.environ.get(SECRET_ENV))
    if not experiment.is_file():
        raise ConfigError(f"experiment '{experiment}' does not exist; name an experiment YAML such as "
                          "experiments/demo.yaml")
    from workbench.pipeline import load_experiment

    config = load_experiment(experiment)
    chosen = check_language(language) if language is not None else config.language
    folder = (outputs if outputs is not None else Path(str(config.output))).resolve()
    opened = open_experiment(experiment, folder)  # the configs and the folder are checked now, not at first page
    if opened.has(EVENTS):  # the overview's answers, computed once now rather than for the first visitor
        typer.echo("Reading the experiment's outputs ...", err=True)
        _ = opened.discovery
    oidc = None
    if oidc_provider is not None:
        params = dict(_pair(p) for p in oidc_param)
        oidc = OidcSettings(provider=oidc_provider, redirect_uri=oidc_redirect_uri, extra_params=params)
    elif not UsersFile(users).users():
        raise ConfigError(f"users file '{users}' has no users, so nobody could log in; add one with "
                          f"'workbench users add NAME --role manager --users {users}'")
    url = db if db is not None else f"sqlite:///{folder.parent / (config.name + '.app.sqlite')}"
    settings = AppSettings(experiment=experiment.resolve(), outputs=folder, users_file=users.resolve(),
                           database_url=url, cookie_secret=secret, address=address, port=port, language=chosen,
                           behind_proxy=behind_proxy, public_hosts=tuple(public_host), oidc=oidc,
                           session_minutes=session_minutes, max_parallel_runs=max_parallel_runs,
                           per_person=per_person)
    typer.echo(f"Serving '{config.name}' on http://{address}:{port}/ (Ctrl-C stops; runs in progress are marked "
               "failed)", err=True)
    serve(settings, PAGES, run_scenario_job, users=UsersFile(settings.users_file))


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--oidc-param {text!r} is not KEY=VALUE, e.g. --oidc-param TENANT_ID=...")
    return key.strip(), value.strip()


def register(app: typer.Typer) -> None:
    """Add ``workbench app`` to the command line."""
    app.command("app")(app_command)
