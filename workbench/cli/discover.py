"""CLI: ``workbench discover`` -- the process map and the desk's questions in one command."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from workbench.errors import ConfigError, PrivacyError, SourceError

if TYPE_CHECKING:
    import pandas as pd


class TableFormat(str, Enum):
    csv = "csv"
    parquet = "parquet"
    both = "both"


def discover(
    log_config: Path = typer.Argument(..., help="Log config YAML, e.g. configs/logs/demo.yaml."),
    out: Path = typer.Option(..., "--out", help="Output folder for maps and tables (created when missing)."),
    filters: Path | None = typer.Option(None, "--filters", help="Filter pipeline YAML (configs/filters/), applied "
                                        "in the order written before everything else."),
    rules: Path | None = typer.Option(None, "--rules", help="Rule and deadline checks YAML (configs/rules/)."),
    table_format: TableFormat = typer.Option(TableFormat.csv, "--format", help="Table format for BI tools."),
    per_person: bool = typer.Option(False, "--per-person", help="Also write per-person tables (pseudonymised ids; "
                                    "groups below privacy.min_group_size suppressed). Off by default."),
    top_n: int = typer.Option(20, "--top-n", min=1, help="Communication-heavy tickets: how many to list."),
    min_messages: int | None = typer.Option(None, "--min-messages", min=1,
                                            help="Communication-heavy tickets: a message threshold instead of --top-n."),
    min_case_share: float | None = typer.Option(
        None, "--min-case-share", min=0.0, max=1.0,
        help="Simplify the map: hide paths below this share of cases (default: chosen so the map stays readable; "
        "0 shows everything).",
    ),
    node_duration: str = typer.Option(
        "auto", "--node-duration",
        help="What an activity's duration means: auto (its own duration when start times exist, else the time since "
        "the previous event) or until_next (time spent in a status, for ticket-status logs).",
    ),
) -> None:
    """Discover the process map and answer the desk's five questions, with the case ids behind every figure.

    Writes the map (SVG, interactive HTML, BPMN, PNML), the variants, each question's
    tables and case-id lists, and (with --rules) the rule violations into --out, and
    prints a short summary. Staff are reported per team unless --per-person is given.
    """
    from workbench.analysis import load_filters, load_rules
    from workbench.analysis.run import discover_log, discovery_tables, summary_lines
    from workbench.config import load_log_config
    from workbench.discovery import write_maps
    from workbench.io import load_log, write_text

    config = load_log_config(log_config)
    pipeline = load_filters(filters) if filters is not None else None
    ruleset = load_rules(rules) if rules is not None else None
    inputs = [p for p in (log_config, filters, rules, config.source.path) if p is not None]
    _check_out(out, inputs)
    if (per_person or config.privacy.per_person) and not config.privacy.pseudonymise:
        raise PrivacyError(
            "per-person output needs pseudonymised identifiers, but privacy.pseudonymise is false in "
            f"'{log_config}'; turn pseudonymisation on or drop --per-person"
        )

    loaded = load_log(config)
    events = loaded.events
    typer.echo(f"Log '{config.name}': {events['case_id'].nunique():,} cases, {len(events):,} events")
    result = discover_log(
        events, config, filters=pipeline, rules=ruleset, per_person=per_person, top_n=top_n, min_messages=min_messages
    )
    if result.filtered is not None:
        for line in result.filtered.lines():
            typer.echo(f"  {line}")

    if node_duration not in ("auto", "until_next"):
        raise ConfigError(f"--node-duration must be auto or until_next, got {node_duration!r}")
    maps = write_maps(result.events, out, title=f"{config.name}: process map", min_case_share=min_case_share,
                      node_duration=node_duration)  # type: ignore[arg-type]
    tables = _write_tables(out / "tables", table_format, discovery_tables(result))
    summary = summary_lines(config.name, result)
    write_text("\n".join(summary) + "\n", out / "summary.txt")
    typer.echo("")
    for line in summary:
        typer.echo(line)
    typer.echo("")
    typer.echo(f"Process map: {maps['html']} (also {maps['svg'].name}, {maps['bpmn'].name}, {maps['pnml'].name})")
    typer.echo(f"Tables ({table_format.value}): {len(tables)} files in {out / 'tables'}; summary: {out / 'summary.txt'}")


def _check_out(out: Path, inputs: list[Path]) -> None:
    """Refuse an --out that is an existing file or one of the inputs."""
    from workbench.io import check_not_input

    check_not_input(out, inputs)
    if out.exists() and not out.is_dir():
        raise SourceError(f"--out '{out}' is a file; give a folder for the maps and tables")
    resolved = {Path(p).resolve() for p in inputs}
    for name in ("summary.txt", "process_map.svg", "process_map.html", "process_model.bpmn", "process_model.pnml"):
        if (out / name).resolve() in resolved:
            raise SourceError(f"writing '{out / name}' would overwrite an input file; choose another --out folder")
    tables = (out / "tables").resolve()
    for src in resolved:
        ours = ("map_", "variants", "variant_", "filter_", "rule_", "team_speed", "routing", "reopens", "time_split",
                "communication", "unanswered_")
        if src.parent in (tables, out.resolve()) and src.name.startswith(ours):
            raise SourceError(f"writing into '{src.parent}' could overwrite input '{src.name}'; "
                                  "choose another --out folder")


def _write_tables(folder: Path, fmt: TableFormat, frames: dict[str, pd.DataFrame]) -> list[Path]:
    from workbench.io import write_table

    suffixes = {"csv": [".csv"], "parquet": [".parquet"], "both": [".csv", ".parquet"]}[fmt.value]
    return [write_table(frame, folder / f"{name}{suffix}") for name, frame in frames.items() for suffix in suffixes]


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("discover")(discover)
