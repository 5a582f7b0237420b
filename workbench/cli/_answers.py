"""What ``discover`` and ``questions`` share: the per-person privacy check and the closing printout."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from workbench.errors import PrivacyError

if TYPE_CHECKING:
    from workbench.config import LogConfig


def check_per_person(per_person: bool, config: LogConfig, log_config: Path) -> None:
    """Refuse per-person output (asked for, or set in the log config) on identifiers that are not pseudonymised."""
    if (per_person or config.privacy.per_person) and not config.privacy.pseudonymise:
        raise PrivacyError(
            "per-person output needs pseudonymised identifiers, but privacy.pseudonymise is false in "
            f"'{log_config}'; turn pseudonymisation on or drop --per-person"
        )


def echo_written(summary: Sequence[str], paths: dict[str, Path], *, out: Path, table_format: str) -> None:
    """Print the summary, then where the process map (when one was written) and the tables went."""
    n_tables = sum(1 for key in paths if key.startswith("table:"))
    typer.echo("")
    for line in summary:
        typer.echo(line)
    typer.echo("")
    if "html" in paths:
        typer.echo(f"Process map: {paths['html']} (also {paths['svg'].name}, {paths['bpmn'].name}, "
                   f"{paths['pnml'].name})")
    typer.echo(f"Tables ({table_format}): {n_tables} files in {out / 'tables'}; summary: {paths['summary']}")
