"""What the commands that learn a simulation model share: the calibration switch."""

from __future__ import annotations

from typing import Any

import typer


def calibrate_option() -> Any:
    """``--calibrate/--no-calibrate`` (default on)."""
    return typer.Option(
        True,
        "--calibrate/--no-calibrate",
        help="Calibrate each team's capacity to the log's own waiting where the direct estimate misses it.",
    )
