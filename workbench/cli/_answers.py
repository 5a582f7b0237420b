"""What ``discover`` and ``questions`` share: the table and answer options, the per-person check, the closing printout."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from workbench.errors import PrivacyError

if TYPE_CHECKING:
    from workbench.config import LogConfig


class TableFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    both = "both"


def table_format_option() -> Any:
    """``--format csv|parquet|both``: how the tables are written."""
    return typer.Option(TableFormat.csv, "--format", help="Table format for BI tools.")


def per_person_option() -> Any:
    """``--per-person``: also write the per-person tables."""
    return typer.Option(False, "--per-person", help="Also write per-person tables (pseudonymised ids; "
                        "groups below privacy.min_group_size suppressed). Off by default.")


def top_n_option() -> Any:
    """``--top-n``: how many communication-heavy tickets to list."""
    return typer.Option(20, "--top-n", min=1, help="Communication-heavy tickets: how many to list.")


def min_messages_option() -> Any:
    """``--min-messages``: a message threshold for communication-heavy tickets instead of ``--top-n``."""
    return typer.Option(None, "--min-messages", min=1,
                        help="Communication-heavy tickets: a message threshold instead of --top-n.")


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
