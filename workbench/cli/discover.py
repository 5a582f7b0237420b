"""CLI: ``workbench discover`` -- the process map and the desk's questions in one command."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli._answers import (
    TableFormat,
    check_per_person,
    echo_written,
    min_messages_option,
    per_person_option,
    table_format_option,
    top_n_option,
)
from workbench.errors import ConfigError


def discover(
    log_config: Path = typer.Argument(..., help="Log config YAML, e.g. configs/logs/demo.yaml."),
    out: Path = typer.Option(..., "--out", help="Output folder for maps and tables (created when missing)."),
    filters: Path | None = typer.Option(None, "--filters", help="Filter pipeline YAML (configs/filters/), applied "
                                        "in the order written before everything else."),
    rules: Path | None = typer.Option(None, "--rules", help="Rule and deadline checks YAML (configs/rules/)."),
    table_format: TableFormat = table_format_option(),
    per_person: bool = per_person_option(),
    top_n: int = top_n_option(),
    min_messages: int | None = min_messages_option(),
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
    force: bool = typer.Option(False, "--force", help="Write into a folder that holds files the workbench did not "
                               "write (inputs are never overwritten)."),
) -> None:
    """Discover the process map and answer the desk's five questions, with the case ids behind every figure.

    Writes the map (SVG, interactive HTML, BPMN, PNML), the variants, each question's
    tables and case-id lists, and (with --rules) the rule violations into --out, and
    prints a short summary. Staff are reported per team unless --per-person is given.
    """
    from workbench.analysis import load_filters, load_rules
    from workbench.config import load_log_config
    from workbench.io.outputs import OutputFolder
    from workbench.usecases import discover_map_and_answers, load_and_validate
    from workbench.usecases.writers import write_map_and_answers

    config = load_log_config(log_config)
    pipeline = load_filters(filters) if filters is not None else None
    ruleset = load_rules(rules) if rules is not None else None
    check_per_person(per_person, config, log_config)
    if node_duration not in ("auto", "until_next"):
        raise ConfigError(f"--node-duration must be auto or until_next, got {node_duration!r}")
    folder = OutputFolder.open(out, inputs=[log_config, filters, rules, config.source.path], force=force)

    events = load_and_validate(config).events
    typer.echo(f"Log '{config.name}': {events['case_id'].nunique():,} cases, {len(events):,} events")
    result = discover_map_and_answers(
        events, config, filters=pipeline, rules=ruleset, per_person=per_person, top_n=top_n, min_messages=min_messages,
        min_case_share=min_case_share, node_duration=node_duration,  # type: ignore[arg-type]
    )
    if result.discovery.filtered is not None:
        for line in result.discovery.filtered.lines():
            typer.echo(f"  {line}")
    paths = write_map_and_answers(result, folder, table_format=table_format.value)
    echo_written(result.summary(), paths, out=out, table_format=table_format.value)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("discover")(discover)
