"""CLI: logs larger than memory -- ``workbench partition`` writes a log as Parquet partitioned by case, and
``workbench questions`` answers the desk's five questions on it one bucket at a time."""

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
from workbench.cli._compute import close_executor, make_command_executor, scheduler_option
from workbench.cli._progress import progress_line
from workbench.errors import OutputError, SourceError


def partition(
    log_config: Path = typer.Argument(..., help="Log config YAML, e.g. configs/logs/demo.yaml."),
    out: Path = typer.Option(..., "--out", help="Folder for the partitioned log: new, empty, or a partitioned log "
                             "the workbench wrote (replaced once the new copy is complete)."),
    buckets: int = typer.Option(32, "--buckets", min=1, help="How many buckets the cases are hashed into; one bucket "
                                "(about events / buckets) is what a worker holds in memory."),
) -> None:
    """Read a log, validate, clean and pseudonymise it (as 'discover' does), and write it as Parquet partitioned by case.

    Every case lies wholly in one bucket (a sub-folder of Parquet files), so 'workbench
    questions --partitioned' can answer the desk's questions one bucket at a time. The
    folder is a hive-style Parquet dataset that DuckDB, Dask or Spark also read. Person
    identifiers are stored pseudonymised when the log config says so (privacy.pseudonymise).
    """
    from workbench.config import load_log_config
    from workbench.usecases import load_and_validate, partition_log
    from workbench.usecases.partitioned import check_partition_folder

    config = load_log_config(log_config)
    inputs = [log_config, config.source.path]
    check_partition_folder(out, inputs=inputs)  # a refused folder fails before the log is read
    loaded = load_and_validate(config)
    typer.echo(f"Log '{config.name}': {loaded.events['case_id'].nunique():,} cases, {len(loaded.events):,} events")
    copy = partition_log(loaded, out, buckets=buckets, inputs=inputs)
    what = "replaced the partitioned log there" if copy.replaced else "written"
    typer.echo(f"Partitioned log ({copy.buckets} buckets, {copy.events:,} events) -> {copy.path} ({what})")
    if not copy.pseudonymised:
        typer.echo("Note: person identifiers are stored as in the source (privacy.pseudonymise is false).")
    typer.echo(f"Answer the questions on it with: workbench questions {log_config} --partitioned {copy.path} "
               "--out <folder>")


def questions(
    log_config: Path = typer.Argument(..., help="Log config YAML of the partitioned log (statuses, calendar, privacy)."),
    partitioned: Path = typer.Option(..., "--partitioned", help="A partitioned log folder written by "
                                     "'workbench partition'."),
    out: Path = typer.Option(..., "--out", help="Output folder for the tables (created when missing)."),
    table_format: TableFormat = table_format_option(),
    per_person: bool = per_person_option(),
    top_n: int = top_n_option(),
    min_messages: int | None = min_messages_option(),
    scheduler: str | None = scheduler_option("the buckets", note="default: this machine; every worker must reach "
                                             "the partitioned folder"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Local worker processes (default 1); each holds "
                                       "one bucket in memory at a time."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that holds files the workbench did not "
                               "write (inputs are never overwritten)."),
) -> None:
    """Answer the desk's five questions on a partitioned log, out of core (one bucket of whole cases at a time).

    Writes each question's tables and case-id lists into --out/tables and a short
    summary.txt: the same files, with the same content, as 'workbench discover' writes
    for the whole log. The process map, variants, filters and rules need the whole log in
    memory and are not computed for a partitioned log; run 'discover' on a log that fits.
    """
    from workbench.config import load_log_config
    from workbench.io.outputs import OutputFolder
    from workbench.io.partitioned import META_FILE
    from workbench.usecases import answer_partitioned
    from workbench.usecases.writers import write_answers

    config = load_log_config(log_config)
    check_per_person(per_person, config, log_config)
    if not partitioned.is_dir() or not (partitioned / META_FILE).is_file():
        what = "no such folder" if not partitioned.is_dir() else f"not a partitioned log (it has no {META_FILE})"
        raise SourceError(f"--partitioned '{partitioned}': {what}; write one with "
                          f"'workbench partition {log_config} --out {partitioned}'")
    real_out, real_log = out.resolve(), partitioned.resolve()
    if real_out == real_log or real_log in real_out.parents:
        raise OutputError(f"--out '{out}' is inside the partitioned log '{partitioned}'; choose another folder")
    executor = make_command_executor(scheduler, workers or 1)  # a bad --scheduler fails before anything is written
    try:
        folder = OutputFolder.open(out, inputs=[log_config], force=force)
        result = answer_partitioned(config, partitioned, executor=executor, per_person=per_person, top_n=top_n,
                                    min_messages=min_messages, progress=progress_line("answering: bucket"))
    finally:
        close_executor(executor)
    typer.echo(f"Partitioned log '{partitioned}': {result.events:,} events in {result.buckets} buckets, "
               "answered one bucket at a time")
    paths = write_answers(result, folder, table_format=table_format.value)
    echo_written(result.summary(), paths, out=out, table_format=table_format.value)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("partition")(partition)
    app.command("questions")(questions)
