"""What the commands that learn a simulation model share: the calibration switch and the log's key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from workbench.config import LogConfig


def calibrate_option() -> Any:
    """``--calibrate/--no-calibrate`` (default on)."""
    return typer.Option(
        True,
        "--calibrate/--no-calibrate",
        help="Calibrate each team's capacity to the log's own waiting where the direct estimate misses it.",
    )


def pseudonym_key(config: LogConfig) -> bytes | None:
    """The pseudonymisation key of the log (so ``non_staff`` names match their pseudonyms), if it is pseudonymised."""
    from workbench.privacy import resolve_secret

    return resolve_secret(secret_env=config.privacy.secret_env) if config.privacy.pseudonymise else None
