"""CLI: ``workbench audit <audit-config>`` -- the fairness audit, with an exit code for pipelines.

Exit codes: 0 = nothing flagged, 1 = at least one group flagged, 2 = error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from workbench.config import LogConfig
    from workbench.fairness.config import AuditConfig


def audit(
    audit_config: Path = typer.Argument(..., help="Audit config YAML, e.g. configs/audits/demo_departments.yaml."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: the config's out, or "
                                                           "outputs/audits/<name>)."),
    replicates: int | None = typer.Option(None, "--replicates", min=20,
                                          help="Bootstrap replicates (overrides the config)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the summary line."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that holds files the workbench did not "
                               "write (inputs are never overwritten)."),
) -> int:
    """Audit fairness per group (historical outcomes, a model, a process change); exit 1 if any group is flagged."""
    from workbench.config import load_log_config
    from workbench.fairness.config import load_audit_config
    from workbench.fairness.runner import run_audit
    from workbench.io.outputs import OutputFolder
    from workbench.models.tracking import resolve_tracking_uri
    from workbench.usecases.writers import AUDIT_FILES, write_audit_result

    config = load_audit_config(audit_config)
    log_config = load_log_config(config.log)
    target = out if out is not None else config.out
    assert target is not None
    inputs = [audit_config, config.log, config.model.scores if config.model else None,
              *_log_inputs(config, log_config)]
    folder = OutputFolder.open(target, inputs=inputs, force=force)
    for name in AUDIT_FILES:  # an input named like an output fails now, not after the bootstraps
        folder.target(name)
    needs_store = config.model is not None and (config.model.scores is None or config.model.log_to_mlflow)
    uri = resolve_tracking_uri(config.model.tracking_uri if config.model else None) if needs_store else None
    progress = None if quiet else (lambda line: typer.echo(f"  {line} ...", err=True))
    result = run_audit(config, log_config=log_config, replicates=replicates, tracking_uri=uri, progress=progress)
    paths = write_audit_result(result, folder, title=f"Fairness audit: {config.name}")
    typer.echo(f"Fairness audit '{config.name}': {result.summary()}")
    if not quiet:
        for note in result.notes:
            typer.echo(f"  note: {note}")
        for verdict in result.verdicts(flagged_only=True):
            typer.echo(f"  FLAGGED  {verdict}")
    typer.echo(f"Table -> {paths['table']}\nHTML  -> {paths['html']}")
    return 1 if result.flagged else 0


def _log_inputs(config: AuditConfig, log_config: LogConfig) -> list[Path | None]:
    """The files behind the audit config: the log's source file, the process audit's scenario and tables."""
    found: list[Path | None] = [log_config.source.path]
    if config.process is not None:
        found.append(config.process.scenario)
        if config.process.results is not None:
            found += [config.process.results / f"{stem}{suffix}" for stem in ("kpis", "group_kpis")
                      for suffix in (".csv", ".parquet")]
    return found


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("audit")(audit)
